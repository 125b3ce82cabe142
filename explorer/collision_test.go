package explorer_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
)

// TestCollisionOnViolation: on a violation, the collision estimate counts
// every state the visited set holds, those the parts before the violating
// one found in the next level included, and not only the states reported
// (levels 0 to Depth): n(g-n)/2^64 for the n states the last committed
// part leaves, of g generated (the initial states and the transitions).
func TestCollisionOnViolation(t *testing.T) {
	chk := buildChecker(t, "repdisk", catalog.Params{layers.Blocks: 3, layers.Values: 2}, "no-recovery")
	cp := &memCheckpoint{}
	// One state a part, every part committed: the last part committed
	// is the one before the violating part, which commits nothing.
	cfg := explorer.Config{Workers: 1, BatchSize: 1, PartSize: 1, Checkpoint: cp, CheckpointInterval: time.Nanosecond}
	res, err := explorer.Run(context.Background(), chk, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != explorer.Violated {
		t.Fatalf("verdict %s, want a violation", res.Verdict)
	}
	var roots uint64
	for _, p := range cp.parts {
		if p.Level == 0 {
			roots = p.States
		}
	}
	held := cp.parts[len(cp.parts)-1].States
	if held <= res.States {
		t.Fatalf("the visited set holds %d states, the result reports %d: no state of the next level was found before the violation", held, res.States)
	}
	g := roots + res.Transitions
	want := math.Min(1, float64(held)*float64(g-held)/math.Exp2(64))
	if res.Collision != want {
		t.Errorf("collision probability %g, want %g for %d states held of %d generated (not %g for the %d reported)",
			res.Collision, want, held, g, float64(res.States)*float64(g-res.States)/math.Exp2(64), res.States)
	}
}
