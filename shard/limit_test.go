package shard

import (
	"errors"
	"testing"

	"github.com/argocheck/argocheck/model"
	"github.com/argocheck/argocheck/statestore"
)

// A state with more edges than parent records can number is past
// argocheck's limits, as in the explorer: the command line exits with
// bad input (2), not an I/O failure (4).
func TestTooManySuccessorsIsALimit(t *testing.T) {
	w := &worker{}
	if !w.Again(maxOrdinal, 2, 0) {
		t.Fatal("Again past the last ordinal did not stop the expansion")
	}
	if !errors.Is(w.err, model.ErrLimit) {
		t.Errorf("error %v does not wrap model.ErrLimit", w.err)
	}
	w = &worker{}
	if !w.Successor(maxOrdinal+1, nil, false) {
		t.Fatal("Successor past the last ordinal did not stop the expansion")
	}
	if !errors.Is(w.err, model.ErrLimit) {
		t.Errorf("error %v does not wrap model.ErrLimit", w.err)
	}
}

// TestLastOrdinalAllowed: the last ordinal parent records can number,
// maxOrdinal, is an edge like any other, by Again or by Successor: only
// past it is the limit.
func TestLastOrdinalAllowed(t *testing.T) {
	w := &worker{}
	if w.Again(maxOrdinal, 1, 0) || w.Again(maxOrdinal-1, 2, 1) || w.err != nil {
		t.Fatalf("Again up to the last ordinal stopped the expansion: %v", w.err)
	}
	if w.work.transitions != 3 || w.work.crashes != 1 {
		t.Errorf("Again counted %d transitions and %d crashes, want 3 and 1", w.work.transitions, w.work.crashes)
	}
	s := &search{cfg: Config{Shards: 1}, visited: statestore.NewTable(16)}
	w = &worker{s: s, out: make([]outbox, 1), seen: statestore.NewTable(16)}
	if w.Successor(maxOrdinal, []byte{1}, false) || w.err != nil {
		t.Fatalf("Successor at the last ordinal stopped the expansion: %v", w.err)
	}
	if e := w.out[0].edges; len(e) != 1 || e[0] != edgeKey(0, maxOrdinal) {
		t.Errorf("Successor at the last ordinal kept edges %x, want %x", e, edgeKey(0, maxOrdinal))
	}
}
