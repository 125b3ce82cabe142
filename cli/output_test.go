package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
)

// TestBadOutputPath: an output file that cannot be written is refused
// before anything runs: one line naming the flag and the file, exit
// status 2, nothing on stdout, no store created, nothing made at the
// refused path; an earlier run's report at an accepted path is removed,
// so that none is read as this run's verdict.
func TestBadOutputPath(t *testing.T) {
	tmp := t.TempDir()
	file := writeFile(t, tmp, "file", "mine")
	existing := writeFile(t, tmp, "existing.json", "mine")
	plan := writeFile(t, tmp, "p.plan", "repdisk blocks=2 expect=verified\n")
	stopped := filepath.Join(tmp, "stopped")
	if _, _, code := cli(t, "check", "repdisk", "--max-states", "50", "--store", stopped, "-q"); code != ExitIncomplete {
		t.Fatal("setup: check --store --max-states did not stop")
	}
	missing := filepath.Join(tmp, "missing", "r.json")
	store := filepath.Join(tmp, "store")
	// A search that ran would print its summary; the bound keeps it short.
	check := []string{"check", "repdisk", "--max-states", "1000", "-q", "--store", store}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{append(check, "--report", missing), "--report " + missing + ": cannot write in directory " + filepath.Dir(missing) + ": no such file or directory"},
		{append(check, "--junit", tmp), "--junit " + tmp + ": is a directory"},
		{append(check, "--trace-html", filepath.Join(file, "t.html")), "--trace-html " + filepath.Join(file, "t.html") + ": not a directory"},
		{append(check, "--report", existing, "--trace-dot", missing), "--trace-dot " + missing + ": cannot write"},
		{[]string{"check", "log/repdisk", "--modular", "--report", missing}, "--report " + missing},
		{[]string{"run", plan, "--junit", missing}, "--junit " + missing},
		{[]string{"resume", stopped, "--report", missing}, "--report " + missing},
		{[]string{"bench", "--systems", "repdisk", "--out", file}, "--out " + file},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			stdout, stderr, code := cli(t, tc.args...)
			if code != ExitUsage || stdout != "" {
				t.Fatalf("exit %d, want %d, and stdout %q", code, ExitUsage, stdout)
			}
			if !strings.HasPrefix(stderr, "argocheck: ") || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("stderr %q, want one line containing %q", stderr, tc.want)
			}
		})
	}
	if _, err := os.Stat(store); err == nil {
		t.Error("a refused check created its store")
	}
	if _, err := os.Stat(existing); err == nil {
		t.Error("a refused check left an earlier run's report at an accepted path")
	}
	if b, _ := os.ReadFile(file); string(b) != "mine" {
		t.Errorf("a refused check changed %s: %q", file, b)
	}
	entries, _ := os.ReadDir(tmp)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".argocheck-") {
			t.Errorf("left %s behind", e.Name())
		}
	}
}

