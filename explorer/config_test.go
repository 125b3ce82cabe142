package explorer_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/internal/systemtest"
	"github.com/argocheck/argocheck/model"
)

// TestConfigWorkers: a search refuses workers outside 0..MaxWorkers
// before it starts, naming the range, as an invalid search.
func TestConfigWorkers(t *testing.T) {
	chk := buildChecker(t, "repdisk", catalog.Params{"blocks": 1}, "")
	for _, n := range []int{-1, explorer.MaxWorkers + 1, math.MaxInt} {
		_, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: n})
		want := fmt.Sprintf("invalid search: workers must be between 1 and %d (0: one per CPU), not %d", explorer.MaxWorkers, n)
		if !errors.Is(err, explorer.ErrInvalid) || err.Error() != want {
			t.Errorf("workers %d: error %v, want %q", n, err, want)
		}
	}
	for _, n := range []int{0, 1} {
		if res, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: n}); err != nil || res.Verdict != explorer.Verified {
			t.Errorf("workers %d: %v, %v; want verified", n, res, err)
		}
	}
}

// TestConfigDeterminism: a search, and the rebuilding of a stored one,
// refuse a determinism mode other than sample and full, which the workers
// would otherwise run as sample, naming the modes.
func TestConfigDeterminism(t *testing.T) {
	chk := buildChecker(t, "repdisk", catalog.Params{"blocks": 1}, "")
	res, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		mode model.Determinism
		want string // "" for accepted
	}{
		{model.DeterminismSample, ""},
		{model.DeterminismFull, ""},
		{model.DeterminismFull + 1, "unknown determinism mode 2 (modes: sample, full)"},
		{7, "unknown determinism mode 7 (modes: sample, full)"},
		{255, "unknown determinism mode 255 (modes: sample, full)"},
	} {
		_, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 1, Determinism: tc.mode})
		_, rerr := explorer.Restore(chk, explorer.Config{Determinism: tc.mode}, res.Outcome(), func(uint64) (uint64, error) { return 0, nil })
		if tc.want == "" {
			if err != nil || rerr != nil {
				t.Errorf("determinism %s: Run: %v, Restore: %v; want no error", tc.mode, err, rerr)
			}
			continue
		}
		if !errors.Is(err, explorer.ErrInvalid) || err.Error() != "invalid search: "+tc.want {
			t.Errorf("determinism %d: Run: error %v, want an invalid search saying %q", uint8(tc.mode), err, tc.want)
		}
		if rerr == nil || rerr.Error() != tc.want {
			t.Errorf("determinism %d: Restore: error %v, want %q", uint8(tc.mode), rerr, tc.want)
		}
	}
}

// TestConfigCrashes: a search refuses a crash mode it does not know, which
// it would otherwise run as a narrower one.
func TestConfigCrashes(t *testing.T) {
	chk := buildChecker(t, "repdisk", catalog.Params{"blocks": 1}, "")
	_, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 1, Crashes: model.CrashBetweenOps + 1})
	const want = "invalid search: unknown crash mode 3 (modes: all, no-nested, between-ops)"
	if !errors.Is(err, explorer.ErrInvalid) || err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
	for _, m := range model.CrashModes {
		if res, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 1, Crashes: m}); err != nil || res.Verdict != explorer.Verified {
			t.Errorf("crashes %s: %v, %v; want verified", m, res, err)
		}
	}
}

// TestRunRefusesNothingToCheck: a search of no checker, of a nil
// *model.System, or of a Checker that gives no initial node is an invalid
// search, not a verified one of no states. The violating variant is
// refused the same way: no violation can be found in no states.
func TestRunRefusesNothingToCheck(t *testing.T) {
	var nilSystem *model.System[struct{}, int, int, any, struct{}, int, int, any]
	for _, variant := range []string{"", "no-recovery"} {
		for _, tc := range []struct {
			name string
			chk  model.Checker
			want string
		}{
			{"nil", nil, "invalid search: there is no checker (a nil model.Checker): nothing to check"},
			{"nil *model.System", nilSystem, "invalid search: model: the system is nil (a nil *model.System)"},
			{"no initial node", systemtest.NoInitial(buildChecker(t, "repdisk", catalog.Params{"blocks": 1}, variant)),
				"invalid search: the checker gives no initial state: a search of no states checks nothing"},
		} {
			res, err := explorer.Run(context.Background(), tc.chk, explorer.Config{Workers: 2})
			if !errors.Is(err, explorer.ErrInvalid) || err.Error() != tc.want {
				t.Errorf("%s, variant %q: %+v, error %v; want an invalid search saying %q", tc.name, variant, res, err, tc.want)
			}
		}
	}
}
