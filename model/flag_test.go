package model_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
)

// A flaky cell: Get and Put never fail; Probe, which changes nothing,
// fails (returns probeFailed) or not, as the lower layer chooses among
// three answers (fine, failed, fine), so that both the first and the last
// of a run's choices find the cell fine.
type cellOp struct {
	Kind uint8 // 0 get, 1 put, 2 probe
	V    uint8
}

const probeFailed = 9

type cellSpec struct{ model.Codec[uint8] }

func (cellSpec) Init() []uint8               { return []uint8{0} }
func (cellSpec) Ops() []cellOp               { return nil }
func (cellSpec) Crash(*uint8, model.Chooser) {}
func (cellSpec) Step(s *uint8, op cellOp, c model.Chooser) uint8 {
	switch op.Kind {
	case 1:
		*s = op.V
		return 0
	case 2:
		if c.Choose(3) == 1 {
			return probeFailed
		}
		return 0
	}
	return *s
}

// The register above it: read returns the value, write(v) stores it.
type regOp struct {
	Write bool
	V     uint8
}

type registerSpec struct{ model.Codec[uint8] }

func (registerSpec) Init() []uint8               { return []uint8{0} }
func (registerSpec) Ops() []regOp                { return []regOp{{}, {Write: true, V: 1}} }
func (registerSpec) Crash(*uint8, model.Chooser) {}
func (registerSpec) Step(s *uint8, op regOp, _ model.Chooser) uint8 {
	if op.Write {
		*s = op.V
	}
	return *s
}

// degradedReg keeps the register in the cell. Its recovery probes the
// cell and sets a flag in memory when the probe fails; a read on a
// degraded instance returns 0 without reading. After a real crash whose
// recovery's probe fails, the instance that recovered reads 0 where the
// register holds 1: wrong. The search runs the operations on instances
// that never recovered, so only the check of an instance's memory after
// a compared run of recovery sees the flag.
type degradedReg struct {
	d     model.Caller[cellOp, uint8]
	state *struct{ degraded bool }
}

func (r degradedReg) Call(op regOp) uint8 {
	if op.Write {
		r.d.Call(cellOp{Kind: 1, V: op.V})
		return op.V
	}
	if r.state.degraded {
		return 0
	}
	return r.d.Call(cellOp{})
}

func degradedSystem() model.Checker {
	impl := func(d model.Caller[cellOp, uint8]) model.Instance[model.Caller[regOp, uint8]] {
		r := degradedReg{d: d, state: &struct{ degraded bool }{}}
		return model.Instance[model.Caller[regOp, uint8]]{
			API:     r,
			Recover: func() { r.state.degraded = d.Call(cellOp{Kind: 2}) == probeFailed },
		}
	}
	return model.NewSystem(
		model.NewLayer[uint8, cellOp, uint8]("cell", cellSpec{}),
		model.NewLayer[uint8, regOp, uint8]("register", registerSpec{}),
		impl, func(c *uint8) (uint8, bool) { return *c, true })
}

// TestRecoveryFlagCaughtInFirstLevels: a recovery that sets a flag in
// memory on some of its runs only (the probe failing), and clears it on
// the others, the last included, is caught in every determinism mode on a
// system small enough for its every level to be checked whole: those
// levels check the memory of the instance after each compared run of
// recovery, as DeterminismFull does.
func TestRecoveryFlagCaughtInFirstLevels(t *testing.T) {
	for _, d := range model.DeterminismModes {
		for _, memo := range []bool{true, false} {
			func() {
				defer model.SetRecordRecoveries(memo)()
				res, err := explorer.Run(context.Background(), degradedSystem(), explorer.Config{Workers: 1, Determinism: d})
				if err != nil {
					t.Fatal(err)
				}
				if res.Verdict != explorer.Violated || res.Violation.Kind != model.KindNondeterminism {
					t.Errorf("determinism %s, memo %v: %s (%d states) %v; want a nondeterminism violation", d, memo, res.Verdict, res.States, res.Violation)
				} else if !strings.Contains(res.Violation.Message, "API.state.degraded") {
					t.Errorf("determinism %s, memo %v: the violation does not name the field: %s", d, memo, res.Violation.Message)
				}
			}()
		}
	}
}

