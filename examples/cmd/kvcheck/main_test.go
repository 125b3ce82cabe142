package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/cli"
	"github.com/argocheck/argocheck/examples/kv"
	"github.com/argocheck/argocheck/model"
)

// The nightly plan runs through kvcheck's own command line, every check
// reaches its expected verdict, every variant of the store has a line
// that searched every crash to the end (not narrowed by a crash mode, not
// stopped by a bound), and every line that expects a violation pins its
// kind and shortest path's length, as TestMutants of package kv does.
func TestNightlyPlan(t *testing.T) {
	cat, err := catalog.New(kvSystem)
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := cli.Run(cat, []string{"run", "../../kv/nightly.plan", "--workers", "2", "--quiet", "--json"}, &out, &errOut)
	if code != cli.ExitVerified {
		t.Fatalf("kvcheck run: exit status %d\n%s%s", code, out.String(), errOut.String())
	}
	var report struct {
		OK      bool
		Results []struct {
			Line                       int
			Variant, Verdict, Expected string
			Narrowed, Stopped          string
			ExpectedKind               string `json:"expected_kind"`
			ExpectedSteps              *int   `json:"expected_steps"`
		}
	}
	if err := json.Unmarshal(out.Bytes(), &report); err != nil {
		t.Fatal(err)
	}
	if !report.OK {
		t.Errorf("the plan's report is not ok:\n%s", out.String())
	}
	ran := map[string]bool{}
	for _, r := range report.Results {
		// A narrowed or stopped search's verified is not the full
		// check's: it covers nothing.
		ran[r.Variant] = ran[r.Variant] || r.Narrowed == "" && r.Stopped == ""
		// A nondeterminism violation's path has no length that repeats,
		// and a plan refuses one: its kind alone pins it.
		if r.Expected == "violation" && (r.ExpectedKind == "" || r.ExpectedSteps == nil && r.ExpectedKind != model.KindNondeterminism) {
			t.Errorf("kv/nightly.plan:%d expects a violation of %s with no kind or length: write expect=violation:KIND:STEPS (violation:nondeterminism, which takes no steps)", r.Line, r.Variant)
		}
	}
	for _, v := range append(catalog.Variants{{Name: "correct"}}, kv.Variants...) {
		if !ran[v.Name] {
			t.Errorf("kv/nightly.plan checks no %s under every crash, to the end", v.Name)
		}
	}
}

// At the smallest client values the catalogue takes, every broken variant
// is still caught, and one value fewer is refused: the smallest check the
// command line offers checks what the store promises.
func TestSmallestValuesCatchEveryVariant(t *testing.T) {
	cat, err := catalog.New(kvSystem)
	if err != nil {
		t.Fatal(err)
	}
	var least int
	for _, p := range kvSystem.Params {
		if p.Name == "values" {
			least = p.Min
		}
	}
	values := func(v int) string { return strconv.Itoa(v) }
	for _, v := range kv.Variants {
		if v.Correct {
			continue
		}
		var out, errOut bytes.Buffer
		code := cli.Run(cat, []string{"check", "kv", "--values", values(least), "--variant", v.Name, "--workers", "2", "--quiet"}, &out, &errOut)
		if code != cli.ExitViolation {
			t.Errorf("check kv --values %d --variant %s: exit status %d, want %d (a violation)\n%s%s", least, v.Name, code, cli.ExitViolation, out.String(), errOut.String())
		}
	}
	var out, errOut bytes.Buffer
	if code := cli.Run(cat, []string{"check", "kv", "--values", values(least - 1)}, &out, &errOut); code != cli.ExitUsage {
		t.Errorf("check kv --values %d: exit status %d, want %d (refused)\n%s%s", least-1, code, cli.ExitUsage, out.String(), errOut.String())
	}
}

// tutorial returns docs/tutorial.md with every run of white space made
// one space, as a reader sees a message wrapped over lines.
func tutorial(t *testing.T) string {
	t.Helper()
	text, err := os.ReadFile("../../../docs/tutorial.md")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(string(text)), " ")
}