// TestOutputNoJunk: checking the output paths leaves nothing behind: a
// new directory holds only the reports written, and an existing report is
// replaced.
func TestOutputNoJunk(t *testing.T) {
	dir := t.TempDir()
	report := writeFile(t, dir, "r.json", "old")
	if _, _, code := cli(t, "check", "repdisk", "--blocks", "2", "-q", "--report", report, "--junit", filepath.Join(dir, "j.xml"),
		"--trace-html", filepath.Join(dir, "t.html")); code != ExitVerified {
		t.Fatalf("exit %d", code)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	// No violation: no picture.
	if strings.Join(names, " ") != "j.xml r.json" {
		t.Errorf("directory holds %v, want j.xml and r.json", names)
	}
	if b, _ := os.ReadFile(report); !strings.HasPrefix(string(b), "{") {
		t.Errorf("report not replaced: %q", b)
	}
}

// TestReportAfterVerdict: a report file that cannot be written once the
// verdict is known (a full disk: /dev/full) does not lose the verdict: it
// is printed first, then one line per file that failed, and the exit
// status is 5 whatever the verdict.
func TestReportAfterVerdict(t *testing.T) {
	if fh, err := os.OpenFile("/dev/full", os.O_WRONLY, 0); err != nil {
		t.Skip("no /dev/full to write to:", err)
	} else {
		fh.Close()
	}
	dir := t.TempDir()
	plan := writeFile(t, dir, "p.plan", "repdisk blocks=2 expect=verified\n")
	stored := filepath.Join(dir, "store")
	for _, tc := range []struct {
		args    []string
		verdict string   // on stdout
		failed  []string // the files named on stderr
	}{
		{[]string{"check", "repdisk", "--blocks", "2", "--report", "/dev/full"}, "verdict=verified", []string{"--report /dev/full"}},
		{[]string{"check", "repdisk", "--blocks", "2", "--json", "--junit", "/dev/full"}, `"verdict": "verified"`, []string{"--junit /dev/full"}},
		{[]string{"check", "repdisk", "--variant", "no-recovery", "--report", filepath.Join(dir, "r.json"), "--trace-html", "/dev/full", "--trace-dot", "/dev/full"},
			"verdict=violation", []string{"--trace-html /dev/full", "--trace-dot /dev/full"}},
		{[]string{"check", "log/repdisk", "--blocks", "1", "--modular", "--report", "/dev/full"}, "\nverdict=verified", []string{"--report /dev/full"}},
		{[]string{"check", "repdisk", "--blocks", "2", "--store", stored, "--report", "/dev/full"}, "verdict=verified", []string{"--report /dev/full"}},
		{[]string{"resume", stored, "--junit", "/dev/full"}, "verdict=verified", []string{"--junit /dev/full"}},
		{[]string{"run", plan, "--report", "/dev/full"}, "ok=true", []string{"--report /dev/full"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			stdout, stderr, code := cli(t, append(tc.args, "-q")...)
			if code != ExitReport || !strings.Contains(stdout, tc.verdict) {
				t.Fatalf("exit %d, want %d, stdout lacking %q:\n%s", code, ExitReport, tc.verdict, stdout)
			}
			var lines []string
			for l := range strings.Lines(stderr) {
				if !strings.HasPrefix(l, "argocheck: could not write ") {
					continue // resume's "nothing to resume"
				}
				lines = append(lines, l)
			}
			if len(lines) != len(tc.failed) {
				t.Fatalf("stderr %q, want one line for each of %v", stderr, tc.failed)
			}
			for i, f := range tc.failed {
				if want := "could not write " + f + " after the search: write /dev/full: no space left on device\n"; !strings.HasSuffix(lines[i], want) {
					t.Errorf("stderr line %q, want %q", lines[i], want)
				}
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "r.json")); err != nil {
		t.Errorf("a failed picture kept the report from being written: %v", err)
	}
}

// TestReportAfterSearchError: a report file that cannot be written after
// a search that ended in an error, not a verdict, is named on stderr after
// the error, and the status is the error's.
func TestReportAfterSearchError(t *testing.T) {
	if fh, err := os.OpenFile("/dev/full", os.O_WRONLY, 0); err != nil {
		t.Skip("no /dev/full to write to:", err)
	} else {
		fh.Close()
	}
	plan := writeFile(t, t.TempDir(), "p.plan", "pass variant=exits expect=verified\n")
	for _, tc := range []struct {
		args []string
		flag string // the flag naming /dev/full
	}{
		{[]string{"check", "pass", "--variant", "exits", "--report", "/dev/full"}, "--report"},
		{[]string{"check", "pass", "--variant", "exits", "--junit", "/dev/full"}, "--junit"},
		{[]string{"run", plan, "--report", "/dev/full"}, "--report"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, stderr, code := testCLI(t, append(tc.args, "-q", "--workers", "1")...)
			want := "argocheck: could not write " + tc.flag + " /dev/full after the search: write /dev/full: no space left on device\n"
			if code != ExitIO || !strings.HasSuffix(stderr, want) || strings.Count(stderr, "\n") < 2 {
				t.Errorf("exit %d, stderr %q; want %d, the error, then %q", code, stderr, ExitIO, want)
			}
		})
	}
}

// TestStdoutAndReportFail: a verdict that stdout cannot take, with a
// report file that cannot be written either, ends with status 4, not the
// 5 of a report lost after a verdict that was printed.
func TestStdoutAndReportFail(t *testing.T) {
	if fh, err := os.OpenFile("/dev/full", os.O_WRONLY, 0); err != nil {
		t.Skip("no /dev/full to write to:", err)
	} else {
		fh.Close()
	}
	plan := writeFile(t, t.TempDir(), "p.plan", "repdisk blocks=2 expect=verified\n")
	for _, args := range [][]string{
		{"check", "repdisk", "--blocks", "2", "--report", "/dev/full"},
		{"check", "repdisk", "--blocks", "2", "--variant", "no-recovery", "--json", "--junit", "/dev/full"},
		{"run", plan, "--report", "/dev/full"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var stderr bytes.Buffer
			code := Run(layers.Catalog(), append(args, "-q"), fullWriter{}, &stderr)
			if code != ExitIO || !strings.Contains(stderr.String(), "printing the report: no space left on device") || !strings.Contains(stderr.String(), "could not write --") {
				t.Errorf("exit %d, stderr %q; want %d, naming stdout and the report file", code, &stderr, ExitIO)
			}
		})
	}
}

// TestVerdictStatus: verified alone exits 0, and a verdict that is none
// of the three is an error, never a pass.
func TestVerdictStatus(t *testing.T) {
	for _, tc := range []struct {
		verdict string
		want    int
	}{
		{"verified", ExitVerified},
		{"violation", ExitViolation},
		{"incomplete", ExitIncomplete},
		{"", ExitIO},
		{"Verified", ExitIO},
		{"verified ", ExitIO},
		{"passed", ExitIO},
	} {
		if got := verdictStatus(verdict(tc.verdict)); got != tc.want {
			t.Errorf("verdictStatus(%q) = %d, want %d", tc.verdict, got, tc.want)
		}
	}
}

// TestSameOutputFile: two output flags of one command that name the same
// file, by any name, or one that names run's plan, are refused before
// anything runs, with status 2 and one line naming both; nothing is
// written, an earlier run's report at the file two flags name is
// removed, and the plan is left as it is.
func TestSameOutputFile(t *testing.T) {
	tmp := t.TempDir()
	plan := writeFile(t, tmp, "p.plan", "repdisk blocks=2 expect=verified\n")
	existing := writeFile(t, tmp, "existing", "mine")
	if err := os.Symlink(tmp, filepath.Join(tmp, "link")); err != nil {
		t.Fatal(err)
	}
	stopped := filepath.Join(tmp, "stopped")
	if _, _, code := cli(t, "check", "repdisk", "--max-states", "50", "--store", stopped, "-q"); code != ExitIncomplete {
		t.Fatal("setup: check --store --max-states did not stop")
	}
	out := filepath.Join(tmp, "out")
	// Links to out, which no run has made yet: absolute, relative, and a
	// link to a link.
	dangling, relative, chain := filepath.Join(tmp, "dangling"), filepath.Join(tmp, "relative"), filepath.Join(tmp, "chain")
	for _, l := range [][2]string{{out, dangling}, {"out", relative}, {"dangling", chain}} {
		if err := os.Symlink(l[0], l[1]); err != nil {
			t.Fatal(err)
		}
	}
	check := []string{"check", "repdisk", "--blocks", "2", "-q"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{append(check, "--report", out, "--junit", out), "--report " + out + " and --junit " + out + " name the same file"},
		{append(check, "--report", out, "--trace-html", filepath.Join(tmp, ".", "out")), "--report " + out + " and --trace-html " + filepath.Join(tmp, ".", "out")},
		{append(check, "--trace-dot", filepath.Join(tmp, "link", "out"), "--junit", out), "--junit " + out + " and --trace-dot " + filepath.Join(tmp, "link", "out")},
		{append(check, "--report", existing, "--junit", filepath.Join(tmp, "link", "existing")), "--report " + existing + " and --junit"},
		{append(check, "--cpuprofile", out, "--junit", out), "--junit " + out + " and --cpuprofile " + out},
		{append(check, "--store", out, "--report", out), "--report " + out + " and --store " + out + " name the same file"},
		{append(check, "--store", dangling, "--junit", filepath.Join(tmp, "link", "out")), "--junit " + filepath.Join(tmp, "link", "out") + " and --store " + dangling},
		{append(check, "--store", out+"/", "--report", out), "--report " + out + " and --store " + out + "/ name the same file"},
		{append(check, "--spill", out, "--trace-dot", relative), "--trace-dot " + relative + " and --spill " + out},
		{append(check, "--report", out, "--junit", dangling), "--report " + out + " and --junit " + dangling},
		{append(check, "--report", relative, "--trace-dot", out), "--report " + relative + " and --trace-dot " + out},
		{append(check, "--junit", chain, "--trace-html", filepath.Join(tmp, "link", "out")), "--junit " + chain + " and --trace-html"},
		{[]string{"check", "log/repdisk", "--blocks", "1", "--modular", "--report", out, "--junit", out}, "name the same file"},
		{[]string{"run", plan, "--report", out, "--junit", out}, "name the same file"},
		{[]string{"run", plan, "--report", plan}, "--report " + plan + " is the plan " + plan},
		{[]string{"run", plan, "--junit", filepath.Join(tmp, "link", "p.plan")}, "--junit " + filepath.Join(tmp, "link", "p.plan") + " is the plan " + plan},
		{[]string{"resume", stopped, "--report", out, "--trace-html", out}, "name the same file"},
		{[]string{"shard", "--shards", "1", "--index", "0", "--exchange", exchange(t), "repdisk", "--report", out, "--junit", out}, "name the same file"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			stdout, stderr, code := cli(t, tc.args...)
			if code != ExitUsage || stdout != "" {
				t.Fatalf("exit %d, want %d, and stdout %q", code, ExitUsage, stdout)
			}
			if !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("stderr %q, want one line containing %q", stderr, tc.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("a refused command wrote %s", out)
			}
		})
	}
	if _, err := os.Stat(existing); err == nil {
		t.Errorf("a refused command left an earlier run's report at %s, which two of its flags name", existing)
	}
	if b, _ := os.ReadFile(plan); string(b) != "repdisk blocks=2 expect=verified\n" {
		t.Errorf("a refused command changed the plan %s: %q", plan, b)
	}
}

