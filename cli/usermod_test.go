package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestUserBinary builds a program of another module over a system of its
// own: the tutorial's kvcheck (examples/cmd/kvcheck, a key-value store on
// one disk, with parameters of its own and broken variants), argocheck
// reached by the examples module's replace directive and every dependency
// from the module cache; and runs its nightly plan, its list, a check and
// its version.
func TestUserBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program of another module")
	}
	examples, err := filepath.Abs("../examples")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "kvcheck")
	build := exec.Command("go", "build", "-o", bin, "./cmd/kvcheck")
	build.Dir = examples
	build.Env = append(os.Environ(), "GOFLAGS=-mod=readonly", "GOPROXY=off", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	run := func(args ...string) (string, int) {
		cmd := exec.Command(bin, args...)
		cmd.Dir = examples
		out, err := cmd.Output()
		if _, ok := err.(*exec.ExitError); err != nil && !ok {
			t.Fatal(err)
		}
		return string(out), cmd.ProcessState.ExitCode()
	}

	if out, code := run("list"); code != ExitVerified || !strings.Contains(out, "kv") || !strings.Contains(out, "--records") ||
		!strings.Contains(out, "pointer-before-record") || strings.Contains(out, "repdisk") {
		t.Errorf("list: exit %d:\n%s", code, out)
	}
	out, code := run("run", "kv/nightly.plan", "-q", "--workers", "1", "--json")
	var pr struct {
		OK      bool `json:"ok"`
		Results []struct {
			Variant  string `json:"variant"`
			Expected string `json:"expected"`
			Verdict  string `json:"verdict"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &pr); err != nil || code != ExitVerified {
		t.Fatalf("run kv/nightly.plan: exit %d, %v:\n%s", code, err, out)
	}
	verdicts := map[string]int{}
	for _, r := range pr.Results {
		verdicts[r.Verdict]++
	}
	if !pr.OK || verdicts["verified"] == 0 || verdicts["violation"] == 0 {
		t.Errorf("run kv/nightly.plan: ok=%v, verdicts %v:\n%s", pr.OK, verdicts, out)
	}
	if out, code := run("check", "kv", "--records", "2", "--variant", "oldest-wins", "-q"); code != ExitViolation ||
		!strings.Contains(out, "system=kv variant=oldest-wins keys=2 values=2 records=2 workers=") || !strings.Contains(out, "violation=refinement") {
		t.Errorf("check: exit %d:\n%s", code, out)
	}
	if out, code := run("--version"); code != ExitVerified || !strings.HasPrefix(out, "kvcheck module=github.com/argocheck/argocheck/examples version=") ||
		!strings.Contains(out, " argocheck=(devel) build=") {
		t.Errorf("--version: exit %d: %q", code, out)
	}
	// The program goes by its own name in its help and its errors.
	if out, code := run("check", "--help"); code != ExitVerified || !strings.Contains(out, "kvcheck check SYSTEM") ||
		!strings.Contains(out, "'kvcheck list'") || strings.Contains(out, "'argocheck") {
		t.Errorf("check --help: exit %d:\n%s", code, out)
	}
	cmd := exec.Command(bin, "check")
	if out, _ := cmd.CombinedOutput(); cmd.ProcessState.ExitCode() != ExitUsage ||
		string(out) != "kvcheck: check takes one SYSTEM (see 'kvcheck list'), got 0 arguments\n" {
		t.Errorf("check: exit %d: %q", cmd.ProcessState.ExitCode(), out)
	}
}
