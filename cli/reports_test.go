package cli

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/argocheck/argocheck/explorer"
)

// reportSchema compiles report.schema.json.
func reportSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	sch, err := jsonschema.NewCompiler().Compile("report.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// validJSON checks data against the schema and decodes it into v.
func validJSON(t *testing.T, sch *jsonschema.Schema, data []byte, v any) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not JSON: %v\n%s", err, data)
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("report does not match report.schema.json: %v\n%s", err, data)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatal(err)
	}
}

// TestBounds: every bound stops the check with verdict incomplete, exit
// status 3, the bound named and the figures reached.
func TestBounds(t *testing.T) {
	sch := reportSchema(t)
	for _, tc := range []struct {
		name    string
		args    []string
		stopped string
		states  uint64 // exact figure reached, 0 to skip
		depth   int
	}{
		{"max-depth", []string{"--max-depth", "2"}, "max depth 2 reached", 164, 2},
		{"max-states", []string{"--max-states", "100"}, "max states 100 reached", 164, 2},
		{"time-limit", []string{"--time-limit", "1ns"}, "time limit 1ns reached", 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "r.json")
			args := append([]string{"check", "repdisk", "--blocks", "4", "--values", "2", "-q", "--report", file}, tc.args...)
			stdout, _, code := cli(t, args...)
			if code != ExitIncomplete {
				t.Fatalf("exit status %d, want %d\n%s", code, ExitIncomplete, stdout)
			}
			if !strings.Contains(stdout, "verdict=incomplete ("+tc.stopped+")") {
				t.Errorf("summary does not say verdict=incomplete (%s):\n%s", tc.stopped, stdout)
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var r report
			validJSON(t, sch, data, &r)
			if r.Verdict != "incomplete" || r.Stopped != tc.stopped || r.States != tc.states || r.Depth != tc.depth {
				t.Errorf("report: verdict=%s stopped=%q states=%d depth=%d, want incomplete %q %d %d",
					r.Verdict, r.Stopped, r.States, r.Depth, tc.stopped, tc.states, tc.depth)
			}
		})
	}
}

// TestContinueStopped: a search continuing past violations that a bound
// stops before it found K of them keeps the verdict violation, with its
// exit status, and names the bound, in the summary as in JSON, with the
// violations found so far.
func TestContinueStopped(t *testing.T) {
	args := []string{"check", "repdisk", "--variant", "no-recovery", "--continue", "50", "--max-states", "40", "-q"}
	stdout, _, code := cli(t, args...)
	if code != ExitViolation || !strings.Contains(stdout, "\nverdict=violation (max states 40 reached)\n") {
		t.Errorf("exit status %d, summary\n%s\nwant %d and verdict=violation (max states 40 reached)", code, stdout, ExitViolation)
	}
	stdout, _, code = cli(t, append(args, "--json")...)
	var r report
	validJSON(t, reportSchema(t), []byte(stdout), &r)
	// The writes of 1 fail after two steps; the bound stops the search
	// before the writes of 0, which fail after three.
	if code != ExitViolation || r.Verdict != explorer.Violated || r.Stopped != "max states 40 reached" || len(r.Violations) != 3 {
		t.Errorf("exit status %d, %s stopped %q with %d violations; want %d, violation stopped by max states 40 with 3",
			code, r.Verdict, r.Stopped, len(r.Violations), ExitViolation)
	}
}

// TestContinue: --continue K reports K distinct violations, each with its
// shortest path, the same for any number of workers.
func TestContinue(t *testing.T) {
	sch := reportSchema(t)
	var first []*violationReport
	for _, workers := range []string{"1", "2", "5"} {
		stdout, _, code := cli(t, "check", "repdisk", "--variant", "no-recovery", "--continue", "5", "--workers", workers, "--json", "-q")
		if code != ExitViolation {
			t.Fatalf("exit status %d, want %d", code, ExitViolation)
		}
		var r report
		validJSON(t, sch, []byte(stdout), &r)
		type where struct {
			kind, op string
			crash    int
		}
		seen := map[where]bool{}
		var got []string
		for _, v := range r.Violations {
			w := where{v.Kind, v.Op, v.CrashAfter}
			if seen[w] {
				t.Errorf("violation %+v reported twice", w)
			}
			seen[w] = true
			got = append(got, v.Op)
			if v.TraceLength != len(v.Trace)-1 || v.Trace[len(v.Trace)-1].Violation == nil {
				t.Errorf("violation in %s: trace_length %d and %d steps, last not failing", v.Op, v.TraceLength, len(v.Trace))
			}
		}
		// Without recovery, a crash between the two disk writes
		// leaves the disks different; each write of 1 shows it after two
		// steps, each write of 0 after three (a 1 must be written first).
		want := "write(0, 1) write(1, 1) write(2, 1) write(0, 0) write(1, 0)"
		if strings.Join(got, " ") != want {
			t.Errorf("workers=%s: violations in %q, want %q", workers, strings.Join(got, " "), want)
		}
		if r.Violations[0].TraceLength != 2 || r.Violations[4].TraceLength != 3 {
			t.Errorf("trace lengths %d..%d, want 2..3", r.Violations[0].TraceLength, r.Violations[4].TraceLength)
		}
		if first == nil {
			first = r.Violations
		} else if a, b := mustJSON(t, first), mustJSON(t, r.Violations); a != b {
			t.Errorf("workers=%s: violations differ from workers=1", workers)
		}
	}
}

