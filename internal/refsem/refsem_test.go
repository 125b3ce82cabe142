package refsem_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/internal/refsem"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/layers/asyncdisk"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/layers/twoasyncdisk"
	"github.com/argocheck/argocheck/layers/twodisk"
	"github.com/argocheck/argocheck/layers/txndisk"
	"github.com/argocheck/argocheck/model"
)

// TestBuiltinSystems requires the explorer and refsem to agree on every
// variant of the replicated disk, the write-ahead log and the log on the
// replicated disk at small sizes: the same verdict, states and depth; on
// a violation a path of the same length and a kind refsem finds on that
// level; verified, the same transitions and crash points. The correct
// variants must verify and, at sizes that catch them all, the others must
// be violated, so that an interpreter that verifies everything, or
// nothing, fails here.
func TestBuiltinSystems(t *testing.T) {
	for _, tc := range []struct {
		name   string
		params catalog.Params
		// catches says that these sizes catch every variant that is not
		// correct.
		catches bool
	}{
		{"repdisk", catalog.Params{layers.Blocks: 2, layers.Values: 2}, true},
		{"log", catalog.Params{layers.Blocks: 2, layers.Values: 2, layers.Log: 2}, true},
		{"log/repdisk", catalog.Params{layers.Blocks: 1, layers.Values: 2, layers.Log: 2}, true},
		{"repdisk/async", catalog.Params{layers.Blocks: 2, layers.Values: 2}, true},
		{"log/async", catalog.Params{layers.Blocks: 1, layers.Values: 2, layers.Log: 2}, true},
		{"log/async-repdisk", catalog.Params{layers.Blocks: 1, layers.Values: 2, layers.Log: 1}, false},
	} {
		sys, err := layers.Lookup(tc.name)
		if err != nil {
			t.Fatal(err)
		}
		variants := append(catalog.Variants{{Name: "", Correct: true}}, sys.Variants...)
		for i, vr := range variants {
			if testing.Short() && i > 1 {
				continue
			}
			v := vr.Name
			chk, err := layers.Build(tc.name, tc.params, v)
			if err != nil {
				t.Fatalf("%s %q: %v", tc.name, v, err)
			}
			ref, err := interpret(chk)
			if err != nil {
				t.Fatalf("%s %q: %v", tc.name, v, err)
			}
			got, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 1})
			if err != nil {
				t.Fatalf("%s %q: %v", tc.name, v, err)
			}
			t.Logf("%s %q: %s states=%d depth=%d transitions=%d kinds %v", tc.name, v, got.Verdict, ref.States, ref.Depth, ref.Transitions, ref.Kinds)
			if (ref.Violation == nil) != vr.Correct && (tc.catches || vr.Correct) {
				t.Errorf("%s %q: refsem finds %v", tc.name, v, ref.Violation)
			}
			if got.States != ref.States || got.Depth != ref.Depth {
				t.Errorf("%s %q: the explorer finds %d states, depth %d; refsem %d, %d", tc.name, v, got.States, got.Depth, ref.States, ref.Depth)
			}
			if ref.Violation == nil {
				if got.Verdict != explorer.Verified || got.Transitions != ref.Transitions || got.CrashPoints != ref.Crashes {
					t.Errorf("%s %q: the explorer finds %s %v, %d transitions and %d crash points; refsem verifies, %d and %d",
						tc.name, v, got.Verdict, got.Violation, got.Transitions, got.CrashPoints, ref.Transitions, ref.Crashes)
				}
				continue
			}
			if got.Verdict != explorer.Violated || got.Trace == nil || got.Trace.Len() != ref.TraceLen || !slices.Contains(ref.Kinds, got.Violation.Kind) {
				t.Errorf("%s %q: the explorer finds %s %v; refsem %v (kinds %v) with a path of %d steps", tc.name, v, got.Verdict, got.Violation, ref.Violation, ref.Kinds, ref.TraceLen)
			}
		}
	}
}

// interpret runs refsem on chk, a built-in system's check.
func interpret(chk model.Checker) (refsem.Result, error) {
	o := refsem.Options{}
	switch s := chk.(type) {
	case *model.System[twodisk.State, twodisk.Op, twodisk.Ret, twodisk.API, onedisk.State, disk.Op, disk.Ret, onedisk.API]:
		return refsem.Search(s, o)
	case *model.System[onedisk.State, disk.Op, disk.Ret, onedisk.API, txndisk.State, disk.Op, disk.Ret, txndisk.API]:
		return refsem.Search(s, o)
	case *model.System[twodisk.State, twodisk.Op, twodisk.Ret, twodisk.API, txndisk.State, disk.Op, disk.Ret, txndisk.API]:
		return refsem.Search(s, o)
	case *model.System[twoasyncdisk.State, twoasyncdisk.Op, twoasyncdisk.Ret, twoasyncdisk.API, asyncdisk.State, disk.Op, disk.Ret, asyncdisk.API]:
		return refsem.Search(s, o)
	case *model.System[asyncdisk.State, disk.Op, disk.Ret, asyncdisk.API, txndisk.State, disk.Op, disk.Ret, txndisk.API]:
		return refsem.Search(s, o)
	case *model.System[twoasyncdisk.State, twoasyncdisk.Op, twoasyncdisk.Ret, twoasyncdisk.API, txndisk.State, disk.Op, disk.Ret, txndisk.API]:
		return refsem.Search(s, o)
	}
	return refsem.Result{}, fmt.Errorf("a check of type %T", chk)
}
