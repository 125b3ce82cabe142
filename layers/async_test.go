package layers_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/internal/alloctest"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/layers/replicated"
	"github.com/argocheck/argocheck/layers/wal"
	"github.com/argocheck/argocheck/model"
)

func diskParams(blocks, values int) catalog.Params {
	return catalog.Params{layers.Blocks: blocks, layers.Values: values}
}

// TestAsyncVerifies: the log on a disk with a write cache, the replicated
// disk on two of them and the log on that replicated disk refine their
// specifications at every size of the grid, with these exact numbers of
// distinct states; so does recover-copy-back.
func TestAsyncVerifies(t *testing.T) {
	withOOB := func(p catalog.Params) catalog.Params { return p.With(layers.OOB, 1) }
	tests := []struct {
		system  string
		p       catalog.Params
		variant string
		states  uint64
		exact   bool
	}{
		{"log/async", params(1, 2, 1), "", 38, true},
		{"log/async", params(1, 2, 2), "", 138, true},
		{"log/async", params(1, 2, 3), "", 466, false},
		{"log/async", params(1, 3, 2), "", 723, false},
		{"log/async", params(2, 2, 1), "", 216, false},
		{"log/async", params(2, 2, 2), "", 2400, true},
		{"log/async", withOOB(params(1, 2, 2)), "", 982, false},
		{"repdisk/async", diskParams(1, 2), "", 26, true},
		{"repdisk/async", diskParams(2, 2), "", 116, false},
		{"repdisk/async", diskParams(3, 2), "", 536, true},
		{"repdisk/async", diskParams(2, 3), "", 1296, false},
		{"repdisk/async", withOOB(diskParams(2, 2)), "", 116, false},
		{"repdisk/async", diskParams(3, 2), "recover-copy-back", 536, false},
		{"log/async-repdisk", params(1, 2, 1), "", 190, true},
		{"log/async-repdisk", params(1, 2, 2), "", 1042, true},
		{"log/async-repdisk", params(1, 2, 2), "rep:recover-copy-back", 1042, false},
		{"log/async-repdisk", withOOB(params(1, 2, 1)), "", 546, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%v/%s", tt.system, tt.p, tt.variant), func(t *testing.T) {
			r := check(t, checkKey{tt.system, tt.p, tt.variant, tt.exact})
			if r.Verdict != explorer.Verified {
				t.Fatalf("verdict %s: %v\n%s", r.Verdict, r.Violation, r.Trace)
			}
			if r.States != tt.states {
				t.Errorf("states = %d, want %d", r.States, tt.states)
			}
		})
	}
}

// TestAsyncBrokenVariants: at the catalogue's default sizes every variant
// that leaves out a flush, and every broken replicated disk, is caught,
// with the kind of the failed check and the length of the shortest path.
func TestAsyncBrokenVariants(t *testing.T) {
	brokenVariants(t, nil, []brokenVariant{
		{"log/async", "no-flush-before-commit", model.KindRecovery, 5, false},
		{"log/async", "no-flush-after-commit", model.KindRecovery, 4, false},
		{"log/async", "no-flush-before-clear", model.KindRecovery, 4, false},
		{"log/async", "no-flush-after-clear", model.KindRecovery, 4, false},
		{"log/async", "no-flush", model.KindRecovery, 4, false},
		{"repdisk/async", "no-recovery", model.KindRecovery, 2, false},
		{"repdisk/async", "write-d0-only", model.KindRefinement, 1, false},
		{"repdisk/async", "read-no-fallback", model.KindRefinement, 2, false},
		{"repdisk/async", "recover-block0-only", model.KindRecovery, 2, false},
		{"repdisk/async", "recovery-no-flush", model.KindRecovery, 2, false},
		{"repdisk/async", "flush-d0-only", model.KindRefinement, 2, false},
		{"repdisk/async", "first-repair-only", model.KindRecovery, 3, false},
		{"log/async-repdisk", "log:no-flush-before-commit", model.KindRecovery, 5, false},
		{"log/async-repdisk", "log:no-flush-after-commit", model.KindRecovery, 4, false},
		{"log/async-repdisk", "log:no-flush-before-clear", model.KindRecovery, 4, false},
		{"log/async-repdisk", "log:no-flush-after-clear", model.KindRecovery, 4, false},
		{"log/async-repdisk", "log:no-flush", model.KindRecovery, 4, false},
		{"log/async-repdisk", "rep:no-recovery", model.KindRecovery, 2, false},
		{"log/async-repdisk", "rep:write-d0-only", model.KindRefinement, 1, false},
		{"log/async-repdisk", "rep:read-no-fallback", model.KindRefinement, 2, false},
		{"log/async-repdisk", "rep:recover-block0-only", model.KindRecovery, 2, false},
		{"log/async-repdisk", "rep:recovery-no-flush", model.KindRecovery, 5, true},
		{"log/async-repdisk", "rep:flush-d0-only", model.KindRecovery, 4, false},
		{"log/async-repdisk", "rep:first-repair-only", model.KindRecovery, 3, false},
		{"log/async-repdisk", "recover-upper-first", model.KindRecovery, 5, true},
	})
}

