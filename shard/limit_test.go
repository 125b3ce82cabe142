package shard

import (
	"errors"
	"testing"

	"github.com/argocheck/argocheck/model"
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
