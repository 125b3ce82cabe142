package explorer_test

import (
	"context"
	"testing"
	"time"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/model"
)

// TestViolationAtCancellationIsKept: a search cancelled while a worker
// is stopped at a violation, whatever the other workers do meanwhile,
// reports that violation once every state before it is expanded, instead
// of leaving it to a resume that is cancelled the same way, with the
// counts of edges up to it of a search not cancelled.
func TestViolationAtCancellationIsKept(t *testing.T) {
	chk := buildChecker(t, "log/async", catalog.Params{layers.Blocks: 2, layers.Values: 2, layers.Log: 2}, "no-flush-after-clear")
	want, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{1, 2, 4} {
		cp := &memCheckpoint{}
		cfg := explorer.Config{Workers: workers, BatchSize: 4, CheckpointInterval: time.Hour, Checkpoint: cp}
		var res *explorer.Result
		for runs := 0; runs < 50; runs++ {
			ctx, cancel := context.WithCancel(context.Background())
			chk := cancelAtFailure(chk, cancel)
			if runs == 0 {
				res, err = explorer.Run(ctx, chk, cfg)
			} else {
				res, err = explorer.Resume(ctx, chk, cfg, cp.saved())
			}
			cancel()
			if err != nil {
				t.Fatal(err)
			}
			if res.Verdict != explorer.Incomplete {
				break
			}
		}
		if res.Verdict != want.Verdict || res.States != want.States || res.Trace.String() != want.Trace.String() {
			t.Errorf("%d workers: %s with %d states after 50 runs at most, path\n%s\nuninterrupted: %s with %d states, path\n%s",
				workers, res.Verdict, res.States, res.Trace, want.Verdict, want.States, want.Trace)
		}
		if res.Transitions != want.Transitions || res.CrashPoints != want.CrashPoints {
			t.Errorf("%d workers: %d transitions and %d crash points up to the violation, uninterrupted %d and %d",
				workers, res.Transitions, res.CrashPoints, want.Transitions, want.CrashPoints)
		}
	}
}

// expandHook is a Checker whose workers pass each node and emitter to
// before, then expand the node with the emitter it returns, or not at
// all when it returns nil.
type expandHook struct {
	model.Checker
	before func(node []byte, e model.Emitter) model.Emitter
}

func (c expandHook) NewWorker(o model.Options) model.Worker {
	return expandHookWorker{c.Checker.NewWorker(o), c.before}
}

type expandHookWorker struct {
	model.Worker
	before func(node []byte, e model.Emitter) model.Emitter
}

func (w expandHookWorker) Expand(node []byte, e model.Emitter) {
	if e = w.before(node, e); e != nil {
		w.Worker.Expand(node, e)
	}
}

// cancelAtFailure cancels the search when a check fails, and holds the
// failing worker a little, as a time limit that fires while the other
// workers go on.
func cancelAtFailure(chk model.Checker, cancel func()) model.Checker {
	return expandHook{chk, func(_ []byte, e model.Emitter) model.Emitter {
		return cancellingEmitter{e.(model.Repeater), cancel}
	}}
}

type cancellingEmitter struct {
	model.Repeater
	cancel func()
}

func (e cancellingEmitter) Fail(v *model.Violation) bool {
	e.cancel()
	time.Sleep(20 * time.Millisecond)
	return e.Repeater.Fail(v)
}

// TestContinueCancelledInLastLevel: a search continuing past violations,
// cancelled while it rebuilds the paths of violations found in the last
// level, never says verified: it stops, cancelled.
func TestContinueCancelledInLastLevel(t *testing.T) {
	chk := buildChecker(t, "repdisk", catalog.Params{layers.Blocks: 3, layers.Values: 2}, "")
	last := explorer.DeepestLevel(chk)
	for _, workers := range []int{1, 3} {
		cfg := explorer.Config{Workers: workers, Continue: 5}
		ref, err := explorer.Run(context.Background(), failInLevel(chk, last, func() {}), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if ref.Verdict != explorer.Violated {
			t.Fatalf("uncancelled: %s, want violation", ref.Verdict)
		}
		ctx, cancel := context.WithCancel(context.Background())
		res, err := explorer.Run(ctx, failInLevel(chk, last, cancel), cfg)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if res.Verdict == explorer.Verified || res.Stopped != "cancelled" {
			t.Errorf("%d workers: cancelled in the last level: %s, stopped %q; want incomplete or violation, cancelled", workers, res.Verdict, res.Stopped)
		}
	}
}

// failInLevel fails a check of its own at the nodes in level, cancelling
// the search there.
func failInLevel(chk model.Checker, level map[string]bool, cancel func()) model.Checker {
	return expandHook{chk, func(node []byte, e model.Emitter) model.Emitter {
		if level[string(node)] {
			cancel()
			if e.Fail(&model.Violation{Kind: "injected", Message: "a check of the test fails"}) {
				return nil
			}
		}
		return e
	}}
}
