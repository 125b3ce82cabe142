package model_test

import (
	"context"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
)

// driftingReg keeps the register in the cell, whose Put may fail
// (putSpec, flag_test.go), and counts its writes in a variable of its
// own: every second write reads the cell before it puts. Run again to
// reach the Put's other choices, a write takes another course than the
// run it replays.
type driftingReg struct {
	d      model.Caller[cellOp, uint8]
	writes *int
}

func (r driftingReg) Call(op regOp) uint8 {
	if !op.Write {
		return r.d.Call(cellOp{})
	}
	if *r.writes++; *r.writes%2 == 0 {
		r.d.Call(cellOp{})
	}
	if r.d.Call(cellOp{Kind: 1, V: op.V}) == probeFailed {
		return probeFailed
	}
	return op.V
}

// TestReplayedRunThatChangesCourseIsCaught: a write whose run, replayed
// to reach another choice of the lower layer, makes another call first is
// caught on that run, with no run compared twice (the determinism checks
// off) and the recovery memo on and off: the check every run makes
// stands alone.
func TestReplayedRunThatChangesCourseIsCaught(t *testing.T) {
	for _, memo := range []bool{true, false} {
		func() {
			defer model.SetRecordRecoveries(memo)()
			writes := 0
			impl := func(d model.Caller[cellOp, uint8]) model.Instance[model.Caller[regOp, uint8]] {
				return model.Instance[model.Caller[regOp, uint8]]{API: driftingReg{d, &writes}, Recover: func() {}}
			}
			sys := model.NewSystem(
				model.NewLayer[uint8, cellOp, uint8]("cell", putSpec{}),
				model.NewLayer[uint8, regOp, uint8]("register", mayFailReg{}),
				impl, func(c *uint8) (uint8, bool) { return *c, true })
			res, err := explorer.Run(context.Background(), sys, explorer.Config{Workers: 1, Determinism: model.DeterminismOff})
			if err != nil {
				t.Fatal(err)
			}
			if res.Verdict != explorer.Violated || res.Violation.Kind != model.KindNondeterminism || !strings.Contains(res.Violation.Message, "took a different course") {
				t.Errorf("memo %v: %s (%d states) %v; want the replayed write's other course caught", memo, res.Verdict, res.States, res.Violation)
			}
		}()
	}
}
