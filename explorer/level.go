package explorer

import "sync"

// levelTable records, for every state first reached in the current level,
// the smallest discovering edge key. It is sharded by key, each shard an
// open-addressing table under its own lock, reused from level to level.
type levelTable struct {
	shards [levelShards]levelShard
}

const levelShards = 256

type levelShard struct {
	mu    sync.Mutex
	keys  []uint64 // state keys; 0 marks an empty slot
	edges []uint64 // smallest discovering edge of each state
	n     int
	_     [24]byte // keep shards on separate cache lines
}

func shardOf(key uint64) uint64 { return (key * 0x9E3779B97F4A7C15) >> 56 }

func probeOf(key uint64) uint64 { return key * 0xC2B2AE3D27D4EB4F >> 17 }

// offer records edge as a discovering edge of key and reports whether it
// is now the smallest one.
func (t *levelTable) offer(key, edge uint64) bool {
	s := &t.shards[shardOf(key)]
	s.mu.Lock()
	if (s.n+1)*2 > len(s.keys) {
		s.grow()
	}
	mask := uint64(len(s.keys) - 1)
	for i := probeOf(key) & mask; ; i = (i + 1) & mask {
		switch s.keys[i] {
		case 0:
			s.keys[i], s.edges[i] = key, edge
			s.n++
			s.mu.Unlock()
			return true
		case key:
			min := edge < s.edges[i]
			if min {
				s.edges[i] = edge
			}
			s.mu.Unlock()
			return min
		}
	}
}

// smallest returns the smallest discovering edge of key; key must have
// been offered. Not to be called concurrently with offer.
func (t *levelTable) smallest(key uint64) uint64 {
	s := &t.shards[shardOf(key)]
	mask := uint64(len(s.keys) - 1)
	for i := probeOf(key) & mask; ; i = (i + 1) & mask {
		if s.keys[i] == key {
			return s.edges[i]
		}
	}
}

// reset empties the table, keeping its memory.
func (t *levelTable) reset() {
	for i := range t.shards {
		s := &t.shards[i]
		if s.n > 0 {
			clear(s.keys)
			s.n = 0
		}
	}
}

func (s *levelShard) grow() {
	size := 2 * len(s.keys)
	if size == 0 {
		size = 64
	}
	keys, edges := s.keys, s.edges
	s.keys, s.edges = make([]uint64, size), make([]uint64, size)
	mask := uint64(size - 1)
	for j, k := range keys {
		if k == 0 {
			continue
		}
		i := probeOf(k) & mask
		for s.keys[i] != 0 {
			i = (i + 1) & mask
		}
		s.keys[i], s.edges[i] = k, edges[j]
	}
}

// bytes returns the memory the table holds.
func (t *levelTable) bytes() uint64 {
	var n uint64
	for i := range t.shards {
		n += uint64(len(t.shards[i].keys)) * 16
	}
	return n
}
