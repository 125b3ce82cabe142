package model

import (
	"encoding/binary"
	"testing"
)

// samplePattern returns which of the first n runs s samples, as bits.
func samplePattern(s *sampler, n int) uint64 {
	var bits uint64
	for i := range n {
		if s.next() {
			bits |= 1 << i
		}
	}
	return bits
}

// TestSampler: DeterminismSample runs twice one run in SampleEvery, on
// average over the runs of many nodes and over the nodes at any one
// position; a node's sample, and a recorded stage's, is the same
// whatever the sampler sampled before; DeterminismFull samples every run
// and determinismOff none.
func TestSampler(t *testing.T) {
	const nodes, runs = 4096, 32
	var s, fresh sampler
	total, first := 0, 0
	for i := range uint64(nodes) {
		node := binary.AppendUvarint([]byte{tagIdle}, i)
		s.start(DeterminismSample, node)
		got := samplePattern(&s, runs)
		fresh = sampler{}
		fresh.start(DeterminismSample, node)
		if want := samplePattern(&fresh, runs); got != want {
			t.Fatalf("node %x: runs sampled %b after other nodes, %b by a new sampler", node, got, want)
		}
		for k := range runs {
			total += int(got >> k & 1)
		}
		first += int(got & 1)

		s.startFingerprint(DeterminismSample, i)
		got = samplePattern(&s, runs)
		fresh = sampler{}
		fresh.startFingerprint(DeterminismSample, i)
		if want := samplePattern(&fresh, runs); got != want {
			t.Fatalf("fingerprint %d: runs sampled %b after others, %b by a new sampler", i, got, want)
		}
	}
	// Within a quarter of the expected count either way.
	if want := nodes * runs / SampleEvery; total < want*3/4 || total > want*5/4 {
		t.Errorf("%d runs of %d sampled, want about %d", total, nodes*runs, want)
	}
	if want := nodes / SampleEvery; first < want*3/4 || first > want*5/4 {
		t.Errorf("the first run of %d of %d nodes sampled, want about %d", first, nodes, want)
	}
	for _, tt := range []struct {
		d    Determinism
		want uint64
	}{
		{DeterminismFull, 1<<runs - 1},
		{determinismOff, 0},
	} {
		s.start(tt.d, []byte{tagIdle, 1})
		if got := samplePattern(&s, runs); got != tt.want {
			t.Errorf("determinism %v: runs sampled %b, want %b", tt.d, got, tt.want)
		}
		s.startFingerprint(tt.d, 7)
		if got := samplePattern(&s, runs); got != tt.want {
			t.Errorf("determinism %v, a recorded stage: runs sampled %b, want %b", tt.d, got, tt.want)
		}
	}
}
