package layers_test

import (
	"context"
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/model"
)

// TestConcurrentBuild: every built-in system sets ConcurrentBuild, and a
// search of each at its smallest sizes, by 4 workers taking a state at a
// time and checking every state for determinism, calls its Build at once
// and runs the instances it builds side by side. Under the race detector
// (as CI runs it) a Build that shared memory between calls would be
// reported.
func TestConcurrentBuild(t *testing.T) {
	for _, sys := range layers.Systems() {
		t.Run(sys.Name, func(t *testing.T) {
			if !sys.ConcurrentBuild {
				t.Fatalf("%s: ConcurrentBuild is not set", sys.Name)
			}
			p := catalog.Params{}
			for _, q := range sys.Params {
				p[q.Name] = q.Min
			}
			chk, err := sys.Check(p, "")
			if err != nil {
				t.Fatal(err)
			}
			res, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 4, BatchSize: 1, MaxDepth: 5, Determinism: model.DeterminismFull})
			if err != nil {
				t.Fatal(err)
			}
			if res.Verdict == explorer.Violated || res.States < 10 {
				t.Fatalf("verdict %s after %d states, want no violation in at least 10 states: %+v", res.Verdict, res.States, res.Violation)
			}
		})
	}
}
