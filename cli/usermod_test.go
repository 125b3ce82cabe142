package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestUserBinary builds a program of its own module over a system of its
// own (testdata/usermod: a register on one disk, with a parameter span and
// a broken variant), argocheck reached by a replace directive and every
// dependency from the module cache, and runs its plan: the correct
// register verifies and the broken one is caught.
func TestUserBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program of its own module")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range []string{"testdata/usermod/go.mod", "testdata/usermod/main.go", "testdata/usermod/register.go", "testdata/usermod/checks.plan",
		// argocheck's checksums cover every module the program needs.
		"../go.sum"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "usermod")
	for _, args := range [][]string{
		{"mod", "edit", "-replace", "github.com/argocheck/argocheck=" + root},
		{"build", "-o", bin, "."},
	} {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run := func(args ...string) (string, int) {
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		out, err := cmd.Output()
		if _, ok := err.(*exec.ExitError); err != nil && !ok {
			t.Fatal(err)
		}
		return string(out), cmd.ProcessState.ExitCode()
	}

	if out, code := run("list"); code != ExitVerified || !strings.Contains(out, "register") || !strings.Contains(out, "--span") ||
		!strings.Contains(out, "variant recovery-zeroes") || strings.Contains(out, "repdisk") {
		t.Errorf("list: exit %d:\n%s", code, out)
	}
	out, code := run("run", "checks.plan", "-q", "--workers", "1", "--json")
	var pr struct {
		OK      bool `json:"ok"`
		Results []struct {
			Variant string         `json:"variant"`
			Params  map[string]any `json:"params"`
			Verdict string         `json:"verdict"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &pr); err != nil || code != ExitVerified {
		t.Fatalf("run checks.plan: exit %d, %v:\n%s", code, err, out)
	}
	if !pr.OK || len(pr.Results) != 2 || pr.Results[0].Verdict != "verified" || pr.Results[1].Verdict != "violation" ||
		pr.Results[1].Variant != "recovery-zeroes" || pr.Results[0].Params["span"] != 3.0 {
		t.Errorf("run checks.plan:\n%s", out)
	}
	if out, code := run("check", "register", "--span", "2", "--variant", "recovery-zeroes", "-q"); code != ExitViolation ||
		!strings.Contains(out, "system=register variant=recovery-zeroes span=2 workers=") || !strings.Contains(out, "violation=recovery") {
		t.Errorf("check: exit %d:\n%s", code, out)
	}
	if out, code := run("--version"); code != ExitVerified || out != "argocheck version=(devel) revision=unknown modified=false\n" {
		t.Errorf("--version: exit %d: %q", code, out)
	}
}
