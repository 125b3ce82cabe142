package explorer

import (
	"context"
	"math"
	"sync/atomic"
	"testing"

	"github.com/argocheck/argocheck/internal/graphtest"
	"github.com/argocheck/argocheck/model"
	"github.com/argocheck/argocheck/statestore"
)

// searchAtLevel1 returns a search of chk, with one worker and a
// BatchSize of size, that has expanded level 0 and whose frontier is level 1,
// numbered from base, and that worker, reading the frontier.
func searchAtLevel1(t *testing.T, chk model.Checker, size int) (s *search, base uint64, w *worker) {
	t.Helper()
	s = &search{cfg: Config{Workers: 1, BatchSize: size, MemoryBytes: 1 << 30}, chk: chk, visited: statestore.NewTable(1024)}
	s.workers = []*worker{{s: s, m: chk.NewWorker(model.Options{})}}
	s.level.init(1 << 10)
	inits, _ := s.workers[0].m.Initial()
	for i, n := range inits {
		s.visited.Insert(s.key(n))
		s.parents.set(s.parents.extend(1), edgeKey(rootParent, uint32(i)))
		s.frontier.add(n)
	}
	s.cutPart(s.frontier.len())
	if err := s.expandUnits(context.Background(), 0, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.barrier(); err != nil {
		t.Fatal(err)
	}
	base = uint64(s.frontier.len())
	s.frontier, s.next = s.next, s.frontier
	s.next.reset()
	s.cutPart(s.frontier.len())
	w = s.workers[0]
	w.frontier = reading(&s.frontier)
	return s, base, w
}

// expandUnits has w expand units of level 1 (see searchAtLevel1),
// numbered from base, one after another in the order given, with no
// bound on violations.
func expandUnits(t *testing.T, w *worker, base uint64, units ...int) {
	t.Helper()
	var bound atomic.Uint64
	bound.Store(math.MaxUint64)
	for _, u := range units {
		if err := w.expandUnit(u, base, w.s.cut.start(u), w.s.cut.end(u), &bound); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRedoneUnitKeepsSmallestViolation: a worker that expands a unit
// abandoned when the level table filled (takeUnit hands it out again)
// after a later unit in which it already found a violation expands the
// whole redone unit and keeps the smaller of its two violations, the
// redone unit's, which is the one the search reports.
func TestRedoneUnitKeepsSmallestViolation(t *testing.T) {
	// Node 0 reaches nodes 1 to 4: states 1 to 4 of level 1, cut into
	// units of two states but the last two (the part's tail, see
	// cutUnits): unit 0 (states 1 and 2), unit 1 (state 3) and unit 2
	// (state 4). Nodes 2 and 3 fail.
	chk := &graphtest.Graph{Inits: []uint32{0}, Succ: func(n uint32) []uint32 {
		if n == 0 {
			return []uint32{1, 2, 3, 4}
		}
		return nil
	}, Fails: func(n uint32) bool { return n == 2 || n == 3 }}
	s, base, w := searchAtLevel1(t, chk, 2)
	// Unit 1 first, then the redone unit 0, as a worker takes them when
	// another worker abandoned unit 0.
	expandUnits(t, w, base, 1, 0)
	got := s.smallestViolation()
	if got == nil {
		t.Fatal("no violation kept")
	}
	if state, _ := splitEdge(got.violKey); state != base+1 || got.violation.Message != "node 2 fails" {
		t.Fatalf("kept the violation of state %d (%s), want state %d's, node 2's", state, got.violation.Message, base+1)
	}
}

// TestEarlierUnitExpandedLaterKeepsItsEdge: when a later unit offers a new
// state first (another worker took it first, or the earlier unit was
// abandoned and redone), the earlier unit's smaller edge to it is the
// state's discovery: its batch keeps the state, the barrier numbers it
// once, with that edge.
func TestEarlierUnitExpandedLaterKeepsItsEdge(t *testing.T) {
	// Node 0 reaches nodes 1 and 2 (states 1 and 2), both reaching node 3.
	chk := &graphtest.Graph{Inits: []uint32{0}, Succ: func(n uint32) []uint32 {
		switch n {
		case 0:
			return []uint32{1, 2}
		case 1, 2:
			return []uint32{3}
		}
		return nil
	}}
	s, base, w := searchAtLevel1(t, chk, 1)
	expandUnits(t, w, base, 1, 0)
	if _, err := s.barrier(); err != nil {
		t.Fatal(err)
	}
	if s.next.len() != 1 || s.parents.len() != 4 {
		t.Fatalf("%d new states, %d in all; want node 3 only, state 3", s.next.len(), s.parents.len())
	}
	if got, want := s.parents.get(3), edgeKey(base, 0); got != want {
		t.Fatalf("state 3 discovered by edge %x, want %x, state 1's (node 1's) edge 0", got, want)
	}
}
