package explorer

import (
	"testing"

	"github.com/argocheck/argocheck/internal/graphtest"
)

// TestContinueStopsAtCount: a search continuing past violations stops at
// Config.Continue distinct ones, the first in edge order, when the graph
// holds more.
func TestContinueStopsAtCount(t *testing.T) {
	// Node 0 reaches nodes 1 to 4; nodes 1 to 3 fail, each a violation
	// of its own.
	g := &graphtest.Graph{Inits: []uint32{0}, Succ: func(n uint32) []uint32 {
		if n == 0 {
			return []uint32{1, 2, 3, 4}
		}
		return nil
	}, Fails: func(n uint32) bool { return n >= 1 && n <= 3 }}
	for _, workers := range []int{1, 2} {
		res := runGraph(t, g, Config{Workers: workers, Continue: 2})
		if res.Verdict != Violated || len(res.Violations) != 2 ||
			res.Violations[0].Violation.Message != "node 1 fails" || res.Violations[1].Violation.Message != "node 2 fails" {
			var got []string
			for _, ce := range res.Violations {
				got = append(got, ce.Violation.Message)
			}
			t.Fatalf("%d workers, continuing to 2 violations: %s with %q; want node 1's and node 2's", workers, res.Verdict, got)
		}
	}
}