// TestContinueSummary: the summary of a check continuing past violations
// prints every violation found with its shortest path, not the first
// alone.
func TestContinueSummary(t *testing.T) {
	stdout, _, code := cli(t, "check", "repdisk", "--variant", "no-recovery", "--continue", "3", "--workers", "1", "-q")
	if code != ExitViolation {
		t.Fatalf("exit status %d, want %d", code, ExitViolation)
	}
	for _, want := range []string{
		"\nviolation=recovery trace_length=2\n",
		"\nviolation 2 of 3: violation=recovery op=\"write(1, 1)\" crash_after=1 trace_length=2\n",
		"\nviolation 3 of 3: violation=recovery op=\"write(2, 1)\" crash_after=1 trace_length=2\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	if n := strings.Count(stdout, "\nshortest path:\n"); n != 3 {
		t.Errorf("summary has %d shortest paths, want 3:\n%s", n, stdout)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReportFile: --report writes the --json object while stdout keeps the
// summary, for each verdict; the object matches the schema and gives the
// search's expanding share.
func TestReportFile(t *testing.T) {
	sch := reportSchema(t)
	for _, tc := range []struct {
		args    []string
		verdict string
		code    int
	}{
		{[]string{"repdisk"}, "verified", ExitVerified},
		{[]string{"repdisk", "--variant", "read-no-fallback"}, "violation", ExitViolation},
		{[]string{"repdisk", "--max-depth", "1"}, "incomplete", ExitIncomplete},
	} {
		t.Run(tc.verdict, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "r.json")
			args := append(append([]string{"check"}, tc.args...), "-q", "--workers", "2", "--report", file)
			stdout, _, code := cli(t, args...)
			if code != tc.code {
				t.Fatalf("exit status %d, want %d", code, tc.code)
			}
			if !strings.HasPrefix(stdout, "system=repdisk") || !strings.Contains(stdout, "verdict="+tc.verdict) {
				t.Errorf("stdout is not the summary:\n%s", stdout)
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var r report
			validJSON(t, sch, data, &r)
			if string(r.Verdict) != tc.verdict {
				t.Errorf("verdict %s, want %s", r.Verdict, tc.verdict)
			}
			if r.ExpandingShare == nil || *r.ExpandingShare > 1 {
				t.Errorf("expanding share %v, want one of at most 1: the check searched", r.ExpandingShare)
			}
			jsonOut, _, _ := cli(t, append(append([]string{"check"}, tc.args...), "-q", "--workers", "2", "--json")...)
			if strip(jsonOut) != strip(string(data)) {
				t.Errorf("--report and --json differ:\n%s\n%s", data, jsonOut)
			}
		})
	}
}

var varying = regexp.MustCompile(`"(seconds|states_per_second|memory_bytes|bytes_per_state|expanding_share)": [0-9.e+]+`)

// strip removes the figures that vary from run to run.
func strip(s string) string { return varying.ReplaceAllString(s, `"$1": 0`) }

// TestReadmeReportFields: the table of the JSON report in
// docs/nightly.md ("JSON output", which README.md links to) names every
// field of the report.
func TestReadmeReportFields(t *testing.T) {
	doc, err := os.ReadFile("../docs/nightly.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, found := strings.Cut(string(doc), "\n## JSON output\n")
	if !found {
		t.Fatal(`docs/nightly.md has no section "## JSON output"`)
	}
	table, _, _ = strings.Cut(table, "\n## ")
	var fields func(reflect.Type)
	fields = func(typ reflect.Type) {
		for f := range typ.Fields() {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			switch {
			case f.Anonymous:
				fields(f.Type)
			case name == "" || name == "-":
			case !strings.Contains(table, "`"+name+"`"):
				t.Errorf("docs/nightly.md's JSON output table lacks the field %s", name)
			}
		}
	}
	fields(reflect.TypeFor[report]())
}

// TestSchemaRejects: the schema is strict enough to catch a malformed
// report (so TestReportFile can fail).
func TestSchemaRejects(t *testing.T) {
	sch := reportSchema(t)
	stdout, _, _ := cli(t, "check", "repdisk", "--variant", "no-recovery", "--json", "-q")
	for name, edit := range map[string]func(m map[string]any){
		"unknown field":     func(m map[string]any) { m["colour"] = "red" },
		"bad verdict":       func(m map[string]any) { m["verdict"] = "fine" },
		"missing states":    func(m map[string]any) { delete(m, "states") },
		"missing build":     func(m map[string]any) { delete(m["argocheck"].(map[string]any), "build") },
		"bad build":         func(m map[string]any) { m["argocheck"].(map[string]any)["build"] = "" },
		"violation missing": func(m map[string]any) { delete(m, "violation") },
		"bad step kind":     func(m map[string]any) { step(m, 0)["kind"] = "jump" },
		// The path is init, a crash in write after 1 of 2 steps, recover.
		"crash without crash_after": func(m map[string]any) { delete(step(m, 1), "crash_after") },
		"crash without total":       func(m map[string]any) { delete(step(m, 1), "total") },
		"recovery with crash_after": func(m map[string]any) { step(m, 2)["crash_after"] = 0 },
		"init with total":           func(m map[string]any) { step(m, 0)["total"] = 2 },
	} {
		var m map[string]any
		if err := json.Unmarshal([]byte(stdout), &m); err != nil {
			t.Fatal(err)
		}
		edit(m)
		if sch.Validate(m) == nil {
			t.Errorf("%s: schema accepts the edited report", name)
		}
	}
}

// step returns step i of the path of report m's violation.
func step(m map[string]any, i int) map[string]any {
	return m["violation"].(map[string]any)["trace"].([]any)[i].(map[string]any)
}

// TestCrashStepsSayWhere: a crash during a procedure carries crash_after
// and total in JSON even when they are 0, so that a reader can tell the
// crash before an operation's first primitive step without a default.
// Among the violations of the log without recovery, a crash in a commit
// after 0 of its 7 steps is the fifth.
func TestCrashStepsSayWhere(t *testing.T) {
	stdout, _, code := cli(t, "check", "log", "--variant", "no-recovery", "--continue", "30", "--json", "-q")
	if code != ExitViolation {
		t.Fatalf("exit status %d, want %d", code, ExitViolation)
	}
	var r report
	validJSON(t, reportSchema(t), []byte(stdout), &r)
	var m map[string]any
	if err := json.Unmarshal([]byte(stdout), &m); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, v := range m["violations"].([]any) {
		for _, st := range v.(map[string]any)["trace"].([]any) {
			st := st.(map[string]any)
			if after, ok := st["crash_after"]; ok && after == 0.0 && st["kind"] == "crash-in-op" {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("no crash-in-op step says crash_after 0:\n%s", stdout)
	}
}

// TestJUnit: --junit writes JUnit XML that reads back with encoding/xml:
// one test case per check, its system-out the summary, a failure with the
// path on a violation, and an error when a bound stopped the check: never
// a skipped test case, which CI systems count as no failure.
func TestJUnit(t *testing.T) {
	for _, tc := range []struct {
		args            []string
		failed, errored bool
	}{
		{[]string{"repdisk"}, false, false},
		{[]string{"repdisk", "--variant", "no-recovery"}, true, false},
		{[]string{"repdisk", "--max-states", "10"}, false, true},
	} {
		file := filepath.Join(t.TempDir(), "j.xml")
		cli(t, append(append([]string{"check"}, tc.args...), "-q", "--junit", file)...)
		var doc junitSuites
		readXML(t, file, &doc)
		if len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != 1 || doc.Tests != 1 {
			t.Fatalf("%v: want one suite with one test case, got %+v", tc.args, doc)
		}
		c := doc.Suites[0].Cases[0]
		if (c.Failure != nil) != tc.failed || (c.Error != nil) != tc.errored {
			t.Errorf("%v: failure=%v error=%v, want %v %v", tc.args, c.Failure != nil, c.Error != nil, tc.failed, tc.errored)
		}
		if !strings.Contains(c.SystemOut, "\nverdict=") {
			t.Errorf("%v: system-out %q lacks the summary", tc.args, c.SystemOut)
		}
		if tc.failed && (!strings.Contains(c.Failure.Text, "shortest path:") || !strings.Contains(c.Failure.Text, "VIOLATION (recovery)")) {
			t.Errorf("failure does not hold the path:\n%s", c.Failure.Text)
		}
		if !strings.HasPrefix(c.Name, "repdisk variant=") || c.Classname != "argocheck.repdisk" {
			t.Errorf("test case named %q class %q", c.Name, c.Classname)
		}
		if doc.Failures != b2i(tc.failed) || doc.Errors != b2i(tc.errored) || doc.Suites[0].Errors != b2i(tc.errored) {
			t.Errorf("counts failures=%d errors=%d", doc.Failures, doc.Errors)
		}
		if tc.errored && c.Error != nil && (!strings.HasPrefix(c.Error.Message, "incomplete: max states 10 reached") || !strings.Contains(c.Error.Text, "verdict=incomplete")) {
			t.Errorf("error %q:\n%s", c.Error.Message, c.Error.Text)
		}
		if data, _ := os.ReadFile(file); bytes.Contains(data, []byte("<skipped")) {
			t.Errorf("%v: a test case is skipped, which CI counts as no failure:\n%s", tc.args, data)
		}
		v := reportVersion()
		want := []junitProperty{{"argocheck.version", v.Version}, {"argocheck.revision", v.Revision}, {"argocheck.modified", fmt.Sprint(v.Modified)},
			{"argocheck.build", v.Build}}
		if got := doc.Suites[0].Properties; !slices.Equal(got, want) {
			t.Errorf("properties %+v, want %+v", got, want)
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// junitCaseNames returns the names of the test cases of the first suite
// of the JUnit report in file.
func junitCaseNames(t *testing.T, file string) []string {
	t.Helper()
	var doc junitSuites
	readXML(t, file, &doc)
	var names []string
	for _, c := range doc.Suites[0].Cases {
		names = append(names, c.Name)
	}
	return names
}

func readXML(t *testing.T, file string, v any) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("<?xml")) {
		t.Errorf("no XML header")
	}
	if err := xml.Unmarshal(data, v); err != nil {
		t.Fatalf("not JUnit XML: %v\n%s", err, data)
	}
}

// TestPlainProgress: off a terminal, progress is one plain line per
// tick, with no control characters, and none at level barriers; --quiet
// shows none.
func TestPlainProgress(t *testing.T) {
	var stdout, stderr bytes.Buffer
	sink, interval := newProgress(&stdout, &stderr, "[1/2] repdisk", false, 3*time.Second)
	if interval != 3*time.Second {
		t.Errorf("interval %s, want the flag's 3s", interval)
	}
	tick := explorer.Progress{Level: 4, States: 1234, Transitions: 56789, Frontier: 321, StatesPerSecond: 99.6,
		HeapBytes: 5 << 20, MappedBytes: 3 << 30, Elapsed: 2345 * time.Millisecond, Violations: 2}
	sink.update(tick)
	barrier := tick
	barrier.Barrier = true
	sink.update(barrier)
	sink.update(explorer.Progress{Level: 5, States: 2000, HeapBytes: 512})
	sink.close()
	want := "progress [1/2] repdisk level=4 states=1234 transitions=56789 frontier=321 states_per_second=100 heap=5.0MiB mapped=3.0GiB elapsed=2.3s violations=2\n" +
		"progress [1/2] repdisk level=5 states=2000 transitions=0 frontier=0 states_per_second=0 heap=512B mapped=0B elapsed=0s\n"
	if stderr.String() != want || stdout.Len() != 0 {
		t.Errorf("stderr:\n%s\nwant:\n%s\nstdout %q", stderr.String(), want, stdout.String())
	}
	for i, c := range stderr.Bytes() {
		if c < 0x20 && c != '\n' || c == 0x7f {
			t.Fatalf("control character %#x at byte %d", c, i)
		}
	}
	if sink, _ := newProgress(&stdout, &stderr, "", true, time.Second); sink != nil {
		t.Errorf("--quiet: a progress sink %T", sink)
	}
}

// TestFlagErrors: bad values of the new flags are usage errors.
func TestFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--time-limit", "-1s"},
		{"--time-limit", "soon"},
		{"--continue", "-1"},
		{"--progress-interval", "0s"},
		{"--crashes", "sometimes"},
		{"--checkpoint-interval", "0s"},
		{"--checkpoint-interval", "0s", "--store", filepath.Join(t.TempDir(), "store")},
		{"--checkpoint-interval", "1s"}, // without --store
	} {
		_, stderr, code := cli(t, append([]string{"check", "repdisk"}, args...)...)
		if code != ExitUsage || !strings.HasPrefix(stderr, "argocheck: ") {
			t.Errorf("%v: exit status %d, stderr %q", args, code, stderr)
		}
	}
}
