package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/model"
)

const nightly = "../benchmarks/nightly.plan"

// TestNightlyPlanCoversCatalogue: the nightly plan checks every system of
// the catalogue, its correct implementation and every variant, expecting
// verified for correct ones, and for broken ones a violation at least once
// (a broken variant may verify at a size too small for its bug, which the
// plan may check too), each of its kind and shortest path; a line
// bounded, or narrowed by a crash mode, covers nothing.
func TestNightlyPlanCoversCatalogue(t *testing.T) {
	f, err := os.Open(nightly)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	checks, err := parsePlan(f, nightly, layers.Catalog(), defaultSearchFlags())
	if err != nil {
		t.Fatal(err)
	}
	type key struct{ sys, variant string }
	covered := map[key]bool{}
	for _, c := range checks {
		if c.cfg.MaxDepth > 0 || c.cfg.MaxStates > 0 || c.flags.timeLimit > 0 || c.cfg.Crashes != model.CrashAll {
			continue // bounded, or narrowed: says nothing about the verdict under every crash
		}
		correct := c.variant == ""
		for _, v := range c.sys.Variants {
			if v.Name == c.variant {
				correct = v.Correct
			}
		}
		switch {
		case correct && c.expected.verdict != explorer.Verified:
			t.Errorf("%s:%d: %s expects %s of a correct implementation", nightly, c.line, c.text, c.expected)
		case c.expected.verdict == explorer.Violated && c.expected.kind == "":
			t.Errorf("%s:%d: %s expects a violation of any kind: write expect=violation:KIND:STEPS, so that a mutant caught by another bug fails its line", nightly, c.line, c.text)
		case correct || c.expected.verdict == explorer.Violated:
			covered[key{c.sys.Name, c.variant}] = true
		}
	}
	for _, s := range layers.Systems() {
		if !covered[key{s.Name, ""}] {
			t.Errorf("%s: no unbounded check of system %s (correct implementation)", nightly, s.Name)
		}
		for _, v := range s.Variants {
			if !covered[key{s.Name, v.Name}] {
				t.Errorf("%s: no unbounded check of system %s variant %s that expects its verdict", nightly, s.Name, v.Name)
			}
		}
	}
}

// TestRunNightlyPlan runs the nightly plan: every verdict as expected,
// with reports for all checks.
func TestRunNightlyPlan(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every check of the nightly plan")
	}
	dir := t.TempDir()
	report, junit := filepath.Join(dir, "r.json"), filepath.Join(dir, "j.xml")
	stdout, stderr, code := cli(t, "run", nightly, "-q", "--workers", "2", "--report", report, "--junit", junit)
	if code != ExitVerified {
		t.Fatalf("exit status %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, " failed=0 ok=true ") {
		t.Errorf("summary:\n%s", stdout)
	}
	pr, _ := readPlanJSON(t, report)
	var doc junitSuites
	readXML(t, junit, &doc)
	if pr.Checks != len(pr.Results) || doc.Tests != pr.Checks || doc.Failures != 0 {
		t.Errorf("checks=%d results=%d junit tests=%d failures=%d", pr.Checks, len(pr.Results), doc.Tests, doc.Failures)
	}
}

