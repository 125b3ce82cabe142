//go:build unix

package statestore

import (
	"testing"
	"unsafe"
)

// TestMapWordsAligned: an array of a huge page or more starts on a huge
// page's boundary, is zeroed and writable to its last word, lies inside
// the mapping held for it, and unmapWords gives that whole mapping back.
func TestMapWordsAligned(t *testing.T) {
	for _, n := range []uint64{mapMinBytes / 8, hugePage/8 - 1, hugePage / 8, hugePage/8 + 1, 5*hugePage/8 + 37} {
		before := len(spans.by)
		w := mapWords(n)
		if w == nil {
			t.Fatalf("%d words: not mapped", n)
		}
		if uint64(len(w)) != n || w[0] != 0 || w[n-1] != 0 {
			t.Fatalf("%d words: got %d, first %d, last %d", n, len(w), w[0], w[n-1])
		}
		w[n-1] = 1
		start := uintptr(unsafe.Pointer(&w[0]))
		if n*8 >= hugePage && start%hugePage != 0 {
			t.Errorf("%d words start at %#x, not on a huge page's boundary", n, start)
		}
		span := spans.by[&w[0]]
		lo := uintptr(unsafe.Pointer(&span[0]))
		if start < lo || start+uintptr(n*8) > lo+uintptr(len(span)) {
			t.Errorf("%d words at %#x outside their mapping %#x+%d", n, start, lo, len(span))
		}
		unmapWords(w)
		if len(spans.by) != before {
			t.Errorf("%d words: %d mappings held after unmapWords, want %d", n, len(spans.by), before)
		}
	}
}
