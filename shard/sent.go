package shard

import "math/bits"

// sentKeys remembers keys of other shards' states that this shard sent
// them in earlier levels. Every such state is visited once the level that
// sent it has passed its barrier (its owner found it visited, or added
// it), so a successor whose key is remembered is left out, unsent: a
// lossy cache of other shards' visited keys, one key per slot, that
// saves the exchange the successors that lead back to known states.
type sentKeys struct {
	slots []uint64
	shift uint
}

// Cache sizes, in keys: at least minSent, at most maxSent (32 MiB).
const (
	minSent = 1 << 16
	maxSent = 1 << 22
)

// fit sizes the cache for n keys, a power of two between minSent and
// maxSent; a cache that changes size starts empty.
func (c *sentKeys) fit(n uint64) {
	size := uint64(minSent)
	for size < n && size < maxSent {
		size *= 2
	}
	if uint64(len(c.slots)) != size {
		c.slots = make([]uint64, size)
		c.shift = uint(64 - bits.TrailingZeros64(size))
	}
}

func (c *sentKeys) slot(key uint64) uint64 { return (key * 0x9E3779B97F4A7C15) >> c.shift }

// has reports whether key was sent in an earlier level. Not concurrent
// with add.
func (c *sentKeys) has(key uint64) bool { return c.slots[c.slot(key)] == key }

// add remembers key, in place of whichever key shared its slot.
func (c *sentKeys) add(key uint64) { c.slots[c.slot(key)] = key }
