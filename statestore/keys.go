package statestore

import (
	"sync"

	"github.com/cespare/xxhash/v2"
	"github.com/zeebo/xxh3"
)

// Keyer maps node encodings to nonzero 64-bit keys. Equal encodings get
// equal keys. It is safe for concurrent use.
type Keyer interface {
	// Key returns node's key.
	Key(node []byte) uint64
	// Bytes estimates the memory the keyer itself holds.
	Bytes() uint64
}

// Fingerprint returns the stable fingerprint of an encoding: its 64-bit
// XXH3 hash with no per-process seed, never zero. (XXH3 hashes the 20 to
// 60 bytes of a node in half to two thirds of the time xxhash64 takes,
// whose tail is hashed a byte at a time.)
func Fingerprint(node []byte) uint64 {
	fp := xxh3.Hash(node)
	if fp == 0 {
		fp = 1
	}
	return fp
}

// ExactKeys numbers every distinct encoding it is given, keeping every
// encoding: no collisions, at the cost of memory. For tests and small runs.
type ExactKeys struct {
	shards [64]exactShard
}

type exactShard struct {
	mu    sync.Mutex
	ids   map[string]uint64
	bytes uint64
}

// NewExactKeys returns an empty numbering.
func NewExactKeys() *ExactKeys {
	e := &ExactKeys{}
	for i := range e.shards {
		e.shards[i].ids = make(map[string]uint64)
	}
	return e
}

// Key implements Keyer. Keys are unique per encoding; the shard number is
// kept in the low bits so shards never hand out the same key.
func (e *ExactKeys) Key(node []byte) uint64 {
	i := xxhash.Sum64(node) % uint64(len(e.shards))
	s := &e.shards[i]
	s.mu.Lock()
	id, ok := s.ids[string(node)]
	if !ok {
		id = (uint64(len(s.ids))+1)*uint64(len(e.shards)) + i
		s.ids[string(node)] = id
		s.bytes += uint64(len(node)) + 48
	}
	s.mu.Unlock()
	return id
}

// Bytes implements Keyer.
func (e *ExactKeys) Bytes() uint64 {
	var n uint64
	for i := range e.shards {
		e.shards[i].mu.Lock()
		n += e.shards[i].bytes
		e.shards[i].mu.Unlock()
	}
	return n
}
