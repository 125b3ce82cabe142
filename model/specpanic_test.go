package model_test

import (
	"context"
	"testing"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
)

// panickySpec is the register of hookSpec whose Step panics on operation
// stepPanics, when set, and whose Crash panics, when crashPanics is.
type panickySpec struct {
	hookSpec
	stepPanics  *uint8
	crashPanics bool
}

func (p panickySpec) Step(s *cell, op uint8, ch model.Chooser) uint8 {
	if p.stepPanics != nil && op == *p.stepPanics {
		panic("no such operation")
	}
	return p.hookSpec.Step(s, op, ch)
}

func (p panickySpec) Crash(s *cell, ch model.Chooser) {
	if p.crashPanics {
		panic("no crash")
	}
	p.hookSpec.Crash(s, ch)
}

// TestSpecPanicPath: a panic of the upper specification's Step, which runs
// before the operation's procedure, ends the path in a step of that
// operation, with no call and no result, not in a step of the operation
// before it (or of none); so does a panic of its Crash, which runs first
// for the allowed set of a crash during the first operation.
func TestSpecPanicPath(t *testing.T) {
	one := uint8(1)
	impl := func(l model.Caller[uint8, uint8]) model.Instance[model.Caller[uint8, uint8]] {
		return model.Instance[model.Caller[uint8, uint8]]{API: l, Recover: func() {}}
	}
	abs := func(c *cell) (cell, bool) { return *c, true }
	for _, tc := range []struct {
		name  string
		upper panickySpec
		want  model.Step // its kind, operation, result and calls
	}{
		{"a Step that panics on operation 1", panickySpec{stepPanics: &one}, model.Step{Kind: model.StepOp, Op: "1"}},
		// Crash runs first for the allowed set of a crash during the
		// first operation.
		{"a Crash that panics", panickySpec{crashPanics: true}, model.Step{Kind: model.StepOp, Op: "0"}},
	} {
		sys := model.NewSystem(model.NewLayer("lower", model.Spec[cell, uint8, uint8](hookSpec{})), model.NewLayer("upper", model.Spec[cell, uint8, uint8](tc.upper)), impl, abs)
		res, err := explorer.Run(context.Background(), sys, explorer.Config{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		if res.Verdict != explorer.Violated || res.Violation.Kind != model.KindPanic {
			t.Fatalf("%s: %s %+v, want a panic", tc.name, res.Verdict, res.Violation)
		}
		last := res.Trace.Steps[len(res.Trace.Steps)-1]
		if last.Violation == nil || last.Kind != tc.want.Kind || last.Op != tc.want.Op || last.Ret != "" || len(last.Calls) != 0 || len(last.Choices) != 0 || last.Total != 0 {
			t.Errorf("%s: the path ends in %+v, want a violation at %+v:\n%s", tc.name, last, tc.want, res.Trace)
		}
	}
}
