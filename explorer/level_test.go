package explorer

import "testing"

// TestLevelTable follows the level table through a part: each key keeps
// its smallest discovering edge, an edge offered again (a unit being
// redone) is still the smallest, a full table refuses a new key but not a
// known one, growing keeps every key with its edge, and a reset forgets
// them.
func TestLevelTable(t *testing.T) {
	var lt levelTable
	lt.init(1) // the least: 16 lines of 4 pairs
	n := lt.pairs()
	if n != 64 {
		t.Fatalf("%d pairs, want 64", n)
	}
	edge := func(k uint64) uint64 { return edgeKey(k, 3) }
	offer := func(k, e uint64, wantAdded, wantSmallest bool) {
		t.Helper()
		_, added, smallest, ok := lt.offer(k, e)
		if !ok || added != wantAdded || smallest != wantSmallest {
			t.Fatalf("offering key %d edge %x: added %v smallest %v ok %v, want %v %v true", k, e, added, smallest, ok, wantAdded, wantSmallest)
		}
	}
	for k := uint64(1); k <= n; k++ {
		offer(k, edge(k), true, true)
		lt.count.Add(1)
		if lt.full() != (2*k > n) {
			t.Fatalf("%d keys of %d pairs: full %v", k, n, lt.full())
		}
	}
	offer(1, edge(1), false, true)    // the same edge again
	offer(2, edge(2)+1, false, false) // a larger one
	offer(3, edge(3)-1, false, true)  // a smaller one
	if _, _, _, ok := lt.offer(n+1, edge(n+1)); ok {
		t.Fatalf("a table of %d pairs took key %d", n, n+1)
	}
	check := func(what string) {
		t.Helper()
		for k := uint64(1); k <= n; k++ {
			want := edge(k)
			if k == 3 {
				want--
			}
			if got := lt.smallest(lt.find(k)); got != want {
				t.Fatalf("%s: key %d has edge %x, want %x", what, k, got, want)
			}
		}
	}
	check("full")
	lt.grow(4 * lt.count.Load())
	if lt.count.Load() != n || lt.pairs() < 4*n || lt.full() {
		t.Fatalf("grown: %d keys in %d pairs, full %v; want %d in at least %d", lt.count.Load(), lt.pairs(), lt.full(), n, 4*n)
	}
	check("grown")
	offer(n+1, edge(n+1), true, true)
	lt.count.Add(1)
	lt.reset()
	if lt.count.Load() != 0 {
		t.Fatalf("reset: %d keys counted", lt.count.Load())
	}
	for k := uint64(1); k <= n+1; k++ {
		offer(k, edge(k)+1, true, true)
	}
}
