package explorer

import (
	"sync"
	"testing"
	"time"

	"github.com/argocheck/argocheck/internal/graphtest"
)

// edges of the units finished so far in the level being expanded.
func TestProgressWithinLevel(t *testing.T) {
	// Node 0 reaches nodes 1 and 2 (units 0 and 1 of level 1); node 1
	// reaches three new nodes. Node 2's expansion waits for a report that
	// counts them and node 1's edges.
	g := &graphtest.Graph{Inits: []uint32{0}, Succ: func(n uint32) []uint32 {
		switch n {
		case 0:
			return []uint32{1, 2}
		case 1:
			return []uint32{10, 11, 12}
		}
		return nil
	}}
	var mu sync.Mutex
	var last Progress
	seen := make(chan struct{})
	report := func(p Progress) {
		mu.Lock()
		defer mu.Unlock()
		last = p
		if !p.Barrier && p.Level == 1 && p.States == 6 && p.Transitions == 5 {
			select {
			case <-seen:
			default:
				close(seen)
			}
		}
	}
	g.Before = func(n uint32) {
		if n != 2 {
			return
		}
		select {
		case <-seen:
		case <-time.After(2 * time.Second):
			mu.Lock()
			defer mu.Unlock()
			t.Errorf("while node 2 waits: last report %+v; want one from the ticker at level 1 with 6 states and 5 transitions", last)
		}
	}
	runGraph(t, g, Config{Workers: 1, BatchSize: 1, Progress: report, ProgressInterval: time.Millisecond})
}
