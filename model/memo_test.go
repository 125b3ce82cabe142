package model_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/model"
)

// TestRecoveryMemoIsExact: expanding Recovering nodes from recorded
// recoveries changes nothing a search reports. Every system of the
// catalogue, correct and broken, at its default sizes, gives the same
// verdict, counts and shortest path with the memo as by running every
// recovery, with one worker and with three (and a memo that keeps almost
// nothing).
func TestRecoveryMemoIsExact(t *testing.T) {
	type check struct {
		system  string
		params  catalog.Params
		variant string
	}
	var checks []check
	for _, sys := range layers.Systems() {
		checks = append(checks, check{sys.Name, sys.Defaults(), ""})
		for _, v := range sys.Variants {
			checks = append(checks, check{sys.Name, sys.Defaults(), v.Name})
		}
	}
	// Larger, with more lower states than the memo has slots.
	checks = append(checks,
		check{"repdisk", catalog.Params{layers.Blocks: 5, layers.Values: 3}, ""},
		check{"log/repdisk", catalog.Params{layers.Blocks: 3, layers.Values: 2, layers.Log: 2}, ""},
		check{"log/async-repdisk", catalog.Params{layers.Values: 3, layers.Log: 2}, ""})
	for _, c := range checks {
		sys, err := layers.Lookup(c.system)
		if err != nil {
			t.Fatal(err)
		}
		p, err := sys.Complete(c.params)
		if err != nil {
			t.Fatal(err)
		}
		chk, err := layers.Build(c.system, p, c.variant)
		if err != nil {
			t.Fatal(err)
		}
		search := func(memo bool, workers int) *explorer.Result {
			defer model.SetRecordRecoveries(memo)()
			if workers == 3 {
				// Every record past the first few is dropped once used.
				defer model.SetMemoBudget(1 << 12)()
			}
			res, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: workers})
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		want := search(false, 1)
		for _, workers := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s/w%d", sys.String(p, c.variant), workers), func(t *testing.T) {
				got := search(true, workers)
				// A search that stops at a violation counts the edges its
				// workers took before it stopped.
				counted := workers == 1 || want.Verdict == explorer.Verified
				if got.Verdict != want.Verdict || got.States != want.States || got.Depth != want.Depth ||
					counted && (got.Transitions != want.Transitions || got.CrashPoints != want.CrashPoints) {
					t.Fatalf("with the memo: %s states=%d transitions=%d crash_points=%d depth=%d; without: %s %d %d %d %d",
						got.Verdict, got.States, got.Transitions, got.CrashPoints, got.Depth,
						want.Verdict, want.States, want.Transitions, want.CrashPoints, want.Depth)
				}
				if !reflect.DeepEqual(got.Violation, want.Violation) || !reflect.DeepEqual(got.Trace, want.Trace) {
					t.Fatalf("with the memo the violation is\n%v\n%v\nwithout it\n%v\n%v", got.Violation, got.Trace, want.Violation, want.Trace)
				}
			})
		}
	}
}

// resetAPI is the unit layer's operation on the cell: it puts 0.
type resetAPI struct{ d model.Caller[cellOp, uint8] }

func (r resetAPI) Call(unitOp) uint8 { return r.d.Call(cellOp{Kind: 1, V: 0}) }

// TestUnrelatedRecoveryEndIsViolation: a recovery that ends in a lower
// state related to no abstract state violates rule 2, although the
// relation, saying so, returns an abstract state that the crash allows
// (its zero value), with the memo and without. The recovery puts 7 in
// the cell, which relates to nothing; the operation puts 0 back, so no
// later completion fails for it.
func TestUnrelatedRecoveryEndIsViolation(t *testing.T) {
	impl := func(d model.Caller[cellOp, uint8]) model.Instance[model.Caller[unitOp, uint8]] {
		return model.Instance[model.Caller[unitOp, uint8]]{
			API:     resetAPI{d},
			Recover: func() { d.Call(cellOp{Kind: 1, V: 7}) },
		}
	}
	sys := model.NewSystem(
		model.NewLayer[uint8, cellOp, uint8]("cell", cellSpec{}),
		model.NewLayer("unit", model.Spec[unitState, unitOp, uint8](unitSpec{})),
		impl, func(c *uint8) (unitState, bool) { return unitState{}, *c != 7 })
	for _, memo := range []bool{false, true} {
		func() {
			defer model.SetRecordRecoveries(memo)()
			res, err := explorer.Run(context.Background(), sys, explorer.Config{Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			if res.Verdict != explorer.Violated || res.Violation.Kind != model.KindRecovery || !strings.Contains(res.Violation.Message, "relates to no abstract state") {
				t.Errorf("memo %v: %s %v; want the recovery's end related to no abstract state", memo, res.Verdict, res.Violation)
			}
		}()
	}
}