// TestRunPlanMismatch: a verdict other than the expected one fails the
// run (exit status 1), names the line in the table and fails the JUnit case
// with the path.
func TestRunPlanMismatch(t *testing.T) {
	dir := t.TempDir()
	plan := writeFile(t, dir, "p.plan", `# two checks, the second wrongly expected
repdisk variant=correct blocks=2 values=2 expect=verified
repdisk variant=no-recovery blocks=2 values=2 expect=verified   # wrong
repdisk blocks=3 max-depth=1 expect=incomplete
`)
	report, junit := filepath.Join(dir, "r.json"), filepath.Join(dir, "j.xml")
	stdout, _, code := cli(t, "run", plan, "-q", "--report", report, "--junit", junit)
	if code != ExitViolation {
		t.Fatalf("exit status %d, want %d\n%s", code, ExitViolation, stdout)
	}
	for _, want := range []string{"FAIL", "line 3: expected verified", "shortest path:", "checks=3 ran=3 failed=1 ok=false"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	pr, _ := readPlanJSON(t, report)
	if pr.OK || pr.Failed != 1 || pr.Results[1].OK || !pr.Results[0].OK || pr.Results[1].Line != 3 {
		t.Errorf("report: ok=%v failed=%d", pr.OK, pr.Failed)
	}
	var doc junitSuites
	readXML(t, junit, &doc)
	cases := doc.Suites[0].Cases
	// Line 4 expects incomplete and its own bound stops it: it passes,
	// with no <error>.
	if len(cases) != 3 || cases[0].Failure != nil || cases[1].Failure == nil || cases[2].Failure != nil ||
		cases[0].Error != nil || cases[1].Error != nil || cases[2].Error != nil {
		t.Fatalf("junit cases: %+v", cases)
	}
	if !strings.HasPrefix(cases[1].Failure.Message, "expected verified, got violation") || !strings.Contains(cases[1].Failure.Text, "shortest path:") {
		t.Errorf("failure: %q\n%s", cases[1].Failure.Message, cases[1].Failure.Text)
	}
}

// TestRunPlanNarrowedMarked: a line checked over a narrowed graph reads
// "verified (narrowed)" in the table, not a bare "verified", while a
// line over the full graph stays unmarked.
func TestRunPlanNarrowedMarked(t *testing.T) {
	plan := writeFile(t, t.TempDir(), "p.plan", `repdisk blocks=2 values=2 expect=verified
repdisk blocks=2 values=2 crashes=no-nested expect=verified
repdisk blocks=2 values=2 crashes=between-ops expect=verified
`)
	stdout, _, code := cli(t, "run", plan, "-q")
	if code != ExitVerified {
		t.Fatalf("exit status %d\n%s", code, stdout)
	}
	rows := map[string]string{}
	for _, l := range strings.Split(stdout, "\n") {
		if f := strings.Fields(l); len(f) > 0 && (f[0] == "1" || f[0] == "2" || f[0] == "3") {
			rows[f[0]] = l
		}
	}
	for line, narrowed := range map[string]bool{"1": false, "2": true, "3": true} {
		if got := strings.Contains(rows[line], "verified (narrowed)"); got != narrowed {
			t.Errorf("line %s marked narrowed=%v, want %v: %q", line, got, narrowed, rows[line])
		}
	}
}

// TestRunPlanEveryMismatchFails: a line fails whichever verdict it
// expected and whichever other it got, verified too: a mutant's line
// (expect=violation) whose check verifies is a failure, with status 1,
// in the table, the report and the JUnit report.
func TestRunPlanEveryMismatchFails(t *testing.T) {
	for _, tc := range []struct {
		line string
		got  string
	}{
		{"repdisk blocks=1 expect=violation", "verified"},
		{"repdisk blocks=1 expect=incomplete", "verified"},
		{"repdisk blocks=1 variant=no-recovery expect=verified", "violation"},
		{"repdisk blocks=1 variant=no-recovery expect=incomplete", "violation"},
		{"repdisk blocks=2 max-depth=1 expect=verified", "incomplete"},
		{"repdisk blocks=2 max-depth=1 expect=violation", "incomplete"},
	} {
		t.Run(tc.line, func(t *testing.T) {
			dir := t.TempDir()
			plan := writeFile(t, dir, "p.plan", tc.line+"\n")
			report, junit := filepath.Join(dir, "r.json"), filepath.Join(dir, "j.xml")
			stdout, stderr, code := cli(t, "run", plan, "-q", "--report", report, "--junit", junit)
			if code != ExitViolation || !strings.Contains(stdout, "checks=1 ran=1 failed=1 ok=false") {
				t.Fatalf("exit status %d, want %d and the line failed:\n%s%s", code, ExitViolation, stdout, stderr)
			}
			if pr, data := readPlanJSON(t, report); pr.OK || pr.Failed != 1 || len(pr.Results) != 1 || pr.Results[0].OK || pr.Results[0].Verdict != tc.got {
				t.Errorf("report: %s", data)
			}
			var doc junitSuites
			readXML(t, junit, &doc)
			if cases := doc.Suites[0].Cases; doc.Failures != 1 || len(cases) != 1 || cases[0].Failure == nil || !strings.Contains(cases[0].Failure.Message, "got "+tc.got) {
				t.Errorf("junit: %+v", doc)
			}
		})
	}
}

// TestRunPlanSearchError: a check whose search ends in an error, not a
// verdict, stops the plan with the error's status; the table and the
// reports still hold the verdicts reached before it, a failure among
// them, and name the error; a report whose first check errs is valid
// too, with no results.
func TestRunPlanSearchError(t *testing.T) {
	for _, tc := range []struct {
		name, plan string
		line       int // of the check that errs
		ran        int // checks with a verdict, the first a failure
	}{
		{"second", "pass variant=panics expect=verified\npass variant=exits expect=verified\npass expect=verified\n", 2, 1},
		{"first", "pass variant=exits expect=verified\npass expect=verified\n", 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			plan := writeFile(t, dir, "p.plan", tc.plan)
			checks := strings.Count(tc.plan, "\n")
			report, junit := filepath.Join(dir, "r.json"), filepath.Join(dir, "j.xml")
			stdout, stderr, code := testCLI(t, "run", plan, "-q", "--workers", "1", "--report", report, "--junit", junit)
			at := fmt.Sprintf("p.plan:%d: layer code ended a goroutine", tc.line)
			if code != ExitIO || !strings.Contains(stderr, at) || strings.Count(stderr, "\n") != 1 {
				t.Fatalf("exit status %d, stderr %q; want %d and one line, the error at line %d", code, stderr, ExitIO, tc.line)
			}
			want := []string{fmt.Sprintf("p.plan:%d: layer code ended", tc.line), fmt.Sprintf("checks=%d ran=%d failed=%d ok=false", checks, tc.ran, tc.ran)}
			if tc.ran > 0 {
				want = append(want, "line 1: expected verified", "violation=panic")
			}
			for _, w := range want {
				if !strings.Contains(stdout, w) {
					t.Errorf("output lacks %q:\n%s", w, stdout)
				}
			}
			pr, data := readPlanJSON(t, report)
			if pr.OK || pr.Failed != tc.ran || len(pr.Results) != tc.ran || !strings.Contains(pr.Error, fmt.Sprintf("p.plan:%d: ", tc.line)) ||
				tc.ran > 0 && pr.Results[0].Verdict != "violation" {
				t.Errorf("report: %s", data)
			}
			var doc junitSuites
			readXML(t, junit, &doc)
			cases := doc.Suites[0].Cases
			if len(cases) != checks || cases[tc.ran].Error == nil || doc.Failures != tc.ran || doc.Errors != checks-tc.ran || tc.ran > 0 && cases[0].Failure == nil {
				t.Errorf("junit: %+v", doc)
			} else if !strings.HasPrefix(cases[tc.ran].Name, "pass variant=exits ") || !strings.Contains(cases[tc.ran].Error.Message, "Goexit") {
				t.Errorf("junit error case %q: %+v", cases[tc.ran].Name, cases[tc.ran].Error)
			}
			// The checks after it did not run: each an <error>, counted
			// in not_run.
			for _, c := range cases[min(tc.ran+1, len(cases)):] {
				if c.Error == nil || c.Error.Type != "not run" || !strings.Contains(c.Error.Message, fmt.Sprintf("the plan stopped before it: %s:%d: ", plan, tc.line)) {
					t.Errorf("junit case %q after the error: %+v", c.Name, c.Error)
				}
			}
			if pr.NotRun == nil || *pr.NotRun != checks-tc.ran-1 {
				t.Errorf("not_run in %s, want %d", data, checks-tc.ran-1)
			}
		})
	}
}

