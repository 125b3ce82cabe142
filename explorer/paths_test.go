package explorer

import (
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/model"
)

// TestPathsReuseMatchesFresh: a builder that reuses the steps its paths
// share rebuilds, edge after edge in any order, the paths that path
// rebuilds from scratch, over random trees of parent records, including
// edges their nodes do not have and violating last steps.
func TestPathsReuseMatchesFresh(t *testing.T) {
	p := catalog.Params{layers.Blocks: 2, layers.Values: 2}
	checkers := map[string]model.Checker{}
	for _, v := range []string{"", "no-recovery", "write-d0-only"} {
		checkers[v] = mustBuild(t, "repdisk", p, v)
	}
	rapid.Check(t, func(rt *rapid.T) {
		chk := checkers[rapid.SampledFrom([]string{"", "no-recovery", "write-d0-only"}).Draw(rt, "variant")]
		w := chk.NewWorker(model.Options{})
		inits, _ := w.Initial()
		parents, nodes := randomTree(rt, w, inits[0], 40)
		parent := func(s uint64) (uint64, error) { return parents[s], nil }
		states := uint64(len(parents))
		reused := newPaths(chk.NewWorker(model.Options{}), parent, states)
		fresh := chk.NewWorker(model.Options{})
		for range rapid.IntRange(1, 20).Draw(rt, "edges") {
			edge := edgeKey(uint64(rapid.IntRange(0, len(nodes)-1).Draw(rt, "state")), uint32(rapid.IntRange(0, 80).Draw(rt, "last")))
			var want *model.Violation
			if rapid.Bool().Draw(rt, "want") {
				want = &model.Violation{Kind: model.KindRefinement, Message: "wanted"}
			}
			got, err := reused.path(edge, want)
			if err != nil {
				rt.Fatal(err)
			}
			exp, err := path(fresh, parent, states, edge, want)
			if err != nil {
				rt.Fatal(err)
			}
			if got.String() != exp.String() || !sameLast(got, exp) {
				rt.Fatalf("edge %x: reused\n%s\nfresh\n%s", edge, got, exp)
			}
		}
	})
}

// sameLast reports whether two paths end in the same violation.
func sameLast(a, b *model.Trace) bool {
	va, vb := a.Steps[len(a.Steps)-1].Violation, b.Steps[len(b.Steps)-1].Violation
	return (va == nil && vb == nil) || sameViolation(va, vb)
}

// TestPathsAtIsPathEach: the paths to several violations at one state,
// rebuilt together with one replay of its expansion, are those that path
// rebuilds for each, one replay up to each, over random trees of parent
// records and random edges, including edges the node does not have,
// violations the replay meets again, violations it meets only checking
// every run, and violations it does not meet.
func TestPathsAtIsPathEach(t *testing.T) {
	p := catalog.Params{layers.Blocks: 2, layers.Values: 2}
	checkers := map[string]model.Checker{"failing recovery": failingRecovery(6)}
	for _, v := range []string{"", "no-recovery", "write-d0-only"} {
		checkers[v] = mustBuild(t, "repdisk", p, v)
	}
	rapid.Check(t, func(rt *rapid.T) {
		chk := checkers[rapid.SampledFrom([]string{"", "no-recovery", "write-d0-only", "failing recovery"}).Draw(rt, "system")]
		w := chk.NewWorker(model.Options{})
		inits, _ := w.Initial()
		parents, nodes := randomTree(rt, w, inits[0], 30)
		parent := func(s uint64) (uint64, error) { return parents[s], nil }
		states := uint64(len(parents))
		checkedAll := rapid.IntRange(0, 2).Draw(rt, "checked whole")
		grouped := newPaths(checkedEdges{&checkedWorker{Worker: chk.NewWorker(model.Options{})}}, parent, states)
		grouped.checkedAll = checkedAll
		for range rapid.IntRange(1, 4).Draw(rt, "states") {
			state := rapid.IntRange(0, len(nodes)-1).Draw(rt, "state")
			lasts := rapid.SliceOfN(rapid.Uint32Range(0, 40), 1, 8).Draw(rt, "lasts")
			var fails failingEdges
			w.Expand(nodes[state], &fails)
			if len(fails) > 0 {
				lasts = append(lasts, rapid.SliceOfN(rapid.SampledFrom(fails), 0, 8).Draw(rt, "failing")...)
			}
			slices.Sort(lasts)
			wants := make([]*model.Violation, len(lasts))
			for i, o := range lasts {
				step, _ := w.Replay(nodes[state], o)
				switch rapid.IntRange(0, 3).Draw(rt, "want") {
				case 1:
					wants[i] = &model.Violation{Kind: model.KindRefinement, Message: "wanted"}
				case 2:
					wants[i] = step.Violation
				case 3:
					if step.Violation != nil {
						v := *step.Violation
						v.Message += checkedMark
						wants[i] = &v
					}
				}
			}
			got, err := grouped.pathsAt(uint64(state), lasts, wants)
			if err != nil {
				rt.Fatal(err)
			}
			for i, o := range lasts {
				each := newPaths(&checkedWorker{Worker: chk.NewWorker(model.Options{})}, parent, states)
				each.checkedAll = checkedAll
				exp, err := each.path(edgeKey(uint64(state), o), wants[i])
				if err != nil {
					rt.Fatal(err)
				}
				if got[i].String() != exp.String() || !sameLast(got[i], exp) {
					rt.Fatalf("state %d edge %d of %v: together\n%s\neach\n%s", state, o, lasts, got[i], exp)
				}
			}
		}
	})
}

