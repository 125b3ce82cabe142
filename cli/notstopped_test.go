package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/model"
)

// spinCatalog is the catalogue of "spin": a disk passed through, whose
// recovery, finding 1 in block 0, loops without calling the disk until
// the flag that *release holds at Build is set.
func spinCatalog(t *testing.T, release *atomic.Pointer[atomic.Bool]) *catalog.Catalog {
	t.Helper()
	cat, err := catalog.New(&catalog.System{
		Name:   "spin",
		About:  "a disk passed through whose recovery loops on 1",
		Params: []catalog.Param{{Name: "width", Default: 1, Min: 1, Max: 3, About: "blocks of the disk"}},
		Build: func(p catalog.Params, variant string) (model.Checker, error) {
			sizes := disk.Sizes{Blocks: p.Get("width"), Values: 2}
			done := release.Load()
			impl := func(lower onedisk.API) model.Instance[onedisk.API] {
				return model.Instance[onedisk.API]{API: lower, Recover: func() {
					if lower.Read(0) == 1 {
						for !done.Load() {
						}
					}
				}}
			}
			same := func(c *onedisk.State) (onedisk.State, bool) { return *c, true }
			return model.NewSystem(onedisk.Layer(sizes), onedisk.Layer(sizes), impl, same), nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// TestStoppedSearchThatDoesNotEnd: layer code that runs for ever without
// calling the lower layer, which no step limit counts, does not hold a
// command past its --time-limit (or a signal) for ever: stopGrace after
// the stop it ends with no verdict, status 3, and its reports say why.
func TestStoppedSearchThatDoesNotEnd(t *testing.T) {
	defer func(g time.Duration) { stopGrace = g }(stopGrace)
	stopGrace = 200 * time.Millisecond
	var release atomic.Pointer[atomic.Bool]
	cat := spinCatalog(t, &release)
	dir := t.TempDir()
	plan := filepath.Join(dir, "spin.plan")
	if err := os.WriteFile(plan, []byte("spin time-limit=300ms expect=incomplete\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	report, junit := filepath.Join(dir, "r.json"), filepath.Join(dir, "j.xml")
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"check", []string{"check", "spin", "--time-limit", "300ms"}},
		{"run", []string{"run", plan}},
		{"store", []string{"check", "spin", "--time-limit", "300ms", "--store", filepath.Join(dir, "store")}},
		// shard takes no bound: a signal 300 ms in stops it.
		{"shard", []string{"shard", "spin", "--shards", "1", "--index", "0", "--exchange", "file://" + filepath.Join(dir, "exchange")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			done := new(atomic.Bool)
			release.Store(done)
			defer done.Store(true) // the search goroutines end with the test
			if tc.name == "shard" {
				defer func(made func() (context.Context, context.CancelFunc)) { signalContext = made }(signalContext)
				signalContext = func() (context.Context, context.CancelFunc) {
					ctx, cancel := context.WithCancelCause(context.Background())
					stop := time.AfterFunc(300*time.Millisecond, func() { cancel(errors.New("interrupt")) })
					return ctx, func() { stop.Stop(); cancel(context.Canceled) }
				}
			}
			var stdout, stderr bytes.Buffer
			ended := make(chan int, 1)
			args := append(tc.args, "-q", "--report", report, "--junit", junit)
			go func() { ended <- Run(cat, args, &stdout, &stderr) }()
			var code int
			select {
			case code = <-ended:
			case <-time.After(20 * time.Second):
				done.Store(true)
				<-ended
				t.Fatalf("%s had not ended 20 s after it was stopped at 300 ms", strings.Join(args, " "))
			}
			if code != ExitIncomplete || !strings.Contains(stderr.String(), "had not ended") {
				t.Fatalf("status %d, want %d, stderr %q", code, ExitIncomplete, stderr.String())
			}
			data, err := os.ReadFile(report)
			if err != nil {
				t.Fatal(err)
			}
			var rep map[string]any
			if err := json.Unmarshal(data, &rep); err != nil {
				t.Fatal(err)
			}
			if tc.name == "run" {
				if rep["ok"] != false || !strings.Contains(rep["error"].(string), "had not ended") {
					t.Errorf("plan report %s", data)
				}
			} else if _, ok := rep["verdict"]; ok || !strings.Contains(rep["error"].(string), "had not ended") {
				t.Errorf("report %s", data)
			}
			if x, err := os.ReadFile(junit); err != nil || !strings.Contains(string(x), "<error") {
				t.Errorf("JUnit report %s (%v), want an <error>", x, err)
			}
			if tc.name != "shard" {
				return
			}
			// Given up, the shard left the exchange as a kill would: the
			// shard started again resumes from its last level and ends.
			done.Store(true)
			stdout.Reset()
			stderr.Reset()
			if code := Run(cat, args, &stdout, &stderr); code != ExitVerified {
				t.Fatalf("started again: status %d, want %d, stderr %q", code, ExitVerified, stderr.String())
			}
			data, err = os.ReadFile(report)
			if err != nil {
				t.Fatal(err)
			}
			var again struct {
				Verdict string `json:"verdict"`
				Shard   struct {
					ResumedFrom int `json:"resumed_from"`
				} `json:"shard"`
			}
			if err := json.Unmarshal(data, &again); err != nil || again.Verdict != "verified" || again.Shard.ResumedFrom < 1 {
				t.Errorf("started again: report %s (%v), want verified, resumed from level 1 or later", data, err)
			}
		})
	}
}
