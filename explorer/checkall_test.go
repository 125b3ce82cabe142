package explorer

import (
	"testing"

	"github.com/argocheck/argocheck/model"
)

// depthWorker replays a chain of nodes, each byte one deeper than the
// last, and notes at each replay whether CheckAll was on.
type depthWorker struct {
	model.Worker
	on      bool
	checked []bool // by the depth of the node replayed
}

func (w *depthWorker) CheckAll(on bool)                      { w.on = on }
func (w *depthWorker) Initial() ([][]byte, *model.Violation) { return [][]byte{{0}}, nil }
func (w *depthWorker) View([]byte) model.NodeView            { return model.NodeView{} }
func (w *depthWorker) Replay(node []byte, _ uint32) (model.Step, []byte) {
	w.checked = append(w.checked, w.on)
	return model.Step{Kind: model.StepOp}, []byte{node[0] + 1}
}

// A path is replayed with every run checked up to the deepest level that
// holds one of the first model.CheckAllStates states, as the search
// expanded it, and with the sample below it.
func TestPathChecksAsTheSearch(t *testing.T) {
	// One initial state, then levels of 3000 states, each state's parent
	// the first state of the level above: state CheckAllStates-1 lies at
	// depth 2.
	const level = 3000
	depthOf := func(s uint64) uint64 { return (s + level - 1) / level }
	base := func(d uint64) uint64 {
		if d == 0 {
			return 0
		}
		return (d-1)*level + 1
	}
	parent := func(s uint64) (uint64, error) {
		if s == 0 {
			return edgeKey(rootParent, 0), nil
		}
		return edgeKey(base(depthOf(s)-1), 0), nil
	}
	for _, tc := range []struct {
		states uint64 // the states parent knows
		want   []bool
	}{
		{5 * level, []bool{true, true, true, false, false}},
		{model.CheckAllStates, []bool{true, true, true, false, false}},
		// State CheckAllStates-1 not found yet: every level so far was
		// checked whole.
		{model.CheckAllStates - 1, []bool{true, true, true, true, true}},
	} {
		w := &depthWorker{}
		if _, err := path(w, parent, tc.states, edgeKey(base(4), 0), nil); err != nil {
			t.Fatal(err)
		}
		if len(w.checked) != len(tc.want) {
			t.Fatalf("%d states: %d nodes replayed, want %d", tc.states, len(w.checked), len(tc.want))
		}
		for d := range tc.want {
			if w.checked[d] != tc.want[d] {
				t.Errorf("%d states: the node of depth %d replayed with CheckAll %v, want %v", tc.states, d, w.checked[d], tc.want[d])
			}
		}
		if w.on {
			t.Errorf("%d states: CheckAll left on", tc.states)
		}
	}
}