// TestRunPlanCaseNames: a plan's JUnit test cases are named as the
// check's (system, variant, parameters) when no other line shares the
// name, and lines that would share one (differing in search keys or the
// expected verdict only) each get " (line N)", so that none reads as a
// rerun of another.
func TestRunPlanCaseNames(t *testing.T) {
	dir := t.TempDir()
	plan := writeFile(t, dir, "p.plan", `pass expect=verified
pass width=2 expect=verified
# the same check as line 1, bounded
pass max-depth=1 expect=incomplete
`)
	junit := filepath.Join(dir, "j.xml")
	if stdout, stderr, code := testCLI(t, "run", plan, "-q", "--workers", "1", "--junit", junit); code != ExitVerified {
		t.Fatalf("exit status %d\n%s%s", code, stdout, stderr)
	}
	got := junitCaseNames(t, junit)
	want := []string{"pass variant=correct width=1 (line 1)", "pass variant=correct width=2", "pass variant=correct width=1 (line 4)"}
	if !slices.Equal(got, want) {
		t.Errorf("junit case names %q, want %q", got, want)
	}
}

// interruptPlan runs the argocheck command on plan with args, sends it
// SIGINT at the first progress line of its first check, and returns its
// stdout, stderr and exit status.
func interruptPlan(t *testing.T, plan string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	bin, err := argocheckBinary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append([]string{"run", plan, "--progress-interval", "2ms"}, args...)...)
	var out bytes.Buffer
	cmd.Stdout = &out
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var errs strings.Builder
	sc := bufio.NewScanner(pipe)
	signalled := false
	for sc.Scan() {
		errs.WriteString(sc.Text() + "\n")
		if !signalled && strings.Contains(sc.Text(), "[1/") && strings.Contains(sc.Text(), "level=") {
			if err := cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
			signalled = true
		}
	}
	cmd.Wait()
	if !signalled {
		t.Fatalf("no progress line to signal at; exit status %d\n%s%s", cmd.ProcessState.ExitCode(), &out, &errs)
	}
	return out.String(), errs.String(), cmd.ProcessState.ExitCode()
}

// TestRunPlanInterrupted: a plan stopped by SIGINT exits with status 3,
// and its reports cover every line: the check the signal stopped, with
// its verdict, and each line after it, which did not run, as an <error>
// of the JUnit report and counted in the report's not_run.
func TestRunPlanInterrupted(t *testing.T) {
	dir := t.TempDir()
	// The first check takes seconds, the signal comes at its first
	// progress line.
	plan := writeFile(t, dir, "p.plan", `repdisk blocks=8 values=4 expect=verified
repdisk blocks=2 values=2 expect=verified
repdisk blocks=2 values=2 max-depth=1 expect=incomplete
`)
	report, junit := filepath.Join(dir, "r.json"), filepath.Join(dir, "j.xml")
	stdout, stderr, code := interruptPlan(t, plan, "--workers", "1", "--report", report, "--junit", junit)
	if code != ExitIncomplete {
		t.Fatalf("exit status %d, want %d\n%s%s", code, ExitIncomplete, stdout, stderr)
	}
	if !strings.Contains(stdout, "checks=3 ran=1 failed=1 ok=false") {
		t.Errorf("summary:\n%s", stdout)
	}
	pr, data := readPlanJSON(t, report)
	if pr.OK || pr.Checks != 3 || len(pr.Results) != 1 || pr.Results[0].Verdict != "incomplete" || pr.NotRun == nil || *pr.NotRun != 2 {
		t.Errorf("report: %s", data)
	}
	var doc junitSuites
	readXML(t, junit, &doc)
	cases := doc.Suites[0].Cases
	if len(cases) != 3 || doc.Tests != 3 || doc.Failures != 1 || doc.Errors != 2 || cases[0].Failure == nil {
		t.Fatalf("junit: %+v", doc)
	}
	for i, c := range cases[1:] {
		if c.Error == nil || c.Error.Type != "not run" || !strings.Contains(c.Error.Message, "the plan stopped before it: a signal stopped "+plan+":1") {
			t.Errorf("line %d: %+v", i+2, c)
		}
	}
	if cases[1].Name != "repdisk variant=correct blocks=2 values=2 oob=false (line 2)" {
		t.Errorf("line 2's case is named %q", cases[1].Name)
	}
}

// TestRunPlanInterruptedAfterAVerdict: a plan that a signal stops after a
// check reached the verdict its line expects, before the next line, is
// not ok: its other lines did not run, which the report, the summary and
// the exit status 3 say alike.
func TestRunPlanInterruptedAfterAVerdict(t *testing.T) {
	sys := interruptingSystem(true)
	cat, err := catalog.New(sys)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	plan := writeFile(t, dir, "p.plan", "pass variant=interrupts expect=violation\npass expect=verified\n")
	report := filepath.Join(dir, "r.json")
	var stdout, stderr bytes.Buffer
	code := Run(cat, []string{"run", plan, "-q", "--workers", "1", "--report", report}, &stdout, &stderr)
	if code != ExitIncomplete || !strings.Contains(stdout.String(), "checks=2 ran=1 failed=0 ok=false") {
		t.Fatalf("exit status %d, want %d and the plan not ok:\n%s%s", code, ExitIncomplete, &stdout, &stderr)
	}
	if pr, data := readPlanJSON(t, report); pr.OK || pr.Failed != 0 || len(pr.Results) != 1 || !pr.Results[0].OK || pr.NotRun == nil || *pr.NotRun != 1 {
		t.Errorf("report: %s", data)
	}
}

// TestRunPlanInterruptedExpectingIncomplete: a check that a signal
// stopped is not ok, not even on a line that expects incomplete: its own
// bound did not stop it, and the line might have verified. The plan is
// not ok, and the check is an <error> of the JUnit report, as the exit
// status 3 says.
func TestRunPlanInterruptedExpectingIncomplete(t *testing.T) {
	dir := t.TempDir()
	plan := writeFile(t, dir, "p.plan", "repdisk blocks=8 values=4 max-states=100000000 expect=incomplete\n")
	report, junit := filepath.Join(dir, "r.json"), filepath.Join(dir, "j.xml")
	stdout, stderr, code := interruptPlan(t, plan, "--workers", "1", "--report", report, "--junit", junit)
	if code != ExitIncomplete || !strings.Contains(stdout, "checks=1 ran=1 failed=1 ok=false") ||
		!strings.Contains(stdout, "line 1: expected incomplete, from its own bound, not a signal\n") {
		t.Fatalf("exit status %d, want %d and the check failed, saying why:\n%s%s", code, ExitIncomplete, stdout, stderr)
	}
	if pr, data := readPlanJSON(t, report); pr.OK || pr.Failed != 1 || len(pr.Results) != 1 || pr.Results[0].OK {
		t.Errorf("report: %s", data)
	}
	var doc junitSuites
	readXML(t, junit, &doc)
	if cases := doc.Suites[0].Cases; len(cases) != 1 || cases[0].Error == nil || !strings.Contains(cases[0].Error.Message, "signal") {
		t.Errorf("junit: %+v", doc)
	}
}

