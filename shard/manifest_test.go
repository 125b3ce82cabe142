package shard

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/argocheck/argocheck/model"
)

// TestClaimRefusesAnotherCheck: a bucket whose manifest differs from the
// run's in any one field (the format, system, variant, a parameter,
// crashes, determinism, shards, build) holds another run, and is
// refused, naming the manifest found; the same manifest again is this
// run's. A shard that took another check's bucket for its own would read
// that check's states.
func TestClaimRefusesAnotherCheck(t *testing.T) {
	ctx := context.Background()
	x, _ := dirExchange(t)
	run := func() Manifest {
		return Manifest{Format: formatVersion, System: "log/repdisk", Variant: "", Params: map[string]string{"blocks": "2", "log": "2"},
			Crashes: model.CrashAll.String(), Determinism: model.DeterminismSample.String(), Shards: 3, Build: "0123456789abcdef"}
	}
	first := run()
	if err := claim(ctx, x, &first); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		field  string
		change func(m *Manifest)
	}{
		{"format", func(m *Manifest) { m.Format++ }},
		{"system", func(m *Manifest) { m.System = "log" }},
		{"variant", func(m *Manifest) { m.Variant = "recover-upper-first" }},
		{"parameter", func(m *Manifest) { m.Params["log"] = "3" }},
		{"another parameter", func(m *Manifest) { m.Params["oob"] = "true" }},
		{"crashes", func(m *Manifest) { m.Crashes = model.CrashBetweenOps.String() }},
		{"determinism", func(m *Manifest) { m.Determinism = model.DeterminismFull.String() }},
		{"shards", func(m *Manifest) { m.Shards = 2 }},
		{"build", func(m *Manifest) { m.Build = "fedcba9876543210" }},
	} {
		m := run()
		tc.change(&m)
		err := claim(ctx, x, &m)
		if e, ok := errors.AsType[*AnotherRunError](err); !ok || e.Found == nil || !e.Found.equal(&first) {
			t.Errorf("another %s: error %v, want another run refused", tc.field, err)
		}
	}
	again := run()
	if err := claim(ctx, x, &again); err != nil {
		t.Errorf("the same run again: %v", err)
	}
}

// TestClaimWaitsForManifest: a bucket that holds objects but no manifest
// yet, as a store whose listings show a shard's manifest being written
// can, is looked at again for a while before it is refused: the
// manifest written meanwhile is found, and the run's own taken.
func TestClaimWaitsForManifest(t *testing.T) {
	ctx := context.Background()
	x, _ := dirExchange(t)
	if err := x.put(ctx, "level-000000/frontier-1", []byte("early")); err != nil {
		t.Fatal(err)
	}
	m := Manifest{Format: formatVersion, System: "repdisk", Shards: 2, Crashes: model.CrashAll.String(), Determinism: model.DeterminismSample.String()}
	done := make(chan error)
	go func() {
		time.Sleep(150 * time.Millisecond)
		other := m
		_, err := (&exchange{b: x.b}).create(ctx, manifestKey, mustJSON(t, &other))
		done <- err
	}()
	err := claim(ctx, x, &m)
	if werr := <-done; werr != nil {
		t.Fatal(werr)
	}
	if err != nil {
		t.Errorf("the manifest written 150ms later: %v, want the run taken", err)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
