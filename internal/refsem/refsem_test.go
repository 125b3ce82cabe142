package refsem_test

import (
	"context"
	"slices"
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/internal/refsem"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/layers/twodisk"
	"github.com/argocheck/argocheck/layers/txndisk"
	"github.com/argocheck/argocheck/model"
)

// TestBuiltinSystems requires the explorer and refsem to agree on every
// variant of the replicated disk, the write-ahead log and the log on the
// replicated disk at small sizes: the same verdict, states and depth; on
// a violation a path of the same length and a kind refsem finds on that
// level; verified, the same transitions and crash points. The correct
// systems must verify and every other variant must be violated, so that
// an interpreter that verifies everything, or nothing, fails here.
func TestBuiltinSystems(t *testing.T) {
	for _, tc := range []struct {
		name   string
		params catalog.Params
	}{
		{"repdisk", catalog.Params{layers.Blocks: 2, layers.Values: 2}},
		{"log", catalog.Params{layers.Blocks: 2, layers.Values: 2, layers.Log: 2}},
		{"log/repdisk", catalog.Params{layers.Blocks: 1, layers.Values: 2, layers.Log: 2}},
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
			var ref refsem.Result
			switch s := chk.(type) {
			case *model.System[twodisk.State, twodisk.Op, twodisk.Ret, twodisk.API, onedisk.State, disk.Op, disk.Ret, onedisk.API]:
				ref, err = refsem.Search(s, refsem.Options{})
			case *model.System[onedisk.State, disk.Op, disk.Ret, onedisk.API, txndisk.State, disk.Op, disk.Ret, txndisk.API]:
				ref, err = refsem.Search(s, refsem.Options{})
			case *model.System[twodisk.State, twodisk.Op, twodisk.Ret, twodisk.API, txndisk.State, disk.Op, disk.Ret, txndisk.API]:
				ref, err = refsem.Search(s, refsem.Options{})
			default:
				t.Fatalf("%s: a check of type %T", tc.name, chk)
			}
			if err != nil {
				t.Fatalf("%s %q: %v", tc.name, v, err)
			}
			got, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 1})
			if err != nil {
				t.Fatalf("%s %q: %v", tc.name, v, err)
			}
			t.Logf("%s %q: %s states=%d depth=%d transitions=%d kinds %v", tc.name, v, got.Verdict, ref.States, ref.Depth, ref.Transitions, ref.Kinds)
			if (ref.Violation == nil) != vr.Correct {
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
