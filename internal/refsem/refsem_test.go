package refsem_test

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/internal/refsem"
	"github.com/argocheck/argocheck/internal/systemtest"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/layers/asyncdisk"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/layers/twoasyncdisk"
	"github.com/argocheck/argocheck/layers/twodisk"
	"github.com/argocheck/argocheck/layers/txndisk"
	"github.com/argocheck/argocheck/model"
)

// large adds to TestBuiltinSystems every system at a larger size (see
// larger).
var large = flag.Bool("refsem.large", false, "compare refsem and the explorer on every built-in system at one block more too (one log entry or value more where it takes no more blocks)")

// TestBuiltinSystems requires the explorer and refsem to agree on every
// variant of the replicated disk, the write-ahead log and the log on the
// replicated disk at small sizes: the same verdict, states and depth; on
// a violation a path of the same length and a kind refsem finds on that
// level, on a path that refsem follows (refsem.Follow); verified, the
// same transitions and crash points. The correct
// variants must verify and, at sizes that catch them all, the others must
// be violated, so that an interpreter that verifies everything, or
// nothing, fails here. With -refsem.large, every system at one block
// more too (see larger).
func TestBuiltinSystems(t *testing.T) {
	type builtin struct {
		name   string
		params catalog.Params
		// catches says that these sizes catch every variant that is not
		// correct.
		catches bool
	}
	cases := []builtin{
		{"repdisk", catalog.Params{layers.Blocks: 2, layers.Values: 2}, true},
		{"log", catalog.Params{layers.Blocks: 2, layers.Values: 2, layers.Log: 2}, true},
		{"log/repdisk", catalog.Params{layers.Blocks: 1, layers.Values: 2, layers.Log: 2}, true},
		{"repdisk/async", catalog.Params{layers.Blocks: 2, layers.Values: 2}, true},
		{"log/async", catalog.Params{layers.Blocks: 1, layers.Values: 2, layers.Log: 2}, true},
		{"log/async-repdisk", catalog.Params{layers.Blocks: 1, layers.Values: 2, layers.Log: 1}, false},
	}
	if *large {
		for _, tc := range cases {
			if p, ok := larger(t, tc.name, tc.params); ok {
				cases = append(cases, builtin{tc.name, p, false})
			}
		}
	}
	for _, tc := range cases {
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
			chk := systemtest.Build(t, tc.name, tc.params, v)
			ref, err := interpret(chk, nil)
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
				continue
			}
			if _, err := interpret(chk, got.Trace); err != nil {
				t.Errorf("%s %q: the explorer's path is not one of refsem's: %v\n%s", tc.name, v, err, got.Trace)
			}
		}
	}
}

// larger returns params with one block more, or where the system takes
// no more blocks one log entry more, or else one value more; false when
// the system takes none of them.
func larger(t *testing.T, name string, params catalog.Params) (catalog.Params, bool) {
	t.Helper()
	sys, err := layers.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	for _, grow := range []string{layers.Blocks, layers.Log, layers.Values} {
		for _, q := range sys.Params {
			if q.Name == grow && params[grow]+1 <= q.Max {
				p := maps.Clone(params)
				p[grow]++
				return p, true
			}
		}
	}
	return nil, false
}

// interpret runs refsem on chk, a built-in system's check, or, when
// trace is not nil, follows trace with refsem.
func interpret(chk model.Checker, trace *model.Trace) (refsem.Result, error) {
	switch s := chk.(type) {
	case *model.System[twodisk.State, twodisk.Op, twodisk.Ret, twodisk.API, onedisk.State, disk.Op, disk.Ret, onedisk.API]:
		return search(s, trace)
	case *model.System[onedisk.State, disk.Op, disk.Ret, onedisk.API, txndisk.State, disk.Op, disk.Ret, txndisk.API]:
		return search(s, trace)
	case *model.System[twodisk.State, twodisk.Op, twodisk.Ret, twodisk.API, txndisk.State, disk.Op, disk.Ret, txndisk.API]:
		return search(s, trace)
	case *model.System[twoasyncdisk.State, twoasyncdisk.Op, twoasyncdisk.Ret, twoasyncdisk.API, asyncdisk.State, disk.Op, disk.Ret, asyncdisk.API]:
		return search(s, trace)
	case *model.System[asyncdisk.State, disk.Op, disk.Ret, asyncdisk.API, txndisk.State, disk.Op, disk.Ret, txndisk.API]:
		return search(s, trace)
	case *model.System[twoasyncdisk.State, twoasyncdisk.Op, twoasyncdisk.Ret, twoasyncdisk.API, txndisk.State, disk.Op, disk.Ret, txndisk.API]:
		return search(s, trace)
	}
	return refsem.Result{}, fmt.Errorf("a check of type %T", chk)
}

// search runs refsem on sys, or follows trace.
func search[CS, COp, CRet comparable, CAPI any, AS, AOp, ARet comparable, AAPI any](
	sys *model.System[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI], trace *model.Trace) (refsem.Result, error) {
	if trace != nil {
		return refsem.Result{}, refsem.Follow(sys, trace, refsem.Options{})
	}
	return refsem.Search(sys, refsem.Options{})
}

// TestFollowRefuses requires Follow to refuse a path of the explorer's
// changed in any one of the ways it compares: a step's crash point, its
// operation, the node it reaches, its violation's kind, or a violation
// that is not last.
func TestFollowRefuses(t *testing.T) {
	chk := systemtest.Build(t, "repdisk", catalog.Params{layers.Blocks: 2, layers.Values: 2}, "recover-block0-only")
	res, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 1})
	if err != nil || res.Trace == nil || res.Trace.Len() != 2 {
		t.Fatalf("the explorer finds %v, %v, %v", res.Verdict, res.Trace, err)
	}
	if _, err := interpret(chk, res.Trace); err != nil {
		t.Fatalf("the explorer's path: %v\n%s", err, res.Trace)
	}
	for _, tc := range []struct {
		name   string
		change func(steps []model.Step) []model.Step
	}{
		{"crash point", func(s []model.Step) []model.Step { s[1].CrashAfter++; return s }},
		{"operation", func(s []model.Step) []model.Step { s[1].Op += "x"; return s }},
		{"lower state", func(s []model.Step) []model.Step { s[1].Node.Lower += "x"; return s }},
		{"allowed set", func(s []model.Step) []model.Step { s[1].Node.Allowed = s[1].Node.Allowed[1:]; return s }},
		{"initial node", func(s []model.Step) []model.Step { s[0].Node.Abstract += "x"; return s }},
		{"violation kind", func(s []model.Step) []model.Step {
			v := *s[2].Violation
			v.Kind = model.KindRefinement
			s[2].Violation = &v
			return s
		}},
		{"no violation", func(s []model.Step) []model.Step { s[2].Violation = nil; return s }},
		{"violation not last", func(s []model.Step) []model.Step { return append(s, s[1]) }},
		{"step kind", func(s []model.Step) []model.Step { s[1].Kind = model.StepCrash; return s }},
	} {
		steps := tc.change(slices.Clone(res.Trace.Steps))
		if _, err := interpret(chk, &model.Trace{Steps: steps}); err == nil {
			t.Errorf("%s changed: Follow takes the path\n%s", tc.name, (&model.Trace{Steps: steps}).String())
		}
	}
}
