package statestore

import (
	"slices"
	"sync"
	"sync/atomic"
)

// SortKeys spreads keys into sortBuckets ranges by their top sortBits
// bits before sorting each range on its own.
const (
	sortBits    = 8
	sortBuckets = 1 << sortBits
)

// sortSerialBelow is the fewest keys SortKeys spreads into ranges;
// fewer are sorted as one slice. Tests lower it.
var sortSerialBelow = 1 << 14

// SortKeys sorts keys in place with up to goroutines goroutines. The
// keys are moved, in place, into ranges by their top bits, and the ranges
// are sorted side by side: fingerprints are spread evenly, so the ranges
// are about equal.
func SortKeys(keys []uint64, goroutines int) {
	if len(keys) < sortSerialBelow {
		slices.Sort(keys)
		return
	}
	var ends [sortBuckets]int
	for _, k := range keys {
		ends[k>>(64-sortBits)]++
	}
	var next [sortBuckets]int // where the next key of each range goes
	start := 0
	for b := range ends {
		next[b] = start
		start += ends[b]
		ends[b] = start
	}
	starts := next
	// Each key not in its range is swapped into the next free place of
	// its own, until the place holds a key of the range being filled.
	for b := range sortBuckets {
		for next[b] < ends[b] {
			k := keys[next[b]]
			for kb := int(k >> (64 - sortBits)); kb != b; kb = int(k >> (64 - sortBits)) {
				keys[next[kb]], k = k, keys[next[kb]]
				next[kb]++
			}
			keys[next[b]] = k
			next[b]++
		}
	}
	parallel(min(goroutines, sortBuckets), sortBuckets, func(b int) {
		slices.Sort(keys[starts[b]:ends[b]])
	})
}

// parallel runs f(0..n-1) on up to goroutines goroutines.
func parallel(goroutines, n int, f func(i int)) {
	if goroutines <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(goroutines, n) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				f(i)
			}
		})
	}
	wg.Wait()
}
