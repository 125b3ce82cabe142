package explorer_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
)

// TestMemoryBudgetStops: a search without Spill whose visited set would
// outgrow the memory budget at a barrier stops there, incomplete, with the
// states before that part; resumed from its checkpoint with memory enough,
// it ends as a search never stopped, with the same counts.
func TestMemoryBudgetStops(t *testing.T) {
	chk := buildChecker(t, "repdisk", catalog.Params{layers.Blocks: 4, layers.Values: 3}, "")
	want, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, budget := range []uint64{56 << 10, 64 << 10, 80 << 10} {
		cp := &memCheckpoint{}
		cfg := explorer.Config{Workers: 2, BatchSize: 16, PartSize: 64, MemoryBytes: budget, Checkpoint: cp, CheckpointInterval: time.Hour}
		res, err := explorer.Run(context.Background(), chk, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if res.Verdict != explorer.Incomplete || res.Stopped != fmt.Sprintf("memory budget of %d bytes reached", budget) || res.States >= want.States {
			t.Fatalf("budget of %d bytes: %s (%q) with %d states; want incomplete, the memory budget reached, before the %d states",
				budget, res.Verdict, res.Stopped, res.States, want.States)
		}
		cfg.MemoryBytes = 0
		got, err := explorer.Resume(context.Background(), chk, cfg, cp.saved())
		if err != nil {
			t.Fatal(err)
		}
		if got.Verdict != want.Verdict || got.States != want.States || got.Transitions != want.Transitions || got.CrashPoints != want.CrashPoints || got.Depth != want.Depth {
			t.Fatalf("budget of %d bytes, resumed: %s with %d states, %d transitions, %d crash points, depth %d; never stopped: %s with %d, %d, %d, %d",
				budget, got.Verdict, got.States, got.Transitions, got.CrashPoints, got.Depth, want.Verdict, want.States, want.Transitions, want.CrashPoints, want.Depth)
		}
	}
}

// TestMemoryBudgetOfOneByte: the reason a search stopped at a budget of
// one byte says "1 byte".
func TestMemoryBudgetOfOneByte(t *testing.T) {
	chk := buildChecker(t, "repdisk", catalog.Params{layers.Blocks: 3, layers.Values: 2}, "")
	res, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 1, MemoryBytes: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != explorer.Incomplete || res.Stopped != "memory budget of 1 byte reached" {
		t.Fatalf("budget of 1 byte: %s (%q); want incomplete, \"memory budget of 1 byte reached\"", res.Verdict, res.Stopped)
	}
}

// TestCancelledAtMemoryBudget: a search cancelled in the middle of a part,
// whose finished units would pass the memory budget at their barrier,
// commits nothing of that part; resumed from its checkpoint with memory
// enough, it ends as a search never stopped.
func TestCancelledAtMemoryBudget(t *testing.T) {
	chk := buildChecker(t, "repdisk", catalog.Params{layers.Blocks: 4, layers.Values: 3}, "")
	want, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	for after := int64(200); after < 1200; after += 50 {
		ctx, cancel := context.WithCancel(context.Background())
		var n atomic.Int64
		n.Store(after)
		cp := &memCheckpoint{}
		cfg := explorer.Config{Workers: 1, BatchSize: 16, PartSize: 512, MemoryBytes: 56 << 10, Checkpoint: cp, CheckpointInterval: time.Hour}
		res, err := explorer.Run(ctx, cancelling(chk, cancel, &n), cfg)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if res.Verdict != explorer.Incomplete {
			t.Fatalf("cancelled at expansion %d: %s, want incomplete", after, res.Verdict)
		}
		cfg.MemoryBytes = 0
		got, err := explorer.Resume(context.Background(), chk, cfg, cp.saved())
		if err != nil {
			t.Fatal(err)
		}
		if got.Verdict != want.Verdict || got.States != want.States || got.Transitions != want.Transitions || got.CrashPoints != want.CrashPoints {
			t.Fatalf("cancelled at expansion %d (%q), resumed: %s with %d states, %d transitions, %d crash points; never stopped: %s with %d, %d, %d",
				after, res.Stopped, got.Verdict, got.States, got.Transitions, got.CrashPoints, want.Verdict, want.States, want.Transitions, want.CrashPoints)
		}
	}
}
