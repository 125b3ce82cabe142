package layers_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/checktest"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/layers/replicated"
	"github.com/argocheck/argocheck/layers/twodisk"
	"github.com/argocheck/argocheck/layers/txndisk"
	"github.com/argocheck/argocheck/layers/wal"
	"github.com/argocheck/argocheck/model"
)

// checkKey names one check, for the cache of results.
type checkKey struct {
	system  string
	p       catalog.Params
	variant string
	exact   bool
}

func (k checkKey) String() string {
	return fmt.Sprintf("%s %v %q %v", k.system, k.p, k.variant, k.exact)
}

// results caches the checks' results: the verification, variant and
// composition tests share many of them. Tests of this package do not run
// in parallel.
var results = map[string]*explorer.Result{}

// check runs the named system's check to its verdict.
func check(t *testing.T, k checkKey) *explorer.Result {
	t.Helper()
	if r, ok := results[k.String()]; ok {
		return r
	}
	sys, err := layers.Lookup(k.system)
	if err != nil {
		t.Fatal(err)
	}
	// Modular parts may exceed the catalogue's ranges (the replicated disk
	// under a log has L+2+N blocks), so build without Validate.
	chk, err := sys.Build(complete(t, sys, k.p), k.variant)
	if err != nil {
		t.Fatalf("%s %+v %q: %v", k.system, k.p, k.variant, err)
	}
	r := run(t, chk, k.exact)
	results[k.String()] = r
	return r
}

