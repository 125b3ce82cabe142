package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/model"
)

// TestModular: --modular runs the checks of each layer and the stack, and
// exits with the worst verdict's status.
func TestModular(t *testing.T) {
	tests := []struct {
		variant  string
		status   int
		verdicts []string // repdisk, log, log/repdisk
	}{
		{"correct", ExitVerified, []string{"verified", "verified", "verified"}},
		{"recover-upper-first", ExitViolation, []string{"verified", "verified", "violation"}},
		{"log:apply-backwards", ExitViolation, []string{"verified", "violation", "violation"}},
		{"rep:write-d0-only", ExitViolation, []string{"violation", "verified", "violation"}},
	}
	for _, tt := range tests {
		t.Run("variant="+tt.variant, func(t *testing.T) {
			args := []string{"check", "log/repdisk", "--modular", "--blocks", "1", "--values", "2", "--log", "2", "--workers", "2", "--variant", tt.variant}
			text, stderr, got := cli(t, args...)
			if got != tt.status {
				t.Fatalf("exit status %d, want %d; stderr %s", got, tt.status, stderr)
			}
			want := "repdisk=" + tt.verdicts[0] + " log=" + tt.verdicts[1] + " log/repdisk=" + tt.verdicts[2]
			if !strings.Contains(text, want) {
				t.Errorf("summary lacks %q:\n%s", want, text)
			}
			if !regexp.MustCompile(`(?m)^system=repdisk variant=\S+ blocks=5 values=2 oob=false `).MatchString(text) {
				t.Errorf("replicated disk not checked at the stack's size (1+2+2 blocks):\n%s", text)
			}

			out, _, got := cli(t, append(args, "--json")...)
			if got != tt.status {
				t.Fatalf("--json: exit status %d, want %d", got, tt.status)
			}
			var mr struct {
				Argocheck version `json:"argocheck"`
				Modular   bool    `json:"modular"`
				Verdict   string  `json:"verdict"`
				Checks    []struct {
					System  string `json:"system"`
					Verdict string `json:"verdict"`
				} `json:"checks"`
			}
			validJSON(t, reportSchema(t), []byte(out), &mr)
			if !mr.Modular || len(mr.Checks) != 3 || mr.Argocheck != reportVersion() {
				t.Fatalf("json: %s", out)
			}
			for i, c := range mr.Checks {
				if c.Verdict != tt.verdicts[i] {
					t.Errorf("json: check %s: %s, want %s", c.System, c.Verdict, tt.verdicts[i])
				}
			}
			if wantV := map[int]string{ExitVerified: "verified", ExitViolation: "violation"}[tt.status]; mr.Verdict != wantV {
				t.Errorf("json verdict %s, want %s", mr.Verdict, wantV)
			}
		})
	}
}

func TestModularIncompleteAndUsage(t *testing.T) {
	// A depth bound leaves every check incomplete, each an error of the
	// JUnit report.
	junit := filepath.Join(t.TempDir(), "j.xml")
	if _, _, got := cli(t, "check", "log/repdisk", "--modular", "--max-depth", "1", "--blocks", "1", "--workers", "2", "-q", "--junit", junit); got != ExitIncomplete {
		t.Errorf("--max-depth 1: exit status %d, want %d", got, ExitIncomplete)
	}
	var doc junitSuites
	readXML(t, junit, &doc)
	if doc.Tests != 3 || doc.Errors != 3 || doc.Failures != 0 {
		t.Errorf("junit: %d tests, %d errors, %d failures; want 3 errors", doc.Tests, doc.Errors, doc.Failures)
	}
	for _, c := range doc.Suites[0].Cases {
		if c.Error == nil || !strings.Contains(c.Error.Message, "incomplete: max depth 1 reached") {
			t.Errorf("junit case %s: error %+v", c.Name, c.Error)
		}
	}
	for _, tc := range []struct{ args, want string }{
		{"check repdisk --modular", "repdisk has no modular check"},
		{"check log/repdisk --modular --trace-html x.html", "--trace-html and --trace-dot draw one check's paths"},
		{"check log/repdisk --modular --trace-dot x.dot", "--trace-html and --trace-dot draw one check's paths"},
	} {
		stdout, stderr, got := cli(t, strings.Fields(tc.args)...)
		if got != ExitUsage || !strings.Contains(stderr, tc.want) || stdout != "" {
			t.Errorf("%s: exit status %d, stderr %q, stdout %q", tc.args, got, stderr, stdout)
		}
	}
}

