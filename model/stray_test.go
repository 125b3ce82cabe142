package model_test

import (
	"context"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
)

// probingReg keeps the register in the cell (flag_test.go), and its read
// also probes the cell from a goroutine of its own, waiting for it, and
// ignores the answer: correct in every other respect.
type probingReg struct{ d model.Caller[cellOp, uint8] }

func (r probingReg) Call(op regOp) uint8 {
	if op.Write {
		r.d.Call(cellOp{Kind: 1, V: op.V})
		return op.V
	}
	done := make(chan struct{})
	go func() {
		r.d.Call(cellOp{Kind: 2})
		close(done)
	}()
	<-done
	return r.d.Call(cellOp{})
}

// TestJoinedProbeIsRefused: the probe's call, from another goroutine than
// the procedure's, is refused at the read's own edge, the first of the
// initial state's, with the recovery memo on and off: no later check
// stands in for it (a search with the memo off has no other).
func TestJoinedProbeIsRefused(t *testing.T) {
	impl := func(d model.Caller[cellOp, uint8]) model.Instance[model.Caller[regOp, uint8]] {
		return model.Instance[model.Caller[regOp, uint8]]{API: probingReg{d}, Recover: func() {}}
	}
	sys := model.NewSystem(
		model.NewLayer[uint8, cellOp, uint8]("cell", cellSpec{}),
		model.NewLayer[uint8, regOp, uint8]("register", registerSpec{}),
		impl, func(c *uint8) (uint8, bool) { return *c, true })
	for _, memo := range []bool{true, false} {
		func() {
			defer model.SetRecordRecoveries(memo)()
			res, err := explorer.Run(context.Background(), sys, explorer.Config{Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			if res.Verdict != explorer.Violated || res.Violation.Kind != model.KindNondeterminism || !strings.Contains(res.Violation.Message, "make every call from the goroutine that runs the procedure") {
				t.Fatalf("memo %v: %s (%d states) %v; want the probe's call refused", memo, res.Verdict, res.States, res.Violation)
			}
			if res.Trace == nil || res.Trace.Len() != 1 || res.Trace.Steps[1].Kind != model.StepOp {
				t.Fatalf("memo %v: the violation is not at the read's edge:\n%s", memo, res.Trace)
			}
		}()
	}
}
