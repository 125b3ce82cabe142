package explorer_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/model"
)

// fataler is what the helpers need of testing.TB and rapid.T.
type fataler interface {
	Helper()
	Fatal(args ...any)
}

func build(t fataler, system string, blocks, values int, variant string) model.Checker {
	t.Helper()
	chk, err := layers.Build(system, catalog.Params{layers.Blocks: blocks, layers.Values: values}, variant)
	if err != nil {
		t.Fatal(err)
	}
	return chk
}

// TestProgressBarriers: whatever the batch size, the number of workers and
// the moments the ticker fires, Progress is called once at the barrier
// that starts each level, with that barrier's exact figures; the ticker's
// calls in between report the level in progress, with figures that only
// grow and stay within what that level adds; and no call follows Run's
// return.
func TestProgressBarriers(t *testing.T) {
	chk := build(t, "repdisk", 3, 2, "")
	full, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 1})
	if err != nil || full.Verdict != explorer.Verified {
		t.Fatalf("%v %v", full, err)
	}
	// known[d] and edges[d] are the states and transitions known at the
	// barrier of level d: the initial states and no transitions at level
	// 0, a search stopped there by MaxDepth after that, and the whole
	// search's figures past the deepest level.
	known := make([]uint64, full.Depth+2)
	edges := make([]uint64, full.Depth+2)
	inits, v := chk.NewWorker(model.Options{}).Initial()
	if v != nil {
		t.Fatal(v)
	}
	known[0] = uint64(len(inits))
	for d := 1; d <= full.Depth; d++ {
		res, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 1, MaxDepth: d})
		if err != nil {
			t.Fatal(err)
		}
		known[d], edges[d] = res.States, res.Transitions
	}
	known[full.Depth+1], edges[full.Depth+1] = full.States, full.Transitions
	for _, workers := range []int{1, 2, 3} {
		for _, batch := range []int{1, 2, 7, 256} {
			t.Run(fmt.Sprintf("workers=%d/batch=%d", workers, batch), func(t *testing.T) {
				var returned atomic.Bool
				var calls []explorer.Progress
				cfg := explorer.Config{Workers: workers, BatchSize: batch, ProgressInterval: time.Microsecond, Progress: func(p explorer.Progress) {
					if returned.Load() {
						t.Error("Progress called after Run returned")
					}
					calls = append(calls, p)
				}}
				res, err := explorer.Run(context.Background(), chk, cfg)
				returned.Store(true)
				if err != nil {
					t.Fatal(err)
				}
				if res.Verdict != explorer.Verified || res.States != full.States || res.Transitions != full.Transitions {
					t.Fatalf("%s with %d states, %d transitions; want %s with %d, %d",
						res.Verdict, res.States, res.Transitions, full.Verdict, full.States, full.Transitions)
				}
				checkProgress(t, calls, known, edges)
			})
		}
	}
}

// checkProgress checks a search's Progress calls, in the order they came,
// against the states and transitions known at each level's barrier.
func checkProgress(t *testing.T, calls []explorer.Progress, known, edges []uint64) {
	t.Helper()
	barriers := 0
	for i, p := range calls {
		if p.Barrier {
			if p.Level != barriers {
				t.Fatalf("call %d of %d, %+v: barrier call %d is not level %d's", i+1, len(calls), p, barriers+1, barriers)
			}
			barriers++
		}
		if msg := progressError(p, barriers-1, known, edges); msg != "" {
			t.Fatalf("call %d of %d, %+v: %s", i+1, len(calls), p, msg)
		}
		if i > 0 && p.Level == calls[i-1].Level && (p.States < calls[i-1].States || p.Transitions < calls[i-1].Transitions) {
			t.Fatalf("call %d of %d, %+v: figures went down from %+v", i+1, len(calls), p, calls[i-1])
		}
		if i > 0 && p.Elapsed < calls[i-1].Elapsed {
			t.Fatalf("call %d of %d: elapsed went down from %v to %v", i+1, len(calls), calls[i-1].Elapsed, p.Elapsed)
		}
	}
	if barriers != len(known)-1 {
		t.Fatalf("%d barrier calls, want one per level (%d)", barriers, len(known)-1)
	}
	// The deepest level adds no state: its barrier knows them all.
	if last := len(known) - 1; known[last-1] != known[last] {
		t.Errorf("the last barrier call has %d states, the result %d", known[last-1], known[last])
	}
}

