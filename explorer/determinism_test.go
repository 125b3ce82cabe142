package explorer_test

import (
	"context"
	"hash/maphash"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/internal/checkalltest"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/layers/replicated"
	"github.com/argocheck/argocheck/layers/twodisk"
	"github.com/argocheck/argocheck/model"
	"github.com/argocheck/argocheck/relations"
)

// A fault is a piece of nondeterministic layer code, run before each
// write of a faulty implementation with the write's address: it reads
// the lower layer (which changes nothing) or not, as chance has it. The
// implementations are correct in every other way, so only the
// determinism checks can reject them.
type fault func(read func(disk.Addr), a disk.Addr)

// Package-level state that faults keep between runs.
var (
	writes int
	epoch  = time.Now()
)

// faults are nondeterministic layer code of the kinds layer authors
// write by mistake.
var faults = []struct {
	name  string
	fault fault
}{
	{"package-level counter", func(read func(disk.Addr), a disk.Addr) {
		writes++
		if writes%2 == 0 {
			read(a)
		}
	}},
	{"package-level counter, same calls", func(read func(disk.Addr), a disk.Addr) {
		writes++
		read(disk.Addr(writes % 2))
	}},
	{"map iteration order", func(read func(disk.Addr), a disk.Addr) {
		for b := range map[disk.Addr]bool{0: true, 1: true, 2: true} {
			read(b)
		}
	}},
	{"time", func(read func(disk.Addr), a disk.Addr) {
		if time.Since(epoch)/time.Microsecond%2 == 0 {
			read(a)
		}
	}},
	{"math/rand", func(read func(disk.Addr), a disk.Addr) {
		if rand.IntN(2) == 0 {
			read(a)
		}
	}},
}

// passDisk implements OneDisk on OneDisk by passing every call through,
// with a fault before each write.
type passDisk struct {
	d     onedisk.API
	fault fault
}

func (p passDisk) Read(a disk.Addr) disk.Block { return p.d.Read(a) }
func (p passDisk) Size() int                   { return p.d.Size() }
func (p passDisk) Write(a disk.Addr, b disk.Block) {
	p.fault(func(a disk.Addr) { p.d.Read(a) }, a)
	p.d.Write(a, b)
}

// onOneDisk is the check of passDisk with f: OneDisk never branches, so
// no run is ever replayed to reach another choice. It is large enough
// (about five thousand procedure runs) for the default mode's sample to run a few
// hundred of them twice.
func onOneDisk(f fault) model.Checker {
	sizes := disk.Sizes{Blocks: 5, Values: 3}
	impl := func(d onedisk.API) model.Instance[onedisk.API] {
		return model.Instance[onedisk.API]{API: passDisk{d, f}, Recover: func() {}}
	}
	return model.NewSystem(onedisk.Layer(sizes), onedisk.Layer(sizes), impl, sameDisk)
}

// sameDisk relates every disk to itself.
func sameDisk(c *onedisk.State) (onedisk.State, bool) { return *c, true }

// repDisk is the replicated disk with a fault before each write.
type repDisk struct {
	onedisk.API
	d     twodisk.API
	fault fault
}

func (r repDisk) Write(a disk.Addr, b disk.Block) {
	r.fault(func(a disk.Addr) { r.d.Read(twodisk.D0, a) }, a)
	r.API.Write(a, b)
}

// onTwoDisk is the replicated disk on TwoDisk with f before each write.
func onTwoDisk(f fault) model.Checker {
	sizes := disk.Sizes{Blocks: 3, Values: 2}
	impl := func(d twodisk.API) model.Instance[onedisk.API] {
		in := replicated.Impl(replicated.Correct)(d)
		return model.Instance[onedisk.API]{API: repDisk{in.API, d, f}, Recover: in.Recover}
	}
	return model.NewSystem(twodisk.Layer(sizes), onedisk.Layer(sizes), impl, replicated.Abs)
}

