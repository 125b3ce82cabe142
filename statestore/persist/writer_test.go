package persist

import (
	"bytes"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

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
// many records, a node larger than a record on its own. The checkpoint
// read back resumes within the level the last part left unfinished, with
// its states expanded and its totals, and Depth names the last complete
// level.
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
				{Level: 1, Expanded: 1, First: n0, Parents: parents[n0:], Frontier: tt.next, States: n0 + n1, Transitions: 7, CrashPoints: 3, Elapsed: time.Second},
			}
			for i := range parts {
				if err := st.Commit(&parts[i]); err != nil {
					t.Fatal(err)
				}
			}
			// Level 0 is complete, level 1 is not.
			if d := st.Depth(); d != 0 {
				t.Fatalf("Depth %d after level 0 and part of level 1, want 0", d)
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
			// The search resumes within level 0's expansion, one state of
			// it expanded, with the totals of the last part.
			if sv.Depth != 0 || sv.Expanded != 1 || sv.Transitions != 7 || sv.CrashPoints != 3 || sv.Elapsed != time.Second {
				t.Fatalf("resumes at level %d with %d expanded, totals %d, %d, %v; want level 0, 1 expanded, 7, 3, 1s", sv.Depth, sv.Expanded, sv.Transitions, sv.CrashPoints, sv.Elapsed)
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

// Commit refuses a part that does not continue the parts committed (its
// first state or its level another than the next, either alone), and one
// whose states and parents differ in number, either way: a part stored out
// of place would resume a search to other states and counts.
func TestCommitRefusesPartsOutOfPlace(t *testing.T) {
	st, err := Create(filepath.Join(t.TempDir(), "store"), testRun, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r := rand.New(rand.NewPCG(3, 4))
	nodes := randomNodes(r, 4, 20)
	parents := edgeSlice{1, 2, 3, 4}
	if err := st.Commit(&statestore.Part{Level: 0, Complete: true, Parents: parents[:2], Frontier: nodes[:2], States: 2}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		part statestore.Part
	}{
		{"first state of the part before", statestore.Part{Level: 1, First: 0, Parents: parents[2:], Frontier: nodes[2:]}},
		{"first state past the next", statestore.Part{Level: 1, First: 3, Parents: parents[2:], Frontier: nodes[2:]}},
		{"level of the part before", statestore.Part{Level: 0, First: 2, Parents: parents[2:], Frontier: nodes[2:]}},
		{"level past the next", statestore.Part{Level: 2, First: 2, Parents: parents[2:], Frontier: nodes[2:]}},
		{"more parents than states", statestore.Part{Level: 1, First: 2, Parents: parents[1:], Frontier: nodes[2:]}},
		{"more states than parents", statestore.Part{Level: 1, First: 2, Parents: parents[3:], Frontier: nodes[2:]}},
	} {
		if err := st.Commit(&tc.part); err == nil {
			t.Errorf("%s: committed", tc.name)
		}
	}
	if err := st.Commit(&statestore.Part{Level: 1, First: 2, Parents: parents[2:], Frontier: nodes[2:], States: 4}); err != nil {
		t.Fatalf("the part in its place: %v", err)
	}
}
