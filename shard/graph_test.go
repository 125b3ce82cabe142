package shard

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/internal/checkalltest"
	"github.com/argocheck/argocheck/internal/graphtest"
	"github.com/argocheck/argocheck/model"
	"github.com/argocheck/argocheck/statestore"
)

// runInProcess runs every shard of a search of chk as a goroutine of this
// process, each with workers goroutines, through a new exchange, and
// returns their results by index.
func runInProcess(t *testing.T, chk model.Checker, shards, workers int, progress func(index int, l Level)) []*Result {
	t.Helper()
	url, _ := exchangeURL(t)
	return runInProcessAt(t, url, chk, shards, workers, progress)
}

// runInProcessAt is runInProcess through the exchange at url.
func runInProcessAt(t *testing.T, url string, chk model.Checker, shards, workers int, progress func(index int, l Level)) []*Result {
	t.Helper()
	results, errs := runShardsWith(url, chk, shards, workers, progress, nil)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("shard %d: %v", i, err)
		}
	}
	return results
}

// runShardsWith runs every shard as runInProcessAt does, shard i through
// wrap(i, its bucket) when wrap is set, and returns their results and
// errors by index; the first error cancels the other shards.
func runShardsWith(url string, chk model.Checker, shards, workers int, progress func(index int, l Level), wrap func(i int, b Bucket) Bucket) ([]*Result, []error) {
	ctx, cancel := context.WithTimeout(context.Background(), processTimeout)
	defer cancel()
	results := make([]*Result, shards)
	errs := make([]error, shards)
	var wg sync.WaitGroup
	for i := range shards {
		wg.Go(func() {
			b, err := Open(ctx, url)
			if err != nil {
				errs[i] = err
				cancel()
				return
			}
			defer b.Close()
			if wrap != nil {
				b = wrap(i, b)
			}
			cfg := Config{Shards: shards, Index: i, Workers: workers, Run: Manifest{System: "graph"}, Poll: 5 * time.Millisecond}
			if progress != nil {
				cfg.Progress = func(l Level) { progress(i, l) }
			}
			if results[i], errs[i] = Run(ctx, chk, b, cfg); errs[i] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	return results, errs
}

// graphReference is explorer.Run's result on g, in the form of a shard's
// outcome.
func graphReference(t *testing.T, g *graphtest.Graph) *outcome {
	t.Helper()
	res, err := explorer.Run(context.Background(), g, explorer.Config{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	return newOutcome(res, Work{})
}

// fan is node 0 reaching nodes 1 to width, each node c of them reaching
// node grandchild(c); fails, when not nil, says which nodes fail.
func fan(width uint32, grandchild func(c uint32) uint32, fails func(n uint32) bool) *graphtest.Graph {
	return &graphtest.Graph{
		Inits: []uint32{0},
		Succ: func(n uint32) []uint32 {
			switch {
			case n == 0:
				s := make([]uint32, width)
				for i := range s {
					s[i] = uint32(i + 1)
				}
				return s
			case n <= width:
				return []uint32{grandchild(n)}
			}
			return nil
		},
		Fails: fails,
	}
}

// fanGraph is node 0 reaching children 1 to 600, more than two units of a
// worker's batch, each child reaching one of 50 shared grandchildren;
// every tenth child from 250 on fails. The smallest violation is child
// 250's, found at its parent's edge 249.
func fanGraph() *graphtest.Graph {
	return fan(600, func(c uint32) uint32 { return 1000 + c%50 }, func(n uint32) bool { return n >= 250 && n <= 600 && n%10 == 0 })
}

// TestShardsReportSmallestViolation: a level where several shards, and
// several workers of one shard, each find violations ends with the
// smallest one, explorer.Run's, and its path, whichever finds it. With
// one shard, the worker with child 250 waits until the other has found
// child 260's violation: both report one, and the shard keeps the
// smaller.
func TestShardsReportSmallestViolation(t *testing.T) {
	want := graphReference(t, fanGraph())
	if want.Verdict != explorer.Violated || want.Violation.Message != "node 250 fails" {
		t.Fatalf("explorer.Run: %s %+v, want node 250's violation", want.Verdict, want.Violation)
	}
	for _, tc := range []struct{ shards, workers int }{{1, 2}, {2, 2}, {3, 1}, {4, 2}} {
		t.Run(fmt.Sprintf("%d-shards-%d-workers", tc.shards, tc.workers), func(t *testing.T) {
			g := fanGraph()
			if tc.shards == 1 {
				g.Wait = map[uint32]uint32{250: 260}
			}
			for i, r := range runInProcess(t, g, tc.shards, tc.workers, nil) {
				sameResult(t, i, newOutcome(r.Search, r.Work), want)
			}
		})
	}
}

// TestShardsCountDuplicateInitialStates: initial states given more than
// once are one state each, as in explorer.Run: the same states,
// transitions and crash points, on any number of shards.
func TestShardsCountDuplicateInitialStates(t *testing.T) {
	g := &graphtest.Graph{
		Inits: []uint32{3, 3, 9, 3, 9},
		Succ: func(n uint32) []uint32 {
			if n < 30 {
				return []uint32{n + 1, n + 2, (n * 7) % 31}
			}
			return nil
		},
	}
	want := graphReference(t, g)
	if want.Verdict != explorer.Verified {
		t.Fatalf("explorer.Run: %s %+v", want.Verdict, want.Violation)
	}
	for _, shards := range []int{1, 2, 3} {
		t.Run(fmt.Sprint(shards), func(t *testing.T) {
			for i, r := range runInProcess(t, g, shards, 2, nil) {
				sameResult(t, i, newOutcome(r.Search, r.Work), want)
			}
		})
	}
}

// ownedBy returns the smallest node from first on that shard index of
// shards owns.
func ownedBy(shards, index int, first uint32) uint32 {
	n := first
	for statestore.Fingerprint(graphtest.Node(n))%uint64(shards) != uint64(index) {
		n++
	}
	return n
}

// TestShardsReportStrayCall: a call left behind by the expansion of a
// state, which the worker reports when asked after its runs, makes the
// search a violation on every shard, as in explorer.Run, with the same
// depth and states; shard 0 shows it as explorer.Run does. Both ask at
// the end of every level, so that a process started again, whose
// workers never ran the level, cannot lose it: the leaking state a, of
// shard 0, is at depth 1, and the search ends there with the states of
// levels 0 and 1 counted, though its sibling b's successors, owned by the
// last shard, make a level after it. (Dropped, the search verified;
// asked for only once a frontier ran out, shard 0 found it a level
// before the others with more than one shard.)
func TestShardsReportStrayCall(t *testing.T) {
	for _, shards := range []int{1, 2, 3} {
		t.Run(fmt.Sprint(shards), func(t *testing.T) {
			a := ownedBy(shards, 0, 1)
			b := ownedBy(shards, shards-1, a+1)
			c1 := ownedBy(shards, shards-1, 1000)
			c2 := ownedBy(shards, shards-1, c1+1)
			g := &graphtest.Graph{
				Inits: []uint32{0},
				Succ: func(n uint32) []uint32 {
					switch n {
					case 0:
						return []uint32{a, b}
					case b:
						return []uint32{c1, c2}
					}
					return nil
				},
				Leak: a,
			}
			want := graphReference(t, g)
			if want.Verdict != explorer.Violated || want.Violation.Kind != model.KindPanic || want.Depth != 1 || want.States != 3 {
				t.Fatalf("explorer.Run: %s at depth %d with %d states, %+v; want the stray call's violation at depth 1 with 3", want.Verdict, want.Depth, want.States, want.Violation)
			}
			for i, r := range runInProcess(t, g, shards, 2, nil) {
				sameResult(t, i, newOutcome(r.Search, r.Work), want)
			}
		})
	}
}

// TestResumeRefusesForeignFrontiers: a shard started again on a finished
// run resumes from its last frontier and finds the search done; one that
// resumes from a bucket whose first frontier holds other initial states
// than its check's (layer code changed under a run of no recorded
// build), or whose frontier object of a level holds another level,
// refuses it rather than take its states for the level's.
func TestResumeRefusesForeignFrontiers(t *testing.T) {
	ctx := context.Background()
	var res *Result
	run := func(url string, g *graphtest.Graph) error {
		b, err := Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		res, err = Run(ctx, g, b, Config{Shards: 1, Workers: 1, Run: Manifest{System: "graph"}})
		return err
	}
	url, dir := exchangeURL(t)
	if err := run(url, graphtest.Chain(0, 5)); err != nil {
		t.Fatal(err)
	}
	if res.Work.ResumedFrom != -1 {
		t.Errorf("the first run resumed from level %d", res.Work.ResumedFrom)
	}
	if err := run(url, graphtest.Chain(0, 5)); err != nil {
		t.Fatalf("the same check again: %v", err)
	}
	// Its last frontier is the empty one after the path's last state.
	if r := res.Search; res.Work.ResumedFrom != 5 || r.Verdict != explorer.Verified || r.States != 5 || r.Depth != 4 {
		t.Errorf("the same check again: resumed from level %d, %s with %d states at depth %d; want level 5, verified with 5 at depth 4",
			res.Work.ResumedFrom, r.Verdict, r.States, r.Depth)
	}
	if err := run(url, graphtest.Chain(1, 5)); err == nil || !strings.Contains(err.Error(), "the initial states differ from the check's") {
		t.Errorf("other initial states: error %v, want refused", err)
	}
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(frontierKey(1, 0))))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(frontierKey(2, 0))), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(url, graphtest.Chain(0, 5)); err == nil || !strings.Contains(err.Error(), "holds depth 1") {
		t.Errorf("level 1's frontier as level 2's: error %v, want refused", err)
	}
}

// levelSizes returns the number of states of g at each depth, by a
// breadth-first search of its own.
func levelSizes(g *graphtest.Graph) []int {
	seen := map[uint32]bool{}
	var level []uint32
	for _, n := range g.Inits {
		if !seen[n] {
			seen[n] = true
			level = append(level, n)
		}
	}
	var sizes []int
	for len(level) > 0 {
		sizes = append(sizes, len(level))
		var next []uint32
		for _, n := range level {
			for _, m := range g.Succ(n) {
				if !seen[m] {
					seen[m] = true
					next = append(next, m)
				}
			}
		}
		level = next
	}
	return sizes
}

// branchingGraph is node 3 reaching, from each node n below 60, nodes n+1,
// n+2 and 7n mod 61: levels of many sizes.
func branchingGraph() *graphtest.Graph {
	return &graphtest.Graph{
		Inits: []uint32{3},
		Succ: func(n uint32) []uint32 {
			if n < 60 {
				return []uint32{n + 1, n + 2, (n * 7) % 61}
			}
			return nil
		},
	}
}

// TestShardsReportEveryLevel: after every barrier but the last, a shard
// has deleted the candidates sent to it in the levels it has passed
// (nothing reads them again), and reports the level: its depth, the
// states of it that the shard expanded, of the level's size, the states
// of the search so far and those the shard owns in the next level, which
// add up across the shards to the levels' sizes; after the last level
// expanded, the search's transitions are explorer.Run's. Each shard
// counts the barriers it passed.
func TestShardsReportEveryLevel(t *testing.T) {
	g := branchingGraph()
	sizes := levelSizes(g)
	want := graphReference(t, g)
	const shards = 3
	url, dir := exchangeURL(t)
	var mu sync.Mutex
	levels := make([][]Level, shards)
	progress := func(i int, l Level) {
		mu.Lock()
		defer mu.Unlock()
		levels[i] = append(levels[i], l)
		for d := 0; d <= l.Depth; d++ {
			left, err := filepath.Glob(filepath.Join(dir, filepath.FromSlash(levelPrefix(d)), fmt.Sprintf("to-%d", i), "*"))
			if err != nil {
				t.Error(err)
			}
			if len(left) > 0 {
				t.Errorf("shard %d past level %d still holds the candidates of level %d: %v", i, l.Depth, d, left)
			}
		}
	}
	results := runInProcessAt(t, url, g, shards, 2, progress)
	for i, ls := range levels {
		if len(ls) != len(sizes) {
			t.Fatalf("shard %d reported %d levels, want %d", i, len(ls), len(sizes))
		}
		// Every level's barrier, and the empty level's after them.
		if b := results[i].Work.Barriers; b != len(sizes)+1 {
			t.Errorf("shard %d passed %d barriers, want %d", i, b, len(sizes)+1)
		}
	}
	var states uint64
	for d, size := range sizes {
		states += uint64(size)
		var frontier, next int
		for i := range shards {
			l := levels[i][d]
			if l.Depth != d || l.Size != uint64(size) || l.States != states {
				t.Errorf("shard %d: level %d of %d states, %d states in all, want level %d of %d, %d", i, l.Depth, l.Size, l.States, d, size, states)
			}
			frontier += l.Frontier
			next += l.New
		}
		if l := levels[0][d]; d == len(sizes)-1 && l.Transitions != want.Transitions {
			t.Errorf("after the last level: %d transitions, want %d", l.Transitions, want.Transitions)
		}
		if frontier != size {
			t.Errorf("level %d: the shards expanded %d states, want %d", d, frontier, size)
		}
		if want := append(sizes, 0)[d+1]; next != want {
			t.Errorf("level %d: the shards own %d states of the next level, want %d", d, next, want)
		}
	}
}

// failingBucket fails the writes of objects whose keys contain part.
type failingBucket struct {
	Bucket
	part string
}

var errWriteFailed = errors.New("the store failed the write")

func (b failingBucket) Write(ctx context.Context, key string, data []byte, onlyNew bool) error {
	if strings.Contains(key, b.part) {
		return errWriteFailed
	}
	return b.Bucket.Write(ctx, key, data, onlyNew)
}

// TestFailedSendStopsShard: a shard whose store fails to write the
// candidates it found for another shard stops with that error, naming
// the object: the failure is its own, not a missing object that the
// other shard finds after the marker.
func TestFailedSendStopsShard(t *testing.T) {
	g := branchingGraph()
	url, _ := exchangeURL(t)
	_, errs := runShardsWith(url, g, 2, 2, nil, func(i int, b Bucket) Bucket {
		if i == 0 {
			return failingBucket{b, "/to-1/"}
		}
		return b
	})
	if !errors.Is(errs[0], errWriteFailed) || !strings.Contains(errs[0].Error(), "writing level-") {
		t.Errorf("shard 0: error %v, want the failed write of its candidates", errs[0])
	}
}

// TestFinishDeletesLateCandidates: candidates that a process of another
// shard started again writes for a level this shard has passed, and
// deleted the candidates of, are deleted when the search ends: the
// exchange holds no candidates afterwards.
func TestFinishDeletesLateCandidates(t *testing.T) {
	g := graphtest.Chain(0, 6)
	url, dir := exchangeURL(t)
	late := filepath.Join(dir, filepath.FromSlash(candidatesKey(0, 1, 0, 0xdead)))
	runInProcessAt(t, url, g, 2, 1, func(i int, l Level) {
		if i != 0 || l.Depth != 1 {
			return
		}
		if err := os.MkdirAll(filepath.Dir(late), 0o777); err != nil {
			t.Error(err)
		}
		if err := os.WriteFile(late, []byte("late"), 0o666); err != nil {
			t.Error(err)
		}
	})
	if left := candidateObjects(t, dir); len(left) > 0 {
		t.Errorf("the exchange still holds %d objects of candidates: %v", len(left), left)
	}
}

// TestShardsCheckLevelAtBound: a level that begins with exactly
// model.CheckAllStates states found before it is the first not checked
// whole, as in one search: node 0 and its CheckAllStates-1 children are,
// their children are not.
func TestShardsCheckLevelAtBound(t *testing.T) {
	const wide = model.CheckAllStates - 1
	g := fan(wide, func(c uint32) uint32 { return 100000 + c }, nil)
	rec := checkalltest.New(g)
	results := runInProcess(t, rec, 3, 2, nil)
	if r := results[0].Search; r.Verdict != explorer.Verified || r.States != 2*wide+1 {
		t.Fatalf("%s with %d states, want verified with %d", r.Verdict, r.States, 2*wide+1)
	}
	rec.Check(t, g, results[0].Search.States)
}

// TestShardsKeepSmallestDiscoveringEdge: a state that several states of
// a level reach, on several shards and workers, is numbered by its
// smallest discovering edge, as in explorer.Run: the path to a violation
// there goes through its smallest parent. Node 0 reaches nodes 1 to 20,
// node c reaches node 100+c%5, and node 102 fails: its path is
// 0, 2, 102.
func TestShardsKeepSmallestDiscoveringEdge(t *testing.T) {
	g := fan(20, func(c uint32) uint32 { return 100 + c%5 }, func(n uint32) bool { return n == 102 })
	want := graphReference(t, g)
	if want.Verdict != explorer.Violated || !strings.Contains(want.Trace, "to-2\n") {
		t.Fatalf("explorer.Run: %s, path\n%s\nwant node 102's violation through node 2", want.Verdict, want.Trace)
	}
	for _, shards := range []int{1, 2, 3} {
		t.Run(fmt.Sprint(shards), func(t *testing.T) {
			for i, r := range runInProcess(t, g, shards, 2, nil) {
				sameResult(t, i, newOutcome(r.Search, r.Work), want)
			}
		})
	}
}

// TestShardsReportInitialViolation: an initial state that relates to no
// initial abstract state is the search's violation on every shard, with
// no states found, as in explorer.Run; shard 0 shows it as explorer.Run
// does.
func TestShardsReportInitialViolation(t *testing.T) {
	g := &graphtest.Graph{Initial: &model.Violation{Kind: model.KindInitial, Message: "no initial abstract state"}}
	want := graphReference(t, g)
	if want.Verdict != explorer.Violated || want.Violation.Kind != model.KindInitial || want.States != 0 {
		t.Fatalf("explorer.Run: %s with %d states, %+v; want the initial violation with none", want.Verdict, want.States, want.Violation)
	}
	for _, shards := range []int{1, 3} {
		t.Run(fmt.Sprint(shards), func(t *testing.T) {
			for i, r := range runInProcess(t, g, shards, 1, nil) {
				sameResult(t, i, newOutcome(r.Search, r.Work), want)
			}
		})
	}
}

// TestShardsReportEndedRun: shards started on the bucket of a run that
// has ended, verified or violated, report the run's result again and say
// that it had ended before they started; the shards of the run itself
// do not.
func TestShardsReportEndedRun(t *testing.T) {
	for _, tc := range []struct {
		name  string
		graph func() *graphtest.Graph
	}{{"verified", branchingGraph}, {"violation", fanGraph}} {
		t.Run(tc.name, func(t *testing.T) {
			want := graphReference(t, tc.graph())
			url, _ := exchangeURL(t)
			for round, ended := range []bool{false, true, true} {
				for i, r := range runInProcessAt(t, url, tc.graph(), 2, 1, nil) {
					sameResult(t, i, newOutcome(r.Search, r.Work), want)
					if r.Ended != ended {
						t.Errorf("round %d, shard %d: Ended %v, want %v", round, i, r.Ended, ended)
					}
				}
			}
		})
	}
}
