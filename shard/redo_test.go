package shard

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/argocheck/argocheck/internal/graphtest"
	"github.com/argocheck/argocheck/statestore"
)

// endingGraph is node 0 reaching nodes 1 to 40, node c reaching node
// 100+c%8, where the one child that fails is shard 1's of 2: level 1 ends
// the search on shard 1's violation, and shard 0, which finds none there,
// has candidates for shard 1 in it.
func endingGraph(t *testing.T) *graphtest.Graph {
	t.Helper()
	bad := ownedBy(2, 1, 1)
	g := fan(40, func(c uint32) uint32 { return 100 + c%8 }, func(n uint32) bool { return n == bad })
	owner := func(n uint32) uint64 { return statestore.Fingerprint(graphtest.Node(n)) % 2 }
	for c := uint32(1); c <= 40; c++ {
		if owner(c) == 0 && owner(100+c%8) == 1 {
			return g
		}
	}
	t.Fatal("no child of shard 0 reaches a state of shard 1: the graph does not exercise the sending")
	return nil
}

// levelOneToShard1 is the prefix of the candidates of level 1 for shard 1.
var levelOneToShard1 = levelPrefix(1) + "to-1/"

// raceBucket is shard 0's bucket in the tests of a redone level: its
// write of candidates for shard 1 at level 1 first calls before, then
// waits until shard 1's Run has returned, having deleted the level's
// candidates sent to it, and then fails as a directory's write whose
// temporary file that deletion removed fails (the race seen in argocheck
// shard: "rename .../.tmp-from-0-...: no such file or directory").
type raceBucket struct {
	Bucket
	before  func()
	done    <-chan struct{}
	writes  *atomic.Int32 // writes of candidates for shard 1 at level 1
	markers *atomic.Int32 // writes of shard 0's marker of level 1
}

func (b raceBucket) Write(ctx context.Context, key string, data []byte, onlyNew bool) error {
	if key == markerKey(1, 0) {
		b.markers.Add(1)
	}
	if !strings.HasPrefix(key, levelOneToShard1) {
		return b.Bucket.Write(ctx, key, data, onlyNew)
	}
	b.writes.Add(1)
	if b.before != nil {
		b.before()
	}
	select {
	case <-b.done:
	case <-time.After(processTimeout):
		return errors.New("shard 1 did not end")
	case <-ctx.Done():
		return ctx.Err()
	}
	return &fs.PathError{Op: "rename", Path: key, Err: fs.ErrNotExist}
}

// runRace runs shards 0 and 1 of 2 on url, shard 0 through a raceBucket
// that calls before, and returns their results, errors, and shard 0's
// writes of candidates for shard 1 and of its marker at level 1.
func runRace(t *testing.T, url string, g *graphtest.Graph, before func()) ([]*Result, []error, int32, int32) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), processTimeout)
	defer cancel()
	done := make(chan struct{})
	var writes, markers atomic.Int32
	results, errs := make([]*Result, 2), make([]error, 2)
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Go(func() {
			if i == 1 {
				defer close(done)
			}
			b, err := Open(ctx, url)
			if err != nil {
				errs[i] = err
				return
			}
			defer b.Close()
			if i == 0 {
				b = raceBucket{Bucket: b, before: before, done: done, writes: &writes, markers: &markers}
			}
			cfg := Config{Shards: 2, Index: i, Workers: 1, Run: Manifest{System: "graph"}, Poll: 5 * time.Millisecond}
			results[i], errs[i] = Run(ctx, g, b, cfg)
		})
	}
	wg.Wait()
	return results, errs, writes.Load(), markers.Load()
}

// TestRedoOfEndedLevelWritesNothing: shards started again on the bucket
// of a run that ended at level 1 with shard 1's violation redo level 1.
// Shard 1 ends at once, every marker being there, and deletes the
// candidates sent to it at level 1; shard 0, whose marker of level 1 is
// there too, takes it and writes nothing: no candidates, which shard 1's
// deletion would make fail under it (a run that has ended, exit status 4,
// 1 run in 3 of TestShardSaysRunEnded), and no marker. Both report the
// run's result again.
func TestRedoOfEndedLevelWritesNothing(t *testing.T) {
	g := endingGraph(t)
	want := graphReference(t, g)
	url, _ := exchangeURL(t)
	for i, r := range runInProcessAt(t, url, g, 2, 1, nil) {
		sameResult(t, i, newOutcome(r.Search, r.Work), want)
	}
	results, errs, writes, markers := runRace(t, url, g, nil)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("shard %d: %v", i, err)
		}
		sameResult(t, i, newOutcome(results[i].Search, results[i].Work), want)
		if !results[i].Ended {
			t.Errorf("shard %d: Ended false, want true", i)
		}
	}
	if writes != 0 || markers != 0 {
		t.Errorf("shard 0 wrote %d candidates objects for shard 1 and %d markers of level 1, want none", writes, markers)
	}
}

// TestSendToEndedLevel: a process of shard 0 that redoes level 1 while
// its marker is not there yet (it started before another process of the
// shard wrote it) sends shard 1 its candidates; meanwhile the marker
// appears, shard 1 ends the run at level 1 on its violation, and deletes
// the level's candidates sent to it, under the write, which fails. Every
// marker of level 1 being there and one of them a violation, nothing
// reads candidates of level 1: the failed write loses nothing, and the
// process ends with the run's result.
func TestSendToEndedLevel(t *testing.T) {
	g := endingGraph(t)
	want := graphReference(t, g)
	url, dir := exchangeURL(t)
	for i, r := range runInProcessAt(t, url, g, 2, 1, nil) {
		sameResult(t, i, newOutcome(r.Search, r.Work), want)
	}
	path := filepath.Join(dir, filepath.FromSlash(markerKey(1, 0)))
	saved, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	restore := func() {
		once.Do(func() {
			// The other process of shard 0 writes its marker, whole at
			// once as the exchange writes objects (a file written in
			// place is read half written now and then).
			if err := writeWhole(path, saved); err != nil {
				t.Error(err)
			}
		})
	}
	results, errs, writes, _ := runRace(t, url, g, restore)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("shard %d: %v", i, err)
		}
		sameResult(t, i, newOutcome(results[i].Search, results[i].Work), want)
	}
	if writes == 0 {
		t.Error("shard 0 sent shard 1 no candidates at level 1: the test tests nothing")
	}
}

