package explorer_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
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
