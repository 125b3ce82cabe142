package relations_test

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/layers/replicated"
	"github.com/argocheck/argocheck/layers/twodisk"
	"github.com/argocheck/argocheck/model"
	"github.com/argocheck/argocheck/relations"
)

// large adds the bigger configuration of every system to the comparison
// (minutes for the log systems).
var large = flag.Bool("oracle.large", false, "compare the oracle and the explorer on every system with one block more")

// cached are the systems on disks with write caches: a crash there may
// leave any combination of the cached blocks, so a configuration has
// hundreds of times the runs of the synchronous system's, and one block
// more takes the oracle seconds. They are compared at their first
// configuration only (without -oracle.large), the stack of the log on the
// replicated disk with a log of one entry.
var cached = map[string]catalog.Params{
	"log/async":         nil,
	"repdisk/async":     nil,
	"log/async-repdisk": {layers.Log: 1},
}

// smallParams returns the configurations of sys the oracle is compared on:
// every parameter at its default or 2, whichever is smaller (within its
// range; for the cached systems, with their own changes); and once more
// with one block more when that first configuration has under 100
// reachable lower states (the replicated disk) and is not cached, or with
// -oracle.large, and not with -short.
func smallParams(t *testing.T, sys *catalog.System) []catalog.Params {
	p := sys.Defaults()
	for _, q := range sys.Params {
		v := min(max(min(q.Default, 2), q.Min), q.Max)
		switch q.Name {
		case "blocks":
			p[layers.Blocks] = v
		case "values":
			p[layers.Values] = v
		case "log":
			p[layers.Log] = v
		}
	}
	changes, isCached := cached[sys.Name]
	for name, v := range changes {
		p[name] = v
	}
	out := []catalog.Params{p}
	bigger := p
	bigger = bigger.With(layers.Blocks, bigger[layers.Blocks]+1)
	if testing.Short() || sys.Validate(bigger, "") != nil || isCached && !*large {
		return out
	}
	if !*large {
		chk, err := layers.Build(sys.Name, p, "")
		if err != nil {
			t.Fatal(err)
		}
		sem, _ := model.SemanticsOf(chk)
		if relations.Check(sem, relations.Options{}).States >= 100 {
			return out
		}
	}
	return append(out, bigger)
}

// idleStates counts the distinct Idle nodes of chk's state graph by a
// naive search over its Worker, without the explorer: the lower states at
// operation boundaries, which the oracle counts too.
func idleStates(t *testing.T, chk model.Checker, mode model.CrashMode) int {
	w := chk.NewWorker(model.Options{Crashes: mode})
	inits, v := w.Initial()
	if v != nil {
		t.Fatalf("initial violation: %v", v)
	}
	seen := map[string]bool{}
	var queue []string
	add := func(n []byte) {
		if !seen[string(n)] {
			seen[string(n)] = true
			queue = append(queue, string(n))
		}
	}
	for _, n := range inits {
		add(n)
	}
	idle := 0
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if !w.View([]byte(n)).Recovering {
			idle++
		}
		w.Expand([]byte(n), emitter{t, func(s []byte) { add(s) }})
	}
	return idle
}

// paramString names the parameters sys has, as "blocks=2,values=2".
func paramString(sys *catalog.System, p catalog.Params) string {
	var parts []string
	for _, q := range sys.Params {
		v := p[q.Name]
		parts = append(parts, fmt.Sprintf("%s=%d", q.Name, v))
	}
	return strings.Join(parts, ",")
}

// emitter passes every successor to add, and fails the test on a
// violation.
type emitter struct {
	t   *testing.T
	add func([]byte)
}

func (e emitter) Successor(_ uint32, n []byte, _ bool) bool { e.add(n); return false }

func (e emitter) Fail(v *model.Violation) bool {
	e.t.Fatalf("violation in a correct system: %s: %s", v.Kind, v.Message)
	return true
}

func explore(t *testing.T, chk model.Checker, mode model.CrashMode) *explorer.Result {
	t.Helper()
	res, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 2, Crashes: mode})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestOracleAgreesWithExplorer: for every system of the catalogue, every