// flaggingReg keeps the register in the cell, whose Put may fail here
// (putSpec). A write remembers in memory whether its Put failed, and a
// read on an instance whose last write failed returns 0 without reading.
// On a real instance, a write that fails and a read after it return 0
// where the register holds 1: wrong. In one expansion the instance built
// anew and the worker's run the same runs in the same order, the failing
// write between two that succeed, so the two compared runs of the read
// find the flag alike.
type flaggingReg struct {
	d     model.Caller[cellOp, uint8]
	state *struct{ failed bool }
}

func (r flaggingReg) Call(op regOp) uint8 {
	if op.Write {
		failed := r.d.Call(cellOp{Kind: 1, V: op.V}) == probeFailed
		r.state.failed = failed
		if failed {
			return probeFailed
		}
		return op.V
	}
	if r.state.failed {
		return 0
	}
	return r.d.Call(cellOp{})
}

// putSpec is the cell whose Put fails (changing nothing) or not, as the
// lower layer chooses among three answers (stored, failed, stored).
type putSpec struct{ cellSpec }

func (putSpec) Step(s *uint8, op cellOp, c model.Chooser) uint8 {
	if op.Kind == 1 {
		if c.Choose(3) == 1 {
			return probeFailed
		}
		*s = op.V
		return 0
	}
	return *s
}

// mayFailReg is the register whose write may fail, changing nothing.
type mayFailReg struct{ registerSpec }

func (mayFailReg) Ops() []regOp { return []regOp{{Write: true, V: 1}, {}} }
func (mayFailReg) Step(s *uint8, op regOp, c model.Chooser) uint8 {
	if !op.Write {
		return *s
	}
	if c.Choose(2) == 1 {
		return probeFailed
	}
	*s = op.V
	return op.V
}

// TestOperationFlagCaught: an operation that leaves state in the
// instance's memory for the operations after it, set on some of its runs
// only, is caught in every determinism mode.
func TestOperationFlagCaught(t *testing.T) {
	impl := func(d model.Caller[cellOp, uint8]) model.Instance[model.Caller[regOp, uint8]] {
		return model.Instance[model.Caller[regOp, uint8]]{
			API:     flaggingReg{d: d, state: &struct{ failed bool }{}},
			Recover: func() {},
		}
	}
	sys := model.NewSystem(
		model.NewLayer[uint8, cellOp, uint8]("cell", putSpec{}),
		model.NewLayer[uint8, regOp, uint8]("register", mayFailReg{}),
		impl, func(c *uint8) (uint8, bool) { return *c, true })
	for _, d := range model.DeterminismModes {
		res, err := explorer.Run(context.Background(), sys, explorer.Config{Workers: 1, Determinism: d})
		if err != nil {
			t.Fatal(err)
		}
		if res.Verdict != explorer.Violated || res.Violation.Kind != model.KindNondeterminism {
			t.Errorf("determinism %s: %s (%d states) %v; want a nondeterminism violation", d, res.Verdict, res.States, res.Violation)
		}
		if res.Violation != nil && !strings.Contains(res.Violation.Message, "API.state.failed") {
			t.Errorf("determinism %s: the violation does not name the field: %s", d, res.Violation.Message)
		}
	}
}

// busyReg marks itself busy in memory for the length of a call, and
// clears the mark before it returns: no state between calls. Its write
// retries a Put that fails, and its recovery a probe that fails, as long
// as they fail: a run whose every lower choice fails passes the step
// limit, and stops with the mark set.
type busyReg struct {
	d    model.Caller[cellOp, uint8]
	busy *bool
}

