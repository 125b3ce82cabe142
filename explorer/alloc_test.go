package explorer

import (
	"context"
	"math"
	"sync/atomic"
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/internal/alloctest"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/model"
	"github.com/argocheck/argocheck/statestore"
)

// TestExpandAllocs holds expansion to no allocation per state: once its
// buffers are warm, a worker expands a unit of a later level (Idle and
// Recovering nodes, new and known successors, read from the compressed
// frontier) without allocating, but for the implementation instances the
// sampled determinism checks build (layer code, at most three a node).
func TestExpandAllocs(t *testing.T) {
	chk, err := layers.Build("repdisk", catalog.Params{layers.Blocks: 4, layers.Values: 3}, "")
	if err != nil {
		t.Fatal(err)
	}
	s := &search{cfg: Config{Workers: 1, BatchSize: 64, MemoryBytes: 1 << 30}, chk: chk, visited: statestore.NewTable(1024)}
	s.workers = []*worker{{s: s, m: chk.NewWorker(model.Options{})}}
	s.level.init(1 << 14)
	inits, _ := s.workers[0].m.Initial()
	s.visited.Insert(s.key(inits[0]))
	s.parents.set(s.parents.extend(1), edgeKey(rootParent, 0))
	s.frontier.add(inits[0])
	base := uint64(0)
	for range 3 {
		s.units = (s.frontier.len() + 63) / 64
		for len(s.out) < s.units {
			s.out = append(s.out, &batch{})
		}
		if err := s.expandUnits(context.Background(), base, 0, s.frontier.len()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.barrier(); err != nil {
			t.Fatal(err)
		}
		base += uint64(s.frontier.len())
		s.frontier, s.next = s.next, s.frontier
		s.next.reset()
	}
	if len(s.frontier.blocks) == 0 {
		t.Fatalf("frontier of %d states, none compressed yet: too small to measure", s.frontier.len())
	}
	w := s.workers[0]
	w.frontier = reading(&s.frontier) // the frontier swapped after its last part
	var bound atomic.Uint64
	bound.Store(math.MaxUint64)
	before := w.transitions
	expand := func() {
		s.level.count.Store(1)
		s.level.reset()
		if err := w.expandUnit(0, base, 0, 64, &bound); err != nil || w.full {
			t.Fatal(err, w.full)
		}
	}
	expand()
	fresh, others, where := alloctest.Count(func() {
		for range 10 {
			expand()
		}
	}, "expandUnit", "buildInstance")
	if w.transitions == before || len(s.out[0].keys) == 0 {
		t.Fatal("nothing expanded")
	}
	if others != 0 {
		t.Fatalf("%d allocations in 10 units of 64 states, besides the %d of the instances built for the determinism check; one at\n%s", others, fresh, where)
	}
	if fresh == 0 {
		t.Fatal("no instance built for the determinism check: its allocations were not measured")
	}
}
