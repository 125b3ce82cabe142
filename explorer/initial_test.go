package explorer

import (
	"slices"
	"testing"

	"github.com/argocheck/argocheck/internal/graphtest"
)

// node by its own index among those given.
func TestDuplicateInitialStates(t *testing.T) {
	g := &graphtest.Graph{Inits: []uint32{5, 5, 7}, Succ: func(n uint32) []uint32 {
		if n < 10 {
			return []uint32{n + 10}
		}
		return nil
	}}
	for _, workers := range []int{1, 2} {
		res := runGraph(t, g, Config{Workers: workers})
		if res.Verdict != Verified || res.States != 4 || res.Transitions != 2 || res.Depth != 1 {
			t.Fatalf("%d workers: %s with %d states, %d transitions, depth %d; want verified, 4 states (5, 7, 15, 17), 2 transitions, depth 1",
				workers, res.Verdict, res.States, res.Transitions, res.Depth)
		}
	}
	g.Fails = func(n uint32) bool { return n == 17 }
	res := runGraph(t, g, Config{Workers: 1})
	if res.Verdict != Violated || res.States != 4 {
		t.Fatalf("%s with %d states, want a violation with 4 states", res.Verdict, res.States)
	}
	if got, want := pathNodes(res.Trace), []string{"7", "17"}; !slices.Equal(got, want) {
		t.Fatalf("path through %v, want %v:\n%s", got, want, res.Trace)
	}
}
