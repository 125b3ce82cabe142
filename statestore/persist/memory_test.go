package persist

import (
	"context"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/model"
)

// A spilled store resumes within its memory budget: loading its states
// and frontier, before it expands anything, the search's heap grows by a
// few bytes a state, not by every state's fingerprint and parent and
// every encoding at once; resumed to the end, it reaches the counts of a
// search in memory.
func TestResumeWithinMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a store of 320,000 states")
	}
	chk, err := layers.Build("repdisk", catalog.Params{layers.Blocks: 6, layers.Values: 4}, "")
	if err != nil {
		t.Fatal(err)
	}
	want, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "store")
	st, err := Create(dir, testRun, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := explorer.Config{Workers: 2, MemoryBytes: 1 << 20, Spill: t.TempDir()}
	bounded := cfg
	bounded.MaxStates = want.States * 3 / 4
	if res := resume(t, chk, st, bounded); res.Verdict != explorer.Incomplete || res.Spills == 0 {
		t.Fatalf("%s (%s) after %d spills, want incomplete after spilling", res.Verdict, res.Stopped, res.Spills)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if st, err = Open(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	// The heap, sampled while the search loads the store, with little
	// room for garbage.
	defer debug.SetGCPercent(debug.SetGCPercent(1))
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapInuse, ms.HeapInuse
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	})
	loading := cfg
	loading.MaxStates = 1 // stops before it expands anything
	res := resume(t, chk, st, loading)
	close(done)
	wg.Wait()
	if res.Verdict != explorer.Incomplete {
		t.Fatalf("%s, want incomplete", res.Verdict)
	}
	states := st.parts[len(st.parts)-1].First + st.parts[len(st.parts)-1].Count
	// Whole slices grew it by 22.5 MB (93 bytes a state); read a record
	// at a time into the spill files and the compressed frontier, by
	// 5.8 MB, mostly the spill's write buffers and the frontier.
	if grew := peak - min(peak, base); grew > 12<<20 {
		t.Errorf("loading %d states grew the heap by %d bytes, %.1f a state, want at most 12 MiB", states, grew, float64(grew)/float64(states))
	} else {
		t.Logf("loading %d states grew the heap by %d bytes, %.1f a state", states, grew, float64(grew)/float64(states))
	}

	res = resume(t, chk, st, cfg)
	if res.Verdict != want.Verdict || res.States != want.States || res.Transitions != want.Transitions || res.Depth != want.Depth {
		t.Fatalf("resumed: %s %d states, %d transitions, depth %d; in memory %s %d, %d, depth %d",
			res.Verdict, res.States, res.Transitions, res.Depth, want.Verdict, want.States, want.Transitions, want.Depth)
	}
}

// resume runs chk into st, or resumes it from st's checkpoint.
func resume(t *testing.T, chk model.Checker, st *Store, cfg explorer.Config) *explorer.Result {
	t.Helper()
	cfg.Checkpoint = st
	from, err := st.Resumable()
	if err != nil {
		t.Fatal(err)
	}
	var res *explorer.Result
	if from == nil {
		res, err = explorer.Run(context.Background(), chk, cfg)
	} else {
		res, err = explorer.Resume(context.Background(), chk, cfg, from)
	}
	if err != nil {
		t.Fatal(err)
	}
	return res
}