// variant and every crash mode (with -short, the full semantics only), at
// small sizes, the oracle and the
// explorer reach the same verdict, and on a verified system the oracle's
// reachable lower states are the graph's Idle nodes.
func TestOracleAgreesWithExplorer(t *testing.T) {
	for _, sys := range layers.Systems() {
		variants := []catalog.Variant{{Name: "", Correct: true}}
		variants = append(variants, sys.Variants...)
		for _, p := range smallParams(t, sys) {
			for _, v := range variants {
				for _, mode := range model.CrashModes {
					if testing.Short() && mode != model.CrashAll {
						continue
					}
					name := fmt.Sprintf("%s/%s/%s/%s", sys.Name, paramString(sys, p), cmp.Or(v.Name, "correct"), mode)
					t.Run(name, func(t *testing.T) {
						chk, err := layers.Build(sys.Name, p, v.Name)
						if err != nil {
							t.Fatal(err)
						}
						sem, ok := model.SemanticsOf(chk)
						if !ok {
							t.Fatalf("%s has no Semantics", sys.Name)
						}
						got := relations.Check(sem, relations.Options{Crashes: mode})
						res := explore(t, chk, mode)
						if got.Verified != (res.Verdict == explorer.Verified) {
							t.Fatalf("oracle: %v; explorer: %s %v", got, res.Verdict, res.Violation)
						}
						if mode == model.CrashAll && v.Correct && !got.Verified {
							t.Fatalf("correct variant rejected: %v", got)
						}
						// A stack's recovery, stage by stage (lower then
						// upper, a crash restarting the lower), is the
						// composed procedure's.
						if sem.RecoveryStages() > 1 {
							if staged := relations.Check(sem, relations.Options{Crashes: mode, Staged: true}); staged.Verified != got.Verified || staged.States != got.States {
								t.Fatalf("staged recovery: %v; whole procedure: %v", staged, got)
							}
						}
						if got.Verified {
							if n := idleStates(t, chk, mode); got.States != n {
								t.Errorf("oracle reached %d lower states, the graph has %d Idle nodes", got.States, n)
							}
						}
					})
				}
			}
		}
	}
}

// TestNarrowedCrashesMissBugs: narrowing the explorer's crashes makes it
// verify broken implementations that the oracle, with the full semantics,
// rejects; so agreement with the oracle really detects a search that
// misses crash points. The table says, for each broken variant, the
// crash modes whose explorer still catches it.
func TestNarrowedCrashesMissBugs(t *testing.T) {
	p := catalog.Params{layers.Blocks: 2, layers.Values: 2}
	tests := []struct {
		name    string
		chk     func() model.Checker
		catches map[model.CrashMode]bool
	}{
		{"repdisk/no-recovery", build("repdisk", p, "no-recovery"),
			map[model.CrashMode]bool{model.CrashAll: true, model.CrashNoNested: true, model.CrashBetweenOps: false}},
		{"repdisk/recover-block0-only", build("repdisk", p, "recover-block0-only"),
			map[model.CrashMode]bool{model.CrashAll: true, model.CrashNoNested: true, model.CrashBetweenOps: false}},
		{"repdisk/write-d0-only", build("repdisk", p, "write-d0-only"),
			map[model.CrashMode]bool{model.CrashAll: true, model.CrashNoNested: true, model.CrashBetweenOps: true}},
		{"scratch-recovery", func() model.Checker { return repdiskWith(scratchRecovery, p) },
			map[model.CrashMode]bool{model.CrashAll: true, model.CrashNoNested: false, model.CrashBetweenOps: false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sem, _ := model.SemanticsOf(tt.chk())
			if full := relations.Check(sem, relations.Options{}); full.Verified {
				t.Fatalf("oracle verifies a broken implementation: %v", full)
			}
			for _, mode := range model.CrashModes {
				chk := tt.chk()
				res := explore(t, chk, mode)
				if caught := res.Verdict == explorer.Violated; caught != tt.catches[mode] {
					t.Errorf("--crashes %s: explorer verdict %s, want caught=%v", mode, res.Verdict, tt.catches[mode])
				}
				sem, _ := model.SemanticsOf(chk)
				if narrowed := relations.Check(sem, relations.Options{Crashes: mode}); narrowed.Verified == tt.catches[mode] {
					t.Errorf("--crashes %s: oracle with the same narrowing: %v", mode, narrowed)
				}
			}
		})
	}
}