// TestStalePicture: a check with no violation removes the pictures an
// earlier run left at --trace-html and --trace-dot, and leaves the other
// report files in place.
func TestStalePicture(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"verified", []string{"check", "repdisk", "--blocks", "2"}, ExitVerified},
		{"incomplete", []string{"check", "repdisk", "--max-states", "10"}, ExitIncomplete},
		{"shard", []string{"shard", "--shards", "1", "--index", "0", "--exchange", exchange(t), "repdisk", "--blocks", "2"}, ExitVerified},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			html := writeFile(t, dir, "t.html", "an earlier run's path")
			dot := writeFile(t, dir, "t.dot", "an earlier run's path")
			report := filepath.Join(dir, "r.json")
			args := append(tc.args, "-q", "--trace-html", html, "--trace-dot", dot, "--report", report)
			if _, stderr, code := cli(t, args...); code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, stderr)
			}
			for _, f := range []string{html, dot} {
				if _, err := os.Stat(f); err == nil {
					t.Errorf("%s is still there", f)
				}
			}
			if _, err := os.Stat(report); err != nil {
				t.Errorf("no report: %v", err)
			}
		})
	}
}

// TestSearchErrorStaleReports: a check whose search ends in an error,
// not a verdict (check, check --store, resume, shard 0), leaves no
// earlier run's verdict at --report and --junit (each now holds the
// error) nor its pictures at --trace-html and --trace-dot, and exits with
// the error's status.
func TestSearchErrorStaleReports(t *testing.T) {
	for _, tc := range []struct {
		name string
		// args returns the command whose search ends in an error, made
		// ready in dir before the earlier run's files are written.
		args func(t *testing.T, dir string) []string
	}{
		{"check", func(*testing.T, string) []string { return []string{"check", "pass", "--variant", "exits"} }},
		{"check --store", func(_ *testing.T, dir string) []string {
			return []string{"check", "pass", "--variant", "exits", "--store", filepath.Join(dir, "store")}
		}},
		{"resume", func(t *testing.T, dir string) []string {
			store := filepath.Join(dir, "store")
			if _, stderr, code := testCLI(t, "check", "pass", "--variant", "exits", "-q", "--workers", "1", "--store", store); code != ExitIO {
				t.Fatalf("check --store: exit %d, want %d: %s", code, ExitIO, stderr)
			}
			return []string{"resume", store}
		}},
		{"shard", func(t *testing.T, _ string) []string {
			return []string{"shard", "--shards", "1", "--index", "0", "--exchange", exchange(t), "pass", "--variant", "exits"}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			report, junit := filepath.Join(dir, "r.json"), filepath.Join(dir, "j.xml")
			html := filepath.Join(dir, "t.html")
			dot := filepath.Join(dir, "t.dot")
			files := []string{"-q", "--workers", "1", "--report", report, "--junit", junit, "--trace-html", html, "--trace-dot", dot}
			args := tc.args(t, dir)
			if _, stderr, code := testCLI(t, append([]string{"check", "pass"}, files...)...); code != ExitVerified {
				t.Fatalf("the earlier run: exit %d, want %d: %s", code, ExitVerified, stderr)
			}
			writeFile(t, dir, "t.html", "an earlier run's path")
			writeFile(t, dir, "t.dot", "an earlier run's path")
			stdout, stderr, code := testCLI(t, append(args, files...)...)
			if code != ExitIO || !strings.Contains(stderr, "layer code ended a goroutine") || strings.Count(stderr, "\n") != 1 || stdout != "" {
				t.Fatalf("exit %d, stderr %q, stdout %q; want %d and one line, the error", code, stderr, stdout, ExitIO)
			}
			data, err := os.ReadFile(report)
			if err != nil {
				t.Fatal(err)
			}
			var rep map[string]any
			validJSON(t, reportSchema(t), data, &rep)
			if _, ok := rep["verdict"]; ok || rep["variant"] != "exits" || !strings.Contains(fmt.Sprint(rep["error"]), "Goexit") {
				t.Errorf("report: %s", data)
			}
			var doc junitSuites
			readXML(t, junit, &doc)
			if cases := doc.Suites[0].Cases; len(cases) != 1 || cases[0].Error == nil || doc.Errors != 1 || doc.Failures != 0 {
				t.Errorf("junit: %+v", doc)
			} else if !strings.HasPrefix(cases[0].Name, "pass variant=exits ") || !strings.Contains(cases[0].Error.Message, "no verdict: ") {
				t.Errorf("junit error case %q: %+v", cases[0].Name, cases[0].Error)
			}
			for _, f := range []string{html, dot} {
				if _, err := os.Stat(f); err == nil {
					t.Errorf("%s is still there", f)
				}
			}
		})
	}
}

