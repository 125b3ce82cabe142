package explorer_test

import (
	"context"
	"testing"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/internal/graphtest"
)

// TestStrayBeforeCheckpoint: a call that layer code left behind (or
// memory its instances share that it changed), which only the workers'
// Stray sees, is the search's violation, as an uninterrupted search
// reports it, also when the search stops and resumes in a new process,
// whose workers never ran the expansion that made it: the checkpoint is
// not committed past it. Node 1 leaks, in level 1 (nodes 1 to 20, each
// with one successor); the search stops at a bound after level 1, or
// within it, after its first part. (Before, both resumed searches
// verified.)
func TestStrayBeforeCheckpoint(t *testing.T) {
	graph := func() *graphtest.Graph {
		return &graphtest.Graph{Inits: []uint32{0}, Leak: 1, Succ: func(n uint32) []uint32 {
			switch {
			case n == 0:
				s := make([]uint32, 20)
				for i := range s {
					s[i] = uint32(i + 1)
				}
				return s
			case n <= 20:
				return []uint32{100 + n}
			}
			return nil
		}}
	}
	whole, err := explorer.Run(context.Background(), graph(), explorer.Config{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if whole.Verdict != explorer.Violated {
		t.Fatalf("uninterrupted: %s, want the left-behind call's violation", whole.Verdict)
	}
	for _, tc := range []struct {
		name string
		cfg  explorer.Config
	}{
		{"after the level", explorer.Config{MaxDepth: 2}},
		{"within the level", explorer.Config{MaxStates: 21, PartSize: 2, BatchSize: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cp := &memCheckpoint{}
			cfg := tc.cfg
			cfg.Workers, cfg.Checkpoint = 1, cp
			first, err := explorer.Run(context.Background(), graph(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			switch first.Verdict {
			case explorer.Violated:
				return
			case explorer.Verified:
				t.Fatalf("stopped: verified")
			}
			// A new process: a graph whose workers expanded nothing yet.
			res, err := explorer.Resume(context.Background(), graph(), explorer.Config{Workers: 1, Checkpoint: &memCheckpoint{}}, cp.saved())
			if err != nil {
				t.Fatal(err)
			}
			if res.Verdict != explorer.Violated {
				t.Fatalf("stopped with %d states (%s), resumed: %s with %d states; want the violation of the call node 1's expansion left behind",
					first.States, first.Stopped, res.Verdict, res.States)
			}
		})
	}
}
