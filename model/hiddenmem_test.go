package model_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
)

// Memory that reflection reaches but does not read as it reads a field:
// the pointer an atomic.Pointer holds (an unsafe.Pointer inside it), a
// channel's buffer, an unsafe.Pointer. Layer code keeps a mode there as
// it keeps one in a field (a degraded mode swapped in whole, a token in
// a channel of one), and the walks of memory passed over all three.

// mode is what a recovery stores for the operations after it.
type mode struct{ degraded bool }

// keeper is a place that memory of an instance, or of every instance,
// keeps a mode in.
type keeper interface {
	isSet() bool
	set(bool)
}

// ptrKeeper keeps the mode behind an atomic.Pointer.
type ptrKeeper struct{ m atomic.Pointer[mode] }

func (k *ptrKeeper) isSet() bool { m := k.m.Load(); return m != nil && m.degraded }
func (k *ptrKeeper) set(d bool)  { k.m.Store(&mode{degraded: d}) }

// chanKeeper keeps a degraded mode as a token in a channel of one.
type chanKeeper struct{ tokens chan struct{} }

func (k *chanKeeper) isSet() bool { return len(k.tokens) > 0 }
func (k *chanKeeper) set(d bool) {
	select {
	case <-k.tokens:
	default:
	}
	if d {
		k.tokens <- struct{}{}
	}
}

// unsafeKeeper keeps the mode behind an unsafe.Pointer, set on a
// degraded mode alone.
type unsafeKeeper struct{ p unsafe.Pointer }

func (k *unsafeKeeper) isSet() bool { return k.p != nil && (*mode)(k.p).degraded }
func (k *unsafeKeeper) set(d bool) {
	k.p = nil
	if d {
		k.p = unsafe.Pointer(&mode{degraded: true})
	}
}

// mapKeeper keeps the mode in a map of the instance keyed by pointers,
// made alike by every Impl call (an index of blocks by their handles).
type mapKeeper struct {
	idx map[*mode]int
	key *mode
}

func newMapKeeper() keeper {
	k := &mapKeeper{key: &mode{}}
	k.idx = map[*mode]int{k.key: 0, {degraded: true}: 0}
	return k
}

func (k *mapKeeper) isSet() bool { return k.idx[k.key] != 0 }
func (k *mapKeeper) set(d bool) {
	k.idx[k.key] = 0
	if d {
		k.idx[k.key] = 1
	}
}

var keepers = []struct {
	name string
	make func() keeper
	at   string // where the violation's message names the mode
}{
	{"atomic.Pointer", func() keeper { return &ptrKeeper{} }, ".m.Load()"},
	{"channel", func() keeper { return &chanKeeper{tokens: make(chan struct{}, 1)} }, ".tokens (a channel"},
	{"unsafe.Pointer", func() keeper { return &unsafeKeeper{} }, ".p"},
	{"map keyed by pointers", newMapKeeper, ".idx[&{false}]"},
}

// keptReg is degradedReg with its mode kept in k: after a real crash
// whose recovery's probe fails, the instance that recovered reads 0
// where the register holds 1. With booted, k is a flag that every
// instance of the System shares instead, set by every recovery: a write
// over a 1 made before any recovery in the process writes 0, a bug of
// every run that never crashed, which the instances stop showing once
// the search's first recovery set the flag.
type keptReg struct {
	d      model.Caller[cellOp, uint8]
	k      keeper
	booted bool
}

func (r keptReg) Call(op regOp) uint8 {
	if op.Write {
		v := op.V
		if r.booted && !r.k.isSet() && r.d.Call(cellOp{}) == 1 {
			v = 0
		}
		r.d.Call(cellOp{Kind: 1, V: v})
		return op.V
	}
	if !r.booted && r.k.isSet() {
		return 0
	}
	return r.d.Call(cellOp{})
}

