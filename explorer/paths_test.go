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
		// A random tree of states reached without a violation.
		parents := []uint64{edgeKey(rootParent, 0)}
		nodes := [][]byte{slices.Clone(inits[0])}
		for range rapid.IntRange(0, 40).Draw(rt, "grow") {
			s := rapid.IntRange(0, len(nodes)-1).Draw(rt, "from")
			o := uint32(rapid.IntRange(0, 80).Draw(rt, "ordinal"))
			step, succ := w.Replay(nodes[s], o)
			if step.Kind == "" || step.Violation != nil {
				continue
			}
			parents = append(parents, edgeKey(uint64(s), o))
			nodes = append(nodes, slices.Clone(succ))
		}
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
