package explorer

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

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
	lt.grow(4*lt.count.Load(), together)
	if lt.count.Load() != n || lt.pairs() < 4*n || lt.full() {
		t.Fatalf("grown: %d keys in %d pairs, full %v; want %d in at least %d", lt.count.Load(), lt.pairs(), lt.full(), n, 4*n)
	}
	check("grown")
	offer(n+1, edge(n+1), true, true)
	lt.count.Add(1)
	lt.reset(together)
	if lt.count.Load() != 0 {
		t.Fatalf("reset: %d keys counted", lt.count.Load())
	}
	for k := uint64(1); k <= n+1; k++ {
		offer(k, edge(k)+1, true, true)
	}
}

// together runs do(i) for every i < n, each on a goroutine of its own.
func together(n int, do func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { do(i) })
	}
	wg.Wait()
}

// TestLevelTableAcrossChunks: a table of several chunks grown and reset
// by goroutines side by side keeps every key with its smallest edge, then
// forgets them all.
func TestLevelTableAcrossChunks(t *testing.T) {
	var lt levelTable
	lt.init(3 * chunkWords / 2) // 3 chunks
	rng := rand.New(rand.NewPCG(1, 2))
	want := map[uint64]uint64{}
	for len(want) < int(lt.pairs()/2) {
		k, e := rng.Uint64()|1, rng.Uint64()>>1
		if _, _, _, ok := lt.offer(k, e); !ok {
			t.Fatalf("a table of %d pairs refused key %d of %d", lt.pairs(), len(want)+1, lt.pairs()/2)
		}
		if old, ok := want[k]; !ok || e < old {
			want[k] = e
		}
		lt.count.Store(uint64(len(want)))
	}
	if chunks(lt.words) != 3 {
		t.Fatalf("%d chunks, want 3", chunks(lt.words))
	}
	lt.grow(4*lt.count.Load(), together)
	if chunks(lt.words) < 6 || lt.count.Load() != uint64(len(want)) {
		t.Fatalf("grown: %d chunks, %d keys; want at least 6 chunks, %d keys", chunks(lt.words), lt.count.Load(), len(want))
	}
	for k, e := range want {
		if got := lt.smallest(lt.find(k)); got != e {
			t.Fatalf("grown: key %x has edge %x, want %x", k, got, e)
		}
	}
	lt.reset(together)
	if i := slices.IndexFunc(lt.words, func(w uint64) bool { return w != 0 }); i >= 0 || lt.count.Load() != 0 {
		t.Fatalf("reset: word %d is %x, %d keys counted", i, lt.words[max(i, 0)], lt.count.Load())
	}
}