// TestRunPlanSearchLimit: a search that goes past argocheck's limits
// partway through a plan, after checks that ran, stops the plan with
// status 2 (bad input: the plan's line cannot be checked, wherever it
// stands), the reports covering the checks before it; the exit statuses
// that --help and README.md's table give say so, not that nothing was run.
func TestRunPlanSearchLimit(t *testing.T) {
	dir := t.TempDir()
	plan := writeFile(t, dir, "p.plan", "pass expect=verified\npass variant=limit expect=verified\npass expect=verified\n")
	report, junit := filepath.Join(dir, "r.json"), filepath.Join(dir, "j.xml")
	stdout, stderr, code := testCLI(t, "run", plan, "-q", "--workers", "1", "--report", report, "--junit", junit)
	if code != ExitUsage || !strings.Contains(stderr, "p.plan:2: ") || !strings.Contains(stderr, "beyond argocheck's limits") || strings.Count(stderr, "\n") != 1 {
		t.Fatalf("exit status %d, stderr %q; want %d and one line, the error at line 2", code, stderr, ExitUsage)
	}
	if !strings.Contains(stdout, "checks=3 ran=1 failed=0 ok=false") {
		t.Errorf("summary:\n%s", stdout)
	}
	pr, data := readPlanJSON(t, report)
	if pr.OK || len(pr.Results) != 1 || !pr.Results[0].OK || !strings.Contains(pr.Error, "p.plan:2: ") {
		t.Errorf("report: %s", data)
	}
	var doc junitSuites
	readXML(t, junit, &doc)
	if doc.Tests != 3 || doc.Errors != 2 || doc.Failures != 0 {
		t.Errorf("junit: %+v", doc)
	}
	help, _, _ := testCLI(t, "run", "--help")
	var usageLine string
	for line := range strings.Lines(help) {
		if strings.HasPrefix(line, fmt.Sprintf("  %d  ", ExitUsage)) {
			usageLine = line
		}
	}
	if !strings.Contains(usageLine, "argocheck's limits") || !strings.Contains(usageLine, "run:") {
		t.Errorf("run --help describes status %d as %q: not a search past argocheck's limits partway through a plan", ExitUsage, usageLine)
	}
}

// TestRunHelpKeys: run --help names every search flag a plan line takes
// as a key.
func TestRunHelpKeys(t *testing.T) {
	long := strings.Join(strings.Fields(newRun(layers.Catalog()).Long), " ")
	_, named, _ := strings.Cut(long, "the search flags are ")
	named, _, _ = strings.Cut(named, ", each taking")
	keys := pflag.NewFlagSet("plan", pflag.ContinueOnError)
	f := defaultSearchFlags()
	f.registerSearch(keys, flagUse{})
	keys.VisitAll(func(fl *pflag.Flag) {
		if !slices.Contains(strings.FieldsFunc(named, func(r rune) bool { return r == ',' || r == ' ' }), fl.Name) {
			t.Errorf("run --help does not name the key %s among %q", fl.Name, named)
		}
	})
}