// TestFlushesOneEntryNeedsNot: with a log of one entry, the flush after
// the committed header and the flush before clearing it are not needed:
// a transaction then writes one data block, and a block is written whole,
// so a crash leaves the transaction either applied or not. The checks
// verify with as many states as the correct log's.
func TestFlushesOneEntryNeedsNot(t *testing.T) {
	for _, blocks := range []int{1, 2} {
		correct := check(t, checkKey{"log/async", params(blocks, 2, 1), "", false})
		for _, v := range []wal.Variant{wal.NoFlushAfterCommit, wal.NoFlushBeforeClear} {
			r := check(t, checkKey{"log/async", params(blocks, 2, 1), string(v), false})
			if r.Verdict != explorer.Verified || r.States != correct.States {
				t.Errorf("%d blocks, %s: %s with %d states, want verified with %d: %v", blocks, v, r.Verdict, r.States, correct.States, r.Violation)
			}
		}
		for _, v := range []wal.Variant{wal.NoFlushBeforeCommit, wal.NoFlushAfterClear, wal.NoFlush} {
			if r := check(t, checkKey{"log/async", params(blocks, 2, 1), string(v), false}); r.Verdict != explorer.Violated {
				t.Errorf("%d blocks, %s: %s, want a violation", blocks, v, r.Verdict)
			}
		}
	}
}

// TestAsyncLogTwoValues: the async logs take two values at least. With
// one, no transaction can be told from another and a log that never
// flushes verifies at small sizes; at three blocks its descriptor block
// collects more than MaxMay values between flushes (the panic naming the
// limit, 12 steps in), where with two values it fails in 4.
func TestAsyncLogTwoValues(t *testing.T) {
	for _, name := range []string{"log/async", "log/async-repdisk"} {
		if _, err := layers.Build(name, params(1, 1, 2), ""); err == nil {
			t.Errorf("%s builds with one value", name)
		}
	}
	sys, err := layers.Lookup("log/async")
	if err != nil {
		t.Fatal(err)
	}
	one := check(t, checkKey{"log/async", params(2, 1, 2), "no-flush", false})
	if one.Verdict != explorer.Verified {
		t.Errorf("no-flush, two blocks, one value: %s, want verified", one.Verdict)
	}
	if testing.Short() {
		return
	}
	chk, err := sys.Build(complete(t, sys, params(3, 1, 2)), "no-flush")
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, chk, false)
	if r.Verdict != explorer.Violated || r.Violation.Kind != model.KindPanic || r.Trace.Len() != 12 || !strings.Contains(r.Violation.Message, "MaxMay = 8") {
		t.Errorf("no-flush, three blocks, one value: %s %v, want a panic naming MaxMay 12 steps in", r.Verdict, r.Violation)
	}
}

// TestAsyncVariantNames: every variant of the async systems builds, and
// the synchronous systems refuse the variants about flushing.
func TestAsyncVariantNames(t *testing.T) {
	sys, err := layers.Lookup("log/async-repdisk")
	if err != nil {
		t.Fatal(err)
	}
	if want := len(wal.AsyncVariants) + len(replicated.AsyncVariants) + 1; len(sys.Variants) != want {
		t.Errorf("%d variants, want %d", len(sys.Variants), want)
	}
	for _, name := range []string{"log/async", "repdisk/async", "log/async-repdisk"} {
		sys, err := layers.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range sys.Variants {
			if _, err := layers.Build(name, sys.Defaults(), v.Name); err != nil {
				t.Errorf("%s variant %q: %v", name, v.Name, err)
			}
		}
	}
	for _, bad := range []struct{ system, variant string }{
		{"log", "no-flush"},
		{"repdisk", "flush-d0-only"},
		{"log/repdisk", "rep:recovery-no-flush"},
		{"log/async", "apply-backwards"},
		{"log/async-repdisk", "log:no-recovery"},
	} {
		if _, err := layers.Build(bad.system, nil, bad.variant); err == nil {
			t.Errorf("%s accepts variant %q", bad.system, bad.variant)
		}
	}
	if _, err := layers.Build("repdisk/async", diskParams(8, 3), ""); err == nil {
		t.Errorf("repdisk/async builds at 3^8 abstract crash images")
	}
}