// progressError says what is wrong with one Progress call that follows
// the barrier call of level l, or "" when nothing is.
func progressError(p explorer.Progress, l int, known, edges []uint64) string {
	if l < 0 || p.Level != l {
		return fmt.Sprintf("level %d after the barrier call of level %d", p.Level, l)
	}
	frontier := known[l]
	if l > 0 {
		frontier -= known[l-1]
	}
	switch {
	case uint64(p.Frontier) != frontier:
		return fmt.Sprintf("frontier %d, want %d", p.Frontier, frontier)
	case p.Barrier && (p.States != known[l] || p.Transitions != edges[l]):
		return fmt.Sprintf("barrier with %d states, %d transitions; want %d, %d", p.States, p.Transitions, known[l], edges[l])
	case p.Transitions < edges[l] || p.Transitions > edges[l+1]:
		return fmt.Sprintf("transitions outside the level's %d to %d", edges[l], edges[l+1])
	case p.States < known[l] || p.States-known[l] > p.Transitions-edges[l]:
		return fmt.Sprintf("states not between the %d known at the barrier and one more per transition since", known[l])
	case p.HeapBytes == 0 || p.Violations != 0:
		return "no heap or a violation"
	}
	return ""
}

// TestContinueDeterministic: the violations found with Continue, and
// their paths, do not depend on the number of workers or the batch size.
func TestContinueDeterministic(t *testing.T) {
	variants := []string{"no-recovery", "write-d0-only", "read-no-fallback", "recover-block0-only"}
	want := map[string]string{}
	for _, v := range variants {
		want[v] = violations(t, build(t, "repdisk", 3, 2, v), explorer.Config{Workers: 1, Continue: 6})
	}
	rapid.Check(t, func(rt *rapid.T) {
		v := rapid.SampledFrom(variants).Draw(rt, "variant")
		cfg := explorer.Config{
			Workers:   rapid.IntRange(1, 6).Draw(rt, "workers"),
			BatchSize: rapid.IntRange(1, 300).Draw(rt, "batch"),
			Continue:  6,
		}
		if got := violations(rt, build(rt, "repdisk", 3, 2, v), cfg); got != want[v] {
			rt.Fatalf("%s with %+v:\n%s\nwant\n%s", v, cfg, got, want[v])
		}
	})
}

