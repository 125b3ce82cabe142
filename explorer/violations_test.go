package explorer_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/internal/group"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/layers/replicated"
	"github.com/argocheck/argocheck/layers/twodisk"
	"github.com/argocheck/argocheck/model"
	"github.com/argocheck/argocheck/relations"
)

// faulty is a replicated disk with one fault injected into Write.
type faulty struct {
	d     twodisk.API
	write func(d twodisk.API, a disk.Addr, b disk.Block)
}

func (f *faulty) Read(a disk.Addr) disk.Block {
	b, _ := f.d.Read(twodisk.D0, a)
	return b
}
func (f *faulty) Write(a disk.Addr, b disk.Block) { f.write(f.d, a, b) }
func (f *faulty) Size() int                       { n, _ := f.d.Size(twodisk.D0); return n }

type repSystem = model.System[twodisk.State, twodisk.Op, twodisk.Ret, twodisk.API,
	onedisk.State, disk.Op, disk.Ret, onedisk.API]

func faultySystem(write func(d twodisk.API, a disk.Addr, b disk.Block)) *repSystem {
	sizes := disk.Sizes{Blocks: 2, Values: 2}
	return &repSystem{
		Lower: twodisk.Layer(sizes),
		Upper: onedisk.Layer(sizes),
		Impl: func(d twodisk.API) model.Instance[onedisk.API] {
			return model.Instance[onedisk.API]{API: &faulty{d: d, write: write}, Recover: func() {}}
		},
		Abs:       replicated.Abs,
		StepLimit: 50,
	}
}

