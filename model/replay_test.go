package model_test

import (
	"reflect"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/argocheck/argocheck/model"
)

// TestReplayEdgesIsReplay: describing several edges of a node with one
// replay of its expansion gives, edge by edge, what replaying up to each
// gives, over random systems (deterministic ones), under every crash
// mode, for nodes of the first levels and edges drawn among all of a
// node's, those past its last included, in any multiset.
func TestReplayEdgesIsReplay(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		s := drawSystem(rt)
		if s.stateful != 0 {
			rt.Skip("not deterministic")
		}
		chk := s.checker()
		if err := chk.Validate(); err != nil {
			rt.Fatalf("%v\n%s", err, s)
		}
		crashes := rapid.SampledFrom(model.CrashModes).Draw(rt, "crashes")
		w := chk.NewWorker(model.Options{Crashes: crashes})
		each := chk.NewWorker(model.Options{Crashes: crashes})
		r, ok := w.(model.EdgesReplayer)
		if !ok {
			rt.Fatal("a system's worker is no model.EdgesReplayer")
		}
		inits, v := w.Initial()
		if v != nil {
			return
		}
		// The nodes of the first levels, at most 20.
		nodes := slices.Clone(inits)
		for i := 0; i < len(nodes) && len(nodes) < 20; i++ {
			var e edges
			w.Expand(nodes[i], &e)
			nodes = append(nodes, e.succ...)
		}
		for range 3 {
			node := rapid.SampledFrom(nodes).Draw(rt, "node")
			var e edges
			w.Expand(node, &e)
			want := rapid.SliceOfN(rapid.Uint32Range(0, e.n+2), 1, 10).Draw(rt, "edges")
			slices.Sort(want)
			got := r.ReplayEdges(node, want)
			if len(got) != len(want) {
				rt.Fatalf("%d steps for %d edges", len(got), len(want))
			}
			for i, edge := range want {
				step, _ := each.Replay(node, edge)
				if !reflect.DeepEqual(got[i], step) {
					rt.Fatalf("edge %d of %v: together %+v (%v), alone %+v (%v)\n%s", edge, want, got[i], got[i].Violation, step, step.Violation, s)
				}
			}
		}
	})
}

// edges is an emitter that counts an expansion's edges and copies the
// nodes they reach.
type edges struct {
	n    uint32
	succ [][]byte
}

func (e *edges) Successor(_ uint32, node []byte, _ bool) bool {
	e.n++
	e.succ = append(e.succ, slices.Clone(node))
	return false
}

func (e *edges) Fail(*model.Violation) bool {
	e.n++
	return false
}
