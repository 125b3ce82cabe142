package explorer

import (
	"context"
	"errors"
	"testing"

	"github.com/argocheck/argocheck/model"
)

// ordinalChecker is a graph of its own: its one node emits again edges
// numbered 0 to again-1 (to itself, with Again), then, unless succ is 0,
// one successor numbered succ, then, if fail, a violation as the next edge.
type ordinalChecker struct {
	again, succ uint32
	fail        bool
}

func (c ordinalChecker) Validate() error                      { return nil }
func (c ordinalChecker) NewWorker(model.Options) model.Worker { return &ordinalWorker{c: c} }

type ordinalWorker struct {
	model.Worker
	c ordinalChecker
}

func (w *ordinalWorker) Initial() ([][]byte, *model.Violation) { return [][]byte{{0}}, nil }
func (w *ordinalWorker) CheckAll(bool)                         {}
func (w *ordinalWorker) Stray() *model.Violation               { return nil }

func (w *ordinalWorker) Expand(node []byte, e model.Emitter) {
	if node[0] != 0 {
		return
	}
	if w.c.again > 0 && e.(model.Repeater).Again(0, w.c.again, 0) {
		return
	}
	next := w.c.again
	if w.c.succ > 0 {
		if e.Successor(w.c.succ, []byte{1}, false) {
			return
		}
		next = w.c.succ + 1
	}
	if w.c.fail {
		e.Fail(&model.Violation{Kind: model.KindRecovery, Message: "fails", Edge: next})
	}
}

func (w *ordinalWorker) View([]byte) model.NodeView { return model.NodeView{} }

func (w *ordinalWorker) Replay(node []byte, edge uint32) (model.Step, []byte) {
	if w.c.succ > 0 && edge == w.c.succ {
		return model.Step{Kind: model.StepOp}, []byte{1}
	}
	return model.Step{Kind: model.StepOp, Violation: &model.Violation{Kind: model.KindRecovery, Message: "fails", Edge: edge}}, nil
}

// TestOrdinalLimit: a state's edges are numbered up to maxOrdinal, what
// parent records hold; an expansion that numbers one more, by Again, by
// Successor or by a violation, stops the search with model.ErrLimit, not
// a verdict on edges whose numbers were cut (a violation's would name
// another state's edge).
func TestOrdinalLimit(t *testing.T) {
	for _, c := range []struct {
		chk ordinalChecker
		ok  bool
	}{
		{ordinalChecker{again: maxOrdinal + 1}, true},
		{ordinalChecker{again: maxOrdinal + 2}, false},
		{ordinalChecker{again: 2, succ: maxOrdinal}, true},
		{ordinalChecker{again: 2, succ: maxOrdinal + 1}, false},
		{ordinalChecker{again: maxOrdinal, fail: true}, true},
		{ordinalChecker{again: maxOrdinal + 1, fail: true}, false},
	} {
		res, err := Run(context.Background(), c.chk, Config{Workers: 1})
		if c.ok {
			want := Verified
			if c.chk.fail {
				want = Violated
			}
			if err != nil || res.Verdict != want {
				t.Errorf("%+v: %v, %+v: want %s", c.chk, err, res, want)
			}
		} else if !errors.Is(err, model.ErrLimit) {
			t.Errorf("%+v: %v, %+v: want a limit error", c.chk, err, res)
		}
	}
}