// TestModularSearchError: a check whose search ends in an error, not a
// verdict, stops --modular with the error's status; the summary and the
// reports still hold the verdicts reached before it and name the error,
// the JUnit report with that check as an <error> and each check after it
// as one of type "not run".
func TestModularSearchError(t *testing.T) {
	cat := stackCatalog(t)
	dir := t.TempDir()
	report, junit := filepath.Join(dir, "r.json"), filepath.Join(dir, "j.xml")
	var out, errOut bytes.Buffer
	code := Run(cat, []string{"check", "stack", "--modular", "--variant", "exits", "-q", "--workers", "1", "--report", report, "--junit", junit}, &out, &errOut)
	stdout, stderr := out.String(), errOut.String()
	if code != ExitIO || !strings.Contains(stderr, "check 2 of 3 (pass): layer code ended a goroutine") || strings.Count(stderr, "\n") != 1 {
		t.Fatalf("exit status %d, stderr %q; want %d and one line, the error of check 2", code, stderr, ExitIO)
	}
	for _, want := range []string{"== check 1 of 3 (layer)", "verdict=verified", "check 2 of 3 (pass): layer code ended", "modular system=stack variant=exits pass=verified (stopped: no verdict)\nverdict=incomplete"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var mr struct {
		Verdict string `json:"verdict"`
		Error   string `json:"error"`
		Checks  []struct {
			Verdict string `json:"verdict"`
		} `json:"checks"`
	}
	validJSON(t, reportSchema(t), data, &mr)
	if mr.Verdict != "incomplete" || len(mr.Checks) != 1 || mr.Checks[0].Verdict != "verified" || !strings.HasPrefix(mr.Error, "check 2 of 3 (pass): ") {
		t.Errorf("report: %s", data)
	}
	var doc junitSuites
	readXML(t, junit, &doc)
	if cases := doc.Suites[0].Cases; len(cases) != 3 || cases[0].Failure != nil || cases[0].Error != nil || cases[1].Error == nil || doc.Errors != 2 {
		t.Errorf("junit: %+v", doc)
	} else if !strings.HasPrefix(cases[1].Name, "pass variant=exits ") || !strings.Contains(cases[1].Error.Message, "Goexit") {
		t.Errorf("junit error case %q: %+v", cases[1].Name, cases[1].Error)
	} else if c := cases[2]; !strings.HasPrefix(c.Name, "stack ") || c.Error.Type != "not run" || !strings.Contains(c.Error.Message, "the modular check stopped before it: check 2 of 3") {
		t.Errorf("junit case of the check not run %q: %+v", c.Name, c.Error)
	}
}

func TestWorse(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"violation", "incomplete", true},
		{"incomplete", "verified", true},
		{"verified", "violation", false},
		{"incomplete", "violation", false},
		{"", "violation", true},
		{"verified ", "verified", true},
		{"violation", "Violation", false},
	} {
		if got := worse(verdict(tt.a), verdict(tt.b)); got != tt.want {
			t.Errorf("worse(%s, %s) = %v", tt.a, tt.b, got)
		}
	}
}

func verdict(s string) explorer.Verdict { return explorer.Verdict(s) }

// TestModularEndsEndToEnd: --modular ends with the stack's own check, at
// the variant asked for, whatever the catalogue's Modular lists: with
// the layers' checks alone, or with the stack at the same parameters but
// the correct variant last. A stack that fails end to end with every
// layer verified (recover-upper-first) is a violation, not verified.
func TestModularEndsEndToEnd(t *testing.T) {
	for _, tc := range []struct {
		name     string
		parts    func(layers []catalog.Part, p catalog.Params) []catalog.Part
		last     string // the header of the last check
		verdicts string
	}{
		{"the layers only", func(layers []catalog.Part, _ catalog.Params) []catalog.Part { return layers },
			"== check 3 of 3 (end to end)", "repdisk=verified log=verified log/repdisk=violation"},
		{"the correct variant last", func(layers []catalog.Part, p catalog.Params) []catalog.Part {
			return append(layers, catalog.Part{System: "log/repdisk", Params: p})
		}, "== check 4 of 4 (end to end)", "repdisk=verified log=verified log/repdisk=verified log/repdisk=violation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, _ := layers.Lookup("repdisk")
			lg, _ := layers.Lookup("log")
			orig, _ := layers.Lookup("log/repdisk")
			stack := *orig
			stack.Modular = func(p catalog.Params, variant string) ([]catalog.Part, error) {
				parts, err := orig.Modular(p, variant)
				return tc.parts(parts[:2], p), err
			}
			cat, err := catalog.New(rep, lg, &stack)
			if err != nil {
				t.Fatal(err)
			}
			var out, errOut bytes.Buffer
			code := Run(cat, []string{"check", "log/repdisk", "--variant", "recover-upper-first", "--modular", "-q", "--workers", "2"}, &out, &errOut)
			if code != ExitViolation || !strings.Contains(out.String(), tc.last) || !strings.Contains(out.String(), tc.verdicts) {
				t.Fatalf("exit %d, want %d with the stack's own check last:\n%s%s", code, ExitViolation, out.String(), errOut.String())
			}
		})
	}
}