// TestNondeterminismIsNeverVerified: layer code that behaves differently
// when run again is reported as nondeterminism, on a lower layer that
// branches (TwoDisk, whose runs are replayed) and on one that does not
// (OneDisk, where only running sampled runs twice can tell), in both
// determinism modes and with one worker or two.
func TestNondeterminismIsNeverVerified(t *testing.T) {
	for _, f := range faults {
		for _, lower := range []struct {
			name  string
			check func(fault) model.Checker
		}{{"onedisk", onOneDisk}, {"twodisk", onTwoDisk}} {
			for _, mode := range model.DeterminismModes {
				for _, workers := range []int{1, 2} {
					name := strings.Join([]string{f.name, lower.name, mode.String()}, "/")
					t.Run(name, func(t *testing.T) {
						res, err := explorer.Run(context.Background(), lower.check(f.fault), explorer.Config{Workers: workers, Determinism: mode})
						if err != nil {
							t.Fatal(err)
						}
						if res.Verdict != explorer.Violated || res.Violation.Kind != model.KindNondeterminism {
							t.Fatalf("%d workers: verdict %s %+v, want a nondeterminism violation", workers, res.Verdict, res.Violation)
						}
						// A rebuilt path that took another course says so,
						// unless the messages it quotes say it already.
						if m := res.Violation.Message; strings.HasSuffix(m, "; the layer code is not deterministic") && strings.Count(m, "not deterministic") > 1 {
							t.Errorf("message %q says the code is not deterministic again", m)
						}
						// The path to the violation may not reach the run
						// it was found in (rebuilding the path runs the
						// same nondeterministic code), so the message
						// names the run.
						if m := res.Violation.Message; !strings.Contains(m, " from lower state ") ||
							!strings.Contains(m, "the procedure of write(") && !strings.Contains(m, "recovery from lower state") {
							t.Errorf("message %q does not name the run that was not deterministic", m)
						}
					})
				}
			}
		}
	}
}

// TestOracleNondeterminismIsNeverVerified: the relation oracle does not
// verify layer code that behaves differently when run again either, on
// a lower layer whose runs it replays (TwoDisk): a replay that takes
// another course with the same choices is a fault of the run.
func TestOracleNondeterminismIsNeverVerified(t *testing.T) {
	for _, f := range faults {
		sem, ok := model.SemanticsOf(onTwoDisk(f.fault))
		if !ok {
			t.Fatal("no semantics")
		}
		if got := relations.Check(sem, relations.Options{}); got.Verified {
			t.Errorf("%s: the relation oracle verifies it: %v", f.name, got)
		}
	}
}

// TestDeterministicCodeVerifies: the determinism checks reject nothing a
// deterministic implementation does, in either mode.
func TestDeterministicCodeVerifies(t *testing.T) {
	none := func(func(disk.Addr), disk.Addr) {}
	readFirst := func(read func(disk.Addr), a disk.Addr) { read(a) }
	for _, f := range []fault{none, readFirst} {
		for _, mode := range model.DeterminismModes {
			for _, chk := range []model.Checker{onOneDisk(f), onTwoDisk(f)} {
				res, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 2, Determinism: mode})
				if err != nil {
					t.Fatal(err)
				}
				if res.Verdict != explorer.Verified {
					t.Fatalf("%s: verdict %s %+v\n%s", mode, res.Verdict, res.Violation, res.Trace)
				}
			}
		}
	}
}

// TestNondeterminismShowsBothRuns: the violation says how the two runs
// differed, expected against got.
func TestNondeterminismShowsBothRuns(t *testing.T) {
	res, err := explorer.Run(context.Background(), onOneDisk(faults[0].fault), explorer.Config{Workers: 1, Determinism: model.DeterminismFull})
	if err != nil {
		t.Fatal(err)
	}
	const want = "run twice with the same lower-layer choices, the first time on a newly built instance, the procedure of write(0, 0) from lower state [0 0 0 0 0] made as its step 1 "
	if res.Violation == nil || !strings.HasPrefix(res.Violation.Message, want) || !strings.Contains(res.Violation.Message, "the first time and ") {
		t.Fatalf("violation %+v, want one starting %q and naming both runs' steps", res.Violation, want)
	}
	if last := res.Trace.Steps[len(res.Trace.Steps)-1]; last.Violation == nil || last.Violation.Kind != model.KindNondeterminism {
		t.Fatalf("the path does not end in the violation:\n%s", res.Trace)
	}
}

