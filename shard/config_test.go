package shard

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/internal/systemtest"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/model"
)

// TestConfigRefused: a shard refuses a bad Config before it touches the
// bucket, naming what is accepted; workers are capped as explorer.Run's.
func TestConfigRefused(t *testing.T) {
	chk, err := layers.Build("repdisk", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	maxWorkers := fmt.Sprintf("workers must be between 1 and %d (0: one per CPU), not", explorer.MaxWorkers)
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Shards: 0}, "shards must be at least 1, not 0"},
		{Config{Shards: 2, Index: 2}, "index must be between 0 and 1 (shards: 2), not 2"},
		{Config{Shards: 2, Index: -1}, "index must be between 0 and 1 (shards: 2), not -1"},
		{Config{Shards: 1, Workers: -1}, maxWorkers + " -1"},
		{Config{Shards: 1, Workers: explorer.MaxWorkers + 1}, fmt.Sprintf("%s %d", maxWorkers, explorer.MaxWorkers+1)},
		{Config{Shards: 1, Workers: math.MaxInt}, fmt.Sprintf("%s %d", maxWorkers, math.MaxInt)},
		{Config{Shards: 1, Crashes: model.CrashBetweenOps + 1}, "unknown crash mode 3 (modes: all, no-nested, between-ops)"},
		{Config{Shards: 1, Determinism: model.DeterminismFull + 1}, "unknown determinism mode 2 (modes: sample, full)"},
		{Config{Shards: 1, Determinism: 255}, "unknown determinism mode 255 (modes: sample, full)"},
	} {
		// No bucket: the Config is refused first.
		if _, err := Run(context.Background(), chk, nil, tc.cfg); err == nil || err.Error() != tc.want {
			t.Errorf("%+v: error %v, want %q", tc.cfg, err, tc.want)
		}
	}
}

// TestNothingToCheckRefused: a shard of no checker, or of a Checker that
// gives no initial node, is an invalid search, refused before it touches
// the bucket, not a verified one of no states.
func TestNothingToCheckRefused(t *testing.T) {
	chk, err := layers.Build("repdisk", nil, "no-recovery")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		chk  model.Checker
		want error
	}{
		{nil, explorer.ErrNoChecker},
		{systemtest.NoInitial(chk), explorer.ErrNoInitial},
	} {
		// No bucket: the check is refused first.
		res, err := Run(context.Background(), tc.chk, nil, Config{Shards: 1, Workers: 1})
		if !errors.Is(err, explorer.ErrInvalid) || !errors.Is(err, tc.want) {
			t.Errorf("%T: %+v, error %v; want an invalid search, %v", tc.chk, res, err, tc.want)
		}
	}
}