// TestOneValueRefused: every built-in system refuses one client value,
// where every block the client writes holds 0 and a replicated disk that
// writes d0 only verifies, alone or under --modular; at two it is caught,
// by the replicated disk's own check under --modular too.
func TestOneValueRefused(t *testing.T) {
	for _, sys := range layers.Systems() {
		args := []string{"check", sys.Name, "--values", "1", "-q", "--workers", "2"}
		if sys.Modular != nil {
			args = append(args, "--modular")
		}
		stdout, stderr, code := cli(t, args...)
		if want := sys.Name + ": --values must be between 2 and 8, not 1"; code != ExitUsage || !strings.Contains(stderr, want) || stdout != "" {
			t.Errorf("%s: exit %d, stderr %q, want %d and %q", strings.Join(args, " "), code, stderr, ExitUsage, want)
		}
	}
	for _, system := range []string{"log/repdisk", "log/async-repdisk"} {
		out, _, code := cli(t, "check", system, "--modular", "--values", "2", "--blocks", "1", "--variant", "rep:write-d0-only", "-q", "--workers", "2")
		if code != ExitViolation || !regexp.MustCompile(` repdisk(/async)?=violation `).MatchString(out) {
			t.Errorf("%s: exit %d, want the replicated disk's check to fail:\n%s", system, code, out)
		}
	}
}

// TestNarrowedIsLabelled: a narrowed crash mode that verifies a broken
// variant says so on the verdict line and in the JSON, for a check and
// for a modular check.
func TestNarrowedIsLabelled(t *testing.T) {
	out, _, code := cli(t, "check", "repdisk", "--variant", "no-recovery", "--crashes", "between-ops", "-q", "--workers", "2")
	if code != ExitVerified || !strings.Contains(out, "verdict=verified (narrowed: crashes=between-ops)\n") {
		t.Errorf("exit %d, want the verdict line to say it is narrowed:\n%s", code, out)
	}
	for _, args := range [][]string{
		{"check", "repdisk", "--variant", "no-recovery", "--crashes", "between-ops"},
		{"check", "log/repdisk", "--modular", "--variant", "recover-upper-first", "--crashes", "no-nested"},
	} {
		js, _, _ := cli(t, append(args, "-q", "--workers", "2", "--json")...)
		var r struct{ Narrowed string }
		validJSON(t, reportSchema(t), []byte(js), &r)
		if want := "crashes=" + args[len(args)-1]; r.Narrowed != want {
			t.Errorf("%v: narrowed %q, want %q", args, r.Narrowed, want)
		}
	}
}

// stackCatalog is the catalogue of testSystem and of "stack", testSystem
// again with a modular check: pass, then pass of the stack's variant,
// then the stack end to end.
func stackCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	stack := testSystem()
	stack.Name = "stack"
	stack.Modular = func(p catalog.Params, variant string) ([]catalog.Part, error) {
		return []catalog.Part{{System: "pass", Params: p}, {System: "pass", Params: p, Variant: variant}}, nil
	}
	cat, err := catalog.New(testSystem(), stack)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// TestUniqueCaseNames: test cases that share a name take their position,
// and the others keep theirs.
func TestUniqueCaseNames(t *testing.T) {
	for _, tc := range []struct {
		names, want []string
	}{
		{nil, nil},
		{[]string{"a", "b"}, []string{"a", "b"}},
		{[]string{"a", "a"}, []string{"a (check 1 of 2)", "a (check 2 of 2)"}},
		{[]string{"a", "b", "a", "c", "b"}, []string{"a (check 1 of 5)", "b (check 2 of 5)", "a (check 3 of 5)", "c", "b (check 5 of 5)"}},
	} {
		cases := make([]junitCase, len(tc.names))
		for i, n := range tc.names {
			cases[i].Name = n
		}
		uniqueCaseNames(cases)
		for i := range cases {
			if cases[i].Name != tc.want[i] {
				t.Errorf("%q: case %d named %q, want %q", tc.names, i, cases[i].Name, tc.want[i])
			}
		}
	}
}

// TestModularJUnitNamesUnique: a Modular that lists one check twice gets
// a JUnit report whose test cases have distinct names, the repeated
// check's numbered as the summary numbers it, the end-to-end check's
// name left as it is.
func TestModularJUnitNamesUnique(t *testing.T) {
	stack := testSystem()
	stack.Name = "stack"
	stack.Modular = func(p catalog.Params, variant string) ([]catalog.Part, error) {
		return []catalog.Part{{System: "pass", Params: p}, {System: "pass", Params: catalog.Params{}}}, nil
	}
	cat, err := catalog.New(testSystem(), stack)
	if err != nil {
		t.Fatal(err)
	}
	junit := filepath.Join(t.TempDir(), "j.xml")
	var out, errOut bytes.Buffer
	if code := Run(cat, []string{"check", "stack", "--modular", "-q", "--workers", "1", "--junit", junit}, &out, &errOut); code != ExitVerified {
		t.Fatalf("exit status %d, want %d:\n%s%s", code, ExitVerified, out.String(), errOut.String())
	}
	names := junitCaseNames(t, junit)
	want := []string{"pass variant=correct width=1 (check 1 of 3)", "pass variant=correct width=1 (check 2 of 3)", "stack variant=correct width=1"}
	if !slices.Equal(names, want) {
		t.Errorf("test cases %q, want %q", names, want)
	}
}