// keptSystem is the register whose mode each instance keeps in memory
// that newKeeper makes or, with shared, whose flag of a recovery run in
// the process one keeper holds for every instance of the System.
func keptSystem(newKeeper func() keeper, shared bool) model.Checker {
	one := newKeeper()
	impl := func(d model.Caller[cellOp, uint8]) model.Instance[model.Caller[regOp, uint8]] {
		if shared {
			return model.Instance[model.Caller[regOp, uint8]]{
				API:     keptReg{d: d, k: one, booted: true},
				Recover: func() { one.set(true) },
			}
		}
		k := newKeeper()
		return model.Instance[model.Caller[regOp, uint8]]{
			API:     keptReg{d: d, k: k},
			Recover: func() { k.set(d.Call(cellOp{Kind: 2}) == probeFailed) },
		}
	}
	return model.NewSystem(
		model.NewLayer[uint8, cellOp, uint8]("cell", cellSpec{}),
		model.NewLayer[uint8, regOp, uint8]("register", registerSpec{}),
		impl, func(c *uint8) (uint8, bool) { return *c, true })
}

// TestModeKeptOutOfReach: a recovery that leaves a mode for the
// operations after it behind an atomic.Pointer, in a channel's buffer or
// behind an unsafe.Pointer, of each instance or of every instance, is a
// nondeterminism violation naming where, in every determinism mode with
// one worker and two, as the same mode in a bool field is
// (TestRecoveryFlagCaughtInFirstLevels). Each verified before the walks
// of memory followed an atomic.Pointer and read a channel's length and
// an unsafe.Pointer's. The shared mode is checked on a System built once
// (the compared runs on a System built anew see it otherwise): the walk
// of the memory every instance shares names it when the search ends.
func TestModeKeptOutOfReach(t *testing.T) {
	for _, k := range keepers {
		for _, shared := range []bool{false, true} {
			name := k.name + "/own"
			if shared {
				name = k.name + "/shared"
			}
			t.Run(name, func(t *testing.T) {
				wantInEveryMode(t, func() model.Checker {
					if shared {
						return keptSystem(k.make, shared)
					}
					return model.Rebuilt(func() model.Checker { return keptSystem(k.make, shared) })
				}, k.at)
			})
		}
	}
}

// limits is what every instance is built with.
type limits struct{ limit uint8 }

// usesReg is a correct register on the cell whose memory holds what
// TestModeKeptRight lists, used as a storage layer uses it and left as it
// was before each call returns.
type usesReg struct {
	d     model.Caller[cellOp, uint8]
	cfg   *atomic.Pointer[limits]
	sem   chan struct{}  // a semaphore of the instance, taken in each call
	bufs  chan *[1]uint8 // a pool of buffers made in Impl, taken and put back
	every chan struct{}  // a semaphore every instance shares
	raw   unsafe.Pointer // a configuration made in Impl
	// idle is the Cond a goroutine of the instance's own waits on for
	// work (a background flusher that no call wakes here): its list of
	// waiters is filled once that goroutine runs.
	idle *sync.Cond
}

func (r usesReg) Call(op regOp) uint8 {
	r.sem <- struct{}{}
	defer func() { <-r.sem }()
	r.every <- struct{}{}
	defer func() { <-r.every }()
	b := <-r.bufs
	defer func() { r.bufs <- b }()
	if op.Write {
		b[0] = min(op.V, r.cfg.Load().limit, (*limits)(r.raw).limit)
		r.d.Call(cellOp{Kind: 1, V: b[0]})
		return op.V
	}
	return r.d.Call(cellOp{})
}

// TestModeKeptRight: memory of the kinds TestModeKeptOutOfReach walks,
// used by a correct layer (an atomic.Pointer to a configuration each
// instance, or every instance, is built with, channels used as semaphores
// and as a pool of buffers, an unsafe.Pointer set in Impl, a sync.Cond
// that a goroutine of the instance's own waits on for work), verifies in
// every determinism mode with one worker and two. The Cond was a false
// alarm before, at API.idle.notify.wait: the count of its Waits, which
// the pristine instance's goroutine made after the walk of shared memory
// at the worker's start (and the list of its waiters, non-nil in an
// instance whose goroutine has run and nil in one just built).
func TestModeKeptRight(t *testing.T) {
	for _, sharedCfg := range []bool{false, true} {
		t.Run(map[bool]string{false: "own configuration", true: "shared configuration"}[sharedCfg], func(t *testing.T) {
			wantInEveryMode(t, func() model.Checker {
				return model.Rebuilt(func() model.Checker {
					shared := &atomic.Pointer[limits]{}
					shared.Store(&limits{limit: 1})
					every := make(chan struct{}, 2)
					impl := func(d model.Caller[cellOp, uint8]) model.Instance[model.Caller[regOp, uint8]] {
						cfg := shared
						if !sharedCfg {
							cfg = &atomic.Pointer[limits]{}
							cfg.Store(&limits{limit: 1})
						}
						r := usesReg{d: d, cfg: cfg, sem: make(chan struct{}, 1), bufs: make(chan *[1]uint8, 2), every: every,
							raw: unsafe.Pointer(&limits{limit: 1})}
						r.bufs <- &[1]uint8{}
						r.bufs <- &[1]uint8{}
						r.idle = sync.NewCond(&sync.Mutex{})
						go func() {
							r.idle.L.Lock()
							r.idle.Wait()
						}()
						return model.Instance[model.Caller[regOp, uint8]]{API: r, Recover: func() { r.Call(regOp{}) }}
					}
					return model.NewSystem(
						model.NewLayer[uint8, cellOp, uint8]("cell", cellSpec{}),
						model.NewLayer[uint8, regOp, uint8]("register", registerSpec{}),
						impl, func(c *uint8) (uint8, bool) { return *c, true })
				})
			}, "")
		})
	}
}