// The command lines that the tutorial shows for kvcheck end as their
// comments say: "verified" with status 0 (and the states it names),
// "exit N" with status N, "kept in kvrun" in a store that resume and
// trace then read, and one with no comment in a verdict.
func TestTutorialCommands(t *testing.T) {
	cat, err := catalog.New(kvSystem)
	if err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile("../../../docs/tutorial.md")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	states := regexp.MustCompile(`verified, (\d+) states`)
	exit := regexp.MustCompile(`^exit (\d+)`)
	run := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := cli.Run(cat, args, &out, &errOut)
		return code, out.String() + errOut.String()
	}
	seen := 0
	for line := range strings.Lines(string(text)) {
		cmd, ok := strings.CutPrefix(strings.TrimSpace(line), "go run ./cmd/kvcheck ")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		seen++
		cmd, comment, _ := strings.Cut(cmd, "#")
		comment = strings.TrimSpace(comment)
		args := strings.Fields(cmd)
		for i, a := range args {
			switch {
			case a == "kvrun" || strings.HasSuffix(a, ".html") || strings.HasSuffix(a, ".json") || strings.HasSuffix(a, ".xml"):
				args[i] = filepath.Join(dir, a)
			case strings.HasSuffix(a, ".plan"):
				args[i] = filepath.Join("../..", a)
			}
		}
		if args[0] != "list" {
			args = append(args, "--quiet")
		}
		code, out := run(args...)
		want := -1 // a verdict: 0 or 1
		switch m := exit.FindStringSubmatch(comment); {
		case strings.HasPrefix(comment, "verified"), strings.HasPrefix(comment, "kept in"):
			want = 0
		case m != nil:
			want, _ = strconv.Atoi(m[1])
		}
		if want >= 0 && code != want || want < 0 && code != cli.ExitVerified && code != cli.ExitViolation {
			t.Errorf("kvcheck %s: exit status %d, want %d as the tutorial says (%q)\n%s", cmd, code, want, comment, out)
			continue
		}
		if m := states.FindStringSubmatch(comment); m != nil && !strings.Contains(out, "states="+m[1]+" ") {
			t.Errorf("kvcheck %s: want states=%s, as the tutorial says\n%s", cmd, m[1], out)
		}
		if strings.HasPrefix(comment, "kept in kvrun") {
			for _, c := range []string{"resume", "trace"} {
				if code, out := run(c, filepath.Join(dir, "kvrun")); code != cli.ExitVerified {
					t.Errorf("kvcheck %s kvrun after %s: exit status %d\n%s", c, cmd, code, out)
				}
			}
		}
	}
	if seen < 5 {
		t.Errorf("the tutorial shows %d command lines of kvcheck, want the five or more of section 11", seen)
	}
}

// The messages that the tutorial quotes for kvcheck are the ones it
// prints.
func TestTutorialMessages(t *testing.T) {
	doc := tutorial(t)
	cat, err := catalog.New(kvSystem)
	if err != nil {
		t.Fatal(err)
	}
	// Build of a system whose records range goes past the store's.
	wide := *kvSystem
	wide.Params = slices.Clone(kvSystem.Params)
	for i := range wide.Params {
		if wide.Params[i].Name == "records" {
			wide.Params[i].Max = kv.MaxRecords + 1
		}
	}
	wideCat, err := catalog.New(&wide)
	if err != nil {
		t.Fatal(err)
	}
	misspelled := *kvSystem
	misspelled.Build = func(p catalog.Params, variant string) (model.Checker, error) {
		return kv.System(kv.Sizes{Records: p.Get("recrods")}, kv.Variant(variant)), nil
	}
	misCat, err := catalog.New(&misspelled)
	if err != nil {
		t.Fatal(err)
	}
	mainGo, err := filepath.Abs("main.go")
	if err != nil {
		t.Fatal(err)
	}
	plan := filepath.Join(t.TempDir(), "kv")
	if err := os.Mkdir(plan, 0o755); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("../../kv/nightly.plan")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(src), "\n")
	lines[11] = regexp.MustCompile(`records=\d+`).ReplaceAllString(lines[11], "records=16")
	if err := os.WriteFile(filepath.Join(plan, "nightly.plan"), []byte(strings.Join(lines, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Dir(plan))
	cliErr := func(c *catalog.Catalog, args ...string) string {
		var out, errOut bytes.Buffer
		if code := cli.Run(c, args, &out, &errOut); code != cli.ExitUsage {
			t.Errorf("kvcheck %s: exit status %d, want %d", strings.Join(args, " "), code, cli.ExitUsage)
		}
		return errOut.String()
	}
	_, checkErr := kvSystem.Check(catalog.Params{"keys": 2, "values": 2, "records": 16}, "")
	badDefault := *kvSystem
	badDefault.Params = slices.Clone(kvSystem.Params)
	badDefault.Params[0].Default = 0
	_, newErr := catalog.New(&badDefault)
	for _, tc := range []struct {
		quoted, got string
	}{
		{"kv: --records must be between 1 and 15, not 16", cliErr(cat, "check", "kv", "--records", "16")},
		{"kv: records must be between 1 and 15, not 16", fmt.Sprint(checkErr)},
		{`kv/nightly.plan:12: records: "16" is not a whole number from 1 to 15`, cliErr(cat, "run", "kv/nightly.plan")},
		{"catalog: system kv: parameter keys: default 0 is not within 1..4", fmt.Sprint(newErr)},
		{"kv: Build panicked at kv/store.go:149, for variant correct: ", cliErr(wideCat, "check", "kv", "--records", "16")},
		{"for variant correct: catalog: no parameter recrods (parameters: keys, records, values): ", cliErr(misCat, "check", "kv")},
	} {
		if !strings.Contains(doc, tc.quoted) {
			t.Errorf("the tutorial no longer quotes %q", tc.quoted)
		}
		if !strings.Contains(tc.got, tc.quoted) {
			t.Errorf("kvcheck says %q, where the tutorial quotes %q", strings.TrimSpace(tc.got), tc.quoted)
		}
	}
	// The line the tutorial names for the misspelled parameter is Build's
	// call of p.Get.
	main, err := os.ReadFile(mainGo)
	if err != nil {
		t.Fatal(err)
	}
	if l := strings.Split(string(main), "\n"); !strings.Contains(doc, "kv: Build panicked at kvcheck/main.go:34, for variant correct:") || len(l) < 34 || !strings.Contains(l[33], `p.Get("records")`) {
		t.Errorf("the tutorial names kvcheck/main.go:34 as Build's p.Get of records")
	}
}
