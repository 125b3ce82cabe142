package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/layers"
)

var update = flag.Bool("update", false, "rewrite golden files")

// cli runs the command line over the built-in systems and returns its
// output and exit status.
func cli(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(layers.Catalog(), args, &out, &errb)
	return out.String(), errb.String(), code
}

// timing masks the figures that vary from run to run.
// Counts on a violation depend on how far other workers got when it was
// found, so they are masked too; the path does not vary.
var timing = regexp.MustCompile(`(states|transitions|crash_points|seconds|states_per_second|memory_bytes|bytes_per_state|level_bytes|collision_probability|expanding_share)=[0-9.e+-]+`)

// searchedFigures masks out as timing does, and drops the expanding share,
// which a summary gives only where the process searched: a finished run
// reported again, and a shard's summary, have none.
func searchedFigures(s string) string {
	return strings.Replace(timing.ReplaceAllString(s, "$1=X"), " expanding_share=X", "", 1)
}

// writeFile writes body to the file name in dir and returns its path.
func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

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
	out, _, code := cli(t, "check", "repdisk", "--blocks", "3", "--values", "2", "--variant", "recover-block0-only", "--workers", "2")
	if code != ExitViolation {
		t.Fatalf("exit %d, want %d:\n%s", code, ExitViolation, out)
	}
	golden(t, "recover-block0-only.txt", timing.ReplaceAllString(out, "$1=X"))
}