// TestJoinedGoroutineIsRefused: a call from a goroutine of the layer's
// own is refused even when the procedure waits for it, so that no call
// ever runs beside the executor: the check does not depend on timing.
func TestJoinedGoroutineIsRefused(t *testing.T) {
	joined := func(read func(disk.Addr), a disk.Addr) {
		done := make(chan struct{})
		go func() {
			read(a)
			close(done)
		}()
		<-done
	}
	for _, chk := range []func(fault) model.Checker{onOneDisk, onTwoDisk, onRecovery} {
		res, err := explorer.Run(context.Background(), chk(joined), explorer.Config{Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		if res.Verdict != explorer.Violated || res.Violation.Kind != model.KindNondeterminism || !strings.Contains(res.Violation.Message, "another goroutine") {
			t.Fatalf("verdict %s %+v, want the call from another goroutine refused", res.Verdict, res.Violation)
		}
	}
}

// register is an upper layer of one value: writes set it, and every
// operation returns it.
type register struct {
	model.Codec[registerState]
	values uint8
}

type registerState struct{ V uint8 }

type registerOp struct {
	Write bool
	V     uint8
}

func (register) Init() []registerState { return []registerState{{}} }

func (r register) Ops() []registerOp {
	ops := []registerOp{{}}
	for v := range r.values {
		ops = append(ops, registerOp{Write: true, V: v})
	}
	return ops
}

func (register) Step(s *registerState, op registerOp, _ model.Chooser) uint8 {
	if op.Write {
		s.V = op.V
	}
	return s.V
}

func (register) Crash(*registerState, model.Chooser) {}

// registerAPI is an implementation of register as a function.
type registerAPI func(registerOp) uint8

func (f registerAPI) Call(op registerOp) uint8 { return f(op) }

// shadowSystem is a register of sizes.Values values in block 0 of a disk
// of sizes, with a copy in block 1, related when the two are equal.
func shadowSystem(sizes disk.Sizes, impl model.Impl[onedisk.API, model.Caller[registerOp, uint8]]) model.Checker {
	abs := func(c *onedisk.State) (registerState, bool) {
		return registerState{uint8(c.Disk[0])}, c.Disk[0] == c.Disk[1]
	}
	upper := model.NewLayer[registerState, registerOp, uint8]("register", register{values: uint8(sizes.Values)})
	return model.NewSystem(onedisk.Layer(sizes), upper, impl, abs)
}

// shadowRegister keeps the register in block 0 of a disk and a copy in
// block 1, related when they are equal: a write writes the copy, then
// block 0, and recovery copies block 0 over block 1, undoing a torn
// write. With remember, recovery repairs only when the instance saw a
// write, a flag kept in memory: a crash loses it, so that a write torn
// by a crash is never repaired.
func shadowRegister(remember bool) model.Checker {
	sizes := disk.Sizes{Blocks: 2, Values: 2}
	impl := func(d onedisk.API) model.Instance[model.Caller[registerOp, uint8]] {
		wrote := false
		api := registerAPI(func(op registerOp) uint8 {
			if op.Write {
				d.Write(1, disk.Block(op.V))
				d.Write(0, disk.Block(op.V))
				wrote = true
			}
			return uint8(d.Read(0))
		})
		recover := func() {
			if !remember || wrote {
				d.Write(1, d.Read(0))
			}
		}
		return model.Instance[model.Caller[registerOp, uint8]]{API: api, Recover: recover}
	}
	return shadowSystem(sizes, impl)
}

// recoveredRegister is the shadow register whose recovery leaves a flag
// in memory that later writes read: with always, any recovery sets it and
// writes then store 0; otherwise only a recovery that repaired a torn
// write sets it, and writes then skip the copy in block 1. After a real
// crash the operations run on the instance that recovered, so both lose
// writes.
func recoveredRegister(always bool) model.Checker {
	sizes := disk.Sizes{Blocks: 2, Values: 3}
	impl := func(d onedisk.API) model.Instance[model.Caller[registerOp, uint8]] {
		recovered := false
		api := registerAPI(func(op registerOp) uint8 {
			if op.Write {
				v := disk.Block(op.V)
				switch {
				case recovered && always:
					v = 0
					fallthrough
				case !recovered:
					d.Write(1, v)
				}
				d.Write(0, v)
			}
			return uint8(d.Read(0))
		})
		recover := func() {
			if b := d.Read(0); always || d.Read(1) != b {
				d.Write(1, b)
				recovered = true
			}
		}
		return model.Instance[model.Caller[registerOp, uint8]]{API: api, Recover: recover}
	}
	return shadowSystem(sizes, impl)
}

// flaggedDisk is a disk whose reads return 0 after a recovery that
// repaired, until the next write: the flag lives in the instance's memory.
type flaggedDisk struct {
	onedisk.API
	repaired *bool
}

func (f flaggedDisk) Read(a disk.Addr) disk.Block {
	if *f.repaired {
		return 0
	}
	return f.API.Read(a)
}

func (f flaggedDisk) Write(a disk.Addr, b disk.Block) {
	*f.repaired = false
	f.API.Write(a, b)
}

// scrubbedMirror is the replicated disk with a flaggedDisk's API, under a
// recovery that reads block 0 and writes it back: composed, the second
// stage reads the flag the first leaves, and loses block 0 after a
// repair; its write clears the flag, so operations after recovery see
// none.
func scrubbedMirror(sizes disk.Sizes) model.Checker {
	flagging := func(d twodisk.API) model.Instance[onedisk.API] {
		in := replicated.Impl(replicated.Correct)(d)
		repaired := new(bool)
		return model.Instance[onedisk.API]{API: flaggedDisk{in.API, repaired}, Recover: func() {
			*repaired = false
			for a := range disk.Addr(sizes.Blocks) {
				b0, ok0 := d.Read(twodisk.D0, a)
				b1, ok1 := d.Read(twodisk.D1, a)
				*repaired = *repaired || ok0 && ok1 && b0 != b1
			}
			in.Recover()
		}}
	}
	scrub := func(d onedisk.API) model.Instance[onedisk.API] {
		return model.Instance[onedisk.API]{API: d, Recover: func() { d.Write(0, d.Read(0)) }}
	}
	impl := model.Compose(flagging, scrub)
	abs := model.ComposeRelations(sameDisk, replicated.Abs)
	return model.NewSystem(twodisk.Layer(sizes), onedisk.Layer(sizes), impl, abs)
}

// degradedMirror is the replicated disk that remembers, in a field of
// its own, a recovery that met a failed disk: after one, with secondOp a
// write loses its value from the second operation on; without, every
// write does. Neither shows in the first operation after a recovery that
// takes the lower layer's first choices (no disk fails).
type degradedMirror struct {
	onedisk.API
	d        twodisk.API
	secondOp bool
	state    *struct{ degraded, armed bool }
}

func (m degradedMirror) Write(a disk.Addr, b disk.Block) {
	st := m.state
	if st.degraded && (!m.secondOp || !st.armed) {
		b = 0
	}
	st.armed = false
	m.API.Write(a, b)
}

func (m degradedMirror) recover(inner func()) {
	for a := range disk.Addr(m.API.Size()) {
		if _, ok := m.d.Read(twodisk.D0, a); !ok {
			m.state.degraded, m.state.armed = true, true
		}
	}
	inner()
}

func degradedSystem(sizes disk.Sizes, secondOp bool) model.Checker {
	impl := func(d twodisk.API) model.Instance[onedisk.API] {
		in := replicated.Impl(replicated.Correct)(d)
		m := degradedMirror{API: in.API, d: d, secondOp: secondOp, state: new(struct{ degraded, armed bool })}
		return model.Instance[onedisk.API]{API: m, Recover: func() { m.recover(in.Recover) }}
	}
	return model.NewSystem(twodisk.Layer(sizes), onedisk.Layer(sizes), impl, replicated.Abs)
}

// armedRegister is the shadow register whose recovery arms a flag kept in
// a closure: the first operation after it turns the flag into another,
// and from the second operation on writes store 0.
func armedRegister() model.Checker {
	sizes := disk.Sizes{Blocks: 2, Values: 3}
	impl := func(d onedisk.API) model.Instance[model.Caller[registerOp, uint8]] {
		armed, lost := false, false
		api := registerAPI(func(op registerOp) uint8 {
			if op.Write {
				v := disk.Block(op.V)
				if lost {
					v = 0
				}
				d.Write(1, v)
				d.Write(0, v)
			}
			armed, lost = false, armed || lost
			return uint8(d.Read(0))
		})
		return model.Instance[model.Caller[registerOp, uint8]]{API: api, Recover: func() {
			d.Write(1, d.Read(0))
			armed = true
		}}
	}
	return shadowSystem(sizes, impl)
}

// countingDisk is passDisk with a counter of its own writes: it reads
// before every second write.
func countingDisk(d onedisk.API) model.Instance[onedisk.API] {
	n := 0
	return model.Instance[onedisk.API]{API: passDisk{d, func(read func(disk.Addr), a disk.Addr) {
		if n++; n%2 == 0 {
			read(a)
		}
	}}, Recover: func() {}}
}

// rememberingDisk passes every call through, and once the instance has
// written, which it remembers in memory, reads block 0 before every read.
type rememberingDisk struct {
	d     onedisk.API
	wrote *bool
}

func (r rememberingDisk) Read(a disk.Addr) disk.Block {
	if *r.wrote {
		r.d.Read(0)
	}
	return r.d.Read(a)
}

func (r rememberingDisk) Size() int { return r.d.Size() }

func (r rememberingDisk) Write(a disk.Addr, b disk.Block) {
	*r.wrote = true
	r.d.Write(a, b)
}

// countingRecovery is the replicated disk whose recovery reads block 0
// once more on every second recovery it runs.
func countingRecovery(d twodisk.API) model.Instance[onedisk.API] {
	in := replicated.Impl(replicated.Correct)(d)
	n := 0
	return model.Instance[onedisk.API]{API: in.API, Recover: func() {
		if n++; n%2 == 0 {
			d.Read(twodisk.D0, 0)
		}
		in.Recover()
	}}
}

// flagDisk is OneDisk's interface with a flag in memory that
// implementations may set and read: a handle of the lower layer's that
// keeps state, as a device handle that must be opened once per boot.
type flagDisk interface {
	onedisk.API
	Flag() bool
	SetFlag()
}

type flagHandle struct {
	onedisk.Handle
	flag bool
}

func (h *flagHandle) Flag() bool { return h.flag }
func (h *flagHandle) SetFlag()   { h.flag = true }

// flagSystem is shadowSystem on a flagDisk, whose flag a crash loses: the
// lower layer's handle, made anew after one.
func flagSystem(sizes disk.Sizes, impl model.Impl[flagDisk, model.Caller[registerOp, uint8]]) model.Checker {
	lower := model.Layer[onedisk.State, disk.Op, disk.Ret, flagDisk]{
		Name: "flagdisk", Spec: onedisk.NewSpec(sizes),
		Handle: func(c model.Caller[disk.Op, disk.Ret]) flagDisk { return &flagHandle{Handle: onedisk.Handle{C: c}} },
	}
	abs := func(c *onedisk.State) (registerState, bool) {
		return registerState{uint8(c.Disk[0])}, c.Disk[0] == c.Disk[1]
	}
	upper := model.NewLayer[registerState, registerOp, uint8]("register", register{values: uint8(sizes.Values)})
	return model.NewSystem(lower, upper, impl, abs)
}

// handleRegister is the shadow register that keeps a flag in the lower
// layer's handle. With formatting, the first operation after a boot, the
// flag unset, formats the disk: after a real crash, that wipes the
// register. Otherwise recovery sets the flag, and writes that see it
// store 0.
func handleRegister(formatting bool) model.Checker {
	sizes := disk.Sizes{Blocks: 2, Values: 3}
	impl := func(d flagDisk) model.Instance[model.Caller[registerOp, uint8]] {
		api := registerAPI(func(op registerOp) uint8 {
			if formatting && !d.Flag() {
				d.SetFlag()
				d.Write(1, 0)
				d.Write(0, 0)
			}
			if op.Write {
				v := disk.Block(op.V)
				if !formatting && d.Flag() {
					v = 0
				}
				d.Write(1, v)
				d.Write(0, v)
			}
			return uint8(d.Read(0))
		})
		return model.Instance[model.Caller[registerOp, uint8]]{API: api, Recover: func() {
			d.Write(1, d.Read(0))
			if !formatting {
				d.SetFlag()
			}
		}}
	}
	return flagSystem(sizes, impl)
}

// TestStateKeptBetweenCallsIsNeverVerified: an implementation that keeps
// state of its own between calls is never verified, in either mode and
// for any number of workers. Recovery runs on an instance that no
// operation runs on, as after a crash, so a recovery that relies on what
// an operation left in memory fails as it would after a real crash; the
// first of two compared runs is made on a newly built instance, so that
// state kept between calls shows as a difference; and an operation after
// a recovery is run on the instance that recovered and on a newly built
// one, so that state a recovery leaves for the operations shows too.
func TestStateKeptBetweenCallsIsNeverVerified(t *testing.T) {
	sizes := disk.Sizes{Blocks: 5, Values: 3}
	repSizes := disk.Sizes{Blocks: 3, Values: 2}
	for _, c := range []struct {
		name string
		chk  func() model.Checker
		kind string
	}{
		{"recovery relies on a flag an operation set", func() model.Checker { return shadowRegister(true) }, model.KindRecovery},
		{"operations count their calls", func() model.Checker {
			return model.NewSystem(onedisk.Layer(sizes), onedisk.Layer(sizes), countingDisk, sameDisk)
		}, model.KindNondeterminism},
		{"reads depend on an earlier write", func() model.Checker {
			impl := func(d onedisk.API) model.Instance[onedisk.API] {
				return model.Instance[onedisk.API]{API: rememberingDisk{d, new(bool)}, Recover: func() {}}
			}
			return model.NewSystem(onedisk.Layer(sizes), onedisk.Layer(sizes), impl, sameDisk)
		}, model.KindNondeterminism},
		{"writes read a flag any recovery sets", func() model.Checker { return recoveredRegister(true) }, "any"},
		{"writes read a flag a repairing recovery sets", func() model.Checker { return recoveredRegister(false) }, "any"},
		{"a recovery stage reads a flag the stage before sets", func() model.Checker { return scrubbedMirror(repSizes) }, "any"},
		{"writes read a flag a recovery sets when a disk fails", func() model.Checker { return degradedSystem(repSizes, false) }, "any"},
		{"a second write reads a flag a recovery sets when a disk fails", func() model.Checker { return degradedSystem(repSizes, true) }, "any"},
		{"a second operation reads a flag recovery sets in a closure", armedRegister, "any"},
		{"operations read a flag kept in the lower layer's handle", func() model.Checker { return handleRegister(true) }, "any"},
		{"writes read a flag a recovery sets in the lower layer's handle", func() model.Checker { return handleRegister(false) }, "any"},
		{"recovery counts its runs", func() model.Checker {
			return model.NewSystem(twodisk.Layer(repSizes), onedisk.Layer(repSizes), countingRecovery, replicated.Abs)
		}, model.KindNondeterminism},
	} {
		for _, mode := range model.DeterminismModes {
			for _, cfg := range []explorer.Config{{Workers: 1}, {Workers: 3}, {Workers: 3, BatchSize: 1, PartSize: 3}} {
				cfg.Determinism = mode
				res, err := explorer.Run(context.Background(), c.chk(), cfg)
				if err != nil {
					t.Fatal(err)
				}
				if res.Verdict != explorer.Violated || c.kind != "any" && res.Violation.Kind != c.kind {
					t.Errorf("%s, %s, %d workers: verdict %s %+v, want a %s violation", c.name, mode, cfg.Workers, res.Verdict, res.Violation, c.kind)
				}
			}
		}
	}
	res, err := explorer.Run(context.Background(), shadowRegister(false), explorer.Config{Workers: 2})
	if err != nil || res.Verdict != explorer.Verified {
		t.Fatalf("the shadow register that always repairs: verdict %s %+v, %v", res.Verdict, res.Violation, err)
	}
}

// TestFirstLevelsCheckedWhole: in DeterminismSample, a search expands the
// levels that begin before model.CheckAllStates states are found with
// every run checked, and the later levels with the sample, whatever the
// number of workers.
func TestFirstLevelsCheckedWhole(t *testing.T) {
	chk := buildChecker(t, "log", catalog.Params{layers.Blocks: 3, layers.Values: 3}, "")
	for _, workers := range []int{1, 2} {
		rec := checkalltest.New(chk)
		res, err := explorer.Run(context.Background(), rec, explorer.Config{Workers: workers})
		if err != nil || res.Verdict != explorer.Verified {
			t.Fatalf("%d workers: verdict %v, error %v", workers, res, err)
		}
		if res.States < 4*model.CheckAllStates {
			t.Fatalf("%d states: too few to have levels checked by sample", res.States)
		}
		rec.Check(t, chk, res.States)
	}
}

// TestNondeterministicStageIsNamed: a composed recovery whose second
// stage keeps a count of its own is caught in that stage's runs, which
// start from the state the first stage ended in, not from a node's; the
// message names the stage.
func TestNondeterministicStageIsNamed(t *testing.T) {
	sizes := disk.Sizes{Blocks: 3, Values: 2}
	var runs atomic.Int64 // the workers run recoveries in parallel
	readsEveryOther := func(d onedisk.API) model.Instance[onedisk.API] {
		return model.Instance[onedisk.API]{API: d, Recover: func() {
			if runs.Add(1)%2 == 0 {
				d.Read(0)
			}
		}}
	}
	impl := model.Compose(replicated.Impl(replicated.Correct), readsEveryOther)
	abs := model.ComposeRelations(sameDisk, replicated.Abs)
	sys := model.NewSystem(twodisk.Layer(sizes), onedisk.Layer(sizes), impl, abs)
	for _, workers := range []int{1, 2} {
		res, err := explorer.Run(context.Background(), sys, explorer.Config{Workers: workers, Determinism: model.DeterminismFull})
		if err != nil {
			t.Fatal(err)
		}
		if res.Violation == nil || res.Violation.Kind != model.KindNondeterminism ||
			!strings.Contains(res.Violation.Message, "stage 2 of 2 of recovery from lower state ") {
			t.Errorf("%d workers: verdict %s %+v, want a nondeterminism violation naming stage 2 of 2", workers, res.Verdict, res.Violation)
		}
	}
}

// firstRecoverySkips is the shadow register whose recovery leaves a torn
// write unrepaired the first time it runs in a process: a flag that every
// instance shares, declared where the System is built and captured by
// Impl's closures, out of reach of every walk of memory. The search's
// first recovery, from a state with nothing torn, sets it, and every
// later one repairs; after every real crash the process starts anew and
// a torn write stays torn.
func firstRecoverySkips() model.Checker {
	sizes := disk.Sizes{Blocks: 2, Values: 2}
	var recovered atomic.Bool // the workers recover in parallel
	impl := func(d onedisk.API) model.Instance[model.Caller[registerOp, uint8]] {
		api := registerAPI(func(op registerOp) uint8 {
			if op.Write {
				d.Write(1, disk.Block(op.V))
				d.Write(0, disk.Block(op.V))
			}
			return uint8(d.Read(0))
		})
		return model.Instance[model.Caller[registerOp, uint8]]{API: api, Recover: func() {
			if b := d.Read(0); b != d.Read(1) && recovered.Load() {
				d.Write(1, b)
			}
			recovered.Store(true)
		}}
	}
	return shadowSystem(sizes, impl)
}

// firstWriteSkipsCopy is the shadow register whose first write in a
// process over a register that holds other than 0 leaves the copy in
// block 1 unwritten, by a flag every instance shares: the search's first
// writes, over the initial 0, set it.
func firstWriteSkipsCopy() model.Checker {
	sizes := disk.Sizes{Blocks: 2, Values: 3}
	var wrote atomic.Bool // the workers write in parallel
	impl := func(d onedisk.API) model.Instance[model.Caller[registerOp, uint8]] {
		api := registerAPI(func(op registerOp) uint8 {
			if op.Write {
				if d.Read(0) == 0 || wrote.Load() {
					d.Write(1, disk.Block(op.V))
				}
				d.Write(0, disk.Block(op.V))
				wrote.Store(true)
			}
			return uint8(d.Read(0))
		})
		return model.Instance[model.Caller[registerOp, uint8]]{API: api, Recover: func() { d.Write(1, d.Read(0)) }}
	}
	return shadowSystem(sizes, impl)
}

// sharedClosureHint is what a nondeterminism violation of compared runs
// made on an instance of a System built anew tells the user to look for.
const sharedClosureHint = "memory that every instance of one System shares (a variable of the function that builds the System, captured by Impl's closures)"

// TestSharedClosureMemoryRebuilt: memory that every instance shares and
// no walk reaches (variables of the function that builds the System,
// captured by Impl's closures) is seen by no check of a System built
// once, and the wrong layers below verify; made with model.Rebuilt, as
// the catalogue makes every check, the compared runs start on instances
// of a System built anew, as after a restart, and the layers are never
// verified, in either mode, with any number of workers.
func TestSharedClosureMemoryRebuilt(t *testing.T) {
	for _, c := range []struct {
		name  string
		build func() model.Checker
	}{
		{"a process's first recovery leaves a torn write", firstRecoverySkips},
		{"a process's first write over a value skips the copy", firstWriteSkipsCopy},
	} {
		for _, mode := range model.DeterminismModes {
			for _, workers := range []int{1, 3} {
				cfg := explorer.Config{Workers: workers, Determinism: mode}
				once, err := explorer.Run(context.Background(), c.build(), cfg)
				if err != nil {
					t.Fatal(err)
				}
				rebuilt, err := explorer.Run(context.Background(), model.Rebuilt(c.build), cfg)
				if err != nil {
					t.Fatal(err)
				}
				if once.Verdict != explorer.Verified {
					t.Errorf("%s, %s, %d workers, built once: verdict %s %+v; the checks now see closures' shared memory, and this test should say so", c.name, mode, workers, once.Verdict, once.Violation)
				}
				if rebuilt.Verdict != explorer.Violated {
					t.Errorf("%s, %s, %d workers, rebuilt: verdict %s, want a violation", c.name, mode, workers, rebuilt.Verdict)
				} else if m := rebuilt.Violation.Message; rebuilt.Violation.Kind == model.KindNondeterminism && !strings.Contains(m, sharedClosureHint) {
					t.Errorf("%s, %s, %d workers, rebuilt: %q does not say %q", c.name, mode, workers, m, sharedClosureHint)
				}
			}
		}
	}
	res, err := explorer.Run(context.Background(), model.Rebuilt(func() model.Checker { return shadowRegister(false) }), explorer.Config{Workers: 2})
	if err != nil || res.Verdict != explorer.Verified {
		t.Fatalf("the shadow register that always repairs, rebuilt: verdict %s %+v, %v", res.Verdict, res.Violation, err)
	}
}

// lateRecoverySkips is the replicated disk whose recovery does nothing
// the first time it runs in a process when every block of disk 0 holds
// other than 0, by a flag every instance shares: the search's first
// recoveries, from states with a block still 0, set it, and the states
// where it matters lie past the levels checked whole, where only a sample
// of the runs is run twice.
func lateRecoverySkips(sizes disk.Sizes) func() model.Checker {
	return func() model.Checker {
		var recovered atomic.Bool // the workers recover in parallel
		impl := func(d twodisk.API) model.Instance[onedisk.API] {
			in := replicated.Impl(replicated.Correct)(d)
			return model.Instance[onedisk.API]{API: in.API, Recover: func() {
				full := true
				for a := range sizes.Blocks {
					if b, _ := d.Read(twodisk.D0, disk.Addr(a)); b == 0 {
						full = false
					}
				}
				if !full || recovered.Load() {
					in.Recover()
				}
				recovered.Store(true)
			}}
		}
		return model.NewSystem(twodisk.Layer(sizes), onedisk.Layer(sizes), impl, replicated.Abs)
	}
}

// TestSharedClosureMemoryRebuiltSampled: in DeterminismSample, the
// compared runs of one node in model.RebuiltEvery start on an instance of
// a System built anew; a recovery that goes wrong, after a restart, only
// in states past the levels checked whole is caught there too.
func TestSharedClosureMemoryRebuiltSampled(t *testing.T) {
	build := lateRecoverySkips(disk.Sizes{Blocks: 6, Values: 3})
	workerCounts := []int{1, 2}
	if testing.Short() {
		// The race step (-race -short): two workers sample and compare
		// runs on instances built anew concurrently, where one worker's
		// searches (two thirds of the test's 29 s there) add nothing for the
		// race detector. Without -short both run.
		workerCounts = []int{2}
	}
	for _, workers := range workerCounts {
		cfg := explorer.Config{Workers: workers}
		once, err := explorer.Run(context.Background(), build(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		rebuilt, err := explorer.Run(context.Background(), model.Rebuilt(build), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if once.Verdict != explorer.Verified || once.States < 4*model.CheckAllStates {
			t.Fatalf("%d workers, built once: verdict %s %+v after %d states; want verified, past the levels checked whole", workers, once.Verdict, once.Violation, once.States)
		}
		if rebuilt.Verdict != explorer.Violated || rebuilt.Violation.Kind != model.KindNondeterminism {
			t.Fatalf("%d workers, rebuilt: verdict %s %+v, want a nondeterminism violation", workers, rebuilt.Verdict, rebuilt.Violation)
		}
		if m := rebuilt.Violation.Message; !strings.Contains(m, sharedClosureHint) {
			t.Errorf("%d workers, rebuilt: %q does not say %q", workers, m, sharedClosureHint)
		}
		t.Logf("%d workers: %s at %d states, %d-step path", workers, rebuilt.Violation.Kind, rebuilt.States, len(rebuilt.Trace.Steps))
	}
}

// TestSharedClosureMemoryMessage: a compared run that starts on an
// instance of a System built anew says so, and names the memory that
// every instance shares first among the causes, since a fault of that memory
// is what only such an instance shows; a System built once keeps the
// message of an instance built anew.
func TestSharedClosureMemoryMessage(t *testing.T) {
	cfg := explorer.Config{Workers: 2, Determinism: model.DeterminismFull}
	res, err := explorer.Run(context.Background(), model.Rebuilt(firstRecoverySkips), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Violation == nil || res.Violation.Kind != model.KindNondeterminism {
		t.Fatalf("rebuilt: verdict %s %+v, want a nondeterminism violation", res.Verdict, res.Violation)
	}
	for _, want := range []string{
		"the first time on an instance of a System built anew, as after a restart, recovery from lower state ",
		"memory that every instance of one System shares (a variable of the function that builds the System, captured by Impl's closures)",
	} {
		if !strings.Contains(res.Violation.Message, want) {
			t.Errorf("message %q\nwant it to contain %q", res.Violation.Message, want)
		}
	}
	// The cause that only an instance of a System built anew shows is
	// the likely one there: it comes first, the layer code's own after.
	m := res.Violation.Message
	if i, j := strings.Index(m, ": as the newly built instance is of a System built anew"), strings.Index(m, "; or the layer code is not deterministic"); i < 0 || j < i {
		t.Errorf("message %q\nwant the memory a System's instances share first as the cause, the layer code's nondeterminism after it", m)
	}
}

// seededDisk is the replicated disk with a seed for a hash, drawn when
// the System is built and held in every instance's API: every instance of
// one System holds the same seed, and no procedure's behaviour depends on
// it (a hash table with a seed per process orders nothing the disk sees).
type seededDisk struct {
	onedisk.API
	seed maphash.Seed
}

// seededReplicated builds the replicated disk whose instances hold a seed
// drawn anew for each System built, as a process draws one when it starts.
func seededReplicated() model.Checker {
	sizes := disk.Sizes{Blocks: 2, Values: 2}
	seed := maphash.MakeSeed()
	impl := func(d twodisk.API) model.Instance[onedisk.API] {
		in := replicated.Impl(replicated.Correct)(d)
		return model.Instance[onedisk.API]{API: seededDisk{API: in.API, seed: seed}, Recover: in.Recover}
	}
	return model.NewSystem(twodisk.Layer(sizes), onedisk.Layer(sizes), impl, replicated.Abs)
}

// TestSharedClosureMemoryRebuiltSeed: what a System's instances share
// alike and what a System built anew holds otherwise (a seed drawn per
// process) is no state that runs left: the instances of a System built
// anew are compared, memory for memory, with one of the same System, and
// a correct layer that holds such a seed verifies, rebuilt or not.
func TestSharedClosureMemoryRebuiltSeed(t *testing.T) {
	for _, mode := range model.DeterminismModes {
		for _, chk := range []model.Checker{seededReplicated(), model.Rebuilt(seededReplicated)} {
			res, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 2, Determinism: mode})
			if err != nil {
				t.Fatal(err)
			}
			if res.Verdict != explorer.Verified {
				t.Errorf("%s, %T: verdict %s %+v, want verified", mode, chk, res.Verdict, res.Violation)
			}
		}
	}
}