// checkedWorker is a worker whose replayed violations say whether
// CheckAll was on, as a replay checking every run can meet a violation
// that one checking a sample does not. It is no model.EdgesReplayer.
type checkedWorker struct {
	model.Worker
	on bool
}

// checkedMark ends the messages of the violations checkedWorker replays
// with CheckAll on.
const checkedMark = " (every run checked)"

func (w *checkedWorker) CheckAll(on bool) {
	w.on = on
	w.Worker.CheckAll(on)
}

func (w *checkedWorker) Replay(node []byte, edge uint32) (model.Step, []byte) {
	step, succ := w.Worker.Replay(node, edge)
	return w.mark(step), succ
}

// mark marks step's violation when CheckAll is on.
func (w *checkedWorker) mark(step model.Step) model.Step {
	if step.Violation != nil && w.on {
		v := *step.Violation
		v.Message += checkedMark
		step.Violation = &v
	}
	return step
}

// checkedEdges is a checkedWorker that is a model.EdgesReplayer.
type checkedEdges struct{ *checkedWorker }

func (w checkedEdges) ReplayEdges(node []byte, edges []uint32) []model.Step {
	steps := w.Worker.(model.EdgesReplayer).ReplayEdges(node, edges)
	for i := range steps {
		steps[i] = w.mark(steps[i])
	}
	return steps
}

// failingEdges is an emitter that lists the violating edges of an
// expansion.
type failingEdges []uint32

func (f *failingEdges) Successor(uint32, []byte, bool) bool { return false }

func (f *failingEdges) Fail(v *model.Violation) bool {
	*f = append(*f, v.Edge)
	return false
}

// randomTree grows a random tree of up to grow states from root, each
// reached from an earlier one without a violation, and returns their
// parent records and nodes, by state number.
func randomTree(rt *rapid.T, w model.Worker, root []byte, grow int) (parents []uint64, nodes [][]byte) {
	parents = []uint64{edgeKey(rootParent, 0)}
	nodes = [][]byte{slices.Clone(root)}
	for range rapid.IntRange(0, grow).Draw(rt, "grow") {
		s := rapid.IntRange(0, len(nodes)-1).Draw(rt, "from")
		o := uint32(rapid.IntRange(0, 80).Draw(rt, "ordinal"))
		step, succ := w.Replay(nodes[s], o)
		if step.Kind == "" || step.Violation != nil {
			continue
		}
		parents = append(parents, edgeKey(uint64(s), o))
		nodes = append(nodes, slices.Clone(succ))
	}
	return parents, nodes
}
