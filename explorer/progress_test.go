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

// TestProgressBarriers: Progress is called at every level barrier with the
// exact figures of the finished levels, and never after Run returns.
func TestProgressBarriers(t *testing.T) {
	chk := build(t, "repdisk", 3, 2, "")
	var returned atomic.Bool
	var barriers []explorer.Progress
	var last uint64
	cfg := explorer.Config{Workers: 2, ProgressInterval: time.Microsecond, Progress: func(p explorer.Progress) {
		if returned.Load() {
			t.Error("Progress called after Run returned")
		}
		if p.States < last {
			t.Errorf("states went down from %d to %d", last, p.States)
		}
		last = p.States
		if p.Barrier {
			barriers = append(barriers, p)
		}
	}}
	res, err := explorer.Run(context.Background(), chk, cfg)
	returned.Store(true)
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != explorer.Verified || len(barriers) != res.Depth+1 {
		t.Fatalf("verdict %s depth %d, %d barrier calls", res.Verdict, res.Depth, len(barriers))
	}
	// Level sizes of repdisk 3x2: 1, 32, 66, 39, 6 (144 states).
	frontiers := []int{1, 32, 66, 39, 6}
	var states uint64
	for i, p := range barriers {
		states += uint64(p.Frontier)
		if p.Level != i || p.Frontier != frontiers[i] || p.States != states || p.HeapBytes == 0 {
			t.Errorf("barrier %d: %+v, want level %d frontier %d states %d", i, p, i, frontiers[i], states)
		}
	}
	if states != res.States {
		t.Errorf("levels add up to %d states, result has %d", states, res.States)
	}
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
