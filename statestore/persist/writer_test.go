package persist

import (
	"bytes"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/argocheck/argocheck/statestore"
)

// nodeSlice and edgeSlice are a part's lists, held in slices.
type nodeSlice [][]byte

func (l nodeSlice) Len() int        { return len(l) }
func (l nodeSlice) At(i int) []byte { return l[i] }

type edgeSlice []uint64

func (l edgeSlice) Len() int        { return len(l) }
func (l edgeSlice) At(i int) uint64 { return l[i] }

// randomNodes returns n encodings of 1 to max bytes, neighbours sharing a
// prefix as a frontier's do.
func randomNodes(r *rand.Rand, n, max int) nodeSlice {
	nodes := make(nodeSlice, n)
	for i := range nodes {
		node := make([]byte, 1+r.IntN(max))
		for k := range node {
			node[k] = byte(r.IntN(4))
		}
		if i > 0 {
			copy(node, nodes[i-1][:min(len(node), len(nodes[i-1]))/2])
		}
		nodes[i] = node
	}
	return nodes
}

// A part's frontier, cut into records and compressed side by side, reads
// back node for node and in order, whatever the records' sizes: one node,
// many records, a node larger than a record on its own.
func TestCommitKeepsFrontier(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	huge := randomNodes(r, 1, chunkFrontierBytes+1000)
	huge[0] = append(huge[0], make([]byte, chunkFrontierBytes)...)
	tests := []struct {
		name         string
		level0, next nodeSlice
	}{
		{"one node each", randomNodes(r, 1, 50), randomNodes(r, 1, 50)},
		{"records by the dozen", randomNodes(r, 300, 20), randomNodes(r, 40_000, 200)},
		{"a node larger than a record", randomNodes(r, 3, 50), slices.Concat(randomNodes(r, 5000, 100), huge, randomNodes(r, 5000, 100))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "store")
			st, err := Create(dir, testRun, Options{})
			if err != nil {
				t.Fatal(err)
			}
			n0, n1 := uint64(len(tt.level0)), uint64(len(tt.next))
			parents := make(edgeSlice, n0+n1)
			for i := range parents {
				parents[i] = r.Uint64() >> 1
			}
			parts := []statestore.Part{
				{Level: 0, Complete: true, First: 0, Parents: parents[:n0], Frontier: tt.level0, States: n0},
				{Level: 1, Expanded: 1, First: n0, Parents: parents[n0:], Frontier: tt.next, States: n0 + n1},
			}
			for i := range parts {
				if err := st.Commit(&parts[i]); err != nil {
					t.Fatal(err)
				}
			}
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			if st, err = Open(dir, Options{}); err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			sv, err := st.Saved()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(sv.Frontier, tt.level0, bytes.Equal) || !slices.EqualFunc(sv.Next, tt.next, bytes.Equal) {
				t.Fatalf("read back %d and %d nodes, not the %d and %d committed, or not the same", len(sv.Frontier), len(sv.Next), n0, n1)
			}
			if !slices.Equal(sv.Parents, parents) {
				t.Fatal("parents read back differ from those committed")
			}
			for i, node := range slices.Concat(tt.level0, tt.next) {
				if sv.Keys[i] != statestore.Fingerprint(node) {
					t.Fatalf("state %d: key %x, not its encoding's fingerprint", i, sv.Keys[i])
				}
			}
			if records := st.parts[1].FrontierChunks; len(tt.next) > 20_000 && records < 4 {
				t.Fatalf("%d nodes in %d records: the test needs more records", len(tt.next), records)
			}
		})
	}
}