// TestPlanErrors: a bad plan is a usage error naming the file and line,
// and no check runs.
func TestPlanErrors(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{"nosuch expect=verified", `unknown system "nosuch"`},
		{"repdisk blocks=3", "missing expect="},
		{"repdisk expect=fine", `"fine" is not verified, violation (violation:KIND, violation:KIND:STEPS) or incomplete`},
		{"repdisk colour=red expect=verified", "colour: unknown key"},
		{"repdisk log=2 expect=verified", "system repdisk has no parameter log"},
		{"repdisk blocks=3 blocks=2 expect=verified", "blocks given twice"},
		{"repdisk blocks=99 expect=verified", `: blocks: "99" is not a whole number from 1 to 8`},
		{"repdisk blocks=9 expect=verified", `: blocks: "9" is not a whole number from 1 to 8`},
		{"repdisk values=1 expect=verified", `: values: "1" is not a whole number from 2 to 8`},
		{"repdisk blocks=x expect=verified", `: blocks: "x" is not a whole number from 1 to 8`},
		{"repdisk variant=nosuch expect=verified", `unknown variant "nosuch"`},
		{"repdisk blocks expect=verified", `"blocks" is not key=value`},
		{"repdisk oob expect=verified", `"oob" is not key=value (write oob=true)`},
		{"repdisk exact=true spill=sp expect=verified", ": exact cannot be used with spill: exact keys hold every encoding in memory, which cannot spill"},
		{"repdisk exact expect=verified", `"exact" is not key=value (write exact=true)`},
		{"repdisk variant= expect=violation", `"variant=" is not key=value`},
		{"repdisk time-limit=soon expect=verified", `: time-limit: "soon" is not a duration such as 90s or 2h (0: no bound)`},
		{"repdisk max-states=-5 expect=verified", `: max-states: "-5" is not a whole number, 0 or more (0: no bound)`},
		{"repdisk workers=x expect=verified", `: workers: "x" is not a whole number from 1 to 4096`},
		{"repdisk exact=maybe expect=verified", `: exact: "maybe" is not true or false`},
		{"repdisk workers=0 expect=verified", `: workers: "0" is not a whole number from 1 to 4096`},
		{"repdisk workers=4097 expect=verified", `: workers: "4097" is not a whole number from 1 to 4096`},
		{"repdisk workers=99999999999 expect=verified", `: workers: "99999999999" is not a whole number from 1 to 4096`},
		{"repdisk crashes=sometimes expect=verified", `: crashes: unknown crash mode "sometimes"`},
		{"repdisk determinism=some expect=verified", `: determinism: unknown determinism mode "some"`},
		{"repdisk oob=maybe expect=verified", `: oob: "maybe" is not true or false`},
		{"repdisk spill=/dev/null/x expect=verified", ": spill: cannot make the spill directory /dev/null/x: not a directory"},
		{"repdisk memory=lots expect=verified", `: memory: "lots" is not a positive size`},
		{"repdisk max-depth=-1 expect=verified", `: max-depth: "-1" is not a whole number, 0 or more (0: no bound)`},
		{"repdisk continue=-2 expect=verified", `: continue: "-2" is not a whole number, 0 or more`},
		{"repdisk time-limit=-5s expect=verified", `: time-limit: "-5s" is not a duration, 0 or more (0: no bound)`},
		{"repdisk quiet=true expect=verified", "quiet: unknown key (keys: variant, blocks, values, oob, continue, crashes, determinism, exact, max-depth, max-states, memory, spill, time-limit, workers, expect)"},
	} {
		plan := writeFile(t, t.TempDir(), "bad.plan", "# a comment\n\nrepdisk expect=verified\n"+tc.line+"\n")
		stdout, stderr, code := cli(t, "run", plan, "-q")
		if code != ExitUsage || !strings.Contains(stderr, plan+":4: ") || !strings.Contains(stderr, tc.want) || stdout != "" {
			t.Errorf("%q: exit status %d, stderr %q, stdout %q; want 2 and %q", tc.line, code, stderr, stdout, tc.want)
		}
		if strings.Contains(stderr, "--") {
			t.Errorf("%q: stderr %q names a flag of the command line, not a key of the plan", tc.line, stderr)
		}
	}
	// A plan saved by a Windows editor: UTF-8 with a byte order mark and
	// CRLF line ends runs; UTF-16 is refused by name.
	bom := writeFile(t, t.TempDir(), "bom.plan", "\ufeff# a comment\r\nrepdisk blocks=1 expect=verified\r\n")
	if _, stderr, code := cli(t, "run", bom, "-q"); code != ExitVerified {
		t.Errorf("a plan with a byte order mark: exit status %d, stderr %q", code, stderr)
	}
	utf16 := writeFile(t, t.TempDir(), "utf16.plan", "\xff\xfer\x00e\x00p\x00\n\x00")
	if _, stderr, code := cli(t, "run", utf16, "-q"); code != ExitUsage || stderr != "argocheck: "+utf16+": the plan is UTF-16 text: save it as UTF-8\n" {
		t.Errorf("a UTF-16 plan: exit status %d, stderr %q", code, stderr)
	}
	empty := writeFile(t, t.TempDir(), "empty.plan", "# nothing\n")
	if _, stderr, code := cli(t, "run", empty); code != ExitUsage || !strings.Contains(stderr, "no checks") {
		t.Errorf("empty plan: %d %q", code, stderr)
	}
}

// planJSON is the plan report as a reader decodes it.
type planJSON struct {
	OK      bool   `json:"ok"`
	Checks  int    `json:"checks"`
	Failed  int    `json:"failed"`
	NotRun  *int   `json:"not_run"`
	Error   string `json:"error"`
	Results []struct {
		Line          int    `json:"line"`
		OK            bool   `json:"ok"`
		Expected      string `json:"expected"`
		ExpectedKind  string `json:"expected_kind"`
		ExpectedSteps *int   `json:"expected_steps"`
		Verdict       string `json:"verdict"`
	} `json:"results"`
}

// readPlanJSON reads the plan report at path, valid by the schema, and
// returns it with its text.
func readPlanJSON(t *testing.T, path string) (planJSON, []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var pr planJSON
	validJSON(t, reportSchema(t), data, &pr)
	return pr, data
}

// TestPlanExpectationErrors: an expect value that names a violation's
// kind or path length badly is refused when the plan is read, naming the
// line, the key and what is wrong.
func TestPlanExpectationErrors(t *testing.T) {
	kinds := "refinement, recovery, panic, step-limit, nondeterminism, invariant, initial, spec"
	for _, tc := range []struct{ value, want string }{
		{"violation:recvery", `expect: "violation:recvery": "recvery" is not a kind of violation (kinds: ` + kinds + ")"},
		{"violation:Recovery", `"Recovery" is not a kind of violation`},
		{"violation:", `expect: "violation:" names no kind (write violation, or violation:KIND with KIND one of ` + kinds + ")"},
		{"violation::2", `expect: "violation::2" names no kind`},
		{"violation:recovery:", `expect: "violation:recovery:" names no steps after the kind (write violation:recovery, or violation:recovery:STEPS)`},
		{"violation:recovery:x", `expect: "violation:recovery:x": steps "x" is not a whole number, 0 or more`},
		{"violation:recovery:-1", `expect: "violation:recovery:-1": steps "-1" is not a whole number, 0 or more`},
		{"violation:recovery:+2", `expect: "violation:recovery:+2": steps "+2" is not a whole number, 0 or more`},
		{"violation:recovery:2.0", `steps "2.0" is not a whole number, 0 or more`},
		{"violation:recovery:99999999999999999999", `steps "99999999999999999999" is more than a path can have`},
		{"violation:recovery:2:3", `expect: "violation:recovery:2:3" is not violation:KIND:STEPS: too many parts`},
		{"violation:nondeterminism:4", `expect: "violation:nondeterminism:4": a nondeterminism violation's path is rebuilt by running the nondeterministic code again, and has no length that repeats from run to run: write violation:nondeterminism`},
		{"verified:recovery", `expect: "verified:recovery": only violation takes a kind (violation:KIND or violation:KIND:STEPS), not verified`},
		{"incomplete:", `expect: "incomplete:": only violation takes a kind`},
		{"verified:", `expect: "verified:": only violation takes a kind`},
		{"violations:recovery", `expect: "violations:recovery" is not verified, violation (violation:KIND, violation:KIND:STEPS) or incomplete`},
	} {
		plan := writeFile(t, t.TempDir(), "bad.plan", "repdisk blocks=1 expect=verified\nrepdisk blocks=1 expect="+tc.value+"\n")
		stdout, stderr, code := cli(t, "run", plan, "-q")
		if code != ExitUsage || !strings.Contains(stderr, plan+":2: expect: ") || !strings.Contains(stderr, tc.want) || stdout != "" {
			t.Errorf("expect=%s: exit status %d, stderr %q, stdout %q; want %d and %q", tc.value, code, stderr, stdout, ExitUsage, tc.want)
		}
	}
}

