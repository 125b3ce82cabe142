package explorer

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/layers/replicated"
	"github.com/argocheck/argocheck/layers/twodisk"
	"github.com/argocheck/argocheck/model"
)

// failingRecovery is a replicated disk of one block whose recovery reads
// d0 reads times, then writes 1 to d0: every run in which d1 has not
// failed before the write ends related to no allowed state, so each
// Recovering node has about reads failing runs, and as many violations
// at its edges.
func failingRecovery(reads int) model.Checker {
	sizes := disk.Sizes{Blocks: 1, Values: 2}
	return model.NewSystem(twodisk.Layer(sizes), onedisk.Layer(sizes),
		func(d twodisk.API) model.Instance[onedisk.API] {
			return model.Instance[onedisk.API]{API: mirror{d}, Recover: func() {
				for range reads {
					d.Read(twodisk.D0, 0)
				}
				d.Write(twodisk.D0, 0, 1)
			}}
		}, replicated.Abs)
}

// mirror writes both disks and reads d0.
type mirror struct{ d twodisk.API }

func (m mirror) Read(a disk.Addr) disk.Block {
	b, _ := m.d.Read(twodisk.D0, a)
	return b
}
func (m mirror) Write(a disk.Addr, b disk.Block) {
	m.d.Write(twodisk.D0, a, b)
	m.d.Write(twodisk.D1, a, b)
}
func (m mirror) Size() int { n, _ := m.d.Size(twodisk.D0); return n }

// perEdge is a checker whose workers are not model.EdgesReplayers: a path
// builder replays their expansions up to each edge on its own.
type perEdge struct{ model.Checker }

func (c perEdge) NewWorker(o model.Options) model.Worker {
	return struct{ model.Worker }{c.Checker.NewWorker(o)}
}

// continued runs a search of chk with cfg, its paths rebuilt violation by
// violation, each through its own replay of its node's expansion, when
// perViolation is set, and describes its result: the figures, and every
// counterexample with its episode, edge and path.
func continued(t *testing.T, chk model.Checker, cfg Config, perViolation bool) string {
	t.Helper()
	if perViolation {
		chk = perEdge{chk}
		groupPaths = false
		defer func() { groupPaths = true }()
	}
	res, err := Run(context.Background(), chk, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s states=%d transitions=%d crash_points=%d depth=%d stopped=%q\n",
		res.Verdict, res.States, res.Transitions, res.CrashPoints, res.Depth, res.Stopped)
	for i, ce := range res.Violations {
		fmt.Fprintf(&b, "%d. %s: %s (at %q) op=%q crash=%d edge=%x\n%s", i, ce.Violation.Kind, ce.Violation.Message,
			ce.Violation.Where, ce.Op, ce.CrashAfter, ce.edge, ce.Trace)
	}
	if len(res.Violations) > 0 && (res.Violation != res.Violations[0].Violation || res.Trace != res.Violations[0].Trace) {
		b.WriteString("Violation and Trace are not the first counterexample\n")
	}
	return b.String()
}

// TestContinueGroupedPaths: rebuilding the paths of the violations found
// at one state together, with one replay of its expansion, finds the
// counterexamples that rebuilding each on its own finds, in the same
// order, with the same paths and figures, on broken catalogue systems
// and on one whose recoveries fail in many runs, for any number of
// workers and part size.
func TestContinueGroupedPaths(t *testing.T) {
	type system struct {
		name string
		chk  model.Checker
	}
	var systems []system
	for _, c := range []struct {
		system  string
		params  catalog.Params
		variant string
	}{
		{"repdisk", catalog.Params{layers.Blocks: 3, layers.Values: 2}, "no-recovery"},
		{"repdisk", catalog.Params{layers.Blocks: 3, layers.Values: 2}, "write-d0-only"},
		{"repdisk", catalog.Params{layers.Blocks: 3, layers.Values: 2}, "read-no-fallback"},
		{"repdisk", catalog.Params{layers.Blocks: 3, layers.Values: 2}, "recover-block0-only"},
		{"log", catalog.Params{layers.Blocks: 2, layers.Values: 2}, "no-recovery"},
		{"log", catalog.Params{layers.Blocks: 2, layers.Values: 2}, "apply-backwards"},
		{"log", catalog.Params{layers.Blocks: 2, layers.Values: 2}, "recovery-clears-header-first"},
		{"log/async", catalog.Params{layers.Blocks: 1, layers.Values: 2}, "no-flush"},
	} {
		if _, err := layers.Lookup(c.system); err != nil {
			t.Fatal(err)
		}
		systems = append(systems, system{c.system + ":" + c.variant, mustBuild(t, c.system, c.params, c.variant)})
	}
	systems = append(systems, system{"failing recovery", failingRecovery(20)})
	for _, sys := range systems {
		for _, cfg := range []Config{
			{Workers: 1, Continue: 3},
			{Workers: 1, Continue: 50},
			{Workers: 2, Continue: 50, BatchSize: 3, PartSize: 6},
			{Workers: 3, Continue: 4, Determinism: model.DeterminismFull},
		} {
			if testing.Short() && cfg.Workers == 1 && strings.Contains(sys.name, "async") {
				// The race step (-race -short): one worker's searches of
				// the write-cached log take 8 s there; its concurrent
				// configurations, and every other system's four, still
				// run. Without -short all do.
				continue
			}
			want := continued(t, sys.chk, cfg, true)
			if got := continued(t, sys.chk, cfg, false); got != want {
				t.Errorf("%s with %+v: grouped\n%s\neach on its own\n%s", sys.name, cfg, got, want)
			}
		}
	}
}

// BenchmarkContinue: a search continuing past violations on a system
// whose Recovering nodes each have about a hundred failing runs, the
// paths of the violations of one state rebuilt together (grouped) or
// each on its own (per-violation, one replay of the node's expansion up
// to each).
func BenchmarkContinue(b *testing.B) {
	chk := failingRecovery(100)
	for _, perViolation := range []bool{false, true} {
		name := "grouped"
		if perViolation {
			name = "per-violation"
		}
		b.Run(name, func(b *testing.B) {
			c := chk
			if perViolation {
				c = perEdge{chk}
				groupPaths = false
				defer func() { groupPaths = true }()
			}
			for b.Loop() {
				res, err := Run(context.Background(), c, Config{Workers: 1, Continue: 100})
				if err != nil {
					b.Fatal(err)
				}
				if res.Verdict != Violated || res.Stopped != "" {
					b.Fatalf("%s, stopped %q: want violations, the graph exhausted", res.Verdict, res.Stopped)
				}
			}
		})
	}
}
