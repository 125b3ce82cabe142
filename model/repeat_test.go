package model_test

import (
	"fmt"
	"testing"

	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/model"
)

// edge is one edge of an expansion as an emitter saw it.
type edge struct {
	ordinal uint32
	node    string
	crash   bool
	fail    string // the violation's kind, for a failed check
}

// edgeList records every edge it receives.
type edgeList struct{ edges []edge }

func (l *edgeList) Successor(o uint32, node []byte, crash bool) bool {
	l.edges = append(l.edges, edge{ordinal: o, node: string(node), crash: crash})
	return false
}

func (l *edgeList) Fail(v *model.Violation) bool {
	l.edges = append(l.edges, edge{ordinal: v.Edge, fail: v.Kind})
	return false
}

// repeatList is an edgeList that also takes repeated edges at once, and
// writes them out as the edges they stand for.
type repeatList struct {
	edgeList
	repeats int
	err     error
}

func (l *repeatList) Repeat(o, n uint32, crash bool) bool {
	last := len(l.edges) - 1
	if last < 0 || l.edges[last].ordinal != o-1 || l.edges[last].fail != "" {
		l.err = fmt.Errorf("Repeat(%d, %d) after %v, not after the successor at edge %d", o, n, l.edges[last:], o-1)
		return true
	}
	for i := range n {
		l.edges = append(l.edges, edge{ordinal: o + i, node: l.edges[last].node, crash: crash})
	}
	l.repeats += int(n)
	return false
}

// TestRepeatIsSuccessorAgain: a worker whose emitter takes runs of edges
// that reach the same node at once gives the same edges as one whose
// emitter does not. For every system of the catalogue and its variants at
// their default sizes, with and without recorded recoveries, every node of
// the first breadth-first states expands to the same ordinals, nodes,
// crash flags and violations.
func TestRepeatIsSuccessorAgain(t *testing.T) {
	const maxNodes = 600
	repeats := map[bool]int{}
	for _, sys := range layers.Systems() {
		variants := []string{""}
		for _, v := range sys.Variants {
			variants = append(variants, v.Name)
		}
		for _, variant := range variants {
			for _, memo := range []bool{true, false} {
				name := fmt.Sprintf("%s/memo=%t", sys.String(sys.Defaults(), variant), memo)
				t.Run(name, func(t *testing.T) {
					restore := model.SetRecordRecoveries(memo)
					defer restore()
					chk, err := layers.Build(sys.Name, sys.Defaults(), variant)
					if err != nil {
						t.Fatal(err)
					}
					plain, repeating := chk.NewWorker(model.Options{}), chk.NewWorker(model.Options{})
					queue, v := plain.Initial()
					if v != nil {
						t.Skipf("initial violation: %v", v)
					}
					seen := map[string]bool{}
					for i := 0; i < len(queue) && i < maxNodes; i++ {
						node := queue[i]
						var want edgeList
						var got repeatList
						plain.Expand(node, &want)
						repeating.Expand(node, &got)
						if got.err != nil {
							t.Fatalf("node %d: %v", i, got.err)
						}
						for k := range max(len(got.edges), len(want.edges)) {
							if k >= len(got.edges) || k >= len(want.edges) || got.edges[k] != want.edges[k] {
								t.Fatalf("node %d: %d edges with Repeat, %d without; they differ at the %d-th:\n%+v\n%+v",
									i, len(got.edges), len(want.edges), k, got.edges[k:min(k+1, len(got.edges))], want.edges[k:min(k+1, len(want.edges))])
							}
						}
						repeats[memo] += got.repeats
						for _, e := range want.edges {
							if e.fail == "" && !seen[e.node] {
								seen[e.node] = true
								queue = append(queue, []byte(e.node))
							}
						}
					}
				})
			}
		}
	}
	// Both ways of expanding a recovery repeat edges somewhere.
	if repeats[true] == 0 || repeats[false] == 0 {
		t.Errorf("edges taken as repeats: %d with records, %d without; the test covers no Repeat", repeats[true], repeats[false])
	}
}
