package model_test

import (
	"fmt"
	"math"
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

// againList is an edgeList that also takes runs of edges to nodes
// reached before at once, and keeps those runs apart.
type againList struct {
	edgeList
	again []againRun
}

// againRun is one call of Again.
type againRun struct{ edge, n, crashes uint32 }

func (l *againList) Again(o, n, crashes uint32) bool {
	l.again = append(l.again, againRun{o, n, crashes})
	return false
}

// compare reports how the edges l took expanding node, some of them
// through Again, differ from want, every edge passed one by one: those not
// taken through Again must be the same, and each run through Again must
// stand for as many successors, as many crashes among them, each to a node
// reached before or to node itself.
func (l *againList) compare(node []byte, want []edge) error {
	at := map[string]uint32{} // the first ordinal that reaches each node
	for _, e := range want {
		if _, ok := at[e.node]; !ok && e.fail == "" {
			at[e.node] = e.ordinal
		}
	}
	got, runs := l.edges, l.again
	for k := 0; k < len(want); {
		if len(runs) > 0 && runs[0].edge == uint32(k) {
			r := runs[0]
			runs = runs[1:]
			if k+int(r.n) > len(want) {
				return fmt.Errorf("Again(%d, %d) past the %d edges", r.edge, r.n, len(want))
			}
			var crashes uint32
			for _, e := range want[k : k+int(r.n)] {
				if first, ok := at[e.node]; e.fail != "" || e.node != string(node) && (!ok || first >= e.ordinal) {
					return fmt.Errorf("Again(%d, %d) stands for edge %+v, not a successor reached before", r.edge, r.n, e)
				}
				if e.crash {
					crashes++
				}
			}
			if crashes != r.crashes {
				return fmt.Errorf("Again(%d, %d, %d): %d of those edges are crashes", r.edge, r.n, r.crashes, crashes)
			}
			k += int(r.n)
			continue
		}
		if len(got) == 0 || got[0] != want[k] {
			return fmt.Errorf("edge %d is %+v one by one and %+v with Again", k, want[k], got[:min(1, len(got))])
		}
		got = got[1:]
		k++
	}
	if len(got) != 0 || len(runs) != 0 {
		return fmt.Errorf("with Again, more edges than the %d one by one: %+v, %+v", len(want), got[:min(1, len(got))], runs)
	}
	return nil
}

// TestAgainIsSuccessorAgain: a worker whose emitter takes runs of edges
// to nodes reached before at once gives the same edges as one whose
// emitter does not. For every system of the catalogue and its variants at
// their default sizes, with and without recorded recoveries, every node of
// the first breadth-first states expands to the same ordinals, nodes,
// crash flags and violations, the runs taken through Again standing for
// successors to nodes reached before.
func TestAgainIsSuccessorAgain(t *testing.T) {
	const maxNodes = 600
	again := map[bool]int{}
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
					if v := walkAgain(t, chk, maxNodes, func(_ int, _ []byte, _ *edgeList, got *againList) bool {
						for _, r := range got.again {
							again[memo] += int(r.n)
						}
						return true
					}); v != nil {
						t.Skipf("initial violation: %v", v)
					}
				})
			}
		}
	}
	// Both ways of expanding a recovery take edges through Again somewhere.
	if again[true] == 0 || again[false] == 0 {
		t.Errorf("edges taken through Again: %d with records, %d without; the test covers too little", again[true], again[false])
	}
}

// walkAgain expands chk's nodes breadth first, up to max of them, with a
// worker whose emitter takes every edge one by one and a worker whose
// emitter takes runs of edges through Again, fails t where the two differ
// (againList.compare), and calls visit with each node, its edges one by one
// and as the second worker gave them, until visit returns false. It
// returns the initial violation, if any, without expanding.
func walkAgain(t *testing.T, chk model.Checker, max int, visit func(i int, node []byte, want *edgeList, got *againList) bool) *model.Violation {
	t.Helper()
	plain, repeating := chk.NewWorker(model.Options{}), chk.NewWorker(model.Options{})
	queue, v := plain.Initial()
	if v != nil {
		return v
	}
	seen := map[string]bool{}
	for i := 0; i < len(queue) && i < max; i++ {
		node := queue[i]
		var want edgeList
		var got againList
		plain.Expand(node, &want)
		repeating.Expand(node, &got)
		if err := got.compare(node, want.edges); err != nil {
			t.Fatalf("node %d: %v", i, err)
		}
		if !visit(i, node, &want, &got) {
			break
		}
		for _, e := range want.edges {
			if e.fail == "" && !seen[e.node] {
				seen[e.node] = true
				queue = append(queue, []byte(e.node))
			}
		}
	}
	return nil
}

// TestRecordedSelfEdgeIsAgain: replaying a record, a worker passes the
// edge from a Recovering node back to itself by a crash before recovery's
// first step through Again, not through Successor, on the replicated disk
// and the log over it; and the edges are those of expanding one by one.
func TestRecordedSelfEdgeIsAgain(t *testing.T) {
	for _, sys := range layers.Systems() {
		if sys.Name != "repdisk" && sys.Name != "log/repdisk" {
			continue
		}
		t.Run(sys.Name, func(t *testing.T) {
			chk, err := layers.Build(sys.Name, sys.Defaults(), "")
			if err != nil {
				t.Fatal(err)
			}
			recovering := 0
			v := walkAgain(t, chk, math.MaxInt, func(i int, node []byte, want *edgeList, got *againList) bool {
				if !model.Recovering(node) {
					return true
				}
				recovering++
				// The crash before the first step is the first edge.
				if len(want.edges) == 0 || want.edges[0].node != string(node) {
					t.Fatalf("Recovering node %d: the first edge does not lead back to it", i)
				}
				if len(got.edges) > 0 && got.edges[0].ordinal == 0 {
					t.Fatalf("Recovering node %d: the edge back to itself went through Successor", i)
				}
				return recovering < 300
			})
			if v != nil {
				t.Fatalf("initial violation: %v", v)
			}
			if recovering == 0 {
				t.Fatal("no Recovering node expanded")
			}
		})
	}
}