// idxReg is a correct register on the cell whose instance holds an
// index keyed by pointers, by interfaces holding pointers, and by
// structs holding pointers, made alike by every Impl call (two keys
// holding the same), which it reads and never changes.
type idxReg struct {
	d      model.Caller[cellOp, uint8]
	byPtr  map[*limits]int
	byAny  map[any]string
	byPair map[struct {
		l *limits
		n int
	}]bool
}

func (r idxReg) Call(op regOp) uint8 {
	if op.Write {
		r.d.Call(cellOp{Kind: 1, V: op.V})
		return op.V
	}
	return r.d.Call(cellOp{})
}

// TestMapKeyedByPointersBuiltAlike: an instance holding a map keyed by
// pointers (or by interfaces or structs holding them) that each Impl call
// makes alike verifies: before, "two instances that Impl built, neither
// of which ran anything, hold other values at API.byPtr[&{1}] (missing)",
// as the keys of one instance were looked up in the other's map. A mode
// kept in such a map is still caught (TestModeKeptOutOfReach).
func TestMapKeyedByPointersBuiltAlike(t *testing.T) {
	wantInEveryMode(t, func() model.Checker {
		return model.Rebuilt(func() model.Checker {
			impl := func(d model.Caller[cellOp, uint8]) model.Instance[model.Caller[regOp, uint8]] {
				r := idxReg{d: d,
					byPtr: map[*limits]int{{limit: 1}: 1, {limit: 1}: 2, {limit: 2}: 3},
					byAny: map[any]string{&limits{limit: 1}: "a", 7: "b", "k": "c"},
					byPair: map[struct {
						l *limits
						n int
					}]bool{{&limits{limit: 1}, 1}: true, {nil, 2}: false}}
				return model.Instance[model.Caller[regOp, uint8]]{API: r, Recover: func() { r.Call(regOp{}) }}
			}
			return model.NewSystem(
				model.NewLayer[uint8, cellOp, uint8]("cell", cellSpec{}),
				model.NewLayer[uint8, regOp, uint8]("register", registerSpec{}),
				impl, func(c *uint8) (uint8, bool) { return *c, true })
		})
	}, "")
}

// closureKeeper keeps the mode in a variable that its funcs capture,
// which reflection does not look into.
type closureKeeper struct {
	get func() bool
	put func(bool)
}

func (k closureKeeper) isSet() bool { return k.get() }
func (k closureKeeper) set(d bool)  { k.put(d) }

func newClosureKeeper() keeper {
	v := false
	return closureKeeper{func() bool { return v }, func(d bool) { v = d }}
}

// actorKeeper keeps the mode in a local variable of a goroutine of the
// instance's own, which answers requests over channels (an owner
// goroutine of the in-memory state, as storage code writes one).
type actorKeeper struct {
	req chan int
	rep chan bool
}

func (k actorKeeper) isSet() bool { k.req <- 2; return <-k.rep }
func (k actorKeeper) set(d bool) {
	r := 0
	if d {
		r = 1
	}
	k.req <- r
	<-k.rep
}

func newActorKeeper() keeper {
	k := actorKeeper{make(chan int), make(chan bool)}
	go func() {
		v := false
		for r := range k.req {
			if r < 2 {
				v = r == 1
			}
			k.rep <- v
		}
	}()
	return k
}

