package cli

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/argocheck/argocheck/catalog"
)

// TestOwnParameters: a catalogue's own parameter is a flag of check, a
// key of plan lines and bench --size, and shows in reports; the built-in
// parameters are not flags of a catalogue without them.
func TestOwnParameters(t *testing.T) {
	dir := t.TempDir()
	plan := writeFile(t, dir, "p.plan", "pass width=3 expect=verified\npass width=2 variant=panics expect=violation\n")
	for _, tc := range []struct {
		args   []string
		code   int
		stdout string // expected in stdout
		stderr string // expected in the one line of stderr
	}{
		{[]string{"check", "pass", "--width", "2", "-q"}, ExitVerified, "system=pass variant=correct width=2 workers=", ""},
		{[]string{"check", "pass", "-q"}, ExitVerified, "system=pass variant=correct width=1 workers=", ""},
		{[]string{"check", "pass", "--width", "4", "-q"}, ExitUsage, "", "--width must be between 1 and 3, not 4"},
		{[]string{"check", "pass", "--blocks", "2", "-q"}, ExitUsage, "", "unknown flag: --blocks"},
		{[]string{"run", plan, "-q"}, ExitVerified, "pass    panics   width=2", ""},
		{[]string{"list"}, ExitVerified, "--width", ""},
		{[]string{"bench", "--systems", "pass", "--size", "width=2", "--size", "width=7", "--out", dir}, ExitUsage, "", `--size "width=7": pass: width must be between 1 and 3, not 7`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			stdout, stderr, code := testCLI(t, tc.args...)
			if code != tc.code || !strings.Contains(stdout, tc.stdout) {
				t.Fatalf("exit %d, want %d; stdout lacks %q:\n%s%s", code, tc.code, tc.stdout, stdout, stderr)
			}
			if (tc.stderr == "") != (stderr == "") || !strings.Contains(stderr, tc.stderr) || strings.Count(stderr, "\n") > 1 {
				t.Errorf("stderr %q, want %q", stderr, tc.stderr)
			}
		})
	}
	_, stderr, code := cli(t, "check", "repdisk", "--width", "2")
	if code != ExitUsage || !strings.Contains(stderr, "unknown flag: --width") {
		t.Errorf("built-in catalogue: --width: exit %d, %q", code, stderr)
	}
}

// TestReservedNames: the names catalog.New refuses a parameter are
// exactly the flags of check and shard, the commands with a flag per
// parameter, and the keys of a plan line but the parameters, so that a
// catalogue it takes has no parameter whose flag clashes with another
// flag or whose plan key cannot be set.
func TestReservedNames(t *testing.T) {
	sys := testSystem()
	sys.Params = nil
	cat, err := catalog.New(sys)
	if err != nil {
		t.Fatal(err)
	}
	used := map[string][]string{} // the commands and plan lines using each name
	add := func(where string, fl *pflag.FlagSet) {
		fl.VisitAll(func(f *pflag.Flag) { used[f.Name] = append(used[f.Name], where) })
	}
	check, err := newCheck(cat)
	if err != nil {
		t.Fatal(err)
	}
	shard, err := newShard(cat)
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []*cobra.Command{check, shard} {
		cmd.InitDefaultHelpFlag() // as cobra does when it runs
		add(cmd.Name(), cmd.Flags())
	}
	keys := pflag.NewFlagSet("plan", pflag.ContinueOnError)
	f := defaultSearchFlags()
	f.registerSearch(keys, flagUse{})
	for _, key := range planKeys(sys, keys) {
		used[key] = append(used[key], "plan")
	}
	reserved := catalog.ReservedNames()
	for _, name := range slices.Sorted(maps.Keys(used)) {
		if !slices.Contains(reserved, name) {
			t.Errorf("%s (%s) is not among catalog.ReservedNames", name, strings.Join(used[name], ", "))
		}
	}
	for _, name := range reserved {
		if used[name] == nil {
			t.Errorf("catalog.ReservedNames has %s, no flag of check or shard nor key of plan lines", name)
		}
	}
	// A catalogue with such a parameter is refused before a command line
	// could be made of it.
	sys.Params = []catalog.Param{{Name: "workers", Default: 1, Min: 1, Max: 2}}
	if _, err := catalog.New(sys); err == nil || !strings.Contains(err.Error(), "parameter workers: the name is reserved") {
		t.Errorf("catalog.New: %v", err)
	}
}

