package explorer

import (
	"context"
	"testing"
	"time"

	"github.com/argocheck/argocheck/internal/graphtest"
)

// reaches that level's depth, not the next: it found no state there.
func TestCancelledBeforeLevel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := Run(ctx, graphtest.Chain(0, 5), Config{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != Incomplete || res.Stopped == "" || res.States != 1 || res.Depth != 0 || res.Transitions != 0 {
		t.Fatalf("%s (%q) with %d states, %d transitions, depth %d; want incomplete with the initial state at depth 0",
			res.Verdict, res.Stopped, res.States, res.Transitions, res.Depth)
	}
}

// later state's.
func TestCancelledAtViolationCountsUpToIt(t *testing.T) {
	// Node 0 reaches nodes 1, 2 and 3 (states 1 to 3, units 0 to 2); node
	// 1 fails; node 2 reaches three new nodes.
	g := func() *graphtest.Graph {
		return &graphtest.Graph{Inits: []uint32{0}, Succ: func(n uint32) []uint32 {
			switch n {
			case 0:
				return []uint32{1, 2, 3}
			case 2:
				return []uint32{10, 11, 12}
			}
			return nil
		}, Fails: func(n uint32) bool { return n == 1 }}
	}
	want := runGraph(t, g(), Config{Workers: 1, BatchSize: 1})
	if want.Verdict != Violated || want.States != 4 || want.Transitions != 3 || want.CrashPoints != 1 {
		t.Fatalf("uncancelled: %s with %d states, %d transitions, %d crash points; want a violation with 4 states, 3 transitions, one a crash",
			want.Verdict, want.States, want.Transitions, want.CrashPoints)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cg := g()
	// The worker at node 1 waits until the other is at node 2, cancels
	// the search and fails a little later; the other expands node 2 once
	// the search is cancelled, then takes unit 2 and stops.
	at2, cancelled := make(chan struct{}), make(chan struct{})
	cg.Before = func(n uint32) {
		switch n {
		case 1:
			select {
			case <-at2:
			case <-time.After(time.Second):
			}
			cancel()
			close(cancelled)
			time.Sleep(20 * time.Millisecond)
		case 2:
			close(at2)
			<-cancelled
		}
	}
	res, err := Run(ctx, cg, Config{Workers: 2, BatchSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != Violated || res.States != want.States || res.Transitions != want.Transitions || res.CrashPoints != want.CrashPoints {
		t.Fatalf("cancelled at the violation: %s with %d states, %d transitions, %d crash points; uncancelled %d, %d, %d",
			res.Verdict, res.States, res.Transitions, res.CrashPoints, want.States, want.Transitions, want.CrashPoints)
	}
}

// the smaller violation.
func TestCancelledBeforeSmallerViolation(t *testing.T) {
	// Node 0 reaches nodes 1 and 2 (states 1 and 2, units 0 and 1). Node
	// 1 reaches more new nodes than the smallest level table holds, then
	// fails. The workers take a unit each; node 2 fails once node 1's
	// expansion stopped at the full table, the search cancelled then.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	g := &graphtest.Graph{Inits: []uint32{0}, Succ: func(n uint32) []uint32 {
		switch n {
		case 0:
			return []uint32{1, 2}
		case 1:
			s := make([]uint32, 100)
			for i := range s {
				s[i] = 1000 + uint32(i)
			}
			return s
		}
		return nil
	}, Fails: func(n uint32) bool { return n == 1 || n == 2 }}
	at2 := make(chan struct{})
	g.Before = func(n uint32) {
		switch n {
		case 1:
			select {
			case <-at2:
			case <-time.After(time.Second):
			}
		case 2:
			close(at2)
			select {
			case <-g.Done(1):
			case <-time.After(time.Second):
			}
			cancel()
		}
	}
	res, err := Run(ctx, g, Config{Workers: 2, BatchSize: 1, levelPairs: 1})
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case res.Verdict == Incomplete && res.Stopped == "cancelled":
	case res.Verdict == Violated && res.Violation.Message == "node 1 fails":
	default:
		t.Fatalf("%s (%q), %v; want incomplete, cancelled, or node 1's violation", res.Verdict, res.Stopped, res.Violation)
	}
}

// without that part: neither its states nor its edges are counted.
func TestContinueCancelledInPaths(t *testing.T) {
	g := graphtest.Chain(0, 4)
	g.Fails = func(n uint32) bool { return n == 2 }
	want := runGraph(t, g, Config{Workers: 1, Continue: 5})
	if want.Verdict != Violated || want.States != 4 || want.Transitions != 3 {
		t.Fatalf("uncancelled: %s with %d states, %d transitions; want a violation, 4 states, 3 transitions", want.Verdict, want.States, want.Transitions)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	g.Replay = func(n uint32) {
		if n == 2 {
			cancel()
		}
	}
	res, err := Run(ctx, g, Config{Workers: 1, Continue: 5})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stopped != "cancelled" || res.States != 3 || res.Transitions != 2 || res.Depth != 2 {
		t.Fatalf("cancelled in level 2's paths: %s (%q) with %d states, %d transitions, depth %d; want 3 states, those of levels 0 to 2, and 2 transitions, those of levels 0 and 1, at depth 2",
			res.Verdict, res.Stopped, res.States, res.Transitions, res.Depth)
	}
}
