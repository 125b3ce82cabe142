package statestore

import (
	"encoding/binary"
	"fmt"
	"sync"
	"testing"

	"github.com/cespare/xxhash/v2"
)

// TestFingerprintIsStable pins the fingerprint: stores and shard objects
// hold fingerprints, so a change to it must come with a new format
// version (persist.FormatVersion, the shard format). The empty input's
// value is XXH3-64's published one for seed 0; the other, a repdisk node,
// is the value format version 5 of the store was written with.
func TestFingerprintIsStable(t *testing.T) {
	for _, tc := range []struct {
		node []byte
		want uint64
	}{
		{nil, 0x2d06800538d394c2},
		{[]byte{1, 0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 1, 3, 3, 3, 3, 3, 3, 3, 3}, 0x1c8f2bb4a9f82d9},
	} {
		got := Fingerprint(tc.node)
		if got != tc.want {
			t.Errorf("Fingerprint(%v) = %#x, want %#x", tc.node, got, tc.want)
		}
	}
}

// BenchmarkFingerprint hashes nodes of the sizes the catalogue's systems
// encode (a repdisk 8x4 Idle node is 26 bytes, a Recovering one about 35),
// with the fingerprint and, side by side, with xxhash64, the fingerprint
// of store format 4.
func BenchmarkFingerprint(b *testing.B) {
	for _, size := range []int{17, 26, 35, 60} {
		node := make([]byte, size)
		for i := range node {
			node[i] = byte(i % 4)
		}
		for _, h := range []struct {
			name string
			sum  func([]byte) uint64
		}{{"xxh3", Fingerprint}, {"xxhash64", xxhash.Sum64}} {
			b.Run(fmt.Sprintf("%s/%dB", h.name, size), func(b *testing.B) {
				var sum uint64
				for i := 0; b.Loop(); i++ {
					node[0] = byte(i)
					sum += h.sum(node)
				}
				benchSink = sum
			})
		}
	}
}

var benchSink uint64

// TestExactKeysNeverCollide: ExactKeys gives every distinct encoding its
// own nonzero key, and an encoding asked for again, from any goroutine,
// the key it got first. (Two states sharing a key would be one state to
// the visited set: the other would never be explored.)
func TestExactKeysNeverCollide(t *testing.T) {
	e := NewExactKeys()
	const n, gs = 5000, 4
	keys := make([][n]uint64, gs)
	var wg sync.WaitGroup
	for g := range gs {
		wg.Go(func() {
			for i := range n {
				// Each goroutine asks for every encoding, in its own order
				// (the multipliers are prime to n).
				j := (i*[]int{1, 3, 7, 9}[g] + g*977) % n
				keys[g][j] = e.Key(binary.LittleEndian.AppendUint32([]byte("node"), uint32(j)))
			}
		})
	}
	wg.Wait()
	owner := map[uint64]int{}
	for j := range n {
		k := keys[0][j]
		if k == 0 {
			t.Fatalf("encoding %d has key 0", j)
		}
		for g := 1; g < gs; g++ {
			if keys[g][j] != k {
				t.Fatalf("encoding %d has keys %d and %d", j, k, keys[g][j])
			}
		}
		if o, ok := owner[k]; ok {
			t.Fatalf("encodings %d and %d share key %d", o, j, k)
		}
		owner[k] = j
	}
}