func TestViolationKinds(t *testing.T) {
	bothDisks := func(d twodisk.API, a disk.Addr, b disk.Block) {
		d.Write(twodisk.D0, a, b)
		d.Write(twodisk.D1, a, b)
	}
	flip := 0 // state outside the lower layer: forbidden, and detected
	cases := []struct {
		name   string
		sys    *repSystem
		kind   string
		length int
		says   []string // what the violation's message says, in order
	}{
		{"panic", faultySystem(func(d twodisk.API, a disk.Addr, b disk.Block) {
			if b == 1 {
				panic("write of 1")
			}
			bothDisks(d, a, b)
		}), model.KindPanic, 1, []string{"layer code panicked: write of 1 (at explorer/violations_test.go:"}},
		{"step-limit", faultySystem(func(d twodisk.API, a disk.Addr, b disk.Block) {
			for {
				d.Read(twodisk.D0, a)
			}
		}), model.KindStepLimit, 1, []string{"procedure exceeded the step limit of 50"}},
		{"nondeterminism", faultySystem(func(d twodisk.API, a disk.Addr, b disk.Block) {
			flip++
			first := twodisk.ID(flip % 2)
			d.Write(first, a, b)
			d.Write(1-first, a, b)
		}), model.KindNondeterminism, 1, []string{"not deterministic"}},
		{"invariant", func() *repSystem {
			s := faultySystem(bothDisks)
			s.Invariant = func(c *twodisk.State) error {
				if c.Disks[twodisk.D0][1] == 1 {
					return errors.New("block 1 holds 1")
				}
				return nil
			}
			return s
		}(), model.KindInvariant, 1, []string{"invariant fails on", "block 1 holds 1"}},
		{"initial", func() *repSystem {
			s := faultySystem(bothDisks)
			s.Abs = func(*twodisk.State) (onedisk.State, bool) { return onedisk.State{}, false }
			return s
		}(), model.KindInitial, 0, []string{"relates to no initial abstract state"}},
		{"refinement", faultySystem(func(d twodisk.API, a disk.Addr, b disk.Block) {
			d.Write(twodisk.D0, a, b)
			d.Write(twodisk.D1, a, 1-b)
		}), model.KindRefinement, 1, []string{"write(0, 0) returned ok and left lower state d0=[0 0] d1=[1 0]",
			"(which relates to no abstract state); from [0 0] the specification allows ok with [0 0]"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := explorer.Run(context.Background(), tc.sys, explorer.Config{Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			if res.Verdict != explorer.Violated || res.Violation.Kind != tc.kind || res.Trace.Len() != tc.length {
				t.Fatalf("verdict %s violation %v length %d, want %s at %d:\n%s",
					res.Verdict, res.Violation, res.Trace.Len(), tc.kind, tc.length, res.Trace)
			}
			msg := res.Violation.Message
			for _, want := range tc.says {
				i := strings.Index(msg, want)
				if i < 0 {
					t.Fatalf("message %q does not say %q", res.Violation.Message, want)
				}
				msg = msg[i+len(want):]
			}
		})
	}
}

// TestPanicSite: a panic's violation names the file and line of layer
// code that panicked, also where the runtime raised it (an index out of
// range) or the layer's own callee did.
func TestPanicSite(t *testing.T) {
	var blocks []disk.Block
	res, err := explorer.Run(context.Background(), faultySystem(func(d twodisk.API, a disk.Addr, b disk.Block) {
		_ = blocks[a] // index out of range
	}), explorer.Config{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	v := res.Violation
	if v == nil || v.Kind != model.KindPanic || !strings.HasPrefix(v.Where, "explorer/violations_test.go:") ||
		!strings.Contains(v.Message, "index out of range") || !strings.HasSuffix(v.Message, "(at "+v.Where+")") {
		t.Fatalf("violation %+v, want a panic at explorer/violations_test.go", v)
	}
}

// TestStepLimitPathCollapses: a procedure that loops until the step limit
// shows in its path as the calls that differ and one line per run of
// identical calls, not one line per call.
func TestStepLimitPathCollapses(t *testing.T) {
	sys := faultySystem(func(d twodisk.API, a disk.Addr, b disk.Block) {
		d.Write(twodisk.D0, a, b)
		for {
			d.Read(twodisk.D0, a)
		}
	})
	sys.StepLimit = 0 // the default, 10,000
	res, err := explorer.Run(context.Background(), sys, explorer.Config{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	step := res.Trace.Steps[len(res.Trace.Steps)-1]
	if res.Violation == nil || res.Violation.Kind != model.KindStepLimit || len(step.Calls) != 2 || step.Calls[1].Repeat != model.DefaultStepLimit-1 {
		t.Fatalf("violation %+v with calls %+v, want a step limit of a write and %d reads", res.Violation, step.Calls, model.DefaultStepLimit-1)
	}
	if text := res.Trace.String(); !strings.Contains(text, "2-10000  read(d0, 0) x9999") || strings.Count(text, "\n") > 10 {
		t.Fatalf("path:\n%s", text)
	}
}

// TestLayerCodeOutsideRuns: a panic in layer code that runs outside the
// procedures (the abstraction relation here) is a panic violation too,
// not a crash of the checker; a specification's sizes are validated
// before the search.
func TestLayerCodeOutsideRuns(t *testing.T) {
	s := faultySystem(func(d twodisk.API, a disk.Addr, b disk.Block) {
		d.Write(twodisk.D0, a, b)
		d.Write(twodisk.D1, a, b)
	})
	s.Abs = func(c *twodisk.State) (onedisk.State, bool) {
		if c.Disks[twodisk.D0][0] == 1 {
			panic("relation of a disk starting with 1")
		}
		return replicated.Abs(c)
	}
	res, err := explorer.Run(context.Background(), s, explorer.Config{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if v := res.Violation; v == nil || v.Kind != model.KindPanic || !strings.Contains(v.Message, "outside a procedure") ||
		!strings.HasPrefix(v.Where, "explorer/violations_test.go:") || res.Trace.Len() != 1 {
		t.Fatalf("violation %+v at %d steps, want a panic outside a procedure at 1", v, res.Trace.Len())
	}
	// A panic on the initial states.
	s.Abs = func(*twodisk.State) (onedisk.State, bool) { panic("no relation at all") }
	res, err = explorer.Run(context.Background(), s, explorer.Config{Workers: 1})
	if err != nil || res.Violation == nil || res.Violation.Kind != model.KindPanic || res.Trace.Len() != 0 {
		t.Fatalf("%v, %+v: want a panic on the initial states", err, res)
	}
	// Sizes a disk cannot hold.
	big := disk.Sizes{Blocks: disk.MaxBlocks + 1, Values: 2}
	_, err = explorer.Run(context.Background(), model.NewSystem(twodisk.Layer(big), onedisk.Layer(big), s.Impl, replicated.Abs), explorer.Config{})
	if !errors.Is(err, explorer.ErrInvalid) || !strings.Contains(err.Error(), "Lower.Spec: blocks must be between 1 and 16") {
		t.Fatalf("error %v, want an invalid search naming the lower spec's blocks", err)
	}
}

// manyCrashes is OneDisk whose crash may leave any of MaxAllowed+1 values
// in block 0: more abstract states after a crash than a node can hold.
type manyCrashes struct{ onedisk.Spec }

func (manyCrashes) Crash(s *onedisk.State, c model.Chooser) {
	s.Disk[0] = disk.Block(c.Choose(model.MaxAllowed + 1))
}

// TestLimitIsAnError: a check beyond the encoding's limits is an error
// that says so (model.ErrLimit), not a crash and not a verdict.
func TestLimitIsAnError(t *testing.T) {
	sizes := disk.Sizes{Blocks: 1, Values: 2}
	upper := onedisk.Layer(sizes)
	upper.Spec = manyCrashes{onedisk.NewSpec(sizes)}
	impl := func(d onedisk.API) model.Instance[onedisk.API] {
		return model.Instance[onedisk.API]{API: d, Recover: func() {}}
	}
	same := func(c *onedisk.State) (onedisk.State, bool) { return *c, true }
	_, err := explorer.Run(context.Background(), model.NewSystem(onedisk.Layer(sizes), upper, impl, same), explorer.Config{Workers: 1})
	if !errors.Is(err, model.ErrLimit) || !strings.Contains(err.Error(), fmt.Sprintf("more than %d abstract states", model.MaxAllowed)) {
		t.Fatalf("error %v, want the limit of %d allowed states", err, model.MaxAllowed)
	}
}

// fullCrashes is OneDisk whose crash may leave any of MaxAllowed values in
// block 0: as many abstract states after a crash as a node can hold.
type fullCrashes struct{ onedisk.Spec }

func (fullCrashes) Crash(s *onedisk.State, c model.Chooser) {
	s.Disk[0] = disk.Block(c.Choose(model.MaxAllowed))
}

// TestLimitIsInclusive: a crash that allows exactly MaxAllowed abstract
// states is within the limits: its Recovering nodes encode, decode and
// are expanded, and the check verifies (the limit is no error one state
// early, in the encoding or in the decoding).
func TestLimitIsInclusive(t *testing.T) {
	sizes := disk.Sizes{Blocks: 1, Values: 2}
	upper := onedisk.Layer(sizes)
	upper.Spec = fullCrashes{onedisk.NewSpec(sizes)}
	impl := func(d onedisk.API) model.Instance[onedisk.API] {
		return model.Instance[onedisk.API]{API: d, Recover: func() {}}
	}
	same := func(c *onedisk.State) (onedisk.State, bool) { return *c, true }
	res, err := explorer.Run(context.Background(), model.NewSystem(onedisk.Layer(sizes), upper, impl, same), explorer.Config{Workers: 1})
	if err != nil || res.Verdict != explorer.Verified || res.CrashPoints == 0 {
		t.Fatalf("%v, %+v: want verified, with crash points", err, res)
	}
}

// TestInvariantHoldsInitially: the invariant is checked on the initial
// lower states too, as the relation oracle checks it, and a violation
// there has a path of the initial step alone; one that fails only after
// an operation has the operation's step too.
func TestInvariantHoldsInitially(t *testing.T) {
	sizes := disk.Sizes{Blocks: 2, Values: 2}
	impl := func(d onedisk.API) model.Instance[onedisk.API] {
		return model.Instance[onedisk.API]{API: passDisk{d, func(func(disk.Addr), disk.Addr) {}}, Recover: func() {}}
	}
	for _, tc := range []struct {
		name      string
		invariant func(c *onedisk.State) error
		steps     int
	}{
		{"fails initially", func(c *onedisk.State) error {
			if c.Disk[1] != 1 {
				return errors.New("block 1 is not 1")
			}
			return nil
		}, 1},
		{"fails after a write", func(c *onedisk.State) error {
			if c.Disk[0] == 1 {
				return errors.New("block 0 is 1")
			}
			return nil
		}, 2},
	} {
		sys := model.NewSystem(onedisk.Layer(sizes), onedisk.Layer(sizes), impl, sameDisk)
		sys.Invariant = tc.invariant
		res, err := explorer.Run(context.Background(), sys, explorer.Config{Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		if res.Verdict != explorer.Violated || res.Violation.Kind != model.KindInvariant || len(res.Trace.Steps) != tc.steps {
			t.Errorf("%s: verdict %s %+v, want an invariant violation with a path of %d steps:\n%s", tc.name, res.Verdict, res.Violation, tc.steps, res.Trace)
		}
		if got := relations.Check(sys.Semantics(), relations.Options{}); got.Verified {
			t.Errorf("%s: the relation oracle verifies it: %v", tc.name, got)
		}
	}
}

// pastEndPanics is TwoDisk whose step panics on a read past the end of a
// disk: a lower layer that refuses to model a step.
type pastEndPanics struct{ twodisk.Spec }

func (f pastEndPanics) Step(s *twodisk.State, op twodisk.Op, c model.Chooser) twodisk.Ret {
	if op.Kind == disk.Read && op.Addr >= 2 {
		panic("no block past the end")
	}
	return f.Spec.Step(s, op, c)
}

// afterWrite is an API whose writes do more after the replicated disk's.
type afterWrite struct {
	onedisk.API
	after func(a disk.Addr, b disk.Block)
}

func (w afterWrite) Write(a disk.Addr, b disk.Block) {
	w.API.Write(a, b)
	w.after(a, b)
}

// TestRecoveredPanicsFailTheRun: layer code that recovers a panic the
// check raised, at the step limit or in a step of the lower layer, does
// not make the run look completed: the run fails as it would had the
// panic gone through, in every mode, and in the relation oracle too.
// Otherwise each system here is the correct replicated disk.
func TestRecoveredPanicsFailTheRun(t *testing.T) {
	swallow := func(f func()) {
		defer func() { recover() }()
		f()
	}
	sizes := disk.Sizes{Blocks: 2, Values: 2}
	system := func(after func(d twodisk.API, a disk.Addr, b disk.Block)) *repSystem {
		impl := func(d twodisk.API) model.Instance[onedisk.API] {
			in := replicated.Impl(replicated.Correct)(d)
			in.API = afterWrite{in.API, func(a disk.Addr, b disk.Block) { after(d, a, b) }}
			return in
		}
		sys := model.NewSystem(twodisk.Layer(sizes), onedisk.Layer(sizes), impl, replicated.Abs)
		sys.StepLimit = 20
		return sys
	}
	for _, tc := range []struct {
		name string
		sys  *repSystem
		kind string
		says string
		path int // the shortest path's length
	}{
		{"step limit", system(func(d twodisk.API, a disk.Addr, b disk.Block) {
			swallow(func() {
				for {
					d.Size(twodisk.D0)
				}
			})
		}), model.KindStepLimit, "procedure exceeded the step limit of 20", 1},
		{"lower layer's step", func() *repSystem {
			s := system(func(d twodisk.API, a disk.Addr, b disk.Block) {
				swallow(func() { d.Read(twodisk.D1, 2) })
			})
			s.Lower.Spec = pastEndPanics{s.Lower.Spec.(twodisk.Spec)}
			return s
		}(), model.KindPanic, "step read(d1, 2) panicked, and layer code recovered the panic", 1},
		{"lower layer's step in recovery", func() *repSystem {
			s := system(func(twodisk.API, disk.Addr, disk.Block) {})
			impl := s.Impl
			s.Impl = func(d twodisk.API) model.Instance[onedisk.API] {
				in := impl(d)
				rec := in.Recover
				in.Recover = func() {
					rec()
					swallow(func() { d.Read(twodisk.D0, 3) })
				}
				return in
			}
			s.Lower.Spec = pastEndPanics{s.Lower.Spec.(twodisk.Spec)}
			return s
		}(), model.KindPanic, "step read(d0, 3) panicked, and layer code recovered the panic", 2},
	} {
		for _, mode := range model.DeterminismModes {
			for _, workers := range []int{1, 2} {
				res, err := explorer.Run(context.Background(), tc.sys, explorer.Config{Workers: workers, Determinism: mode})
				if err != nil {
					t.Fatal(err)
				}
				if res.Verdict != explorer.Violated {
					t.Errorf("%s, %s, %d workers: verdict %s, want a %s violation", tc.name, mode, workers, res.Verdict, tc.kind)
				} else if res.Violation.Kind != tc.kind || res.Trace.Len() != tc.path || !strings.Contains(res.Violation.Message, tc.says) {
					t.Errorf("%s, %s, %d workers: violation %+v at %d, want a %s violation at %d saying %q",
						tc.name, mode, workers, res.Violation, res.Trace.Len(), tc.kind, tc.path, tc.says)
				}
			}
		}
		if got := relations.Check(tc.sys.Semantics(), relations.Options{}); got.Verified {
			t.Errorf("%s: the relation oracle verifies it: %v", tc.name, got)
		}
	}
}

// TestGoexitIsAnError: layer code that ends its goroutine with
// runtime.Goexit (as t.FailNow does) stops the search with an error; the
// states it was to expand are not taken for expanded.
func TestGoexitIsAnError(t *testing.T) {
	sizes := disk.Sizes{Blocks: 2, Values: 2}
	impl := func(d twodisk.API) model.Instance[onedisk.API] {
		in := replicated.Impl(replicated.Correct)(d)
		in.API = afterWrite{in.API, func(a disk.Addr, b disk.Block) {
			if b == 1 {
				runtime.Goexit()
			}
		}}
		return in
	}
	sys := model.NewSystem(twodisk.Layer(sizes), onedisk.Layer(sizes), impl, replicated.Abs)
	for _, workers := range []int{1, 2} {
		res, err := explorer.Run(context.Background(), sys, explorer.Config{Workers: workers})
		if err == nil {
			t.Errorf("%d workers: verdict %s, want the error %v", workers, res.Verdict, group.ErrGoexit)
		} else if !errors.Is(err, group.ErrGoexit) {
			t.Errorf("%d workers: error %v, want %v", workers, err, group.ErrGoexit)
		}
	}
}
