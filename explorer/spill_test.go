package explorer_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/internal/dirlock"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/statestore"
)

// TestSpillEqualsMemory: a search whose visited set outgrows its memory
// budget many times over, spilling it to disk, reaches the verdict,
// counts and paths of a search in memory, and leaves no file behind.
func TestSpillEqualsMemory(t *testing.T) {
	for _, tc := range []struct {
		system  string
		params  catalog.Params
		variant string
	}{
		{"repdisk", catalog.Params{layers.Blocks: 6, layers.Values: 3}, ""},
		{"log", catalog.Params{layers.Blocks: 3, layers.Values: 2, layers.Log: 3}, ""},
		{"log/repdisk", catalog.Params{layers.Blocks: 2, layers.Values: 2, layers.Log: 2}, "recover-upper-first"},
	} {
		t.Run(tc.system+"/"+tc.variant, func(t *testing.T) {
			chk := buildChecker(t, tc.system, tc.params, tc.variant)
			want, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			// A budget a quarter of what the visited set needs in memory:
			// the visited set is spilled several times.
			budget := max(want.MemoryBytes/4, 48<<10)
			got, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 2, BatchSize: 4, PartSize: 16, MemoryBytes: budget, Spill: dir})
			if err != nil {
				t.Fatal(err)
			}
			// On a violation the search stops at the end of the part that
			// holds it: its counts depend on the part size.
			if got.Verdict != want.Verdict || want.Verdict == explorer.Verified && (got.States != want.States || got.Depth != want.Depth) {
				t.Fatalf("spilled: %s states=%d depth=%d (%s); in memory: %s states=%d depth=%d", got.Verdict, got.States, got.Depth, got.Stopped, want.Verdict, want.States, want.Depth)
			}
			if want.Verdict == explorer.Verified && (got.Transitions != want.Transitions || got.CrashPoints != want.CrashPoints) {
				t.Fatalf("spilled: transitions=%d crash_points=%d; in memory: %d, %d", got.Transitions, got.CrashPoints, want.Transitions, want.CrashPoints)
			}
			if want.Verdict == explorer.Violated && got.Trace.String() != want.Trace.String() {
				t.Fatalf("spilled path:\n%s\nin memory:\n%s", got.Trace, want.Trace)
			}
			if got.Spills < 2 || got.SpillBytes == 0 {
				t.Fatalf("spilled %d times, %d bytes: the test needs a smaller budget", got.Spills, got.SpillBytes)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Fatalf("the search left %d entries in its spill directory", len(entries))
			}
		})
	}
}

// TestSpillDirOnDemand: the spill directory is made at the first spill
// only: a search that fits its budget leaves no trace of it, one that
// spills makes it (and its parents), and one whose directory could not be
// made is refused before it starts.
func TestSpillDirOnDemand(t *testing.T) {
	chk := buildChecker(t, "repdisk", catalog.Params{layers.Blocks: 5, layers.Values: 3}, "")
	for _, tc := range []struct {
		name   string
		budget uint64
		spills bool
	}{
		{"fits", 1 << 30, false},
		{"spills", 256 << 10, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			top := filepath.Join(t.TempDir(), "top")
			res, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 2, MemoryBytes: tc.budget, Spill: filepath.Join(top, "spill")})
			if err != nil {
				t.Fatal(err)
			}
			if res.Verdict != explorer.Verified || (res.Spills > 0) != tc.spills {
				t.Fatalf("%s after %d spills", res.Verdict, res.Spills)
			}
			entries, err := os.ReadDir(filepath.Join(top, "spill"))
			switch {
			case !tc.spills && !errors.Is(err, fs.ErrNotExist):
				t.Errorf("a search that did not spill made %s", top)
			case tc.spills && (err != nil || len(entries) != 0):
				t.Errorf("a search that spilled left %d entries in its directory: %v", len(entries), err)
			}
		})
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 2, Spill: filepath.Join(file, "spill")}); !errors.Is(err, explorer.ErrInvalid) {
		t.Errorf("a spill directory under a file: %v, want ErrInvalid", err)
	}
}