// TestRunPlanViolationKind: a line that names a violation's kind, or its
// kind and the length of its shortest path, is ok only when the check's
// violation has them (with continue, the first violation's, which is at
// the shortest path); plain expect=violation takes any. The table, the
// failure below it, the JSON report and the JUnit report all say what the
// line expected, and a failure says what the check reached.
func TestRunPlanViolationKind(t *testing.T) {
	const (
		noRecovery = "repdisk blocks=2 values=2 variant=no-recovery "   // recovery at 2 steps
		d0Only     = "repdisk blocks=2 values=2 variant=write-d0-only " // refinement at 1 step
	)
	steps := func(n int) *int { return &n }
	for _, tc := range []struct {
		line     string
		testSys  bool // the line is of testSystem's catalogue
		ok       bool
		kind     string
		steps    *int
		got      string // the failure's, after "expected EXPECT, got "
		expected string // the expected column
	}{
		{line: noRecovery + "expect=violation:recovery:2", ok: true, kind: "recovery", steps: steps(2)},
		{line: noRecovery + "expect=violation:recovery", ok: true, kind: "recovery"},
		{line: noRecovery + "expect=violation", ok: true},
		{line: d0Only + "expect=violation", ok: true},
		{line: d0Only + "expect=violation:refinement:1", ok: true, kind: "refinement", steps: steps(1)},
		{line: "pass variant=panics expect=violation", testSys: true, ok: true},
		{line: noRecovery + "expect=violation:panic", kind: "panic", got: "violation (recovery) at 2 steps"},
		{line: noRecovery + "expect=violation:recovery:3", kind: "recovery", steps: steps(3), got: "violation (recovery) at 2 steps"},
		{line: noRecovery + "expect=violation:refinement:2", kind: "refinement", steps: steps(2), got: "violation (recovery) at 2 steps"},
		{line: d0Only + "expect=violation:refinement:0", kind: "refinement", steps: steps(0), got: "violation (refinement) at 1 step"},
		{line: "pass variant=panics expect=violation:recovery", testSys: true, kind: "recovery", got: "violation (panic) at 1 step"},
		{line: "repdisk blocks=2 values=2 expect=violation:recovery:2", kind: "recovery", steps: steps(2), got: "verified"},
		// With continue, the first violation is compared: recovery at 2
		// steps, though the others found are at 3.
		{line: noRecovery + "continue=4 expect=violation:recovery:2", ok: true, kind: "recovery", steps: steps(2)},
		{line: noRecovery + "continue=4 expect=violation:recovery:3", kind: "recovery", steps: steps(3), got: "violation (recovery) at 2 steps"},
	} {
		t.Run(tc.line, func(t *testing.T) {
			dir := t.TempDir()
			plan := writeFile(t, dir, "p.plan", tc.line+"\n")
			report, junit := filepath.Join(dir, "r.json"), filepath.Join(dir, "j.xml")
			run := cli
			if tc.testSys {
				run = testCLI
			}
			stdout, stderr, code := run(t, "run", plan, "-q", "--workers", "1", "--report", report, "--junit", junit)
			_, expect, _ := strings.Cut(tc.line, "expect=")
			want, result := ExitVerified, "ok"
			if !tc.ok {
				want, result = ExitViolation, "FAIL"
			}
			if code != want {
				t.Fatalf("exit status %d, want %d\n%s%s", code, want, stdout, stderr)
			}
			row := ""
			for l := range strings.Lines(stdout) {
				if strings.HasPrefix(l, "1 ") {
					row = l
				}
			}
			if f := strings.Fields(row); len(f) < 5 || !slices.Contains(f, expect) || f[len(f)-1] != result {
				t.Errorf("the table's row does not show expected %s and %s: %q", expect, result, row)
			}
			failure := fmt.Sprintf("p.plan line 1: expected %s, got %s\n", expect, tc.got)
			if got := strings.Contains(stdout, failure); got == tc.ok {
				t.Errorf("the output says %q: %v, want %v\n%s", failure, got, !tc.ok, stdout)
			}
			pr, data := readPlanJSON(t, report)
			r := pr.Results[0]
			if r.OK != tc.ok || pr.OK != tc.ok || r.Expected != "violation" || r.ExpectedKind != tc.kind || !reflect.DeepEqual(r.ExpectedSteps, tc.steps) {
				t.Errorf("report: ok=%v expected=%s expected_kind=%q expected_steps=%v; want ok=%v, violation, %q, %v\n%s",
					r.OK, r.Expected, r.ExpectedKind, r.ExpectedSteps, tc.ok, tc.kind, tc.steps, data)
			}
			if tc.steps == nil && strings.Contains(string(data), `"expected_steps"`) || tc.kind == "" && strings.Contains(string(data), `"expected_kind"`) {
				t.Errorf("report names an expectation the line does not:\n%s", data)
			}
			var doc junitSuites
			readXML(t, junit, &doc)
			c := doc.Suites[0].Cases[0]
			switch {
			case tc.ok && c.Failure != nil:
				t.Errorf("junit failure %q on a line that is ok", c.Failure.Message)
			case !tc.ok && (c.Failure == nil || !strings.HasPrefix(c.Failure.Message, fmt.Sprintf("expected %s, got %s", expect, tc.got))):
				t.Errorf("junit failure %+v, want one saying expected %s, got %s", c.Failure, expect, tc.got)
			}
		})
	}
}

