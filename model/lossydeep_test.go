package model_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
)

// wearState is a device of two blocks: V, of values 0..2, which wears
// (Wear counts the writes of a 2 over another value, and stops counting
// at wearMax), and N, which does not.
type wearState struct {
	V, Wear, N uint8
}

// wearOp writes V to block B when Write is set, and reads block B
// otherwise.
type wearOp struct {
	Write bool
	B     uint8
	V     uint8
}

// wearSpec is the device. Its hand-written encoding packs V and the wear
// into one byte, four bits of wear, then N: right while the wear is below
// 16; with lossy set its wear stops at 16, which the byte loses (16<<4
// is 256), so a worn block encodes as a new one.
type wearSpec struct{ lossy bool }

func (sp wearSpec) max() uint8 {
	if sp.lossy {
		return 16
	}
	return 15
}

func (wearSpec) Init() []wearState               { return []wearState{{}} }
func (wearSpec) Ops() []wearOp                   { return nil }
func (wearSpec) Crash(*wearState, model.Chooser) {}
func (sp wearSpec) Step(s *wearState, op wearOp, _ model.Chooser) wearState {
	switch {
	case op.Write && op.B == 1:
		s.N = op.V
	case op.Write:
		if s.V != op.V && op.V == 2 && s.Wear < sp.max() {
			s.Wear++
		}
		s.V = op.V
	}
	return *s
}
func (wearSpec) AppendEncode(dst []byte, s *wearState) []byte {
	return append(dst, s.V|s.Wear<<4, s.N)
}
func (wearSpec) Decode(src []byte, s *wearState) (int, error) {
	if len(src) < 2 {
		return 0, errors.New("short")
	}
	*s = wearState{V: src[0] & 15, Wear: src[0] >> 4, N: src[1]}
	return 2, nil
}
func (wearSpec) Format(s *wearState) string { return fmt.Sprintf("%d/%d,%d", s.V, s.Wear, s.N) }

// wearRegs is two registers, of 0..2 and of 0..n-1.
type wearRegs struct {
	model.Codec[[2]uint8]
	n uint8
}

func (wearRegs) Init() []([2]uint8)             { return [][2]uint8{{}} }
func (wearRegs) Crash(*[2]uint8, model.Chooser) {}
func (sp wearRegs) Ops() []wearOp {
	ops := []wearOp{{}, {B: 1}, {Write: true, V: 0}, {Write: true, V: 1}, {Write: true, V: 2}}
	for v := range sp.n {
		ops = append(ops, wearOp{Write: true, B: 1, V: v})
	}
	return ops
}
func (wearRegs) Step(s *[2]uint8, op wearOp, _ model.Chooser) uint8 {
	if op.Write {
		s[op.B] = op.V
	}
	return s[op.B]
}

// wearLayer keeps the registers in the blocks; its read of a block worn
// to 16 writes is wrong.
type wearLayer struct {
	c model.Caller[wearOp, wearState]
}

func (l wearLayer) Call(op wearOp) uint8 {
	s := l.c.Call(op)
	if op.B == 1 {
		return s.N
	}
	if !op.Write && s.Wear >= 16 {
		return (s.V + 1) % 3
	}
	return s.V
}

// testedWear is wearSpec declaring its encoding tested, wrongly.
type testedWear struct{ wearSpec }

func (testedWear) EncodingTested() {}

func wearSystem(lossy bool, n uint8) model.Checker {
	impl := func(c model.Caller[wearOp, wearState]) model.Instance[model.Caller[wearOp, uint8]] {
		return model.Instance[model.Caller[wearOp, uint8]]{API: wearLayer{c}, Recover: func() {}}
	}
	return model.NewSystem(model.NewLayer[wearState, wearOp, wearState]("wear", wearSpec{lossy}),
		model.NewLayer[[2]uint8, wearOp, uint8]("registers", wearRegs{n: n}),
		impl, func(c *wearState) ([2]uint8, bool) { return [2]uint8{c.V, c.N}, true })
}

// A lower encoding that merges states only past the levels a search
// checks whole (CheckAllStates): with wear stopping at 16, a worn block
// encodes as a new one, so the search never expands a worn one and
// never runs the read that is wrong there. Under DeterminismSample, the
// default, the round trip was checked on the sampled runs alone, and no
// sampled run reached a worn block: verified, over 8,640 states. Every
// run checks the round trip now: a spec violation at the first worn
// block, in every mode, on the same shortest path.
func TestLossyEncodingPastCheckedLevels(t *testing.T) {
	for _, d := range model.DeterminismModes {
		r, err := explorer.Run(context.Background(), wearSystem(false, 12), explorer.Config{Determinism: d, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		if r.Verdict != explorer.Verified || r.States < 2*model.CheckAllStates {
			t.Fatalf("%v: right encoding: %s, %d states; want verified, past the levels checked whole", d, r.Verdict, r.States)
		}
		r, err = explorer.Run(context.Background(), wearSystem(true, 12), explorer.Config{Determinism: d, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		if r.Verdict != explorer.Violated || r.Violation.Kind != model.KindSpec ||
			!strings.Contains(r.Violation.Message, "lower state 2/16,0 encodes as 0200, which decodes to 2/0,0") {
			t.Fatalf("%v: lossy encoding: %s %v; want a spec violation at 2/16,0", d, r.Verdict, r.Violation)
		}
		// Sixteen writes of a 2, each after a write of another value:
		// the initial state and 31 operations.
		if n := len(r.Trace.Steps); n != 32 {
			t.Errorf("%v: a path of %d steps, want 32:\n%v", d, n, r.Trace)
		}
	}
	// A Spec that declares its encoding tested is decoded on the runs
	// run twice: every run in DeterminismFull.
	sys := wearSystem(true, 12).(*model.System[wearState, wearOp, wearState, model.Caller[wearOp, wearState], [2]uint8, wearOp, uint8, model.Caller[wearOp, uint8]])
	sys.Lower.Spec = testedWear{wearSpec{lossy: true}}
	r, err := explorer.Run(context.Background(), sys, explorer.Config{Determinism: model.DeterminismFull, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict != explorer.Violated || r.Violation.Kind != model.KindSpec || !strings.Contains(r.Violation.Message, "encodes as 0200") {
		t.Fatalf("declared tested, full: %s %v; want the spec violation", r.Verdict, r.Violation)
	}
}
