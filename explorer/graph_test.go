package explorer

import (
	"context"
	"testing"

	"github.com/argocheck/argocheck/internal/graphtest"
	"github.com/argocheck/argocheck/model"
)

// pathNodes returns the nodes along t, the initial one first.
func pathNodes(t *model.Trace) []string {
	var nodes []string
	for _, s := range t.Steps {
		if s.Violation == nil {
			nodes = append(nodes, s.Node.Lower)
		}
	}
	return nodes
}

// runGraph searches g with cfg, failing the test on an error.
func runGraph(t *testing.T, g *graphtest.Graph, cfg Config) *Result {
	t.Helper()
	res, err := Run(context.Background(), g, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}