// TestSearchErrorJSON: with --json, a command whose search ends in an
// error, not a verdict, prints on stdout the object --report gets (check,
// check --store, resume and every shard: the error report, which
// names the shard, and the run of a shard that claimed it; run and
// --modular: their report, naming the error), and exits with the error's
// status.
func TestSearchErrorJSON(t *testing.T) {
	shard := func(index string) []string {
		return []string{"shard", "--shards", "2", "--index", index, "--exchange", exchange(t), "pass"}
	}
	for _, tc := range []struct {
		name string
		// args returns the command, made ready in dir.
		args func(t *testing.T, dir string) []string
		code int
		// error is the start of the printed object's error; inside, its
		// report stands for a plan's or a modular check's, which hold
		// more than the error.
		error  string
		inside bool
	}{
		{"check", func(*testing.T, string) []string { return []string{"check", "pass", "--variant", "exits"} }, ExitIO, "layer code ended a goroutine", false},
		{"check past the limits", func(*testing.T, string) []string { return []string{"check", "pass", "--variant", "limit"} }, ExitUsage, "expanding state 0", false},
		{"check --store", func(_ *testing.T, dir string) []string {
			return []string{"check", "pass", "--variant", "exits", "--store", filepath.Join(dir, "store")}
		}, ExitIO, "layer code ended a goroutine", false},
		{"resume", func(t *testing.T, dir string) []string {
			store := filepath.Join(dir, "store")
			if _, stderr, code := testCLI(t, "check", "pass", "--variant", "exits", "-q", "--workers", "1", "--store", store); code != ExitIO {
				t.Fatalf("check --store: exit %d, want %d: %s", code, ExitIO, stderr)
			}
			return []string{"resume", store}
		}, ExitIO, "layer code ended a goroutine", false},
		// Shard 1 of 2 expands the initial state, and stops there.
		{"shard 0", func(*testing.T, string) []string { return append(shard("0"), "--shards", "1", "--variant", "exits") }, ExitIO, "shard 0: layer code ended a goroutine", false},
		{"shard 1", func(*testing.T, string) []string { return append(shard("1"), "--variant", "limit") }, ExitUsage, "shard 1: expanding state 0", false},
		{"run", func(t *testing.T, dir string) []string {
			return []string{"run", writeFile(t, dir, "p.plan", "pass variant=exits expect=verified\n")}
		}, ExitIO, "p.plan:1: layer code ended a goroutine", true},
		{"check --modular", func(*testing.T, string) []string {
			return []string{"check", "stack", "--modular", "--variant", "exits"}
		}, ExitIO, "check 2 of 3 (pass): layer code ended a goroutine", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			report := filepath.Join(dir, "r.json")
			args := append(tc.args(t, dir), "--json", "-q", "--workers", "1", "--report", report)
			var out, errb bytes.Buffer
			code := Run(stackCatalog(t), args, &out, &errb)
			stdout, stderr := out.String(), errb.String()
			if code != tc.code || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.error) {
				t.Fatalf("exit %d, stderr %q; want %d and one line, the error", code, stderr, tc.code)
			}
			var rep map[string]any
			validJSON(t, reportSchema(t), []byte(stdout), &rep)
			_, verdict := rep["verdict"]
			if !tc.inside && (verdict || rep["system"] == nil) || !strings.Contains(fmt.Sprint(rep["error"]), tc.error) {
				t.Errorf("stdout: %s", stdout)
			}
			if _, ok := rep["run"]; ok != strings.HasPrefix(tc.name, "shard") {
				t.Errorf("stdout names the run: %v, want %v: %s", ok, !ok, stdout)
			}
			if index, ok := strings.CutPrefix(tc.name, "shard "); ok && fmt.Sprint(rep["shard"]) != "map[index:"+index+"]" {
				t.Errorf("stdout names shard %v, want shard %s: %s", rep["shard"], index, stdout)
			}
			data, err := os.ReadFile(report)
			switch {
			case err != nil:
				t.Error(err)
			case string(data) != stdout:
				t.Errorf("--report holds\n%s\nstdout\n%s", data, stdout)
			}
		})
	}
}

// TestErrorBeforeSearchLeavesNoReports: a command refused after its output
// paths were checked (a plan that does not parse, a store or an exchange
// that does not open, a flag that needs another) leaves none of the files
// an earlier run wrote there, which a nightly job would read as tonight's.
func TestErrorBeforeSearchLeavesNoReports(t *testing.T) {
	for _, tc := range []struct {
		name string
		args func(dir string) []string
		code int
		want string // in the one line on stderr
	}{
		{"run, a plan that does not parse", func(dir string) []string {
			return []string{"run", writeFile(t, dir, "p.plan", "pass blocks=99\n")}
		}, ExitUsage, "p.plan:1: blocks: "},
		{"check --checkpoint-interval without --store", func(string) []string {
			return []string{"check", "pass", "--checkpoint-interval", "1m"}
		}, ExitUsage, "--checkpoint-interval needs --store"},
		{"check --store, a file", func(dir string) []string {
			return []string{"check", "pass", "--store", writeFile(t, dir, "not-a-store", "x")}
		}, ExitUsage, "is a file, not a directory"},
		{"resume, a file", func(dir string) []string {
			return []string{"resume", writeFile(t, dir, "not-a-store", "x")}
		}, ExitUsage, "is a file, not a directory"},
		{"shard, an exchange with a query", func(string) []string {
			return []string{"shard", "--shards", "1", "--index", "0", "--exchange", exchange(t) + "?x=1", "pass"}
		}, ExitUsage, "--exchange "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			files := [][2]string{{"--report", "r.json"}, {"--junit", "j.xml"}, {"--trace-html", "t.html"}, {"--trace-dot", "t.dot"}}
			args := append(tc.args(dir), "-q", "--workers", "1")
			if args[0] == "run" {
				files = files[:2]
			}
			for _, f := range files {
				args = append(args, f[0], writeFile(t, dir, f[1], "an earlier run's verdict"))
			}
			_, stderr, code := testCLI(t, args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
				t.Fatalf("exit %d, stderr %q; want %d and one line with %q", code, stderr, tc.code, tc.want)
			}
			for _, f := range files {
				if _, err := os.Stat(filepath.Join(dir, f[1])); err == nil {
					t.Errorf("%s %s: the earlier run's file is still there", f[0], f[1])
				}
			}
		})
	}
}