// TestViolationDetails: a panic in layer code says where it panicked, and
// a call repeated until the step limit is one call with its count, in the
// summary, the JSON report (valid by the schema) and the pictures.
func TestViolationDetails(t *testing.T) {
	sch := reportSchema(t)
	for _, tc := range []struct {
		variant, kind string
		text          *regexp.Regexp // in the summary
	}{
		{"panics", "panic", regexp.MustCompile(`layer code panicked: a write of 1 \(at \S+/testsys_test\.go:\d+\)`)},
		{"loops", "step-limit", regexp.MustCompile(`\n\s+1-10000  read\(0\) x10000\s+-> 0 `)},
	} {
		t.Run(tc.variant, func(t *testing.T) {
			dir := t.TempDir()
			html, dot := filepath.Join(dir, "t.html"), filepath.Join(dir, "t.dot")
			args := []string{"check", "pass", "--variant", tc.variant, "-q", "--trace-html", html, "--trace-dot", dot}
			text, _, code := testCLI(t, args...)
			if code != ExitViolation || !tc.text.MatchString(text) {
				t.Fatalf("exit %d, summary does not match %s:\n%s", code, tc.text, text)
			}
			js, _, _ := testCLI(t, append(args, "--json")...)
			var r report
			validJSON(t, sch, []byte(js), &r)
			v := r.Violation
			last := v.Trace[len(v.Trace)-1]
			switch tc.kind {
			case "panic":
				if v.Kind != "panic" || !strings.HasSuffix(strings.Split(v.Where, ":")[0], "testsys_test.go") ||
					last.Violation == nil || last.Violation.Where != v.Where || !strings.Contains(js, `"where": "`) {
					t.Errorf("panic violation: %+v", v)
				}
			case "step-limit":
				calls := last.Calls
				if v.Kind != "step-limit" || len(calls) != 1 || calls[0].Repeat != 10000 || !strings.Contains(js, `"repeat": 10000`) {
					t.Errorf("step-limit violation: kind %s, calls %+v", v.Kind, calls)
				}
				for file, want := range map[string]string{html: `<td class="n">1-10000</td><td class="op">read(0) x10000</td>`, dot: `1-10000 read(0) x10000 -> 0`} {
					if b, err := os.ReadFile(file); err != nil || !strings.Contains(string(b), want) {
						t.Errorf("%s lacks %q (%v)", filepath.Base(file), want, err)
					}
				}
			}
		})
	}
}

// TestReadParams: a stored run's parameters are read back only when the
// store holds every one of them, each a value the system takes: a header
// short of one is refused, not checked at another value.
func TestReadParams(t *testing.T) {
	sys := testSystem()
	for _, tc := range []struct {
		stored map[string]string
		want   string // the error, or "" for width 2
	}{
		{map[string]string{"width": "2"}, ""},
		{map[string]string{}, "no value for parameter width"},
		{map[string]string{"width": "x"}, "width"},
		{map[string]string{"width": "2", "depth": "1"}, "system pass has no parameter depth"},
	} {
		p, err := readParams(sys, tc.stored)
		switch {
		case tc.want == "" && (err != nil || !maps.Equal(p, catalog.Params{"width": 2})):
			t.Errorf("readParams(%v) = %v, %v; want width 2", tc.stored, p, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("readParams(%v) = %v, %v; want an error naming %q", tc.stored, p, err, tc.want)
		}
	}
}
