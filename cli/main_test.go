package cli

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func runArgs(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// timing masks the figures that vary from run to run.
// Counts on a violation depend on how far other workers got when it was
// found, so they are masked too; the path does not vary.
var timing = regexp.MustCompile(`(states|transitions|crash_points|seconds|states_per_second|memory_bytes|bytes_per_state|level_bytes|collision_probability)=[0-9.e+-]+`)

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run with -update to accept):\n%s", path, got)
	}
}

func TestViolationPathGolden(t *testing.T) {
	code, out, _ := runArgs(t, "check", "repdisk", "--blocks", "3", "--values", "2", "--variant", "recover-block0-only", "--workers", "2")
	if code != exitViolation {
		t.Fatalf("exit %d, want %d:\n%s", code, exitViolation, out)
	}
	golden(t, "recover-block0-only.txt", timing.ReplaceAllString(out, "$1=X"))
}

func TestExitStatus(t *testing.T) {
	cases := []struct {
		args   []string
		code   int
		stderr string // expected in the one error line
	}{
		{[]string{"check", "repdisk", "--blocks", "2"}, exitVerified, ""},
		{[]string{"check", "repdisk", "--variant", "no-recovery"}, exitViolation, ""},
		{[]string{"check", "repdisk", "--max-depth", "2"}, exitIncomplete, ""},
		{[]string{"check", "nosuch"}, exitUsage, `unknown system "nosuch"`},
		{[]string{"check", "repdisk", "--variant", "nosuch"}, exitUsage, `unknown variant "nosuch"`},
		{[]string{"check", "repdisk", "--blocks", "0"}, exitUsage, "--blocks must be between 1 and 8, not 0"},
		{[]string{"check", "repdisk", "--values", "99"}, exitUsage, "--values must be between 1 and 8, not 99"},
		{[]string{"check", "repdisk", "--workers", "0"}, exitUsage, "--workers must be at least 1"},
		{[]string{"check", "repdisk", "--log", "3"}, exitUsage, "repdisk takes no --log"},
		{[]string{"check", "repdisk", "--blocks", "x"}, exitUsage, "invalid argument"},
		{[]string{"check"}, exitUsage, "check takes one SYSTEM"},
		{[]string{"frobnicate"}, exitUsage, "unknown command"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, _, stderr := runArgs(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d (stderr %q)", code, tc.code, stderr)
			}
			if tc.stderr == "" {
				if stderr != "" {
					t.Fatalf("unexpected stderr %q", stderr)
				}
				return
			}
			if !strings.Contains(stderr, tc.stderr) || strings.Count(stderr, "\n") != 1 {
				t.Fatalf("stderr %q, want one line containing %q", stderr, tc.stderr)
			}
		})
	}
}

func TestJSON(t *testing.T) {
	code, out, _ := runArgs(t, "check", "repdisk", "--variant", "no-recovery", "--json", "--workers", "1")
	if code != exitViolation {
		t.Fatalf("exit %d", code)
	}
	var r struct {
		System          string         `json:"system"`
		Variant         string         `json:"variant"`
		Params          map[string]any `json:"params"`
		Workers         int            `json:"workers"`
		Verdict         string         `json:"verdict"`
		States          uint64         `json:"states"`
		Transitions     uint64         `json:"transitions"`
		Depth           int            `json:"depth"`
		Seconds         *float64       `json:"seconds"`
		StatesPerSecond *float64       `json:"states_per_second"`
		Violation       *struct {
			Kind        string            `json:"kind"`
			Message     string            `json:"message"`
			TraceLength int               `json:"trace_length"`
			Trace       []json.RawMessage `json:"trace"`
		} `json:"violation"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.System != "repdisk" || r.Variant != "no-recovery" || r.Params["blocks"] != 3.0 || r.Params["values"] != 2.0 ||
		r.Workers != 1 || r.Verdict != "violation" || r.States == 0 || r.Transitions == 0 || r.Depth != 1 ||
		r.Seconds == nil || r.StatesPerSecond == nil {
		t.Fatalf("unexpected report: %s", out)
	}
	if r.Violation == nil || r.Violation.Kind != "recovery" || r.Violation.TraceLength != 2 ||
		len(r.Violation.Trace) != 3 || r.Violation.Message == "" {
		t.Fatalf("unexpected violation: %s", out)
	}
}

func TestList(t *testing.T) {
	code, out, _ := runArgs(t, "list")
	if code != 0 || !strings.Contains(out, "repdisk") || !strings.Contains(out, "recover-copy-back") || !strings.Contains(out, "--blocks") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}
