package shard

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"sync"
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

// TestClaimNamesRun: the shard that creates a run's manifest draws the
// run's Run, 32 hex digits, and every shard that claims the bucket after
// it takes that one, its own Run or none; the run of another bucket is
// another, and a manifest written without a Run is claimed with none.
func TestClaimNamesRun(t *testing.T) {
	ctx := context.Background()
	check := func() Manifest {
		return Manifest{Format: formatVersion, System: "repdisk", Shards: 2, Crashes: model.CrashAll.String(), Determinism: model.DeterminismSample.String()}
	}
	hex32 := regexp.MustCompile(`^[0-9a-f]{32}$`)
	x, _ := dirExchange(t)
	first := check()
	if err := claim(ctx, x, &first); err != nil {
		t.Fatal(err)
	}
	if !hex32.MatchString(first.Run) {
		t.Fatalf("the run created is named %q, want 32 hex digits", first.Run)
	}
	for _, run := range []string{"", "0123456789abcdef0123456789abcdef"} {
		again := check()
		again.Run = run
		if err := claim(ctx, x, &again); err != nil || again.Run != first.Run {
			t.Errorf("claimed with Run %q: %v, run %q; want the run found, %q", run, err, again.Run, first.Run)
		}
	}
	y, _ := dirExchange(t)
	other := check()
	if err := claim(ctx, y, &other); err != nil || other.Run == first.Run || !hex32.MatchString(other.Run) {
		t.Errorf("another bucket: %v, run %q; want a new run, not %q", err, other.Run, first.Run)
	}
	z, _ := dirExchange(t)
	old := check()
	if _, err := z.create(ctx, manifestKey, mustJSON(t, &old)); err != nil {
		t.Fatal(err)
	}
	found := check()
	if err := claim(ctx, z, &found); err != nil || found.Run != "" {
		t.Errorf("a manifest with no run: %v, run %q; want it taken, with no run", err, found.Run)
	}
}

// TestClaimedGetsRun: every shard of a run calls Config.Claimed with the
// run's Run, the same again when started after the run ended; an error
// from it ends Run with that error.
func TestClaimedGetsRun(t *testing.T) {
	url, _ := exchangeURL(t)
	g := fanGraph()
	runs := func() []string {
		got := make([]string, 2)
		var wg sync.WaitGroup
		for i := range got {
			wg.Go(func() {
				b, err := Open(context.Background(), url)
				if err != nil {
					t.Error(err)
					return
				}
				defer b.Close()
				cfg := Config{Shards: 2, Index: i, Workers: 1, Run: Manifest{System: "graph"}, Poll: 5 * time.Millisecond,
					Claimed: func(run string) error { got[i] = run; return nil }}
				if _, err := Run(context.Background(), g, b, cfg); err != nil {
					t.Errorf("shard %d: %v", i, err)
				}
			})
		}
		wg.Wait()
		return got
	}
	first := runs()
	if first[0] == "" || first[0] != first[1] {
		t.Fatalf("the shards were given runs %q", first)
	}
	if again := runs(); again[0] != first[0] || again[1] != first[0] {
		t.Errorf("started again after the run: runs %q, want %q", again, first[0])
	}
	b, err := Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	refused := errors.New("refused")
	cfg := Config{Shards: 2, Index: 1, Workers: 1, Run: Manifest{System: "graph"}, Claimed: func(string) error { return refused }}
	if _, err := Run(context.Background(), g, b, cfg); !errors.Is(err, refused) {
		t.Errorf("Claimed failing: Run's error %v, want %v", err, refused)
	}
}