// TestSchemaPlanExpectation: the schema takes a plan result's
// expected_kind and expected_steps as a line writes them, and refuses
// those no line can: a kind that is not model.ViolationKinds' (the
// schema lists the same kinds for a violation's kind), a kind expected of
// another verdict, steps with no kind or with nondeterminism.
func TestSchemaPlanExpectation(t *testing.T) {
	sch := reportSchema(t)
	var defs struct {
		Defs struct {
			Violation, PlanResult struct {
				Properties map[string]struct {
					Enum []string `json:"enum"`
				} `json:"properties"`
			}
		} `json:"$defs"`
	}
	if data, err := os.ReadFile("report.schema.json"); err != nil || json.Unmarshal(data, &defs) != nil {
		t.Fatalf("report.schema.json: %v", err)
	}
	kinds := model.ViolationKinds()
	if got := defs.Defs.PlanResult.Properties["expected_kind"].Enum; !slices.Equal(got, kinds) {
		t.Errorf("the schema's expected_kind is one of %v, model.ViolationKinds %v", got, kinds)
	}
	if got := defs.Defs.Violation.Properties["kind"].Enum; !slices.Equal(got, kinds) {
		t.Errorf("the schema's violation kind is one of %v, model.ViolationKinds %v", got, kinds)
	}
	dir := t.TempDir()
	plan := writeFile(t, dir, "p.plan", "repdisk blocks=2 values=2 variant=no-recovery expect=violation:recovery:2\n")
	report := filepath.Join(dir, "r.json")
	if stdout, stderr, code := cli(t, "run", plan, "-q", "--report", report); code != ExitVerified {
		t.Fatalf("exit status %d\n%s%s", code, stdout, stderr)
	}
	_, data := readPlanJSON(t, report)
	for name, tc := range map[string]struct {
		edit  func(r map[string]any)
		valid bool
	}{
		"as written":                {func(r map[string]any) {}, true},
		"kind alone":                {func(r map[string]any) { delete(r, "expected_steps") }, true},
		"neither":                   {func(r map[string]any) { delete(r, "expected_steps"); delete(r, "expected_kind") }, true},
		"nondeterminism, no steps":  {func(r map[string]any) { delete(r, "expected_steps"); r["expected_kind"] = "nondeterminism" }, true},
		"steps with no kind":        {func(r map[string]any) { delete(r, "expected_kind") }, false},
		"unknown kind":              {func(r map[string]any) { r["expected_kind"] = "recvery" }, false},
		"negative steps":            {func(r map[string]any) { r["expected_steps"] = -1 }, false},
		"steps of nondeterminism":   {func(r map[string]any) { r["expected_kind"] = "nondeterminism" }, false},
		"kind of verified expected": {func(r map[string]any) { r["expected"] = "verified"; delete(r, "expected_steps") }, false},
		"no settings":               {func(r map[string]any) { delete(r, "settings") }, false},
		"a setting missing":         {func(r map[string]any) { delete(r["settings"].(map[string]any), "time_limit_seconds") }, false},
		"an unknown setting":        {func(r map[string]any) { r["settings"].(map[string]any)["timeout"] = 1 }, false},
		"negative time limit":       {func(r map[string]any) { r["settings"].(map[string]any)["time_limit_seconds"] = -1 }, false},
	} {
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		tc.edit(m["results"].([]any)[0].(map[string]any))
		if err := sch.Validate(m); (err == nil) != tc.valid {
			t.Errorf("%s: the schema says %v, want valid=%v", name, err, tc.valid)
		}
	}
}

// TestRunPlanSettings: the JSON report gives every line's search
// settings (its keys, the run's flags for those it omits), and the table
// shows, in a settings column after params, those that are not
// argocheck's defaults, as a plan line writes them; a plan run with the
// defaults throughout has no such column.
func TestRunPlanSettings(t *testing.T) {
	const sys = "repdisk blocks=2 values=2 "
	spill := t.TempDir()
	budget := float64(explorer.DefaultMemoryBytes())
	// w workers are not the default, one per CPU.
	w := 1
	if defaultWorkers() == 1 {
		w = 2
	}
	ws := strconv.Itoa(w)
	// settings are the JSON settings of argocheck's defaults with those
	// of edit set.
	settings := func(edit map[string]any) map[string]any {
		s := map[string]any{
			"workers": float64(defaultWorkers()), "exact": false, "max_depth": 0.0, "max_states": 0.0,
			"memory_budget_bytes": budget, "spill": "", "crashes": "all", "determinism": "sample",
			"time_limit_seconds": 0.0, "continue": 0.0,
		}
		for k, v := range edit {
			s[k] = v
		}
		return s
	}
	for _, tc := range []struct {
		name  string
		flags []string
		line  string
		words string // the settings column's cell; "" for no column
		json  map[string]any
	}{
		{name: "defaults", line: sys + "expect=verified", json: settings(nil)},
		{name: "crash mode in params, not settings", line: sys + "crashes=no-nested determinism=full expect=verified",
			json: settings(map[string]any{"crashes": "no-nested", "determinism": "full"})},
		{name: "line's keys", line: sys + "workers=" + ws + " max-depth=1 max-states=1000 time-limit=90s expect=incomplete",
			words: "workers=" + ws + " max-depth=1 max-states=1000 time-limit=1m30s",
			json:  settings(map[string]any{"workers": float64(w), "max_depth": 1.0, "max_states": 1000.0, "time_limit_seconds": 90.0})},
		{name: "run's flags", flags: []string{"--time-limit", "2h", "--continue", "3", "--workers", ws},
			line:  sys + "variant=no-recovery expect=violation:recovery:2",
			words: "workers=" + ws + " time-limit=2h0m0s continue=3",
			json:  settings(map[string]any{"workers": float64(w), "time_limit_seconds": 7200.0, "continue": 3.0})},
		{name: "line's key over the run's flag", flags: []string{"--time-limit", "2h"}, line: sys + "time-limit=0 expect=verified",
			json: settings(nil)},
		{name: "memory, spill, exact", line: sys + "memory=1GiB spill=" + spill + " expect=verified\n" + sys + "exact=true expect=verified",
			words: "memory=1GiB spill=" + spill,
			json:  settings(map[string]any{"memory_budget_bytes": float64(1 << 30), "spill": spill})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			plan := writeFile(t, dir, "p.plan", tc.line+"\n")
			report := filepath.Join(dir, "r.json")
			stdout, stderr, code := cli(t, append([]string{"run", plan, "-q", "--report", report}, tc.flags...)...)
			if code != ExitVerified {
				t.Fatalf("exit status %d\n%s%s", code, stdout, stderr)
			}
			lines := strings.Split(stdout, "\n")
			if got := strings.Fields(lines[0]); slices.Contains(got, "settings") != (tc.words != "") {
				t.Errorf("the table's header %q: settings column %v, want %v", lines[0], !(tc.words != ""), tc.words != "")
			} else if tc.words != "" && (len(got) < 5 || got[4] != "settings") {
				t.Errorf("the table's header %q: settings not after params", lines[0])
			}
			if tc.words != "" && !strings.Contains(lines[1], "  "+tc.words+"  ") {
				t.Errorf("the table's row does not show %q:\n%s", tc.words, stdout)
			}
			_, data := readPlanJSON(t, report)
			var pr struct {
				Results []struct {
					Settings map[string]any `json:"settings"`
				} `json:"results"`
			}
			if err := json.Unmarshal(data, &pr); err != nil {
				t.Fatal(err)
			}
			if got := pr.Results[0].Settings; !reflect.DeepEqual(got, tc.json) {
				t.Errorf("settings %v, want %v", got, tc.json)
			}
			if len(pr.Results) > 1 {
				// The second line's exact=true shows in its row, and a
				// line with none shows "-".
				if got := pr.Results[1].Settings["exact"]; got != true {
					t.Errorf("line 2's exact: %v", got)
				}
				if !strings.Contains(lines[2], "  exact=true  ") {
					t.Errorf("line 2's row lacks exact=true:\n%s", stdout)
				}
			}
		})
	}
	// A line with no settings among lines with some shows "-".
	plan := writeFile(t, t.TempDir(), "p.plan", sys+"expect=verified\n"+sys+"workers="+ws+" expect=verified\n")
	stdout, _, code := cli(t, "run", plan, "-q")
	if lines := strings.Split(stdout, "\n"); code != ExitVerified || len(lines) < 3 || !strings.Contains(lines[1], "  -  ") || !strings.Contains(lines[2], "  workers="+ws+"  ") {
		t.Errorf("exit status %d; the table:\n%s", code, stdout)
	}
}