func (r busyReg) Call(op regOp) uint8 {
	*r.busy = true
	if op.Write {
		for r.d.Call(cellOp{Kind: 1, V: op.V}) == probeFailed {
		}
		*r.busy = false
		return op.V
	}
	v := r.d.Call(cellOp{})
	*r.busy = false
	return v
}

// TestStepLimitNotMemory: a run stopped by the step limit, of an
// operation or of recovery, is a step-limit violation, not a
// nondeterminism violation at the mark its call had not cleared yet.
func TestStepLimitNotMemory(t *testing.T) {
	for _, inRecovery := range []bool{false, true} {
		impl := func(d model.Caller[cellOp, uint8]) model.Instance[model.Caller[regOp, uint8]] {
			r := busyReg{d: d, busy: new(bool)}
			return model.Instance[model.Caller[regOp, uint8]]{API: r, Recover: func() {
				if !inRecovery {
					return
				}
				*r.busy = true
				for d.Call(cellOp{Kind: 2}) == probeFailed {
				}
				*r.busy = false
			}}
		}
		var upper model.Spec[uint8, regOp, uint8] = mayFailReg{}
		lower := model.Spec[uint8, cellOp, uint8](putSpec{})
		if inRecovery {
			upper, lower = registerSpec{}, cellSpec{}
		}
		sys := model.NewSystem(model.NewLayer("cell", lower), model.NewLayer("register", upper),
			impl, func(c *uint8) (uint8, bool) { return *c, true })
		sys.StepLimit = 5
		for _, d := range model.DeterminismModes {
			for _, memo := range []bool{true, false} {
				func() {
					defer model.SetRecordRecoveries(memo)()
					res, err := explorer.Run(context.Background(), sys, explorer.Config{Workers: 1, Determinism: d})
					if err != nil {
						t.Fatal(err)
					}
					if res.Verdict != explorer.Violated || res.Violation.Kind != model.KindStepLimit {
						t.Errorf("recovery %v, determinism %s, memo %v: %s (%d states) %v; want a step-limit violation", inRecovery, d, memo, res.Verdict, res.States, res.Violation)
					}
				}()
			}
		}
	}
}

// scratchReg is deterministic and correct, but keeps a scratch buffer
// for the next call, left holding what the last call put in it, and
// builds a table once, on its first call: state of its own between calls
// all the same, refused as tutorial section 10 says.
type scratchReg struct {
	d    model.Caller[cellOp, uint8]
	buf  *[]uint8
	once *sync.Once
	tab  *[]uint8
	// clean empties the buffer before a call returns.
	clean bool
}

func (r scratchReg) Call(op regOp) uint8 {
	r.once.Do(func() { *r.tab = []uint8{0, 1} })
	*r.buf = append((*r.buf)[:0], (*r.tab)[op.V])
	if r.clean {
		defer func() { *r.buf = (*r.buf)[:0] }()
	}
	if op.Write {
		r.d.Call(cellOp{Kind: 1, V: (*r.buf)[0]})
		return op.V
	}
	return r.d.Call(cellOp{})
}