// markerRace holds two processes of shard 0 at their write of the
// marker key until both are writing it, each having looked for the
// marker before either wrote it, and keeps what the writes that
// succeeded wrote.
type markerRace struct {
	key    string
	both   chan struct{} // closed when both processes are writing
	mu     sync.Mutex
	writes int      // writes of key begun
	won    [][]byte // the data of those that succeeded
}

// markerRaceBucket is the bucket of a process of shard 0 in
// TestMarkerWrittenOnce.
type markerRaceBucket struct {
	Bucket
	r *markerRace
}

func (b markerRaceBucket) Write(ctx context.Context, key string, data []byte, onlyNew bool) error {
	if key != b.r.key {
		return b.Bucket.Write(ctx, key, data, onlyNew)
	}
	b.r.mu.Lock()
	if b.r.writes++; b.r.writes == 2 {
		close(b.r.both)
	}
	b.r.mu.Unlock()
	select {
	case <-b.r.both:
	case <-time.After(processTimeout):
		return errors.New("the other process of shard 0 never wrote its marker")
	case <-ctx.Done():
		return ctx.Err()
	}
	err := b.Bucket.Write(ctx, key, data, onlyNew)
	if err == nil {
		b.r.mu.Lock()
		b.r.won = append(b.r.won, slices.Clone(data))
		b.r.mu.Unlock()
	}
	return err
}

// TestMarkerWrittenOnce: two processes of shard 0 (a duplicate, or one
// started again while the first still runs) that both look for their
// marker of level 1 before either has written it, and so both send and
// both write it: one write makes the marker, the other finds it there
// and its process takes it as one that finds it before sending does. The
// marker in the bucket is the one written, not overwritten by the other,
// and both processes end with explorer.Run's result and the same counts,
// on a verified search and on one that ends on a violation at level 1.
func TestMarkerWrittenOnce(t *testing.T) {
	for name, g := range map[string]*graphtest.Graph{"verified": branchingGraph(), "violation": endingGraph(t)} {
		t.Run(name, func(t *testing.T) {
			want := graphReference(t, g)
			url, dir := exchangeURL(t)
			race := &markerRace{key: markerKey(1, 0), both: make(chan struct{})}
			ctx, cancel := context.WithTimeout(context.Background(), processTimeout)
			defer cancel()
			index := []int{0, 0, 1} // two processes of shard 0, one of shard 1
			results, errs := make([]*Result, len(index)), make([]error, len(index))
			var wg sync.WaitGroup
			for p, i := range index {
				wg.Go(func() {
					b, err := Open(ctx, url)
					if err != nil {
						errs[p] = err
						return
					}
					defer b.Close()
					if i == 0 {
						b = markerRaceBucket{Bucket: b, r: race}
					}
					cfg := Config{Shards: 2, Index: i, Workers: 1, Run: Manifest{System: "graph"}, Poll: 5 * time.Millisecond}
					if results[p], errs[p] = Run(ctx, g, b, cfg); errs[p] != nil {
						cancel()
					}
				})
			}
			wg.Wait()
			for p, err := range errs {
				if err != nil {
					t.Fatalf("process %d (shard %d): %v", p, index[p], err)
				}
			}
			if race.writes != 2 {
				t.Fatalf("shard 0's processes wrote its marker of level 1 %d times, want 2: the test tests nothing", race.writes)
			}
			if len(race.won) != 1 {
				t.Fatalf("%d writes of shard 0's marker of level 1 succeeded, want 1: a marker other shards may have passed on was overwritten", len(race.won))
			}
			stored, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(race.key)))
			if err != nil || !bytes.Equal(stored, race.won[0]) {
				t.Errorf("the marker in the bucket is not the one written (%v)", err)
			}
			for p, r := range results {
				sameResult(t, index[p], newOutcome(r.Search, r.Work), want)
			}
			a, b := results[0], results[1]
			if a.Search.Verdict != b.Search.Verdict || a.Search.States != b.Search.States || a.Search.Transitions != b.Search.Transitions ||
				a.Search.CrashPoints != b.Search.CrashPoints || a.Search.Depth != b.Search.Depth {
				t.Errorf("shard 0's processes: %s states=%d transitions=%d crash_points=%d depth=%d and %s %d %d %d %d", a.Search.Verdict,
					a.Search.States, a.Search.Transitions, a.Search.CrashPoints, a.Search.Depth,
					b.Search.Verdict, b.Search.States, b.Search.Transitions, b.Search.CrashPoints, b.Search.Depth)
			}
			if a.Work.States != b.Work.States || a.Work.Transitions != b.Work.Transitions || a.Work.CrashPoints != b.Work.CrashPoints {
				t.Errorf("shard 0's processes own states=%d transitions=%d crash_points=%d and %d %d %d",
					a.Work.States, a.Work.Transitions, a.Work.CrashPoints, b.Work.States, b.Work.Transitions, b.Work.CrashPoints)
			}
		})
	}
}

// writeWhole writes data to path as the exchange of a directory writes
// an object: into a file of its own beside path, which the exchange
// passes over, renamed to path once written.
func writeWhole(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), tmpPrefix+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // once renamed, there is nothing to remove
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
