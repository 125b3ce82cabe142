// Package checkalltest records which nodes a search expands with every run
// checked (model.Worker's CheckAll), for the tests of the rule that the
// first levels of a search are checked whole.
package checkalltest

import (
	"context"
	"sync"
	"testing"

	"github.com/cespare/xxhash/v2"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
)

// Recorder is a Checker that records, for each node its workers expand,
// whether CheckAll was on.
type Recorder struct {
	model.Checker
	mu      sync.Mutex
	on, off map[uint64]bool // by the fingerprint of the node
}

// New returns a Recorder of chk's searches.
func New(chk model.Checker) *Recorder {
	return &Recorder{Checker: chk, on: map[uint64]bool{}, off: map[uint64]bool{}}
}

// NewWorker implements model.Checker.
func (r *Recorder) NewWorker(o model.Options) model.Worker {
	return &worker{Worker: r.Checker.NewWorker(o), r: r}
}

type worker struct {
	model.Worker
	r  *Recorder
	on bool
}

func (w *worker) CheckAll(on bool) {
	w.on = on
	w.Worker.CheckAll(on)
}

func (w *worker) Expand(node []byte, e model.Emitter) {
	w.r.mu.Lock()
	if w.on {
		w.r.on[xxhash.Sum64(node)] = true
	} else {
		w.r.off[xxhash.Sum64(node)] = true
	}
	w.r.mu.Unlock()
	w.Worker.Expand(node, e)
}

// Check fails t unless the nodes expanded with every run checked are
// exactly the states of the levels that begin before
// model.CheckAllStates states are found, states in all: it counts them,
// and makes sure no node was expanded both ways and that the rest were
// expanded too. It finds the levels' first states with searches of chk
// bounded in depth.
func (r *Recorder) Check(t *testing.T, chk model.Checker, states uint64) {
	t.Helper()
	want := states // the states of the levels checked whole
	for d := 1; ; d++ {
		res, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 1, MaxDepth: d})
		if err != nil {
			t.Fatal(err)
		}
		// Bounded at depth d, a search finds the states of depths up to
		// d: the number of the first state of depth d+1.
		if res.Verdict != explorer.Incomplete {
			break
		}
		if res.States >= model.CheckAllStates {
			want = res.States
			break
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for k := range r.on {
		if r.off[k] {
			t.Fatalf("a node was expanded with every run checked and without")
		}
	}
	if got := uint64(len(r.on)); got != want {
		t.Errorf("%d nodes expanded with every run checked, want %d", got, want)
	}
	if got := uint64(len(r.on) + len(r.off)); got != states {
		t.Errorf("%d nodes expanded, want %d", got, states)
	}
}
