package statestore

import "testing"

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