// TestUsageErrorLeavesNoReports: a command refused before it came to its
// output files (an unknown flag, a bad value, an unknown system or
// variant, a parameter out of range) leaves none of the files an earlier
// run wrote at --report and --junit, found on the command line however
// much of it parses, those of a shard other than shard 0 or of one whose
// index is not known too (which keep a report that shard 0 wrote:
// TestShardUnclaimedReport); but not the plan.
func TestUsageErrorLeavesNoReports(t *testing.T) {
	files := func(r, j string) []string { return []string{"--report", r, "--junit", j} }
	for _, tc := range []struct {
		name string
		// args returns the command, with the output files r and j, made
		// ready in dir.
		args func(dir, r, j string) []string
		env  string // $JOB_COMPLETION_INDEX
		want string // in the one line on stderr
		kept bool   // the files are left as they are
	}{
		{"unknown flag", func(_, r, j string) []string { return append([]string{"check", "pass", "--bogus"}, files(r, j)...) }, "", "unknown flag: --bogus", false},
		{"unknown flag, then --report=FILE", func(_, r, j string) []string {
			return []string{"check", "--bogus", "pass", "--report=" + r, "--junit=" + j}
		}, "", "unknown flag: --bogus", false},
		{"unknown shorthand", func(_, r, j string) []string { return append([]string{"check", "pass", "-x", "1"}, files(r, j)...) }, "", "unknown shorthand flag", false},
		{"bad value", func(_, r, j string) []string { return append(files(r, j), "check", "pass", "--workers", "many") }, "", `--workers: "many"`, false},
		{"a flag with no value", func(_, r, j string) []string {
			return append([]string{"check", "pass"}, append(files(r, j), "--workers")...)
		}, "", "flag needs an argument", false},
		{"unknown system", func(_, r, j string) []string { return append([]string{"check", "nosuch"}, files(r, j)...) }, "", `unknown system "nosuch"`, false},
		{"unknown variant", func(_, r, j string) []string {
			return append([]string{"check", "pass", "--variant", "nosuch"}, files(r, j)...)
		}, "", `unknown variant "nosuch"`, false},
		{"parameter out of range", func(_, r, j string) []string {
			return append([]string{"check", "pass", "--width", "9"}, files(r, j)...)
		}, "", "--width must be between 1 and 3, not 9", false},
		{"two systems", func(_, r, j string) []string { return append([]string{"check", "pass", "pass"}, files(r, j)...) }, "", "check takes one SYSTEM", false},
		{"--modular, bad value", func(_, r, j string) []string {
			return append([]string{"check", "pass", "--modular", "--max-depth", "-1"}, files(r, j)...)
		}, "", "--max-depth must not be negative", false},
		{"run, bad value", func(dir, r, j string) []string {
			return append([]string{"run", writeFile(t, dir, "p.plan", "pass expect=verified\n"), "--max-depth", "-1"}, files(r, j)...)
		}, "", "--max-depth must not be negative", false},
		{"resume, bad value", func(dir, r, j string) []string {
			return append([]string{"resume", filepath.Join(dir, "store"), "--workers", "0"}, files(r, j)...)
		}, "", "--workers must be between", false},
		{"shard 0, unknown system", func(_, r, j string) []string {
			return append([]string{"shard", "--shards", "2", "--index", "0", "--exchange", exchange(t), "nosuch"}, files(r, j)...)
		}, "", `unknown system "nosuch"`, false},
		{"shard 0 by the engine's variable, unknown flag", func(_, r, j string) []string {
			return append([]string{"shard", "--shards", "2", "--exchange", exchange(t), "pass", "--bogus"}, files(r, j)...)
		}, "0", "unknown flag: --bogus", false},
		{"shard 1, unknown system", func(_, r, j string) []string {
			return append([]string{"shard", "--shards", "2", "--index=1", "--exchange", exchange(t), "nosuch"}, files(r, j)...)
		}, "", `unknown system "nosuch"`, false},
		{"shard 1 by the engine's variable, unknown flag", func(_, r, j string) []string {
			return append([]string{"shard", "--shards", "2", "--exchange", exchange(t), "pass", "--bogus"}, files(r, j)...)
		}, "1", "unknown flag: --bogus", false},
		{"shard, no index", func(_, r, j string) []string {
			return append([]string{"shard", "--shards", "2", "--exchange", exchange(t), "pass"}, files(r, j)...)
		}, "", "no --index", false},
		{"shard, a bad index", func(_, r, j string) []string {
			return append([]string{"shard", "--shards", "2", "--index", "first", "--exchange", exchange(t), "pass"}, files(r, j)...)
		}, "", `--index: "first"`, false},
		{"an empty value after the files", func(_, r, j string) []string {
			return append([]string{"check", "pass"}, append(files(r, j), "--report=", "--junit", "")...)
		}, "", `--report must name a file, not ""`, false},
		{"check, the report flag's value taken by another flag", func(_, r, j string) []string {
			return []string{"check", "pass", "--variant", "--report", r, "--junit", r}
		}, "", "check takes one SYSTEM", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, name := range indexVariables {
				t.Setenv(name, "")
			}
			if tc.env != "" {
				t.Setenv("JOB_COMPLETION_INDEX", tc.env)
			}
			dir := t.TempDir()
			r := writeFile(t, dir, "r.json", "an earlier run's verdict")
			j := writeFile(t, dir, "j.xml", "an earlier run's verdict")
			_, stderr, code := testCLI(t, tc.args(dir, r, j)...)
			if code != ExitUsage || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
				t.Fatalf("exit %d, stderr %q; want %d and one line with %q", code, stderr, ExitUsage, tc.want)
			}
			for _, f := range []string{r, j} {
				if _, err := os.Stat(f); (err == nil) != tc.kept {
					t.Errorf("%s: %v, want it kept: %v", f, err, tc.kept)
				}
			}
			if plan := filepath.Join(dir, "p.plan"); tc.name == "run, bad value" {
				if _, err := os.Stat(plan); err != nil {
					t.Errorf("the plan: %v", err)
				}
			}
		})
	}
}

