package explorer

import (
	"context"
	"fmt"
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/internal/systemtest"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/model"
)

func mustBuild(t testing.TB, system string, p catalog.Params, variant string) model.Checker {
	t.Helper()
	return systemtest.Build(t, system, p, variant)
}

func check(t testing.TB, system string, p catalog.Params, variant string, cfg Config) *Result {
	t.Helper()
	res, err := Run(context.Background(), mustBuild(t, system, p, variant), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// repdiskCounts pins the size of the replicated disk's state graph.
//
// Why these numbers are plausible, for one value (every block always 0):
// the Idle nodes are the three disk statuses (both working, only d0, only
// d1), each with the all-zero disk, and the Recovering nodes are the same
// three lower states with the allowed set {0...0}: 6 states whatever the
// number of blocks, reached in one step (depth 1). With one block and two
// values there are 6 Idle nodes (3 statuses x 2 values) and 14 Recovering
// nodes: with both disks working the pair (d0, d1) takes 4 values, and
// with one disk working 2, each with the allowed sets {old, new} a crash
// during a write can leave, or {old} after a crash between operations.
// Growth is then roughly (values^blocks) x (blocks x values) for the one
// block a crash can leave different, times the allowed sets.
var repdiskCounts = []struct {
	blocks, values      int
	states, transitions uint64
	depth               int
}{
	{1, 1, 6, 87, 1},
	{1, 2, 20, 338, 2},
	{1, 3, 42, 753, 2},
	{2, 1, 6, 136, 1},
	{2, 2, 56, 1344, 3},
	{2, 3, 198, 4824, 3},
	{3, 1, 6, 185, 1},
	{3, 2, 144, 4312, 4},
	{3, 3, 810, 24111, 4},
	{4, 1, 6, 234, 1},
	{4, 2, 352, 12448, 5},
	{4, 3, 3078, 107082, 5},
}

func TestRepdiskVerifies(t *testing.T) {
	for _, tc := range repdiskCounts {
		t.Run(fmt.Sprintf("blocks=%d,values=%d", tc.blocks, tc.values), func(t *testing.T) {
			p := catalog.Params{layers.Blocks: tc.blocks, layers.Values: tc.values}
			res := check(t, "repdisk", p, "", Config{Workers: 2})
			if res.Verdict != Verified {
				t.Fatalf("verdict %s: %v\n%s", res.Verdict, res.Violation, res.Trace)
			}
			if res.States != tc.states || res.Transitions != tc.transitions || res.Depth != tc.depth {
				t.Errorf("states=%d transitions=%d depth=%d, want %d %d %d",
					res.States, res.Transitions, res.Depth, tc.states, tc.transitions, tc.depth)
			}
			// The deliberately simple search finds the same graph.
			n := runNaive(mustBuild(t, "repdisk", p, ""))
			if n.violation != nil || n.states != res.States || n.transitions != res.Transitions || n.depth != res.Depth {
				t.Errorf("naive search: %+v", n)
			}
		})
	}
}

// Counts do not depend on the number of workers, nor on keys being exact
// or fingerprints, nor on the batch size.
func TestCountsIndependentOfWorkers(t *testing.T) {
	p := catalog.Params{layers.Blocks: 4, layers.Values: 3}
	want := check(t, "repdisk", p, "", Config{Workers: 1, Exact: true})
	for _, cfg := range []Config{
		{Workers: 1},
		{Workers: 2},
		{Workers: 4},
		{Workers: 4, Exact: true},
		{Workers: 3, BatchSize: 7},
	} {
		got := check(t, "repdisk", p, "", cfg)
		if got.States != want.States || got.Transitions != want.Transitions ||
			got.CrashPoints != want.CrashPoints || got.Depth != want.Depth {
			t.Errorf("%+v: states=%d transitions=%d crashes=%d depth=%d, want %d %d %d %d", cfg,
				got.States, got.Transitions, got.CrashPoints, got.Depth,
				want.States, want.Transitions, want.CrashPoints, want.Depth)
		}
	}
}

// Every broken variant is caught, with its kind and the length of its
// shortest path; recover-copy-back is correct and verifies.
func TestRepdiskVariants(t *testing.T) {
	cases := []struct {
		variant string
		kind    string
		length  int
		crashIn model.StepKind // a step kind the path must contain
	}{
		// A crash between the writes to d0 and d1 leaves the disks
		// different, and a recovery that does nothing leaves them so.
		{"no-recovery", model.KindRecovery, 2, model.StepCrashInOp},
		// The write itself leaves d1 stale: the relation fails at once.
		{"write-d0-only", model.KindRefinement, 1, model.StepOp},
		// Write 1, then d0 fails before the read, which returns 0.
		{"read-no-fallback", model.KindRefinement, 2, model.StepOp},
		// A write to the last block interrupted before d1; recovery only
		// looks at block 0.
		{"recover-block0-only", model.KindRecovery, 2, model.StepCrashInOp},
		{"recover-copy-back", "", 0, ""},
	}
	p := catalog.Params{layers.Blocks: 3, layers.Values: 2}
	for _, tc := range cases {
		t.Run(tc.variant, func(t *testing.T) {
			for _, workers := range []int{1, 3} {
				res := check(t, "repdisk", p, tc.variant, Config{Workers: workers})
				if tc.kind == "" {
					if res.Verdict != Verified {
						t.Fatalf("verdict %s, want verified:\n%s", res.Verdict, res.Trace)
					}
					continue
				}
				if res.Verdict != Violated {
					t.Fatalf("verdict %s, want violation", res.Verdict)
				}
				if res.Violation.Kind != tc.kind || res.Trace.Len() != tc.length {
					t.Fatalf("violation %s with path of %d steps, want %s with %d:\n%s",
						res.Violation.Kind, res.Trace.Len(), tc.kind, tc.length, res.Trace)
				}
				last := res.Trace.Steps[len(res.Trace.Steps)-1]
				if last.Violation == nil || last.Violation.Kind != tc.kind {
					t.Fatalf("last step does not carry the violation:\n%s", res.Trace)
				}
				if !hasStep(res.Trace, tc.crashIn) {
					t.Fatalf("path has no %s step:\n%s", tc.crashIn, res.Trace)
				}
				// The naive search finds it at the same depth.
				if n := runNaive(mustBuild(t, "repdisk", p, tc.variant)); n.violation == nil ||
					n.violation.Kind != tc.kind || n.traceLen != tc.length {
					t.Fatalf("naive search: %+v", n)
				}
			}
		})
	}
}

func hasStep(t *model.Trace, k model.StepKind) bool {
	for _, s := range t.Steps {
		if s.Kind == k {
			return true
		}
	}
	return false
}

// The reported path is the same for any number of workers.
func TestTraceIndependentOfWorkers(t *testing.T) {
	p := catalog.Params{layers.Blocks: 4, layers.Values: 3}
	want := check(t, "repdisk", p, "recover-block0-only", Config{Workers: 1}).Trace.String()
	for _, w := range []int{2, 4, 8} {
		got := check(t, "repdisk", p, "recover-block0-only", Config{Workers: w, BatchSize: 5}).Trace.String()
		if got != want {
			t.Errorf("workers=%d: path differs:\n%s\nwant:\n%s", w, got, want)
		}
	}
}

func TestBounds(t *testing.T) {
	p := catalog.Params{layers.Blocks: 3, layers.Values: 2}
	res := check(t, "repdisk", p, "", Config{MaxDepth: 2})
	if res.Verdict != Incomplete || res.Depth != 2 {
		t.Errorf("max depth: verdict %s depth %d", res.Verdict, res.Depth)
	}
	res = check(t, "repdisk", p, "", Config{MaxStates: 50})
	if res.Verdict != Incomplete || res.States <= 50 || res.States >= 144 {
		t.Errorf("max states: verdict %s states %d", res.Verdict, res.States)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	chk, _ := layers.Build("repdisk", p, "")
	r, err := Run(ctx, chk, Config{})
	if err != nil || r.Verdict != Incomplete {
		t.Errorf("cancelled: %v %v", r, err)
	}
}

// BenchmarkRepdisk explores the largest replicated disk that takes about a
// second.
func BenchmarkRepdisk(b *testing.B) {
	p := catalog.Params{layers.Blocks: 5, layers.Values: 4}
	chk, err := layers.Build("repdisk", p, "")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var states uint64
	for b.Loop() {
		res, err := Run(context.Background(), chk, Config{})
		if err != nil || res.Verdict != Verified {
			b.Fatal(err, res.Verdict)
		}
		states = res.States
	}
	b.ReportMetric(float64(states)*float64(b.N)/b.Elapsed().Seconds(), "states/s")
}
