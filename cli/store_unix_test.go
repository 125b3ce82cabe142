//go:build unix

package cli

import (
	"encoding/json"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/argocheck/argocheck/statestore/persist"
)

// A signal that comes while check --store creates its store, or resume
// opens one, stops the run as one that comes during the search does:
// status 3, the line saying how to resume, and reports that say
// incomplete in place of an earlier run's verdict.
func TestSignalWhileOpeningStore(t *testing.T) {
	cases := []struct {
		name string
		args func(dir string) []string
		hook func(signal func())
	}{
		{"check --store", func(dir string) []string {
			return []string{"check", "repdisk", "--blocks", "3", "--values", "2", "--store", dir}
		}, func(signal func()) {
			createStore = func(dir string, run persist.Header, o persist.Options) (*persist.Store, error) {
				signal()
				return persist.Create(dir, run, o)
			}
		}},
		{"resume", func(dir string) []string {
			if _, _, code := cli(t, "check", "repdisk", "--blocks", "3", "--values", "2", "--store", dir, "--max-states", "50", "-q"); code != ExitIncomplete {
				t.Fatalf("the first run: exit %d", code)
			}
			return []string{"resume", dir}
		}, func(signal func()) {
			openStore = func(dir string, o persist.Options) (*persist.Store, error) {
				signal()
				return persist.Open(dir, o)
			}
		}},
	}
	t.Cleanup(func() { createStore, openStore = persist.Create, persist.Open })
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "store")
			args := tc.args(dir)
			// The test's own channel keeps the signal from ending the
			// test binary when nothing else catches it (until the
			// command's end gives signals their default action back).
			got := make(chan os.Signal, 1)
			signal.Notify(got, os.Interrupt)
			defer signal.Stop(got)
			tc.hook(func() {
				syscall.Kill(os.Getpid(), syscall.SIGINT)
				<-got
				awaitSignalSeen()
			})
			defer func() { createStore, openStore = persist.Create, persist.Open }()
			report := writeFile(t, t.TempDir(), "report.json", `{"verdict": "verified"}`)
			_, stderr, code := cli(t, append(args, "-q", "--report", report)...)
			b, _ := os.ReadFile(report)
			var r jsonReport
			json.Unmarshal(b, &r)
			if code != ExitIncomplete || r.Verdict != "incomplete" || !strings.Contains(stderr, "resume with: argocheck resume "+dir) {
				t.Fatalf("exit %d, report verdict %q, stderr %q; want exit %d, incomplete and how to resume", code, r.Verdict, stderr, ExitIncomplete)
			}
		})
	}
}