// TestUsageErrorKeepsThePlan: a command refused before it came to its
// output files removes none that another word of its command line names:
// a report flag that names run's PLAN leaves it in place.
func TestUsageErrorKeepsThePlan(t *testing.T) {
	dir := t.TempDir()
	plan := writeFile(t, dir, "p.plan", "pass expect=verified\n")
	junit := writeFile(t, dir, "j.xml", "an earlier run's verdict")
	for _, args := range [][]string{
		{"run", plan, "--report", plan, "--junit", junit, "--max-depth", "-1"},
		{"run", plan, "--report=" + filepath.Join(dir, ".", "p.plan"), "--junit", junit, "--bogus"},
		{"run", "--junit", junit, "--report", plan, "--", plan},
		{"run", plan, "--report", plan, "--junit", junit},
	} {
		writeFile(t, dir, "j.xml", "an earlier run's verdict")
		if _, stderr, code := testCLI(t, args...); code != ExitUsage || strings.Count(stderr, "\n") != 1 {
			t.Fatalf("%q: exit %d, stderr %q", args, code, stderr)
		}
		if b, err := os.ReadFile(plan); string(b) != "pass expect=verified\n" {
			t.Fatalf("%q: the plan holds %q, %v", args, b, err)
		}
		if _, err := os.Stat(junit); err == nil {
			t.Errorf("%q: %s is still there", args, junit)
		}
	}
}

// fullWriter is a stdout that takes nothing, as /dev/full.
type fullWriter struct{}

func (fullWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestStdoutFailure: a command whose output cannot be written to stdout
// exits with status 4 and one line saying so, whatever writes it and
// whatever the verdict: a command's report or list, cobra's help and
// version, bench's lines (after the line on stderr of a run that is not
// verified).
func TestStdoutFailure(t *testing.T) {
	dir := t.TempDir()
	plan := writeFile(t, dir, "p.plan", "repdisk blocks=2 expect=verified\n")
	bench := []string{"bench", "--size", "blocks=1", "--workers", "1", "--repeats", "1", "--out", dir}
	for _, tc := range []struct {
		args   []string
		before int // lines on stderr before the one saying no space is left
	}{
		{[]string{"list"}, 0},
		{[]string{"version"}, 0},
		{[]string{"--version"}, 0},
		{[]string{"--help"}, 0},
		{[]string{"check", "--help"}, 0},
		{[]string{"check", "repdisk", "--blocks", "2", "-q"}, 0},
		{[]string{"check", "repdisk", "--blocks", "2", "--variant", "no-recovery", "-q"}, 0},
		{[]string{"run", plan, "-q"}, 0},
		{append(bench, "--systems", "repdisk"), 0},
		{append(bench, "--systems", "broken"), 1},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var stderr bytes.Buffer
			code := Run(brokenCatalog(t), tc.args, fullWriter{}, &stderr)
			if code != ExitIO || !strings.HasSuffix(stderr.String(), ": no space left on device\n") || strings.Count(stderr.String(), "\n") != tc.before+1 {
				t.Errorf("exit %d, stderr %q; want %d and, after %d lines, one line saying no space is left", code, &stderr, ExitIO, tc.before)
			}
		})
	}
}

// TestSearchLimitStatus: a search that finds the system past argocheck's
// limits ends with status 2 and one line naming them, from check and
// from shard alike.
func TestSearchLimitStatus(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"check", []string{"check", "pass", "--variant", "limit"}},
		{"check --store", []string{"check", "pass", "--variant", "limit", "--store", filepath.Join(t.TempDir(), "store")}},
		{"shard", []string{"shard", "--shards", "1", "--index", "0", "--exchange", exchange(t), "pass", "--variant", "limit"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := testCLI(t, append(tc.args, "-q", "--workers", "1")...)
			if code != ExitUsage || !strings.Contains(stderr, "beyond argocheck's limits") || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want %d and one line naming the limits", code, stderr, ExitUsage)
			}
		})
	}
}

// TestReportsWhenStdoutFails: a command whose stdout cannot be written
// still writes its verdict to --report and --junit, in place of what an
// earlier run left there, and exits with status 4: a nightly job that
// reads the files never takes an old verdict for tonight's.
func TestReportsWhenStdoutFails(t *testing.T) {
	dir := t.TempDir()
	plan := writeFile(t, dir, "p.plan", "repdisk blocks=1 variant=no-recovery expect=violation\n")
	stored := filepath.Join(dir, "store")
	for _, tc := range []struct {
		name    string
		args    []string
		verdict string // the report's verdict; "" for a plan report
	}{
		{"check", []string{"check", "repdisk", "--blocks", "1", "--variant", "no-recovery"}, "violation"},
		{"check --json", []string{"check", "repdisk", "--blocks", "1", "--json"}, "verified"},
		{"check --modular", []string{"check", "log/repdisk", "--blocks", "1", "--modular", "--variant", "recover-upper-first"}, "violation"},
		{"check --store", []string{"check", "repdisk", "--blocks", "1", "--variant", "no-recovery", "--store", stored}, "violation"},
		{"resume", []string{"resume", stored}, "violation"},
		{"shard", []string{"shard", "--shards", "1", "--index", "0", "--exchange", exchange(t), "repdisk", "--blocks", "1", "--variant", "no-recovery"}, "violation"},
		{"run", []string{"run", plan}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			report := writeFile(t, dir, "r.json", `{"verdict": "an earlier run's"}`)
			junit := writeFile(t, dir, "j.xml", "an earlier run's")
			var stderr bytes.Buffer
			code := Run(layers.Catalog(), append(tc.args, "-q", "--workers", "2", "--report", report, "--junit", junit), fullWriter{}, &stderr)
			if code != ExitIO || !strings.Contains(stderr.String(), "no space left on device") {
				t.Errorf("exit %d, stderr %q; want %d naming stdout's failure", code, &stderr, ExitIO)
			}
			data, err := os.ReadFile(report)
			if err != nil {
				t.Fatal(err)
			}
			if tc.verdict == "" {
				if pr, _ := readPlanJSON(t, report); !pr.OK || len(pr.Results) != 1 || pr.Results[0].Verdict != "violation" {
					t.Errorf("report: %s", data)
				}
			} else {
				var rep struct{ Verdict string }
				validJSON(t, reportSchema(t), data, &rep)
				if rep.Verdict != tc.verdict {
					t.Errorf("report's verdict %q, want %q: %s", rep.Verdict, tc.verdict, data)
				}
			}
			var doc junitSuites
			readXML(t, junit, &doc)
			if doc.Tests == 0 {
				t.Errorf("junit: %+v", doc)
			}
		})
	}
}