// TestRunPlanTimeLimitPerCheck: run's --time-limit bounds each check of a
// plan from its start, not the whole plan: a check after one that the
// limit stopped runs to its verdict. run --help says so.
func TestRunPlanTimeLimitPerCheck(t *testing.T) {
	const big = "repdisk blocks=7 values=4 " // seconds on any machine: longer than the limit
	for _, tc := range []struct {
		name, plan string
		flags      []string
	}{
		{"run's flag", big + "expect=incomplete\nrepdisk blocks=2 values=2 expect=verified\n", []string{"--time-limit", "200ms"}},
		{"line's key", big + "time-limit=200ms expect=incomplete\nrepdisk blocks=2 values=2 time-limit=200ms expect=verified\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			plan := writeFile(t, dir, "p.plan", tc.plan)
			report := filepath.Join(dir, "r.json")
			stdout, stderr, code := cli(t, append([]string{"run", plan, "-q", "--report", report}, tc.flags...)...)
			if code != ExitVerified {
				t.Fatalf("exit status %d, want %d: the second check is bounded by its own time limit\n%s%s", code, ExitVerified, stdout, stderr)
			}
			pr, data := readPlanJSON(t, report)
			if len(pr.Results) != 2 || pr.Results[0].Verdict != "incomplete" || pr.Results[1].Verdict != "verified" ||
				!strings.Contains(string(data), `"time_limit_seconds": 0.2`) {
				t.Errorf("report:\n%s", data)
			}
		})
	}
	help, _, _ := cli(t, "run", "--help")
	if !strings.Contains(strings.Join(strings.Fields(help), " "), "a time limit (--time-limit, or a line's time-limit) bounds each check from its start, not the whole plan") {
		t.Errorf("run --help does not say a time limit bounds each check:\n%s", help)
	}
}

// TestPlanNamesEveryBadLine: a plan with several bad lines, of different
// kinds, is refused with status 2, running nothing, naming each on a
// stderr line of its own ("FILE:LINE: reason"), so that one run shows
// every line to fix; before, it named the first alone.
func TestPlanNamesEveryBadLine(t *testing.T) {
	for _, tc := range []struct {
		name string
		plan string
		want []string // each ":LINE: reason", in order
	}{
		{"two", "repdisk blocks=9 expect=verified\nrepdisk expect=verified\nrepdisk workers=x expect=verified\n", []string{
			`:1: blocks: "9" is not a whole number from 1 to 8`,
			`:3: workers: "x" is not a whole number from 1 to 4096`,
		}},
		{"three", "# a comment\nrepdisk variant=nosuch expect=verified\n\nrepdisk oob expect=verified\nrepdisk expect=verified\nrepdisk quiet=true expect=verified\n", []string{
			`:2: repdisk: unknown variant "nosuch"`,
			`:4: "oob" is not key=value (write oob=true)`,
			`:6: quiet: unknown key`,
		}},
		{"every line", "repdisk crashes=sometimes expect=verified\nrepdisk exact=maybe expect=verified\n", []string{
			`:1: crashes: unknown crash mode "sometimes"`,
			`:2: exact: "maybe" is not true or false`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plan := writeFile(t, t.TempDir(), "bad.plan", tc.plan)
			stdout, stderr, code := cli(t, "run", plan, "-q")
			lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
			if code != ExitUsage || stdout != "" || len(lines) != len(tc.want) {
				t.Fatalf("exit status %d, stderr %q, stdout %q; want 2, nothing run, and %d lines", code, stderr, stdout, len(tc.want))
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(lines[i], "argocheck: "+plan+w) {
					t.Errorf("stderr line %d %q, want it to begin %q", i+1, lines[i], "argocheck: "+plan+w)
				}
			}
		})
	}
}