// TestModeKeptInClosures: the degraded register of TestModeKeptOutOfReach
// with its mode in a variable its closures capture, or in a goroutine of
// each instance's own, neither of which any walk of memory reaches, is a
// nondeterminism violation in every determinism mode, with one worker and
// two: recovery is run again on a new instance along each of its runs,
// then an operation on that instance and on one built anew, compared.
// Before, verified in every mode: that check ran recovery along its first
// choices alone, where the cell's probe is fine (cellSpec), and the
// search's runs of the read were made on instances whose last recovery
// found it fine too.
func TestModeKeptInClosures(t *testing.T) {
	for _, k := range []struct {
		name string
		make func() keeper
	}{{"closure", newClosureKeeper}, {"goroutine", newActorKeeper}} {
		t.Run(k.name, func(t *testing.T) {
			wantInEveryMode(t, func() model.Checker {
				return model.Rebuilt(func() model.Checker { return keptSystem(k.make, false) })
			}, "recovery taking the lower layer's choices [1], the operations the first")
		})
	}
}

// TestModeKeptInClosuresSampled: the probes of TestModeKeptInClosures
// (the mode in a closure's variable, or in an owner goroutine), searched in DeterminismSample by workers that
// never check a level whole (sampled), is a nondeterminism violation
// where recovery's every run is checked for the lower state of the
// probe's bug (the register holding 1): the check of recovered instances
// runs recovery again along each of its runs there, the sample of lower
// states it takes set here to take every one. Before, that check ran
// recovery along its first choices alone past the levels checked whole,
// where the probe is fine: verified, with the sample taking every lower
// state.
func TestModeKeptInClosuresSampled(t *testing.T) {
	defer model.SetRecoveredEvery(1, 1)()
	for name, newKeeper := range map[string]func() keeper{"closure": newClosureKeeper, "goroutine": newActorKeeper} {
		for _, workers := range []int{1, 2} {
			res, err := explorer.Run(context.Background(), sampled{model.Rebuilt(func() model.Checker { return keptSystem(newKeeper, false) })},
				explorer.Config{Workers: workers, Determinism: model.DeterminismSample})
			if err != nil {
				t.Fatal(err)
			}
			if want := "recovery taking the lower layer's choices [1], the operations the first"; res.Verdict != explorer.Violated ||
				res.Violation.Kind != model.KindNondeterminism || !strings.Contains(res.Violation.Message, want) {
				t.Fatalf("%s, %d workers: %s (%d states) %v, want a nondeterminism violation saying %q", name, workers, res.Verdict, res.States, res.Violation, want)
			}
		}
	}
}

// TestRebuiltCauseFirst: where the compared runs that differ began on an
// instance of a System built anew (the mode of TestModeKeptInClosures in
// a variable its closures capture, as a recovery that skips its work the
// first time in a process keeps it), the violation names memory that
// every instance of one System shares first, as the likely cause, and
// the layer code's own state after it; on a System built once, the
// layer code's own alone, as before.
func TestRebuiltCauseFirst(t *testing.T) {
	const anew = ": as the newly built instance is of a System built anew, as after a restart, the layer code likely keeps state in memory that every instance of one System shares"
	const own = "; or the layer code keeps state of its own between calls"
	for _, tc := range []struct {
		name  string
		build func() model.Checker
		first bool
	}{
		{"anew", func() model.Checker {
			return model.Rebuilt(func() model.Checker { return keptSystem(newClosureKeeper, false) })
		}, true},
		{"once", func() model.Checker { return keptSystem(newClosureKeeper, false) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := explorer.Run(context.Background(), tc.build(), explorer.Config{Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			if res.Verdict != explorer.Violated || res.Violation.Kind != model.KindNondeterminism {
				t.Fatalf("%s %v, want a nondeterminism violation", res.Verdict, res.Violation)
			}
			msg := res.Violation.Message
			i, j := strings.Index(msg, anew), strings.Index(msg, own)
			if tc.first && (i < 0 || j < i) {
				t.Fatalf("message %q, want %q first and %q after it", msg, anew, own)
			}
			if !tc.first && (i >= 0 || strings.Contains(msg, "System built anew") || !strings.Contains(msg, ": the layer code keeps state of its own between calls")) {
				t.Fatalf("message %q, want the layer code's own state alone as the cause", msg)
			}
		})
	}
}