// TestSpilledSearchResumes: a spilling search cancelled in the middle of a
// part, resumed from its checkpoint, spills again and reaches the counts
// of a search in memory.
func TestSpilledSearchResumes(t *testing.T) {
	chk := buildChecker(t, "repdisk", catalog.Params{layers.Blocks: 6, layers.Values: 3}, "")
	want, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	points := []int64{9000, 20000, 30000}
	if testing.Short() {
		points = points[1:2]
	}
	for _, at := range points {
		ctx, cancel := context.WithCancel(context.Background())
		var after atomic.Int64
		after.Store(at)
		cp := &memCheckpoint{}
		cfg := explorer.Config{Workers: 2, MemoryBytes: 256 << 10, Spill: t.TempDir(), CheckpointInterval: time.Hour, Checkpoint: cp}
		res, err := explorer.Run(ctx, cancelling(chk, cancel, &after), cfg)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if res.Verdict != explorer.Incomplete || res.Spills == 0 {
			t.Fatalf("cancelled at expansion %d: %s after %d spills, want incomplete after spilling", at, res.Verdict, res.Spills)
		}
		got, err := explorer.Resume(context.Background(), chk, cfg, cp.saved())
		if err != nil {
			t.Fatal(err)
		}
		if got.Verdict != want.Verdict || got.States != want.States || got.Transitions != want.Transitions || got.Spills == 0 {
			t.Fatalf("resumed from expansion %d: %s (%s) states=%d transitions=%d spills=%d; in memory: %s %d %d",
				at, got.Verdict, got.Stopped, got.States, got.Transitions, got.Spills, want.Verdict, want.States, want.Transitions)
		}
	}
}

// TestSpilledPartsStayLarge: with the default part and batch sizes, a
// search that spills many times verifies with the counts of a search in
// memory, and its parts average several batches of frontier states, as
// the budget allows: parts do not dwindle to a batch each after a spill
// (the workers would wait at a barrier after every batch).
func TestSpilledPartsStayLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("a search of 319,488 states")
	}
	chk := buildChecker(t, "repdisk", catalog.Params{layers.Blocks: 6, layers.Values: 4}, "")
	want, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, budget := range []uint64{1 << 20, 4 << 20} {
		cp := &memCheckpoint{}
		got, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 2, MemoryBytes: budget, Spill: t.TempDir(), Checkpoint: cp, CheckpointInterval: time.Nanosecond})
		if err != nil {
			t.Fatal(err)
		}
		if got.Verdict != want.Verdict || got.States != want.States || got.Transitions != want.Transitions || got.Spills < 2 {
			t.Fatalf("budget %d: %s (%s) states=%d transitions=%d spills=%d; in memory: %s %d %d",
				budget, got.Verdict, got.Stopped, got.States, got.Transitions, got.Spills, want.Verdict, want.States, want.Transitions)
		}
		if perPart := got.States / uint64(len(cp.parts)); perPart < 4*explorer.DefaultBatchSize {
			t.Fatalf("budget %d: %d parts, %d frontier states a part on average, want at least %d", budget, len(cp.parts), perPart, 4*explorer.DefaultBatchSize)
		}
	}
}

// TestSpillSweepsKilledSearches: a search that spills removes from its
// spill directory the spill directories no running search holds (those a
// killed search left), and keeps one a running search holds and anything
// else there.
func TestSpillSweepsKilledSearches(t *testing.T) {
	if !dirlock.Supported {
		t.Skip("no directory locks on this system: nothing is swept")
	}
	chk := buildChecker(t, "repdisk", catalog.Params{layers.Blocks: 5, layers.Values: 3}, "")
	dir := t.TempDir()
	for _, d := range []string{"argocheck-spill-killed", "argocheck-spill-running", "other"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, d, "parents"), []byte("records"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "argocheck-spill-file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	running, err := dirlock.TryLock(filepath.Join(dir, "argocheck-spill-running"))
	if running == nil {
		t.Fatalf("locking the running search's directory: %v", err)
	}
	defer running.Release()
	res, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 2, MemoryBytes: 256 << 10, Spill: dir})
	if err != nil {
		t.Fatal(err)
	}
	if res.Spills == 0 {
		t.Fatal("the search did not spill: the test needs a smaller budget")
	}
	var left []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if want := []string{"argocheck-spill-file", "argocheck-spill-running", "other"}; !slices.Equal(left, want) {
		t.Fatalf("the spill directory holds %q after the search, want %q", left, want)
	}
}