// TestWriteOutputRemovesLeftSiblings: writing a report removes the files
// beside it that a run killed while it wrote that report left, once they
// are older than leftAge, and leaves those of a run that may still be
// writing and those of other reports.
func TestWriteOutputRemovesLeftSiblings(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-2 * leftAge)
	files := map[string]bool{ // name: kept
		".r.json.argocheck-1":     false,
		".r.json.argocheck-2":     true, // recent
		".other.json.argocheck-3": true,
		"r.json.argocheck-4":      true,
	}
	for name := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("{"), 0o644); err != nil {
			t.Fatal(err)
		}
		if name == ".r.json.argocheck-2" {
			continue
		}
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	if err := writeOutput(filepath.Join(dir, "r.json"), []byte("{}\n")); err != nil {
		t.Fatal(err)
	}
	for name, kept := range files {
		_, err := os.Stat(filepath.Join(dir, name))
		if exists := err == nil; exists != kept {
			t.Errorf("%s: exists %v, want %v", name, exists, kept)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "r.json")); err != nil || string(b) != "{}\n" {
		t.Errorf("r.json holds %q (%v)", b, err)
	}
}

// ownDirs makes, in a new directory, the directories whose files
// argocheck keeps that TestOutputInOwnDir and TestUsageErrorKeepsOwnDirs
// name: a finished store (st), a link to it (stlink), a spill directory
// (sp) and a shard exchange's directory (ex), each holding a file of its
// own (sp/argocheck-spill-1/own, kept in spown, and ex/own), and a link
// to the store's MANIFEST (manifest); and a plan whose line spills to sp.
type ownDirs struct {
	tmp, st, stlink, sp, spown, ex, manifest, plan string
}

func makeOwnDirs(t *testing.T) ownDirs {
	t.Helper()
	tmp := t.TempDir()
	d := ownDirs{tmp: tmp, st: filepath.Join(tmp, "st"), stlink: filepath.Join(tmp, "stlink"), sp: filepath.Join(tmp, "sp"),
		ex: filepath.Join(tmp, "ex"), manifest: filepath.Join(tmp, "manifest")}
	if _, stderr, code := cli(t, "check", "repdisk", "--blocks", "2", "-q", "--store", d.st); code != ExitVerified {
		t.Fatalf("setup: check --store: exit %d: %s", code, stderr)
	}
	d.spown = filepath.Join(d.sp, explorer.SpillPrefix+"1", "own")
	for _, dir := range []string{filepath.Dir(d.spown), d.ex} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, dir, "own", "argocheck's")
	}
	for _, l := range [][2]string{{d.st, d.stlink}, {filepath.Join(d.st, "MANIFEST"), d.manifest}} {
		if err := os.Symlink(l[0], l[1]); err != nil {
			t.Fatal(err)
		}
	}
	d.plan = writeFile(t, tmp, "p.plan", "repdisk blocks=2 spill="+d.sp+" expect=verified\n")
	return d
}

// tree is every file under dir with what it holds.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		files[path] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// keptOwnDirs fails t unless the directories of d hold what before
// says they held, and the store still opens: resume prints its verdict.
func keptOwnDirs(t *testing.T, d ownDirs, before map[string]string) {
	t.Helper()
	after := map[string]string{}
	for _, dir := range []string{d.st, d.sp, d.ex} {
		maps.Copy(after, tree(t, dir))
	}
	for path, body := range before {
		if got, ok := after[path]; !ok {
			t.Errorf("%s was removed", path)
		} else if got != body {
			t.Errorf("%s was changed", path)
		}
	}
	for path := range after {
		if _, ok := before[path]; !ok {
			t.Errorf("%s was made", path)
		}
	}
	if stdout, stderr, code := cli(t, "resume", d.st, "-q"); code != ExitVerified || !strings.Contains(stdout, "verdict=verified") {
		t.Errorf("resume %s: exit %d, stdout %q, stderr %q; want the stored verdict", d.st, code, stdout, stderr)
	}
}

