package explorer

import (
	"slices"
	"testing"

	"github.com/argocheck/argocheck/model"
	"github.com/argocheck/argocheck/statestore"
)

// depthChecker hands out its one depthWorker.
type depthChecker struct{ w *depthWorker }

func (c depthChecker) Validate() error                      { return nil }
func (c depthChecker) NewWorker(model.Options) model.Worker { return c.w }

// TestPathChecksLevelEndingAtBound: when state model.CheckAllStates-1 is
// the last of its level, that level was the last the search checked
// whole (the next begins at model.CheckAllStates): a path replays its
// nodes up to that level checking every run, the violating node's
// expansion included when it lies there, and the nodes past it with the
// sample.
func TestPathChecksLevelEndingAtBound(t *testing.T) {
	// One initial state, then levels of 819 states, each state's parent
	// the first state of the level above: state 4095 = 5*819 ends level 5.
	const level = (model.CheckAllStates - 1) / 5
	depthOf := func(s uint64) uint64 { return (s + level - 1) / level }
	base := func(d uint64) uint64 {
		if d == 0 {
			return 0
		}
		return (d-1)*level + 1
	}
	if depthOf(model.CheckAllStates-1) != 5 || depthOf(model.CheckAllStates) != 6 {
		t.Fatalf("states %d and %d at depths %d and %d, want 5 and 6", model.CheckAllStates-1, model.CheckAllStates, depthOf(model.CheckAllStates-1), depthOf(model.CheckAllStates))
	}
	parent := func(s uint64) (uint64, error) {
		if s == 0 {
			return edgeKey(rootParent, 0), nil
		}
		return edgeKey(base(depthOf(s)-1), 0), nil
	}
	for _, tc := range []struct {
		depth uint64 // of the violating node
		want  []bool // CheckAll at each node's replay, by depth
	}{
		{7, []bool{true, true, true, true, true, true, false, false}},
		{6, []bool{true, true, true, true, true, true, false}},
		{5, []bool{true, true, true, true, true, true}},
	} {
		w := &depthWorker{}
		if _, err := path(w, parent, 8*level, edgeKey(base(tc.depth), 0), nil); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(w.checked, tc.want) {
			t.Errorf("a violation at depth %d: the nodes replayed with CheckAll %v, want %v", tc.depth, w.checked, tc.want)
		}
	}
	// Restore rebuilds a stored violation's path as the search did.
	w := &depthWorker{}
	o := &statestore.Outcome{Verdict: string(Violated), States: 8 * level,
		Violations: []statestore.ViolationRecord{{Kind: model.KindInvariant, Message: "fails", Edge: edgeKey(base(7), 0)}}}
	if _, err := Restore(depthChecker{w}, Config{}, o, parent); err != nil {
		t.Fatal(err)
	}
	// The violating node, sampled, is replayed checking every run too, as
	// the replay did not meet the violation again.
	if want := []bool{true, true, true, true, true, true, false, false, true}; !slices.Equal(w.checked, want) {
		t.Errorf("restored: the nodes replayed with CheckAll %v, want %v", w.checked, want)
	}
}