// sliceLoader hands a checkpoint's slices out as a statestore.Loader, at
// most step states a call; extra states more are counted than it holds,
// and err is returned once the states are handed out.
type sliceLoader struct {
	sv    *statestore.Saved
	step  int
	extra uint64
	err   error
}

func (l *sliceLoader) Counts() (uint64, int, int) {
	return uint64(len(l.sv.Parents)) + l.extra, len(l.sv.Frontier), len(l.sv.Next)
}

func (l *sliceLoader) States(fn func(keys, parents []uint64) error) error {
	for i := 0; i < len(l.sv.Keys); i += l.step {
		j := min(i+l.step, len(l.sv.Keys))
		if err := fn(l.sv.Keys[i:j], l.sv.Parents[i:j]); err != nil {
			return err
		}
	}
	return l.err
}

func (l *sliceLoader) Nodes(fn func(next bool, node []byte) error) error {
	return l.sv.EachNode(fn)
}

// TestSpilledResumeLoads: a spilling search resumed from a Loader, which
// hands out its states in pieces that batches of the sorted file do not
// line up with, merges them in several batches and reaches the counts of
// a search in memory; a Loader that holds fewer states than it counts, or
// fails, is refused with its error.
func TestSpilledResumeLoads(t *testing.T) {
	defer explorer.SetRestoreBatchMin(1)()
	chk := buildChecker(t, "repdisk", catalog.Params{layers.Blocks: 6, layers.Values: 3}, "")
	want, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var after atomic.Int64
	after.Store(20000)
	cp := &memCheckpoint{}
	cfg := explorer.Config{Workers: 2, MemoryBytes: 256 << 10, Spill: t.TempDir(), CheckpointInterval: time.Hour, Checkpoint: cp}
	if _, err := explorer.Run(ctx, cancelling(chk, cancel, &after), cfg); err != nil {
		t.Fatal(err)
	}
	cancel()
	sv := cp.saved()
	// Batches of 16,384 keys, half the budget: at least two.
	if len(sv.Keys) <= 16384 {
		t.Fatalf("%d states saved: the test needs more than one batch", len(sv.Keys))
	}
	from := *sv
	from.Keys, from.Parents, from.Frontier, from.Next = nil, nil, nil, nil
	from.Loader = &sliceLoader{sv: sv, step: 777}
	cfg.Checkpoint = nil
	cfg.MaxStates = uint64(len(sv.Keys)) // loads, then stops
	got, err := explorer.Resume(context.Background(), chk, cfg, &from)
	if err != nil {
		t.Fatal(err)
	}
	if loaded := (len(sv.Keys) + 16383) / 16384; got.Spills != loaded {
		t.Fatalf("loading %d states spilled %d times, want %d", len(sv.Keys), got.Spills, loaded)
	}
	cfg.MaxStates = 0
	if got, err = explorer.Resume(context.Background(), chk, cfg, &from); err != nil {
		t.Fatal(err)
	}
	if got.Verdict != want.Verdict || got.States != want.States || got.Transitions != want.Transitions || got.Depth != want.Depth {
		t.Fatalf("resumed: %s (%s) states=%d transitions=%d depth %d; in memory: %s %d %d depth %d",
			got.Verdict, got.Stopped, got.States, got.Transitions, got.Depth, want.Verdict, want.States, want.Transitions, want.Depth)
	}

	from.Loader = &sliceLoader{sv: sv, step: 777, extra: 1}
	if _, err := explorer.Resume(context.Background(), chk, cfg, &from); err == nil || !strings.Contains(err.Error(), "resume: checkpoint loaded") {
		t.Errorf("a Loader one state short: %v, want it refused", err)
	}
	bad := errors.New("a record does not read")
	from.Loader = &sliceLoader{sv: sv, step: 777, err: bad}
	if _, err := explorer.Resume(context.Background(), chk, cfg, &from); !errors.Is(err, bad) {
		t.Errorf("a Loader that fails: %v, want its error", err)
	}
}