func run(t *testing.T, chk model.Checker, exact bool) *explorer.Result {
	t.Helper()
	r, err := explorer.Run(context.Background(), chk, explorer.Config{Exact: exact})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// complete returns p with sys's defaults for the parameters it lacks, as
// the parameters Build and Modular receive are.
func complete(t *testing.T, sys *catalog.System, p catalog.Params) catalog.Params {
	t.Helper()
	p, err := sys.Complete(p)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func params(blocks, values, log int) catalog.Params {
	return catalog.Params{layers.Blocks: blocks, layers.Values: values, layers.Log: log}
}

// long is the number of states of the log/repdisk checks skipped under
// -short: more than a second on two cores.
const long = 15000

// TestLogVerifies: the log on the OneDisk spec and the log on the
// replicated disk on TwoDisk refine TxnDisk at every size of the grid,
// with these exact numbers of distinct states.
func TestLogVerifies(t *testing.T) {
	tests := []struct {
		system              string
		blocks, values, log int
		states              uint64
		exact               bool
	}{
		{"log", 1, 1, 1, 6, true},
		{"log", 1, 1, 3, 12, false},
		{"log", 2, 1, 2, 36, false},
		{"log", 3, 1, 3, 324, false},
		{"log", 1, 2, 1, 32, true},
		{"log", 1, 2, 2, 98, false},
		{"log", 1, 2, 3, 266, false},
		{"log", 2, 2, 1, 128, false},
		{"log", 2, 2, 2, 832, true},
		{"log", 2, 2, 3, 4704, false},
		{"log", 3, 2, 1, 384, false},
		{"log", 3, 2, 2, 3816, false},
		{"log", 3, 2, 3, 32760, true},
		{"log/repdisk", 1, 1, 1, 24, true},
		{"log/repdisk", 1, 1, 3, 50, false},
		{"log/repdisk", 2, 1, 2, 156, false},
		{"log/repdisk", 3, 1, 3, 1512, false},
		{"log/repdisk", 1, 2, 1, 128, false},
		{"log/repdisk", 1, 2, 2, 412, false},
		{"log/repdisk", 1, 2, 3, 1148, false},
		{"log/repdisk", 2, 2, 1, 528, false},
		{"log/repdisk", 2, 2, 2, 3568, true},
		{"log/repdisk", 2, 2, 3, 20592, false},
		{"log/repdisk", 3, 2, 1, 1632, false},
		{"log/repdisk", 3, 2, 2, 16848, true},
		{"log/repdisk", 3, 2, 3, 147216, false},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%s/b%d-v%d-l%d", tt.system, tt.blocks, tt.values, tt.log)
		t.Run(name, func(t *testing.T) {
			if testing.Short() && tt.system == "log/repdisk" && tt.states > long {
				t.Skip("long check")
			}
			r := check(t, checkKey{tt.system, params(tt.blocks, tt.values, tt.log), "", tt.exact})
			if r.Verdict != explorer.Verified {
				t.Fatalf("verdict %s: %v\n%s", r.Verdict, r.Violation, r.Trace)
			}
			if r.States != tt.states {
				t.Errorf("states = %d, want %d", r.States, tt.states)
			}
		})
	}
}

// TestLogVerifiesOutOfBounds: with an out-of-bounds address in the
// alphabet (its log entry is applied to no block, its read returns any
// value), both systems still verify.
func TestLogVerifiesOutOfBounds(t *testing.T) {
	for _, tt := range []struct {
		system              string
		blocks, values, log int
		states              uint64
	}{
		{"log", 2, 2, 2, 1712},
		{"log/repdisk", 1, 2, 2, 1556},
	} {
		p := params(tt.blocks, tt.values, tt.log)
		p[layers.OOB] = 1
		r := check(t, checkKey{tt.system, p, "", false})
		if r.Verdict != explorer.Verified || r.States != tt.states {
			t.Errorf("%s %+v: %s with %d states, want verified with %d: %v", tt.system, p, r.Verdict, r.States, tt.states, r.Violation)
		}
	}
}

// TestBrokenVariants: every broken variant is caught, with the kind of
// the failed check and the length of the shortest path to it. Most need
// two values and a log of two: a transaction that writes one address
// twice, or two addresses, so that half of it differs from all and none.
func TestBrokenVariants(t *testing.T) {
	brokenVariants(t, params(2, 2, 2), []brokenVariant{
		{"log", "apply-without-commit-flag", model.KindRecovery, 4, false},
		{"log", "recovery-clears-header-first", model.KindRecovery, 5, true},
		{"log", "apply-backwards", model.KindRefinement, 3, false},
		{"log", "no-recovery", model.KindRecovery, 2, false},
		{"log/repdisk", "log:apply-without-commit-flag", model.KindRecovery, 4, false},
		{"log/repdisk", "log:recovery-clears-header-first", model.KindRecovery, 5, true},
		{"log/repdisk", "log:apply-backwards", model.KindRefinement, 3, false},
		{"log/repdisk", "log:no-recovery", model.KindRecovery, 2, false},
		{"log/repdisk", "rep:no-recovery", model.KindRecovery, 2, false},
		{"log/repdisk", "rep:write-d0-only", model.KindRefinement, 1, false},
		{"log/repdisk", "rep:read-no-fallback", model.KindRefinement, 2, false},
		{"log/repdisk", "rep:recover-block0-only", model.KindRecovery, 2, false},
		{"log/repdisk", "recover-upper-first", model.KindRecovery, 5, true},
	})
}

// brokenVariant is a broken variant's expected violation: its kind, the
// length of its shortest path and whether the path has a crash during a
// recovery run.
type brokenVariant struct {
	system, variant string
	kind            string
	length          int
	crashInRecovery bool
}

// brokenVariants checks that each variant is caught as expected, at
// parameters p (nil: each system's defaults).
func brokenVariants(t *testing.T, p catalog.Params, tests []brokenVariant) {
	for _, tt := range tests {
		t.Run(tt.system+"/"+tt.variant, func(t *testing.T) {
			sp := p
			if sp == nil {
				sys, err := layers.Lookup(tt.system)
				if err != nil {
					t.Fatal(err)
				}
				sp = sys.Defaults()
			}
			r := check(t, checkKey{tt.system, sp, tt.variant, false})
			if r.Verdict != explorer.Violated {
				t.Fatalf("verdict %s, want a violation", r.Verdict)
			}
			if r.Violation.Kind != tt.kind || r.Trace.Len() != tt.length {
				t.Errorf("violation %s with a path of %d, want %s with %d\n%s", r.Violation.Kind, r.Trace.Len(), tt.kind, tt.length, r.Trace)
			}
			if got := hasCrashInRecovery(r.Trace); got != tt.crashInRecovery {
				t.Errorf("crash during recovery on the path: %v, want %v\n%s", got, tt.crashInRecovery, r.Trace)
			}
		})
	}
}

func hasCrashInRecovery(tr *model.Trace) bool {
	for _, s := range tr.Steps {
		if s.Kind == model.StepCrashInRecovery {
			return true
		}
	}
	return false
}

// TestVariantNames: every variant of log/repdisk builds, and the names of
// the two layers' variants stay apart.
func TestVariantNames(t *testing.T) {
	sys, err := layers.Lookup("log/repdisk")
	if err != nil {
		t.Fatal(err)
	}
	want := len(wal.Variants) + len(replicated.Variants) + 1
	if len(sys.Variants) != want {
		t.Errorf("%d variants, want %d", len(sys.Variants), want)
	}
	seen := map[string]bool{}
	for _, v := range sys.Variants {
		if seen[v.Name] {
			t.Errorf("variant %q listed twice", v.Name)
		}
		seen[v.Name] = true
		if _, err := layers.Build("log/repdisk", params(2, 2, 2), v.Name); err != nil {
			t.Errorf("variant %q: %v", v.Name, err)
		}
	}
	for _, bad := range []string{"no-recovery", "log:write-d0-only", "rep:apply-backwards"} {
		if _, err := layers.Build("log/repdisk", params(2, 2, 2), bad); err == nil {
			t.Errorf("variant %q accepted", bad)
		}
	}
	if _, err := layers.Build("log", params(8, 2, wal.MaxLog), ""); err != nil {
		t.Errorf("largest log: %v", err)
	}
}

// TestGoldenPaths pins the paths of three bugs, each in its golden file
// under testdata (go test ./layers -run GoldenPaths -update rewrites
// them): the composition bug and the missing flush that docs/systems.md
// explains, and the log's recovery clearing its header first, whose path
// prints the log's own layout of the disk.
func TestGoldenPaths(t *testing.T) {
	for _, tc := range []struct {
		system, variant string
		params          func(sys *catalog.System) catalog.Params
		golden          string
	}{
		{"log/repdisk", layers.RecoverUpperFirst, func(*catalog.System) catalog.Params { return params(2, 2, 2) }, "recover-upper-first.txt"},
		{"log/async", string(wal.NoFlushBeforeClear), (*catalog.System).Defaults, "no-flush-before-clear.txt"},
		{"log", string(wal.RecoveryClearsHeaderFirst), (*catalog.System).Defaults, "recovery-clears-header-first.txt"},
	} {
		t.Run(tc.system, func(t *testing.T) {
			sys, err := layers.Lookup(tc.system)
			if err != nil {
				t.Fatal(err)
			}
			r := check(t, checkKey{tc.system, tc.params(sys), tc.variant, false})
			if r.Trace == nil {
				t.Fatalf("verdict %s, want a violation", r.Verdict)
			}
			checktest.Golden(t, filepath.Join("testdata", tc.golden), r)
		})
	}
}

// TestCompositionTheorem checks, on each tested size, that recovery
// refinement composes: if the replicated disk refines OneDisk and the log
// refines TxnDisk on OneDisk, their composition, with composed recovery
// run bottom up, refines TxnDisk on TwoDisk. A broken layer fails its own
// modular check.
//
// recover-upper-first passes both modular checks and fails end to end: it
// is not the composition that statement speaks of. Composed recovery must run
// the lower recovery first because the upper recovery is only correct on
// a state of the layer below, and after a crash the two disks are not
// one: a crash in the middle of the replicated disk's write of the
// committed header leaves d0 saying "committed" and d1 not. The log's
// recovery, run first, reads d0, sees a committed transaction and starts
// copying it; a crash during that recovery run keeps the two headers
// apart (the replicated recovery that would have repaired them never
// ran); then d0 fails in the next recovery run, whose first read falls back
// to d1's uncommitted header, and the log throws the transaction away
// with half of it already copied. So the path needs a crash during a
// replicated write, a crash during recovery and a disk failure, which is
// why it is five steps long and no modular check can see it: each layer's
// own check only ever starts its recovery from a state of the layer below.
func TestCompositionTheorem(t *testing.T) {
	type run struct {
		p       catalog.Params
		variant string
	}
	var runs []run
	for b := 1; b <= 3; b++ {
		for v := 1; v <= 2; v++ {
			for l := 1; l <= 3; l++ {
				if testing.Short() && b*v*l > 8 {
					continue
				}
				runs = append(runs, run{params(b, v, l), ""})
				if b*v*l <= 8 {
					// The other correct replicated disk, where it is quick.
					runs = append(runs, run{params(b, v, l), "rep:recover-copy-back"})
				}
			}
		}
	}
	sys, err := layers.Lookup("log/repdisk")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range sys.Variants {
		runs = append(runs, run{params(2, 2, 2), v.Name})
	}
	for _, rn := range runs {
		name := fmt.Sprintf("b%d-v%d-l%d/%s", rn.p[layers.Blocks], rn.p[layers.Values], rn.p[layers.Log], rn.variant)
		t.Run(name, func(t *testing.T) {
			parts, err := sys.Modular(complete(t, sys, rn.p), rn.variant)
			if err != nil {
				t.Fatal(err)
			}
			if len(parts) != 3 || parts[0].System != "repdisk" || parts[1].System != "log" || parts[2].System != "log/repdisk" {
				t.Fatalf("modular parts %+v", parts)
			}
			if parts[0].Params[layers.Blocks] != rn.p[layers.Blocks]+rn.p[layers.Log]+2 {
				t.Errorf("replicated disk checked with %d blocks, the stack uses %d", parts[0].Params[layers.Blocks], rn.p[layers.Blocks]+rn.p[layers.Log]+2)
			}
			var v [3]explorer.Verdict
			for i, part := range parts {
				v[i] = check(t, checkKey{part.System, part.Params, part.Variant, false}).Verdict
			}
			rep, log, stack := v[0], v[1], v[2]
			switch {
			case rn.variant == layers.RecoverUpperFirst:
				if rep != explorer.Verified || log != explorer.Verified || stack != explorer.Violated {
					t.Errorf("recover-upper-first: modular %s, %s; end to end %s; want verified, verified; violation", rep, log, stack)
				}
			case strings.HasPrefix(rn.variant, layers.LogPrefix):
				if log != explorer.Violated {
					t.Errorf("broken log passes its modular check: %s", log)
				}
			case strings.HasPrefix(rn.variant, layers.RepPrefix) && rn.variant != "rep:recover-copy-back":
				if rep != explorer.Violated {
					t.Errorf("broken replicated disk passes its modular check: %s", rep)
				}
			}
			if rep == explorer.Verified && log == explorer.Verified && rn.variant != layers.RecoverUpperFirst && stack != explorer.Verified {
				t.Errorf("both layers verify but their composition: %s", stack)
			}
		})
	}
}

// mirror is a third layer for a three-layer stack: OneDisk on OneDisk
// with the addresses below n reversed. It has nothing to recover.
type mirror struct {
	d onedisk.API
	n int
}

func (m mirror) addr(a disk.Addr) disk.Addr {
	if int(a) < m.n {
		return disk.Addr(m.n-1) - a
	}
	return a
}

func (m mirror) Read(a disk.Addr) disk.Block     { return m.d.Read(m.addr(a)) }
func (m mirror) Write(a disk.Addr, b disk.Block) { m.d.Write(m.addr(a), b) }
func (m mirror) Size() int                       { return m.d.Size() }

func mirrorImpl(n int) model.Impl[onedisk.API, onedisk.API] {
	return func(d onedisk.API) model.Instance[onedisk.API] {
		return model.Instance[onedisk.API]{API: mirror{d, n}, Recover: func() {}}
	}
}

// mirrorAbs relates a disk to its mirror image.
func mirrorAbs(n int) model.Relation[onedisk.State, onedisk.State] {
	return func(c *onedisk.State) (onedisk.State, bool) {
		var a onedisk.State
		for i := 0; i < n; i++ {
			a.Disk[i] = c.Disk[n-1-i]
		}
		return a, true
	}
}

// TestThreeLayerStack: composition works for any height. The log on the
// mirror on the replicated disk on TwoDisk is composed with the same
// model.Compose and model.ComposeRelations; the mirror refines OneDisk on
// its own, and the three-layer stack refines TxnDisk with exactly as many
// states as the two-layer one (the mirror only renames blocks), and
// catches a broken log with the same shortest path length.
func TestThreeLayerStack(t *testing.T) {
	for _, tt := range []struct {
		blocks, values, log int
		variant             wal.Variant
	}{
		{1, 2, 2, wal.Correct},
		{2, 2, 2, wal.Correct},
		{2, 2, 2, wal.ApplyBackwards},
		{2, 2, 2, wal.RecoveryClearsHeaderFirst},
	} {
		p := params(tt.blocks, tt.values, tt.log)
		t.Run(fmt.Sprintf("b%d-v%d-l%d/%s", tt.blocks, tt.values, tt.log, tt.variant), func(t *testing.T) {
			cfg := wal.Config{Blocks: tt.blocks, Log: tt.log}
			n := cfg.DiskBlocks()
			lower := disk.Sizes{Blocks: n, Values: tt.values}
			upper := disk.Sizes{Blocks: tt.blocks, Values: tt.values}

			alone := run(t, &model.System[onedisk.State, disk.Op, disk.Ret, onedisk.API,
				onedisk.State, disk.Op, disk.Ret, onedisk.API]{
				Lower: onedisk.Layer(lower), Upper: onedisk.Layer(lower),
				Impl: mirrorImpl(n), Abs: mirrorAbs(n),
			}, false)
			if alone.Verdict != explorer.Verified {
				t.Fatalf("mirror alone: %s %v", alone.Verdict, alone.Violation)
			}

			stack3 := run(t, &model.System[twodisk.State, twodisk.Op, twodisk.Ret, twodisk.API,
				txndisk.State, disk.Op, disk.Ret, txndisk.API]{
				Lower: twodisk.Layer(lower),
				Upper: txndisk.Layer(upper),
				Impl:  model.Compose(model.Compose(replicated.Impl(replicated.Correct), mirrorImpl(n)), wal.Impl(cfg, tt.variant)),
				Abs:   model.ComposeRelations(wal.Abs(cfg), model.ComposeRelations(mirrorAbs(n), replicated.Abs)),
			}, false)
			stack2 := check(t, checkKey{"log/repdisk", p, stackVariant(tt.variant), false})
			if stack3.Verdict != stack2.Verdict {
				t.Fatalf("three layers: %s, two layers: %s", stack3.Verdict, stack2.Verdict)
			}
			if stack3.Verdict == explorer.Verified && stack3.States != stack2.States {
				t.Errorf("three layers: %d states, two layers: %d", stack3.States, stack2.States)
			}
			if stack3.Verdict == explorer.Violated && stack3.Trace.Len() != stack2.Trace.Len() {
				t.Errorf("three layers: path of %d, two layers: %d", stack3.Trace.Len(), stack2.Trace.Len())
			}
		})
	}
}

func stackVariant(v wal.Variant) string {
	if v == wal.Correct {
		return ""
	}
	return layers.LogPrefix + string(v)
}

// TestOneValueRefused: every built-in system takes two client values at
// least. With one, every block the client writes holds 0 forever (no
// write changes a client block, no transaction differs from another) and
// the broken variants below, each caught at two values with its
// shortest path, verify over that graph: a check at one value would be
// a "verified" that checks nothing of the client's data.
func TestOneValueRefused(t *testing.T) {
	for _, tt := range []brokenVariant{
		{"repdisk", "write-d0-only", model.KindRefinement, 1, false},
		{"repdisk/async", "write-d0-only", model.KindRefinement, 1, false},
		{"log", "apply-backwards", model.KindRefinement, 3, false},
		{"log/repdisk", "log:apply-backwards", model.KindRefinement, 3, false},
		{"log/async", "no-flush-before-commit", model.KindRecovery, 5, false},
		{"log/async-repdisk", "log:no-flush-before-commit", model.KindRecovery, 5, false},
	} {
		t.Run(tt.system, func(t *testing.T) {
			sys, err := layers.Lookup(tt.system)
			if err != nil {
				t.Fatal(err)
			}
			one := sys.Defaults().With(layers.Values, 1)
			_, err = layers.Build(tt.system, one, "")
			if e, ok := errors.AsType[*catalog.RangeError](err); !ok || e.Param.Name != layers.Values || e.Param.Min != 2 {
				t.Errorf("one value: error %v, want values refused below 2", err)
			}
			// Built past the catalogue's ranges, the broken variant
			// verifies at one value.
			if r := check(t, checkKey{tt.system, one, tt.variant, false}); r.Verdict != explorer.Verified {
				t.Errorf("%s at one value: %s, want verified (nothing to tell apart): %v", tt.variant, r.Verdict, r.Violation)
			}
			two := sys.Defaults().With(layers.Values, 2)
			if _, err := layers.Build(tt.system, two, ""); err != nil {
				t.Fatalf("two values: %v", err)
			}
			if r := check(t, checkKey{tt.system, two, "", false}); r.Verdict != explorer.Verified {
				t.Errorf("correct at two values: %s: %v", r.Verdict, r.Violation)
			}
			brokenVariants(t, two, []brokenVariant{tt})
		})
	}
}

// TestEveryLogTakesTheFullCapacity: every system with a log takes every
// capacity the log's layout holds (wal.MaxLog), on disks with write
// caches too: a flush left out only for transactions of wal.MaxLog
// entries shows only there. At that capacity the logs on disks with
// write caches verify, keeping their headers' and descriptors' may-sets
// within asyncdisk.MaxMay, and catch each broken flush as at the default
// capacity.
func TestEveryLogTakesTheFullCapacity(t *testing.T) {
	for _, name := range []string{"log", "log/repdisk", "log/async", "log/async-repdisk"} {
		sys, err := layers.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		full := sys.Defaults().With(layers.Log, wal.MaxLog)
		if _, err := layers.Build(name, full, ""); err != nil {
			t.Errorf("%s: --log %d refused: %v", name, wal.MaxLog, err)
		}
		if _, err := layers.Build(name, sys.Defaults().With(layers.Log, wal.MaxLog+1), ""); err == nil {
			t.Errorf("%s: --log %d taken, past the log's layout", name, wal.MaxLog+1)
		}
	}
	for _, name := range []string{"log/async", "log/async-repdisk"} {
		sys, err := layers.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		full := sys.Defaults().With(layers.Log, wal.MaxLog)
		if r := check(t, checkKey{name, full, "", false}); r.Verdict != explorer.Verified {
			t.Errorf("%s --log %d: %s, want verified: %v", name, wal.MaxLog, r.Verdict, r.Violation)
		}
	}
	async, err := layers.Lookup("log/async")
	if err != nil {
		t.Fatal(err)
	}
	brokenVariants(t, async.Defaults().With(layers.Log, wal.MaxLog), []brokenVariant{
		{"log/async", "no-flush-before-commit", model.KindRecovery, 5, false},
		{"log/async", "no-flush-after-commit", model.KindRecovery, 4, false},
		{"log/async", "no-flush-before-clear", model.KindRecovery, 4, false},
		{"log/async", "no-flush-after-clear", model.KindRecovery, 4, false},
		{"log/async", "no-flush", model.KindRecovery, 4, false},
	})
}

// TestModularPartsFollowTheCheck: the modular check of each stack checks
// the replicated disk at the blocks the log uses, with the stack's values
// and out-of-bounds address and the stack's replicated-disk variant; the
// log with the stack's parameters and log variant; and the stack itself
// as asked. A part at other sizes, without the out-of-bounds address, or
// of the correct implementation in place of a broken layer would verify
// what the stack does not run.
func TestModularPartsFollowTheCheck(t *testing.T) {
	for _, tt := range []struct {
		system, rep, log string
		p                catalog.Params
		repBlocks        int
	}{
		{"log/repdisk", "repdisk", "log", params(2, 3, 2).With(layers.OOB, 1), 6},
		{"log/repdisk", "repdisk", "log", params(1, 2, 3).With(layers.OOB, 0), 6},
		{"log/async-repdisk", "repdisk/async", "log/async", params(1, 3, 1).With(layers.OOB, 1), 4},
		{"log/async-repdisk", "repdisk/async", "log/async", params(1, 2, 2).With(layers.OOB, 0), 5},
	} {
		sys, err := layers.Lookup(tt.system)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range append(catalog.Variants{{Name: ""}}, sys.Variants...) {
			rv, lv := "", ""
			switch {
			case strings.HasPrefix(v.Name, layers.RepPrefix):
				rv = strings.TrimPrefix(v.Name, layers.RepPrefix)
			case strings.HasPrefix(v.Name, layers.LogPrefix):
				lv = strings.TrimPrefix(v.Name, layers.LogPrefix)
			}
			want := []catalog.Part{
				{System: tt.rep, Params: catalog.Params{layers.Blocks: tt.repBlocks, layers.Values: tt.p[layers.Values], layers.OOB: tt.p[layers.OOB]}, Variant: rv},
				{System: tt.log, Params: tt.p, Variant: lv},
				{System: tt.system, Params: tt.p, Variant: v.Name},
			}
			parts, err := sys.Modular(maps.Clone(tt.p), v.Name)
			if err != nil {
				t.Errorf("%s %v %q: %v", tt.system, tt.p, v.Name, err)
				continue
			}
			if !slices.EqualFunc(parts, want, func(a, b catalog.Part) bool {
				return a.System == b.System && a.Variant == b.Variant && maps.Equal(a.Params, b.Params)
			}) {
				t.Errorf("%s %v %q: parts %+v, want %+v", tt.system, tt.p, v.Name, parts, want)
			}
		}
	}
}

// TestBuildChecksTheVariant: the catalogue's check of every variant of
// every built-in system, at the system's defaults, is of that variant: a
// broken one is violated and one marked Correct verifies. Build goes
// through the catalogue's Check, as the command line does.
func TestBuildChecksTheVariant(t *testing.T) {
	for _, sys := range layers.Systems() {
		for _, v := range sys.Variants {
			t.Run(sys.Name+"/"+v.Name, func(t *testing.T) {
				chk, err := layers.Build(sys.Name, nil, v.Name)
				if err != nil {
					t.Fatal(err)
				}
				r := run(t, chk, false)
				if want := map[bool]explorer.Verdict{true: explorer.Verified, false: explorer.Violated}[v.Correct]; r.Verdict != want {
					t.Errorf("verdict %s, want %s: %v", r.Verdict, want, r.Violation)
				}
			})
		}
	}
}
