package explorer

import (
	"testing"

	"github.com/argocheck/argocheck/model"
)

// TestCounterexampleEpisode: a violation's episode is found by walking
// back from its failing step over recoveries and crashes during recovery
// to the step that began them: the operation that crashed (with its
// crash point), the operation that failed, or none after a crash between
// operations or at the initial state.
func TestCounterexampleEpisode(t *testing.T) {
	fail := &model.Violation{Kind: model.KindRecovery, Message: "fails"}
	init := model.Step{Kind: model.StepInit}
	write := model.Step{Kind: model.StepOp, Op: "write"}
	crashInWrite := model.Step{Kind: model.StepCrashInOp, Op: "write", CrashAfter: 2}
	crash := model.Step{Kind: model.StepCrash}
	recover := model.Step{Kind: model.StepRecover}
	crashInRecovery := model.Step{Kind: model.StepCrashInRecovery, CrashAfter: 1}
	failing := func(s model.Step) model.Step { s.Violation = fail; return s }
	for _, tc := range []struct {
		name       string
		steps      []model.Step
		op         string
		crashAfter int
	}{
		{"initial", []model.Step{failing(init)}, "", -1},
		{"operation", []model.Step{init, failing(write)}, "write", -1},
		{"recovery after a crash in an operation", []model.Step{init, write, crashInWrite, failing(recover)}, "write", 2},
		{"crashes during recovery", []model.Step{init, crashInWrite, crashInRecovery, recover, crashInRecovery, failing(recover)}, "write", 2},
		{"a crash during recovery after a crash between operations", []model.Step{init, write, crash, crashInRecovery, failing(recover)}, "", -1},
	} {
		ce := newCounterexample(&model.Trace{Steps: tc.steps}, 0)
		if ce.Op != tc.op || ce.CrashAfter != tc.crashAfter || ce.Violation != fail {
			t.Errorf("%s: episode %q after %d, violation %v; want %q after %d", tc.name, ce.Op, ce.CrashAfter, ce.Violation, tc.op, tc.crashAfter)
		}
	}
	// Counterexamples are distinct by kind, operation and crash point.
	crashAt := func(after int, msg string) Counterexample {
		c := crashInWrite
		c.CrashAfter = after
		r := recover
		r.Violation = &model.Violation{Kind: model.KindRecovery, Message: msg}
		return newCounterexample(&model.Trace{Steps: []model.Step{init, c, r}}, 0)
	}
	if a, b := crashAt(2, "fails"), crashAt(3, "fails"); a.id() == b.id() {
		t.Errorf("crashes after 2 and 3 steps of write: one counterexample, %+v", a.id())
	}
	if a, b := crashAt(2, "fails"), crashAt(2, "fails otherwise"); a.id() != b.id() {
		t.Errorf("two messages of one episode: counterexamples %+v and %+v, want one", a.id(), b.id())
	}
}