// TestModularKeepsItsParameters: a Modular that writes into the
// parameters it is handed (here, its layer's check at width 1) changes
// neither the stack's own check, run end to end at the parameters of the
// command line, nor the parameters the other parts are given. The stack
// is broken at width 2 only: checked at width 2 it must fail, though the
// layer verifies at width 1.
func TestModularKeepsItsParameters(t *testing.T) {
	pass := testSystem()
	stack := testSystem()
	stack.Name = "stack"
	stack.Build = func(p catalog.Params, variant string) (model.Checker, error) {
		if p.Get("width") >= 2 {
			variant = "panics" // broken at width 2 and more
		}
		return pass.Build(p, variant)
	}
	stack.Modular = func(p catalog.Params, variant string) ([]catalog.Part, error) {
		p["width"] = 1 // written into the map it was handed
		return []catalog.Part{{System: "pass", Params: p, Variant: variant}}, nil
	}
	cat, err := catalog.New(pass, stack)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		width string
		code  int
		want  string
	}{
		{"1", ExitVerified, "modular system=stack variant=correct pass=verified stack=verified\n"},
		{"2", ExitViolation, "modular system=stack variant=correct pass=verified stack=violation\n"},
	} {
		var out, errOut bytes.Buffer
		code := Run(cat, []string{"check", "stack", "--modular", "--width", tc.width, "-q", "--workers", "1"}, &out, &errOut)
		if code != tc.code || !strings.Contains(out.String(), tc.want) ||
			!regexp.MustCompile(`(?m)^system=stack variant=correct width=`+tc.width+` `).MatchString(out.String()) {
			t.Errorf("--width %s: exit status %d, want %d with %q and the stack checked at width %s:\n%s%s",
				tc.width, code, tc.code, tc.want, tc.width, out.String(), errOut.String())
		}
	}
}

// TestModularPartOutOfRange: a Modular that lists a check at parameters
// its system refuses (here, one block more than the command line's, past
// the maximum) makes check --modular exit with status 2 before any check
// runs, not run that check at them.
func TestModularPartOutOfRange(t *testing.T) {
	pass := testSystem()
	stack := testSystem()
	stack.Name = "stack"
	stack.Modular = func(p catalog.Params, variant string) ([]catalog.Part, error) {
		return []catalog.Part{{System: "pass", Params: catalog.Params{"width": p.Get("width") + 1}, Variant: variant}}, nil
	}
	cat, err := catalog.New(pass, stack)
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := Run(cat, []string{"check", "stack", "--modular", "--width", "3", "-q", "--workers", "1"}, &out, &errOut)
	if code != ExitUsage || out.Len() != 0 || !strings.Contains(errOut.String(), "width") || strings.Count(errOut.String(), "\n") != 1 {
		t.Errorf("exit status %d, stdout %q, stderr %q; want %d, nothing and one line naming width", code, out.String(), errOut.String(), ExitUsage)
	}
}

// TestModularPanicRefused: a Modular that panics at parameters other than
// the defaults (catalog.New calls it at the defaults only) makes check
// --modular exit with status 2 and one line naming the system, the line
// that panicked and the value, and print nothing on stdout.
func TestModularPanicRefused(t *testing.T) {
	pass := testSystem()
	stack := testSystem()
	stack.Name = "stack"
	stack.Modular = func(p catalog.Params, variant string) ([]catalog.Part, error) {
		if p.Get("width") >= 2 {
			panic("no layers at this width")
		}
		return []catalog.Part{{System: "pass", Params: p, Variant: variant}}, nil
	}
	cat, err := catalog.New(pass, stack)
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := Run(cat, []string{"check", "stack", "--modular", "--width", "2", "-q"}, &out, &errOut)
	want := regexp.MustCompile(`^argocheck: stack: Modular panicked at cli/modular_test\.go:\d+, for variant correct: no layers at this width\n$`)
	if code != ExitUsage || out.Len() != 0 || !want.MatchString(errOut.String()) {
		t.Errorf("exit status %d, stdout %q, stderr %q; want %d, nothing and one line matching %s", code, out.String(), errOut.String(), ExitUsage, want)
	}
}
