package model_test

import (
	"context"
	"testing"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
)

// offByOneReg keeps the register in the cell (flag_test.go), with one
// mistake: its read returns one more than the cell holds, or its write
// stores one more than it is given, as bad says.
type offByOneReg struct {
	d   model.Caller[cellOp, uint8]
	bad bool // the write's mistake, not the read's
}

func (r offByOneReg) Call(op regOp) uint8 {
	if op.Write {
		v := op.V
		if r.bad {
			v++
		}
		r.d.Call(cellOp{Kind: 1, V: v})
		return op.V
	}
	v := r.d.Call(cellOp{})
	if !r.bad {
		v++
	}
	return v
}

// TestEveryOperationIsChecked: an implementation with one wrong
// operation, the upper specification's first (read) or its last (write),
// is never verified: every operation is run from every state.
func TestEveryOperationIsChecked(t *testing.T) {
	for _, bad := range []bool{false, true} {
		impl := func(d model.Caller[cellOp, uint8]) model.Instance[model.Caller[regOp, uint8]] {
			return model.Instance[model.Caller[regOp, uint8]]{API: offByOneReg{d, bad}, Recover: func() {}}
		}
		sys := model.NewSystem(
			model.NewLayer[uint8, cellOp, uint8]("cell", cellSpec{}),
			model.NewLayer[uint8, regOp, uint8]("register", registerSpec{}),
			impl, func(c *uint8) (uint8, bool) { return *c, true })
		res, err := explorer.Run(context.Background(), sys, explorer.Config{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		if res.Verdict != explorer.Violated || res.Violation.Kind != model.KindRefinement {
			t.Errorf("wrong write %v: %s (%d states) %v; want a refinement violation", bad, res.Verdict, res.States, res.Violation)
		}
	}
}
