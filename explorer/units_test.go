package explorer

import (
	"testing"

	"pgregory.net/rapid"
)

// TestUnitsCoverThePart: the units of any part follow one another from
// its first state to its last, none empty; those before the tail hold
// BatchSize states, those in it a quarter of that (the last maybe fewer);
// the tail is the last workers×BatchSize states, or up to BatchSize-1
// more, so that the units before it are whole; and of finds every
// state's unit.
func TestUnitsCoverThePart(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(1, 5000).Draw(rt, "states")
		batch := rapid.IntRange(1, 300).Draw(rt, "batch")
		workers := rapid.IntRange(1, 20).Draw(rt, "workers")
		c := cutUnits(n, batch, workers)
		small := max(batch/4, 1)
		if tail := n - c.tail; tail < min(n, workers*batch) || tail >= workers*batch+batch && c.tail > 0 {
			rt.Fatalf("a tail of %d states, want the last %d to %d", tail, min(n, workers*batch), workers*batch+batch-1)
		}
		next := 0
		for u := range c.count() {
			lo, hi := c.start(u), c.end(u)
			if lo != next || hi <= lo {
				rt.Fatalf("unit %d holds states %d to %d, after a unit that ended at %d", u, lo, hi, next)
			}
			want := batch
			if lo >= c.tail {
				want = small
			}
			if hi-lo != want && hi != n {
				rt.Fatalf("unit %d (states %d to %d) holds %d states, want %d", u, lo, hi, hi-lo, want)
			}
			for i := lo; i < hi; i++ {
				if got := c.of(i); got != u {
					rt.Fatalf("state %d is in unit %d, of says %d", i, u, got)
				}
			}
			next = hi
		}
		if next != n {
			rt.Fatalf("the units end at state %d of %d", next, n)
		}
	})
}

// TestUnitsOfAPart: examples of parts cut for their workers.
func TestUnitsOfAPart(t *testing.T) {
	for _, c := range []struct {
		name                   string
		states, batch, workers int
		count, tail            int
	}{
		{"2 workers, a whole part", DefaultPartSize, 256, 2, 62 + 8, DefaultPartSize - 512},
		{"16 workers, a whole part", 16 * 8192, 256, 16, 512 - 16 + 64, 16*8192 - 16*256},
		{"a part shorter than the tail", 1000, 256, 8, 16, 0},
		{"a tail rounded to whole units before it", 1000, 256, 2, 1 + 12, 256},
		{"units of one state", 10, 1, 3, 10, 7},
	} {
		t.Run(c.name, func(t *testing.T) {
			u := cutUnits(c.states, c.batch, c.workers)
			if u.count() != c.count || u.tail != c.tail {
				t.Fatalf("%d units, the tail from state %d; want %d units, the tail from %d", u.count(), u.tail, c.count, c.tail)
			}
		})
	}
}
