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
// the flag that *release holds at Build is set. It calls spinning's
// function, when there is one, as it begins to loop.
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
						if f := spinning.Load(); f != nil && !done.Load() {
							(*f)()
						}
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

// spinning, when set, is called by spin's recovery as it begins to loop.
var spinning atomic.Pointer[func()]

// TestStoppedSearchThatDoesNotEnd: layer code that runs for ever without
// calling the lower layer, which no step limit counts, does not hold a
// command past its --time-limit (or a signal) for ever: stopGrace after
// the stop it ends with no verdict, status 3, and its reports say why.
func TestStoppedSearchThatDoesNotEnd(t *testing.T) {
	defer func(g time.Duration) { stopGrace = g }(stopGrace)
	stopGrace = 200 * time.Millisecond
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
		// shard takes no bound: a signal stops it once it loops.
		{"shard", []string{"shard", "spin", "--shards", "1", "--index", "0", "--exchange", "file://" + filepath.Join(dir, "exchange")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A catalogue of the case's own: a search of an earlier case
			// given up, which goes on, builds no check that loops here.
			var release atomic.Pointer[atomic.Bool]
			cat := spinCatalog(t, &release)
			done := new(atomic.Bool)
			release.Store(done)
			defer done.Store(true) // the search goroutines end with the test
			if tc.name == "shard" {
				// The shard's context, signalled as spin begins to loop;
				// the shard started again gets signalContext's own.
				made := signalContext
				defer func() { signalContext = made }()
				ctx, cancel := context.WithCancelCause(context.Background())
				signal := func() { cancel(errors.New("interrupt")) }
				spinning.Store(&signal)
				defer spinning.Store(nil)
				signalContext = func() (context.Context, context.CancelFunc) {
					signalContext = made
					return ctx, func() {}
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
				t.Fatalf("%s had not ended 20 s after it was stopped", strings.Join(args, " "))
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