func build(name string, p catalog.Params, variant string) func() model.Checker {
	return func() model.Checker {
		chk, err := layers.Build(name, p, variant)
		if err != nil {
			panic(err)
		}
		return chk
	}
}

type repSystem = model.System[twodisk.State, twodisk.Op, twodisk.Ret, twodisk.API,
	onedisk.State, disk.Op, disk.Ret, onedisk.API]

// repdiskWith is the replicated disk with its recovery replaced by rec.
func repdiskWith(rec func(d twodisk.API), p catalog.Params) *repSystem {
	sizes := disk.Sizes{Blocks: p[layers.Blocks], Values: p[layers.Values]}
	return &repSystem{
		Lower: twodisk.Layer(sizes),
		Upper: onedisk.Layer(sizes),
		Impl: func(d twodisk.API) model.Instance[onedisk.API] {
			in := replicated.Impl(replicated.Correct)(d)
			return model.Instance[onedisk.API]{API: in.API, Recover: func() { rec(d) }}
		},
		Abs: replicated.Abs,
	}
}

// scratchRecovery repairs a mismatched block a > 0 by staging d0's value
// in block 0 of d1 and restoring block 0 afterwards, but saves block 0 from
// d1, the disk it clobbers. Without crashes during recovery it is correct;
// a crash after staging leaves block 0 clobbered, and the rerun saves and
// restores the clobbered value. Recovery must be idempotent: after a
// crash during recovery, recovery run again from the start must still
// end in a state related to one the first crash allowed; this one does
// not.
func scratchRecovery(d twodisk.API) {
	n, ok := d.Size(twodisk.D0)
	if !ok {
		return
	}
	for i := n - 1; i >= 0; i-- {
		a := disk.Addr(i)
		b0, ok0 := d.Read(twodisk.D0, a)
		b1, ok1 := d.Read(twodisk.D1, a)
		if !ok0 || !ok1 {
			return
		}
		if b0 == b1 {
			continue
		}
		if a == 0 {
			d.Write(twodisk.D1, 0, b0)
			return
		}
		saved, _ := d.Read(twodisk.D1, 0)
		d.Write(twodisk.D1, 0, b0)
		staged, _ := d.Read(twodisk.D1, 0)
		d.Write(twodisk.D1, a, staged)
		d.Write(twodisk.D1, 0, saved)
		return
	}
}

// TestFaultsAgree: a panic and a runaway recovery are violations of the
// same kind for the oracle and the explorer.
func TestFaultsAgree(t *testing.T) {
	p := catalog.Params{layers.Blocks: 2, layers.Values: 2}
	tests := []struct {
		name string
		rec  func(d twodisk.API)
		kind string
	}{
		{"panic", func(d twodisk.API) {
			replicated.Impl(replicated.Correct)(d).Recover()
			if b, _ := d.Read(twodisk.D0, 1); b == 1 {
				panic("block 1 holds 1")
			}
		}, model.KindPanic},
		{"runaway", func(d twodisk.API) {
			for {
				if b, _ := d.Read(twodisk.D0, 0); b == 1 {
					return
				}
			}
		}, model.KindStepLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sys := repdiskWith(tt.rec, p)
			sys.StepLimit = 20
			got := relations.Check(sys.Semantics(), relations.Options{})
			res := explore(t, sys, model.CrashAll)
			if got.Verified || got.Violation.Kind != tt.kind {
				t.Errorf("oracle: %v, want a %s violation", got, tt.kind)
			}
			if res.Verdict != explorer.Violated || res.Violation.Kind != tt.kind {
				t.Errorf("explorer: %s %v, want a %s violation", res.Verdict, res.Violation, tt.kind)
			}
		})
	}
}
