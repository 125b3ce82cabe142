package explorer

import (
	"math/bits"
	"sync/atomic"
	"unsafe"
)

// levelTable records, for every state first reached in the current level,
// its smallest discovering edge key. It is one flat lock-free array of
// (key, ^edge) pairs, four to a cache line: a key is placed by an atomic
// compare-and-swap, and the edge word keeps the maximum of ^edge, that is
// the smallest edge, by compare-and-swap too. The zero edge word means no
// edge yet. The table is emptied and, when needed, grown between levels,
// or in the middle of a level while no worker is inside a batch.
type levelTable struct {
	words []uint64 // 2*pairs words: key, ^edge
	lines uint64   // pairs / linePairs
	count atomic.Uint64
	gen   uint32 // bumped on every grow: pair indices of older batches are stale
}

const (
	linePairs = 4
	pairBytes = 16 // a key and an edge word
)

// init sizes the table for at least n pairs.
func (t *levelTable) init(n uint64) {
	lines := max((n+linePairs-1)/linePairs, 16)
	t.words = make([]uint64, 2*lines*linePairs)
	t.lines = lines
	t.count.Store(0)
	t.gen++
}

func (t *levelTable) pairs() uint64 { return t.lines * linePairs }

// full reports whether the table is past half full.
func (t *levelTable) full() bool { return 2*t.count.Load() > t.pairs() }

func (t *levelTable) home(key uint64) (line, off uint64) {
	h := key * 0xC2B2AE3D27D4EB4F
	line, _ = bits.Mul64(h, t.lines)
	return line, h & (linePairs - 1)
}

// lineAddr returns the address of key's home line, for prefetch: a
// stale hint once the table grows.
func (t *levelTable) lineAddr(key uint64) uintptr {
	line, _ := t.home(key)
	return uintptr(unsafe.Pointer(&t.words[2*line*linePairs]))
}

// offer records edge as a discovering edge of key. It returns the pair
// index of key, whether key was new to the table, and whether edge is now
// its smallest discovering edge; ok is false when the table is full.
func (t *levelTable) offer(key, edge uint64) (pair uint64, added, smallest, ok bool) {
	inv := ^edge
	line, off := t.home(key)
	for j := range t.pairs() {
		pair = line*linePairs + (off+j)&(linePairs-1)
		kp := &t.words[2*pair]
		k := atomic.LoadUint64(kp)
		if k == 0 {
			if atomic.CompareAndSwapUint64(kp, 0, key) {
				k, added = key, true
			} else {
				k = atomic.LoadUint64(kp)
			}
		}
		if k == key {
			ep := &t.words[2*pair+1]
			for {
				cur := atomic.LoadUint64(ep)
				if cur > inv {
					return pair, added, false, true
				}
				if cur == inv {
					// Offered again by a unit that is being redone.
					return pair, added, true, true
				}
				if atomic.CompareAndSwapUint64(ep, cur, inv) {
					return pair, added, true, true
				}
			}
		}
		if (j+1)%linePairs == 0 {
			if line++; line == t.lines {
				line = 0
			}
		}
	}
	return 0, false, false, false
}

// find returns the pair index of key, which must be in the table.
func (t *levelTable) find(key uint64) uint64 {
	line, off := t.home(key)
	for j := range t.pairs() {
		pair := line*linePairs + (off+j)&(linePairs-1)
		if t.words[2*pair] == key {
			return pair
		}
		if (j+1)%linePairs == 0 {
			if line++; line == t.lines {
				line = 0
			}
		}
	}
	panic("explorer: key missing from the level table")
}

// smallest returns the smallest discovering edge recorded at pair.
func (t *levelTable) smallest(pair uint64) uint64 { return ^t.words[2*pair+1] }

// spread runs do(i) for every i from 0 to n-1, shared out among
// goroutines; it returns when all have returned.
type spread func(n int, do func(i int))

// chunkWords is the table words that one call of a spread clears or
// moves into a grown table.
const chunkWords = 1 << 15

// chunks returns the number of chunkWords-word chunks of words.
func chunks(words []uint64) int { return (len(words) + chunkWords - 1) / chunkWords }

// chunk returns chunk i of words.
func chunk(words []uint64, i int) []uint64 {
	return words[i*chunkWords : min((i+1)*chunkWords, len(words))]
}

// grow rebuilds the table with room for at least n pairs, keeping its
// contents, moved by run side by side. Not concurrent with offer.
func (t *levelTable) grow(n uint64, run spread) {
	old := t.words
	count := t.count.Load()
	t.init(n)
	run(chunks(old), func(i int) {
		c := chunk(old, i)
		for j := 0; j < len(c); j += 2 {
			if c[j] != 0 {
				t.offer(c[j], ^c[j+1])
			}
		}
	})
	t.count.Store(count)
}

// reset empties the table, keeping its memory, cleared by run side by
// side.
func (t *levelTable) reset(run spread) {
	if t.count.Load() > 0 {
		run(chunks(t.words), func(i int) { clear(chunk(t.words, i)) })
		t.count.Store(0)
	}
}

// bytes returns the memory the table holds.
func (t *levelTable) bytes() uint64 { return uint64(len(t.words)) * 8 }