func TestExitStatus(t *testing.T) {
	cases := []struct {
		args   []string
		code   int
		stderr string // expected in the one error line
	}{
		{[]string{"check", "repdisk", "--blocks", "2"}, ExitVerified, ""},
		{[]string{"check", "repdisk", "--blocks", "2", "--oob"}, ExitVerified, ""},
		{[]string{"check", "repdisk", "--blocks", "2", "--oob=false", "--determinism", "full"}, ExitVerified, ""},
		{[]string{"check", "repdisk", "--variant", "no-recovery"}, ExitViolation, ""},
		{[]string{"check", "repdisk", "--max-depth", "2"}, ExitIncomplete, ""},
		{[]string{"check", "nosuch"}, ExitUsage, `unknown system "nosuch"`},
		{[]string{"check", "repdisk", "--variant", "nosuch"}, ExitUsage, `unknown variant "nosuch"`},
		{[]string{"check", "repdisk", "--blocks", "0"}, ExitUsage, "repdisk: --blocks must be between 1 and 8, not 0"},
		{[]string{"shard", "--shards", "1", "--index", "0", "--exchange", "file:///dev/null/x", "repdisk", "--blocks", "99"}, ExitUsage, "repdisk: --blocks must be between 1 and 8, not 99"},
		{[]string{"check", "repdisk", "--values", "99"}, ExitUsage, "--values must be between 2 and 8, not 99"},
		{[]string{"check", "repdisk", "--workers", "0"}, ExitUsage, "--workers must be between 1 and 4096, not 0"},
		{[]string{"check", "repdisk", "--workers", "4097"}, ExitUsage, "--workers must be between 1 and 4096, not 4097"},
		{[]string{"check", "repdisk", "--workers", "99999999999"}, ExitUsage, "--workers must be between 1 and 4096, not 99999999999"},
		{[]string{"shard", "--shards", "1", "--index", "0", "--exchange", "file:///dev/null/x", "repdisk", "--workers", "4097"}, ExitUsage, "--workers must be between 1 and 4096"},
		{[]string{"resume", os.DevNull, "--workers", "4097"}, ExitUsage, "--workers must be between 1 and 4096"},
		{[]string{"bench", "--workers", "1,4097", "--out", os.DevNull}, ExitUsage, "--workers must be between 1 and 4096, not 4097"},
		{[]string{"bench", "--workers", "0,2", "--out", os.DevNull}, ExitUsage, "--workers must be between 1 and 4096, not 0"},
		{[]string{"check", "repdisk", "--max-depth", "-1"}, ExitUsage, "--max-depth must not be negative, not -1"},
		{[]string{"check", "repdisk", "--continue", "-2"}, ExitUsage, "--continue must not be negative, not -2"},
		{[]string{"check", "repdisk", "--time-limit", "-5s"}, ExitUsage, "--time-limit must not be negative, not -5s"},
		{[]string{"check", "repdisk", "--crashes", "sometimes"}, ExitUsage, `--crashes: unknown crash mode "sometimes"`},
		{[]string{"check", "repdisk", "--exact", "--spill", "sp"}, ExitUsage, "argocheck: --exact cannot be used with --spill: exact keys hold every encoding in memory, which cannot spill\n"},
		{[]string{"check", "repdisk", "--spill", "/dev/null/x"}, ExitUsage, "--spill: cannot make the spill directory /dev/null/x: not a directory"},
		{[]string{"check", "repdisk", "--log", "3"}, ExitUsage, "repdisk takes no --log"},
		{[]string{"check", "repdisk", "--blocks", "x"}, ExitUsage, `--blocks: "x" is not an integer`},
		{[]string{"check", "repdisk", "--oob=maybe"}, ExitUsage, `--oob: "maybe" is not true or false`},
		{[]string{"check", "repdisk", "--max-states", "-5"}, ExitUsage, `--max-states: "-5" is not a whole number, 0 or more (0: no bound)`},
		{[]string{"check", "repdisk", "--max-depth", "2.5"}, ExitUsage, `--max-depth: "2.5" is not a whole number, 0 or more (0: no bound)`},
		{[]string{"check", "repdisk", "--workers", "many"}, ExitUsage, `--workers: "many" is not a whole number from 1 to 4096`},
		{[]string{"check", "repdisk", "--time-limit", "soon"}, ExitUsage, `--time-limit: "soon" is not a duration such as 90s or 2h (0: no bound)`},
		{[]string{"check", "repdisk", "--exact=maybe"}, ExitUsage, `--exact: "maybe" is not true or false`},
		{[]string{"shard", "--shards", "two", "repdisk"}, ExitUsage, `--shards: "two" is not a whole number, 1 or more`},
		{[]string{"bench", "--workers", "1,two"}, ExitUsage, `--workers: "1,two" is not a list of whole numbers from 1 to 4096, separated by commas`},
		{[]string{"bench", "--repeats", "-"}, ExitUsage, `--repeats: "-" is not a whole number, 1 or more`},
		{[]string{"check", "repdisk", "--determinism", "some"}, ExitUsage, `--determinism: unknown determinism mode "some"`},
		{[]string{"check", "repdisk", "--memory", "lots"}, ExitUsage, `--memory: "lots" is not a positive size`},
		{[]string{"check", "repdisk", "--memory", "NaN"}, ExitUsage, `--memory: "NaN" is not a positive size`},
		{[]string{"check", "repdisk", "--memory", "0.5"}, ExitUsage, `--memory: "0.5" is not a positive size`},
		{[]string{"check", "repdisk", "--memory", "1PB"}, ExitUsage, "units B, KB, MB"},
		{[]string{"check", "repdisk", "--blocks", "2", "--variant", "correct"}, ExitVerified, ""},
		{[]string{"check", "repdisk", "--variant", ""}, ExitUsage, "argocheck: --variant must name a variant (see 'argocheck list'), not \"\"\n"},
		{[]string{"check", "repdisk", "--variant="}, ExitUsage, "argocheck: --variant must name a variant (see 'argocheck list'), not \"\"\n"},
		{[]string{"shard", "--shards", "1", "--index", "0", "repdisk", "--variant="}, ExitUsage, "argocheck: --variant must name a variant (see 'argocheck list'), not \"\"\n"},
		{[]string{"check"}, ExitUsage, "check takes one SYSTEM"},
		{[]string{"frobnicate"}, ExitUsage, "argocheck: unknown command \"frobnicate\" for \"argocheck\" (see 'argocheck --help')\n"},
		{[]string{"chek", "repdisk"}, ExitUsage, `unknown command "chek" for "argocheck" (did you mean check?)`},
		{[]string{"help", "frobnicate"}, ExitUsage, `unknown help topic "frobnicate" (see 'argocheck --help')`},
		{[]string{"help", "check"}, ExitVerified, ""},
		{[]string{"help"}, ExitVerified, ""},
		{[]string{"completion", "bash"}, ExitVerified, ""},
		{[]string{"completion"}, ExitVerified, ""},
		{[]string{"completion", "tcsh"}, ExitUsage, "argocheck: completion takes a shell (bash, fish, powershell, zsh), not \"tcsh\"\n"},
		{[]string{"list", "repdisk"}, ExitUsage, "list takes no arguments"},
		{[]string{"version", "extra"}, ExitUsage, "argocheck: version takes no arguments, got 1\n"},
		{[]string{"bench", "--systems", "", "--quick", "--out", "/dev/null/x"}, ExitUsage, "argocheck: --systems must name systems (see 'argocheck list'), not \"\"\n"},
		{[]string{"bench", "--systems", "repdisk", "--size", "blocks=1", "--out", ""}, ExitUsage, "argocheck: --out must name a directory, not \"\"\n"},
		// A true-or-false flag takes a value only after "=": the word
		// after it is an argument, which the error explains.
		{[]string{"check", "repdisk", "--oob", "maybe"}, ExitUsage, `check takes one SYSTEM (see 'argocheck list'), got 2 arguments: "maybe" follows --oob, which takes no separate value (write --oob=true or --oob=false)`},
		{[]string{"check", "--oob", "false", "repdisk"}, ExitUsage, `got 2 arguments: "false" follows --oob, which takes no separate value (write --oob=false)`},
		{[]string{"check", "repdisk", "-q", "0"}, ExitUsage, `got 2 arguments: "0" follows -q, which takes no separate value (write -q=false)`},
		{[]string{"check", "repdisk", "-q", "maybe"}, ExitUsage, `got 2 arguments: "maybe" follows -q, which takes no separate value (write -q=true or -q=false)`},
		{[]string{"check", "repdisk", "--quiet", "0"}, ExitUsage, `got 2 arguments: "0" follows --quiet, which takes no separate value (write --quiet=false)`},
		{[]string{"check", "repdisk", "--blocks", "2", "-q=false"}, ExitVerified, ""},
		// With no other argument, the word after the flag is taken for
		// the SYSTEM or PLAN, which the error explains the same way.
		{[]string{"check", "--oob", "false"}, ExitUsage, `unknown system "false" (systems: `},
		{[]string{"check", "--oob", "false"}, ExitUsage, `): "false" follows --oob, which takes no separate value (write --oob=false)`},
		{[]string{"check", "-q", "true"}, ExitUsage, `unknown system "true" (systems: `},
		{[]string{"check", "-q", "true"}, ExitUsage, `): "true" follows -q, which takes no separate value (write -q=true)`},
		{[]string{"shard", "--shards", "1", "--index", "0", "--oob", "false"}, ExitUsage, `): "false" follows --oob, which takes no separate value (write --oob=false)`},
		{[]string{"run", "--json", "true"}, ExitUsage, `plan true: no such file or directory: "true" follows --json, which takes no separate value (write --json=true)`},
		{[]string{"run", "nosuch.plan"}, ExitUsage, "argocheck: plan nosuch.plan: no such file or directory\n"},
		{[]string{"run", "testdata"}, ExitUsage, "argocheck: plan testdata: "}, // is a directory
		// An empty argument, as "$DIR" of a variable not set, is named
		// as such.
		{[]string{"check", ""}, ExitUsage, "check takes one SYSTEM (see 'argocheck list'), got an empty argument\n"},
		{[]string{"run", ""}, ExitUsage, "run takes one PLAN file, got an empty argument\n"},
		{[]string{"resume", ""}, ExitUsage, "resume takes one store DIR, got an empty argument\n"},
		{[]string{"trace", ""}, ExitUsage, "trace takes one store DIR, got an empty argument\n"},
		{[]string{"run", "p.plan", "--json", "true"}, ExitUsage, `run takes one PLAN file, got 2 arguments: "true" follows --json, which takes no separate value (write --json=true)`},
		{[]string{"bench", "--quick", "false"}, ExitUsage, `bench takes no arguments, got 1: "false" follows --quick, which takes no separate value (write --quick=false)`},
		{[]string{"check", "repdisk", "--blocks", "2", "maybe"}, ExitUsage, "check takes one SYSTEM (see 'argocheck list'), got 2 arguments\n"},
		{[]string{"check", "repdisk", "--", "--oob", "false"}, ExitUsage, "check takes one SYSTEM (see 'argocheck list'), got 3 arguments\n"},
		// A flag of check given to another command is named as check's.
		{[]string{"run", "p.plan", "--blocks", "2"}, ExitUsage, "--blocks is a flag of check: a plan sets it on each line, as blocks=VALUE\n"},
		{[]string{"run", "p.plan", "--oob"}, ExitUsage, "--oob is a flag of check: a plan sets it on each line, as oob=VALUE\n"},
		{[]string{"run", "p.plan", "--variant=no-recovery"}, ExitUsage, "--variant is a flag of check: a plan sets it on each line, as variant=NAME\n"},
		{[]string{"run", "p.plan", "--store", "st"}, ExitUsage, "--store is a flag of check, not of run (see 'argocheck run --help')\n"},
		{[]string{"shard", "--shards", "1", "--index", "0", "repdisk", "--max-depth", "2"}, ExitUsage, "--max-depth is a flag of check, not of shard (see 'argocheck shard --help')\n"},
		{[]string{"bench", "--memory", "1GiB"}, ExitUsage, "--memory is a flag of check, not of bench (see 'argocheck bench --help')\n"},
		{[]string{"list", "--blocks", "2"}, ExitUsage, "--blocks is a flag of check, not of list (see 'argocheck list --help')\n"},
		{[]string{"run", "p.plan", "--bogus"}, ExitUsage, "unknown flag: --bogus\n"},
		{[]string{"--blocks", "2"}, ExitUsage, "unknown flag: --blocks\n"},
		// A flag near one of the command's is named.
		{[]string{"check", "repdisk", "--value", "3"}, ExitUsage, "unknown flag: --value (did you mean --values?)\n"},
		{[]string{"check", "repdisk", "--wrokers", "3"}, ExitUsage, "unknown flag: --wrokers (did you mean --workers?)\n"},
		{[]string{"check", "repdisk", "--determ", "full"}, ExitUsage, "unknown flag: --determ (did you mean --determinism?)\n"},
		{[]string{"run", "p.plan", "--juni", "x.xml"}, ExitUsage, "unknown flag: --juni (did you mean --junit?)\n"},
		{[]string{"check", "repdisk", "--bogus"}, ExitUsage, "unknown flag: --bogus\n"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, stderr, code := cli(t, tc.args...)
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

// TestUnknownSystemAfterBool: a SYSTEM that follows a true-or-false flag
// and is not true or false is a mistyped system, not a value of the flag,
// and its error says nothing of the flag.
func TestUnknownSystemAfterBool(t *testing.T) {
	for _, args := range [][]string{{"check", "--oob", "repdsk"}, {"check", "-q", "repdsk"}, {"run", "-q", "nosuch.plan"}} {
		_, stderr, code := cli(t, args...)
		if code != ExitUsage || strings.Contains(stderr, "follows") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%q: exit %d, stderr %q", args, code, stderr)
		}
	}
}

// TestExitStatusesDocumented: the README's table and --help list every
// exit status with its meaning.
func TestExitStatusesDocumented(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	help, _, code := cli(t, "--help")
	if code != ExitVerified {
		t.Fatalf("--help: exit %d", code)
	}
	for _, s := range exitStatuses {
		row := fmt.Sprintf("| %d | %s |", s.code, s.meaning)
		if !strings.Contains(string(readme), row) {
			t.Errorf("README.md lacks the row %q", row)
		}
		if line := fmt.Sprintf("  %d  %s\n", s.code, s.meaning); !strings.Contains(help, line) {
			t.Errorf("--help lacks %q", line)
		}
	}
}

func TestJSON(t *testing.T) {
	out, _, code := cli(t, "check", "repdisk", "--variant", "no-recovery", "--json", "--workers", "1", "--determinism", "full")
	if code != ExitViolation {
		t.Fatalf("exit %d", code)
	}
	var r struct {
		Argocheck       version        `json:"argocheck"`
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
	validJSON(t, reportSchema(t), []byte(out), &r)
	params := map[string]any{"blocks": 3.0, "values": 2.0, "oob": false, "determinism": "full"}
	if r.Argocheck != reportVersion() || r.System != "repdisk" || r.Variant != "no-recovery" || mustJSON(t, r.Params) != mustJSON(t, params) ||
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
	out, _, code := cli(t, "list")
	for _, want := range []string{"repdisk", "recover-copy-back", "--blocks", "--oob", "(default false, true or false)", "(default 3, 1..8)"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("exit %d, output lacks %q:\n%s", code, want, out)
		}
	}
}

// TestBuildID: the build is named by the hash of the running executable.
func TestBuildID(t *testing.T) {
	path, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(exe)
	if want := hex.EncodeToString(sum[:8]); buildID() != want {
		t.Errorf("buildID() = %q, want %q, the hash of %s", buildID(), want, path)
	}
}

// TestVersion: --version and the version command print the build's
// version and revision, with the fallbacks when the build holds none, and
// the build that stores and shard runs record.
func TestVersion(t *testing.T) {
	line := regexp.MustCompile(`^argocheck version=\S+ revision=\S+ modified=(true|false) build=[0-9a-f]{16}\n$`)
	var first string
	for _, args := range [][]string{{"--version"}, {"version"}} {
		out, stderr, code := cli(t, args...)
		if code != ExitVerified || stderr != "" || !line.MatchString(out) {
			t.Fatalf("%v: exit %d, stdout %q, stderr %q", args, code, out, stderr)
		}
		if first != "" && out != first {
			t.Errorf("%v printed %q, --version %q", args, out, first)
		}
		first = out
	}
	if want := buildVersion().String() + " build=" + buildID() + "\n"; first != want {
		t.Errorf("printed %q, want %q", first, want)
	}
}

// TestWorkersDefaultHelp: the help of every command with --workers says
// that its default is the machine's number of CPUs, which the "(default
// N)" that follows shows for this machine only.
func TestWorkersDefaultHelp(t *testing.T) {
	for _, cmd := range []string{"check", "run", "resume", "shard"} {
		out, _, code := cli(t, "help", cmd)
		if code != ExitVerified || !strings.Contains(out, "worker goroutines, 1 to 4096, one per CPU unless set") {
			t.Errorf("help %s: exit %d, --workers not said to default to one per CPU:\n%s", cmd, code, out)
		}
	}
}