// TestOperationScratchRefused: a scratch buffer or a sync.Once that an
// operation leaves changed is a nondeterminism violation naming it.
func TestOperationScratchRefused(t *testing.T) {
	for _, once := range []bool{false, true} {
		impl := func(d model.Caller[cellOp, uint8]) model.Instance[model.Caller[regOp, uint8]] {
			r := scratchReg{d: d, buf: new([]uint8), once: new(sync.Once), tab: new([]uint8), clean: once}
			if !once {
				r.once.Do(func() { *r.tab = []uint8{0, 1} })
			}
			return model.Instance[model.Caller[regOp, uint8]]{API: r, Recover: func() {}}
		}
		sys := model.NewSystem(
			model.NewLayer[uint8, cellOp, uint8]("cell", cellSpec{}),
			model.NewLayer[uint8, regOp, uint8]("register", registerSpec{}),
			impl, func(c *uint8) (uint8, bool) { return *c, true })
		want := "API.buf"
		if once {
			want = "API.once"
		}
		res, err := explorer.Run(context.Background(), sys, explorer.Config{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		if res.Verdict != explorer.Violated || res.Violation.Kind != model.KindNondeterminism || !strings.Contains(res.Violation.Message, want) {
			t.Errorf("once %v: %s %v; want a nondeterminism violation at %s", once, res.Verdict, res.Violation, want)
		}
	}
}

// TestRecoveryFlagPathRebuilt: the flag a recovery's recorded runs leave
// in memory is the violation at the edge of the run that leaves it, as
// when no run is recorded, so that its path is rebuilt (a replay records
// nothing): the same violation and path with the memo as without.
func TestRecoveryFlagPathRebuilt(t *testing.T) {
	for _, d := range model.DeterminismModes {
		var want string
		for _, memo := range []bool{false, true} {
			func() {
				defer model.SetRecordRecoveries(memo)()
				res, err := explorer.Run(context.Background(), degradedSystem(), explorer.Config{Workers: 1, Determinism: d})
				if err != nil {
					t.Fatal(err)
				}
				if res.Violation == nil || res.Trace == nil {
					t.Fatalf("determinism %s, memo %v: %s, no violation", d, memo, res.Verdict)
				}
				got := res.Violation.Message + "\n" + res.Trace.String()
				if !memo {
					want = got
				} else if got != want {
					t.Errorf("determinism %s: with the memo\n%s\nwithout\n%s", d, got, want)
				}
			}()
		}
	}
}

// valuesSpec is the register of values 0..Values-1: read, and a write of
// each value.
type valuesSpec struct {
	model.Codec[uint8]
	Values uint8
}

func (valuesSpec) Init() []uint8 { return []uint8{0} }
func (sp valuesSpec) Ops() []regOp {
	ops := []regOp{{}}
	for v := range sp.Values {
		ops = append(ops, regOp{Write: true, V: v})
	}
	return ops
}
func (valuesSpec) Crash(*uint8, model.Chooser) {}
func (valuesSpec) Step(s *uint8, op regOp, _ model.Chooser) uint8 {
	if op.Write {
		*s = op.V
	}
	return *s
}

// TestRecoveryStickyFlagCaughtSampled: a recovery that sets a flag in
// memory when its probe fails, and never clears it, is caught by a search
// that samples the runs it checks at every level (its workers ignore
// CheckAll), with the memo as without it. Only the memory of the instance
// the compared runs of one recovery in SampleEvery used, after all of
// them, shows the flag: no compared run's own check looks at the memory
// outside DeterminismFull, and the recovery run whole on the lower
// layer's first choices finds the probe fine. The register holds 64
// values, lower states enough for the sample to take some.
func TestRecoveryStickyFlagCaughtSampled(t *testing.T) {
	impl := func(d model.Caller[cellOp, uint8]) model.Instance[model.Caller[regOp, uint8]] {
		r := degradedReg{d: d, state: &struct{ degraded bool }{}}
		return model.Instance[model.Caller[regOp, uint8]]{
			API: r,
			Recover: func() {
				if d.Call(cellOp{Kind: 2}) == probeFailed {
					r.state.degraded = true
				}
			},
		}
	}
	sys := model.NewSystem(
		model.NewLayer[uint8, cellOp, uint8]("cell", cellSpec{}),
		model.NewLayer[uint8, regOp, uint8]("register", valuesSpec{Values: 64}),
		impl, func(c *uint8) (uint8, bool) { return *c, true })
	for _, memo := range []bool{false, true} {
		func() {
			defer model.SetRecordRecoveries(memo)()
			res, err := explorer.Run(context.Background(), sampled{sys}, explorer.Config{Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			if res.Verdict != explorer.Violated || res.Violation.Kind != model.KindNondeterminism {
				t.Errorf("memo %v: %s (%d states) %v; want a nondeterminism violation", memo, res.Verdict, res.States, res.Violation)
			}
		}()
	}
}