func violations(t fataler, chk model.Checker, cfg explorer.Config) string {
	res, err := explorer.Run(context.Background(), chk, cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := fmt.Sprintf("%s states=%d stopped=%q\n", res.Verdict, res.States, res.Stopped)
	for _, ce := range res.Violations {
		s += fmt.Sprintf("%s op=%q crash=%d\n%s", ce.Violation.Kind, ce.Op, ce.CrashAfter, ce.Trace)
	}
	return s
}

// TestContinue pins the distinct violations of each broken repdisk
// variant and shows that a search that finds fewer than Continue of them
// runs to closure.
func TestContinue(t *testing.T) {
	for _, tc := range []struct {
		variant string
		found   int
		states  uint64 // states when the search ends
		lengths []int  // shortest path length of each violation
	}{
		{"no-recovery", 6, 144, []int{2, 2, 2, 3, 3, 3}},
		// Writing 1 fails at once, from the initial state; writing 0 fails
		// once a crash and recovery have put a 1 on both disks.
		{"write-d0-only", 6, 144, []int{1, 1, 1, 3, 3, 3}},
		{"read-no-fallback", 3, 144, []int{2, 2, 2}},
		{"recover-block0-only", 4, 144, []int{2, 2, 3, 3}},
	} {
		res, err := explorer.Run(context.Background(), build(t, "repdisk", 3, 2, tc.variant), explorer.Config{Workers: 2, Continue: 50})
		if err != nil {
			t.Fatal(err)
		}
		if res.Verdict != explorer.Violated || len(res.Violations) != tc.found || res.States != tc.states || res.Stopped != "" {
			t.Errorf("%s: %s with %d violations, %d states, stopped %q; want %d violations, %d states",
				tc.variant, res.Verdict, len(res.Violations), res.States, res.Stopped, tc.found, tc.states)
			continue
		}
		if res.Violation != res.Violations[0].Violation || res.Trace != res.Violations[0].Trace {
			t.Errorf("%s: Violation and Trace are not the first counterexample", tc.variant)
		}
		for i, ce := range res.Violations {
			if ce.Trace.Len() != tc.lengths[i] || ce.Trace.Steps[len(ce.Trace.Steps)-1].Violation == nil {
				t.Errorf("%s violation %d: path of %d steps, want %d ending in the violation", tc.variant, i, ce.Trace.Len(), tc.lengths[i])
			}
		}
	}
}

// TestContinueStopsRebuildingPaths: a search continuing past violations
// that is cancelled while it rebuilds their paths stops there, with the
// counterexamples rebuilt so far, instead of rebuilding every violation of
// the part first.
func TestContinueStopsRebuildingPaths(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	chk := &cancelOnReplay{Checker: build(t, "repdisk", 3, 2, "write-d0-only"), cancel: cancel}
	res, err := explorer.Run(ctx, chk, explorer.Config{Workers: 2, Continue: 50})
	if err != nil {
		t.Fatal(err)
	}
	// Uncancelled, the first part alone holds three (see TestContinue).
	if res.Verdict != explorer.Violated || len(res.Violations) != 1 || res.Stopped != "cancelled" {
		t.Errorf("%s with %d violations, stopped %q; want the first violation, then cancelled", res.Verdict, len(res.Violations), res.Stopped)
	}
}

// TestContinueStopsRebuildingGroupedPaths: so does a search whose workers
// rebuild the paths of one state's violations together, cancelled while
// it rebuilds the first state's: it keeps the first violation, whose path
// is rebuilt, and stops.
func TestContinueStopsRebuildingGroupedPaths(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	chk := &cancelOnReplay{Checker: build(t, "repdisk", 3, 2, "write-d0-only"), cancel: cancel, edges: true}
	res, err := explorer.Run(ctx, chk, explorer.Config{Workers: 2, Continue: 50})
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != explorer.Violated || len(res.Violations) != 1 || res.Stopped != "cancelled" {
		t.Errorf("%s with %d violations, stopped %q; want the first violation, then cancelled", res.Verdict, len(res.Violations), res.Stopped)
	}
}

// cancelOnReplay is a checker whose workers cancel the search when they
// first replay an edge, which only the rebuilding of a path does; with
// edges, they are model.EdgesReplayers.
type cancelOnReplay struct {
	model.Checker
	cancel func()
	edges  bool
}

func (c *cancelOnReplay) NewWorker(o model.Options) model.Worker {
	w := &replayCanceller{Worker: c.Checker.NewWorker(o), cancel: c.cancel}
	if c.edges {
		return edgesCanceller{w}
	}
	return w
}

// edgesCanceller is a replayCanceller that replays several edges at once.
type edgesCanceller struct{ *replayCanceller }

func (w edgesCanceller) ReplayEdges(node []byte, edges []uint32) []model.Step {
	w.cancel()
	return w.Worker.(model.EdgesReplayer).ReplayEdges(node, edges)
}

type replayCanceller struct {
	model.Worker
	cancel func()
}

func (w *replayCanceller) Replay(node []byte, edge uint32) (model.Step, []byte) {
	w.cancel()
	return w.Worker.Replay(node, edge)
}

// TestStopReason: a context's cause names the bound in Result.Stopped.
func TestStopReason(t *testing.T) {
	chk := build(t, "repdisk", 3, 2, "")
	expired, cancel := context.WithTimeoutCause(context.Background(), -time.Second, errors.New("time limit 5s reached"))
	defer cancel()
	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	for _, tc := range []struct {
		ctx  context.Context
		want string
	}{{expired, "time limit 5s reached"}, {cancelled, "cancelled"}} {
		res, err := explorer.Run(tc.ctx, chk, explorer.Config{Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		if res.Verdict != explorer.Incomplete || res.Stopped != tc.want || res.States != 1 {
			t.Errorf("%s %q with %d states, want incomplete %q with the initial state", res.Verdict, res.Stopped, res.States, tc.want)
		}
	}
}

// BenchmarkProgress measures what the progress hooks cost a search.
func BenchmarkProgress(b *testing.B) {
	chk := build(b, "repdisk", 4, 3, "")
	for _, on := range []bool{false, true} {
		b.Run(fmt.Sprintf("progress=%v", on), func(b *testing.B) {
			cfg := explorer.Config{Workers: 2}
			if on {
				cfg.Progress = func(explorer.Progress) {}
				cfg.ProgressInterval = time.Millisecond
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := explorer.Run(context.Background(), chk, cfg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