// TestAsyncCompositionTheorem: where the replicated disk on disks with
// write caches refines AsyncDisk and the log refines TxnDisk on AsyncDisk,
// the log on the replicated disk refines TxnDisk end to end; and every
// stack that fails end to end has a layer that fails its own check, but
// recover-upper-first. With a log of one entry (the replicated disk's own
// check at four blocks) for every variant.
func TestAsyncCompositionTheorem(t *testing.T) {
	sys, err := layers.Lookup("log/async-repdisk")
	if err != nil {
		t.Fatal(err)
	}
	p := complete(t, sys, params(1, 2, 1))
	variants := append(catalog.Variants{{Name: ""}}, sys.Variants...)
	for _, v := range variants {
		t.Run(v.Name, func(t *testing.T) {
			parts, err := sys.Modular(p, v.Name)
			if err != nil {
				t.Fatal(err)
			}
			if len(parts) != 3 || parts[0].System != "repdisk/async" || parts[1].System != "log/async" || parts[2].System != "log/async-repdisk" {
				t.Fatalf("modular parts %+v", parts)
			}
			if parts[0].Params[layers.Blocks] != 4 {
				t.Errorf("replicated disk checked with %d blocks, the stack uses 4", parts[0].Params[layers.Blocks])
			}
			var verdicts [3]explorer.Verdict
			for i, part := range parts {
				verdicts[i] = check(t, checkKey{part.System, part.Params, part.Variant, false}).Verdict
			}
			rep, log, stack := verdicts[0], verdicts[1], verdicts[2]
			layersVerify := rep == explorer.Verified && log == explorer.Verified
			if layersVerify && stack != explorer.Verified && v.Name != layers.RecoverUpperFirst {
				t.Errorf("both layers verify but their composition: %s", stack)
			}
			if v.Correct || v.Name == "" {
				if !layersVerify || stack != explorer.Verified {
					t.Errorf("correct: modular %s, %s; end to end %s", rep, log, stack)
				}
			}
		})
	}
	// The replicated disk's own check at the 6 blocks of a log of three
	// entries, with 5 values, has more abstract crash images (5^6) than an
	// allowed set holds; the modular check says so.
	if _, err := sys.Modular(complete(t, sys, params(1, 5, 3)), ""); err == nil {
		t.Errorf("modular check at 5 values and 6 blocks accepted")
	}
}

// nop is an emitter that takes every edge.
type nop struct{}

func (nop) Successor(uint32, []byte, bool) bool { return false }
func (nop) Fail(*model.Violation) bool          { return false }

// TestAsyncExpandAllocs: expanding a node of an async system (its
// operations or recovery, crash images included) allocates nothing once
// the worker's buffers are warm, but for the implementation instances the
// sampled determinism checks build.
func TestAsyncExpandAllocs(t *testing.T) {
	for _, name := range []string{"log/async", "repdisk/async", "log/async-repdisk"} {
		t.Run(name, func(t *testing.T) {
			sys, err := layers.Lookup(name)
			if err != nil {
				t.Fatal(err)
			}
			chk, err := layers.Build(name, sys.Defaults(), "")
			if err != nil {
				t.Fatal(err)
			}
			w := chk.NewWorker(model.Options{})
			inits, _ := w.Initial()
			// A few levels of nodes, Idle and Recovering.
			var nodes [][]byte
			c := &collector{seen: map[string]bool{}}
			frontier := inits
			for range 3 {
				c.next = nil
				for _, n := range frontier {
					w.Expand(n, c)
				}
				nodes = append(nodes, c.next...)
				frontier = c.next
			}
			recovering := 0
			for _, n := range nodes {
				if w.View(n).Recovering {
					recovering++
				}
			}
			if recovering == 0 || recovering == len(nodes) {
				t.Fatalf("%d nodes, %d recovering: want both kinds", len(nodes), recovering)
			}
			for _, n := range nodes {
				w.Expand(n, nop{})
			}
			fresh, others, where := alloctest.Count(func() {
				for range 5 {
					for _, n := range nodes {
						w.Expand(n, nop{})
					}
				}
			}, "model.(*worker[", "buildInstance")
			if others != 0 {
				t.Errorf("%d allocations expanding %d nodes five times, besides the %d of the instances built for the determinism check; one at\n%s", others, len(nodes), fresh, where)
			}
			if fresh == 0 {
				t.Error("no instance built for the determinism check: its allocations were not measured")
			}
		})
	}
}

// collector keeps the successors not seen before.
type collector struct {
	seen map[string]bool
	next [][]byte
}

func (c *collector) Successor(_ uint32, n []byte, _ bool) bool {
	if !c.seen[string(n)] {
		c.seen[string(n)] = true
		c.next = append(c.next, append([]byte(nil), n...))
	}
	return false
}

func (c *collector) Fail(v *model.Violation) bool { return false }