// TestOutputInOwnDir: an output file that is, or lies inside, a
// directory whose files argocheck keeps, by any name (a store: --store
// DIR or resume DIR; the --spill directory, or a plan line's; a shard
// exchange's directory, to any shard), is refused before anything is cleared or
// written, with status 2 and one line naming both; the directory's
// files are left as they are, and the store still resumes.
func TestOutputInOwnDir(t *testing.T) {
	d := makeOwnDirs(t)
	st, manifest := d.st, filepath.Join(d.st, "MANIFEST")
	new := filepath.Join(d.tmp, "new")
	exchange := "file://" + filepath.ToSlash(d.ex)
	check := []string{"check", "repdisk", "--blocks", "2", "-q"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{append(check, "--store", st, "--report", manifest), "--report " + manifest + " is inside --store " + st + ", which argocheck keeps its own files in"},
		{append(check, "--store", st, "--junit", st+"/../st/MANIFEST"), "--junit " + st + "/../st/MANIFEST is inside --store " + st},
		{append(check, "--store", st+"/", "--trace-html", filepath.Join(st, "new.html")), "--trace-html " + filepath.Join(st, "new.html") + " is inside --store " + st + "/"},
		{append(check, "--store", d.stlink, "--trace-dot", manifest), "--trace-dot " + manifest + " is inside --store " + d.stlink},
		{append(check, "--store", st, "--report", d.manifest), "--report " + d.manifest + " is inside --store " + st},
		{append(check, "--store", st, "--junit", filepath.Join(d.stlink, "MANIFEST")), "--junit " + filepath.Join(d.stlink, "MANIFEST") + " is inside --store " + st},
		{append(check, "--store", st, "--junit", st), "--junit " + st + " and --store " + st + " name the same file"},
		{append(check, "--store", st, "--cpuprofile", manifest), "--cpuprofile " + manifest + " is inside --store " + st},
		{append(check, "--store", new, "--report", filepath.Join(new, "r.json")), "--report " + filepath.Join(new, "r.json") + " is inside --store " + new},
		{append(check, "--spill", d.sp, "--report", d.spown), "--report " + d.spown + " is inside --spill " + d.sp},
		{append(check, "--spill", d.sp, "--junit", filepath.Join(d.sp, "argocheck-spill-2", "j.xml")), "is inside --spill " + d.sp},
		{append(check, "--spill", d.sp, "--junit", d.sp), "--junit " + d.sp + " and --spill " + d.sp + " name the same file"},
		{[]string{"resume", st, "-q", "--report", manifest}, "--report " + manifest + " is inside the store " + st},
		{[]string{"resume", d.stlink, "-q", "--trace-html", d.manifest}, "--trace-html " + d.manifest + " is inside the store " + d.stlink},
		{[]string{"resume", st, "-q", "--junit", st}, "--junit " + st + " and the store " + st + " name the same file"},
		{[]string{"resume", st, "-q", "--spill", d.sp, "--junit", d.spown}, "is inside --spill " + d.sp},
		{[]string{"run", d.plan, "-q", "--report", d.spown}, "--report " + d.spown + " is inside spill=" + d.sp + " (" + d.plan + ":1)"},
		{[]string{"run", d.plan, "-q", "--spill", d.sp, "--junit", d.spown}, "is inside --spill " + d.sp},
		{[]string{"run", d.plan, "-q", "--junit", filepath.Join(d.tmp, "missing", "j.xml"), "--report", d.spown}, "--report " + d.spown + " is inside spill=" + d.sp},
		{[]string{"run", writeFile(t, d.tmp, "bad.plan", "repdisk blocks=2 expect=verified\nrepdisk spill="+d.sp+" expect=verified\nnosuch expect=verified\n"), "-q", "--report", d.spown},
			"--report " + d.spown + " is inside spill=" + d.sp + " (" + filepath.Join(d.tmp, "bad.plan") + ":2)"},
		{[]string{"shard", "--shards", "1", "--index", "0", "--exchange", exchange, "repdisk", "-q", "--report", filepath.Join(d.ex, "own")}, "--report " + filepath.Join(d.ex, "own") + " is inside --exchange " + exchange},
		{[]string{"shard", "--shards", "1", "--index", "0", "--exchange", exchange, "repdisk", "-q", "--trace-dot", d.ex}, "--trace-dot " + d.ex + " and --exchange " + exchange + " name the same file"},
		{[]string{"shard", "--shards", "2", "--index", "1", "--exchange", exchange, "repdisk", "-q", "--junit", filepath.Join(d.ex, "own")}, "--junit " + filepath.Join(d.ex, "own") + " is inside --exchange " + exchange},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			before := map[string]string{}
			for _, dir := range []string{d.st, d.sp, d.ex} {
				maps.Copy(before, tree(t, dir))
			}
			stdout, stderr, code := cli(t, tc.args...)
			if code != ExitUsage || stdout != "" {
				t.Fatalf("exit %d, want %d, and stdout %q", code, ExitUsage, stdout)
			}
			if !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("stderr %q, want one line containing %q", stderr, tc.want)
			}
			if _, err := os.Stat(new); err == nil {
				t.Errorf("a refused command made %s", new)
			}
			keptOwnDirs(t, d, before)
		})
	}
}

// TestReportBesideSpillDirs: of a spill directory, only the
// argocheck-spill-* directories are argocheck's: a report written beside
// them, in the spill directory itself (--spill /tmp --report
// /tmp/r.json), is written, and theirs are left as they are.
func TestReportBesideSpillDirs(t *testing.T) {
	d := makeOwnDirs(t)
	report := filepath.Join(d.sp, "r.json")
	for _, args := range [][]string{
		{"check", "repdisk", "--blocks", "2", "-q", "--spill", d.sp, "--report", report},
		{"resume", d.st, "-q", "--spill", d.sp, "--junit", report},
		{"run", d.plan, "-q", "--report", report},
	} {
		os.Remove(report)
		if _, stderr, code := cli(t, args...); code != ExitVerified {
			t.Fatalf("%q: exit %d: %s", args, code, stderr)
		}
		if b, err := os.ReadFile(report); err != nil || len(b) == 0 {
			t.Errorf("%q: report %q (%v)", args, b, err)
		} else if args[0] != "resume" && !json.Valid(b) {
			t.Errorf("%q: report is not JSON: %q", args, b)
		}
		if b, err := os.ReadFile(d.spown); err != nil || string(b) != "argocheck's" {
			t.Errorf("%q: %s holds %q (%v)", args, d.spown, b, err)
		}
	}
}

// TestUsageErrorKeepsOwnDirs: a command refused before it came to its
// output files (an unknown flag, a bad value, an unknown system) removes
// no file that an output flag names inside a directory whose files
// argocheck keeps and that the command line names, however it names it;
// the store still resumes. The files of an earlier run elsewhere are
// removed (TestUsageErrorLeavesNoReports).
func TestUsageErrorKeepsOwnDirs(t *testing.T) {
	d := makeOwnDirs(t)
	st, manifest := d.st, filepath.Join(d.st, "MANIFEST")
	exchange := "file://" + filepath.ToSlash(d.ex)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"check", "repdisk", "--store", st, "--report", manifest, "--bogus"}, "unknown flag: --bogus"},
		{[]string{"check", "--bogus", "repdisk", "--store=" + st + "/", "--junit=" + st + "/../st/MANIFEST"}, "unknown flag: --bogus"},
		{[]string{"check", "repdisk", "--store", d.stlink, "--trace-html", d.manifest, "--workers", "0"}, "--workers must be between"},
		{[]string{"check", "nosuch", "--spill", d.sp, "--report", d.spown}, `unknown system "nosuch"`},
		{[]string{"resume", st, "--report", manifest, "--workers", "0"}, "--workers must be between"},
		{[]string{"resume", "--junit", d.manifest, "--bogus", "--", d.stlink}, "unknown flag: --bogus"},
		{[]string{"run", d.plan, "--spill", d.sp, "--report", d.spown, "--max-depth", "-1"}, "--max-depth must not be negative"},
		{[]string{"run", d.plan, "--report", d.spown, "--bogus"}, "unknown flag: --bogus"},
		{[]string{"run", "--junit=" + d.spown, "--max-depth", "-1", "--", d.plan}, "--max-depth must not be negative"},
		{[]string{"shard", "--shards", "1", "--index", "0", "--exchange", exchange, "nosuch", "--report", filepath.Join(d.ex, "own")}, `unknown system "nosuch"`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			before := map[string]string{}
			for _, dir := range []string{d.st, d.sp, d.ex} {
				maps.Copy(before, tree(t, dir))
			}
			_, stderr, code := cli(t, tc.args...)
			if code != ExitUsage || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
				t.Fatalf("exit %d, stderr %q; want %d and one line with %q", code, stderr, ExitUsage, tc.want)
			}
			keptOwnDirs(t, d, before)
		})
	}
}
