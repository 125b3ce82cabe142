package peers

import (
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// peers opts in to TestPeersAgree; so does ARGOCHECK_PEERS=1.
var peers = flag.Bool("peers", false, "run TestPeersAgree, which builds SPIN and Rumur verifiers")

// The smallest configuration worth comparing: 2 blocks, 2 values.
const blocks, values = 2, 2

// verdict is what one tool said about one model.
type verdict struct {
	verdict string // verified or violation
	states  int    // states stored
}

// TestPeersAgree runs argocheck, SPIN and Rumur on the correct replicated
// disk and on the no-recovery bug: they must agree on both verdicts, and on
// the correct model they store the same states, since each peer state is
// one node of argocheck's graph.
//
// Building the peers' verifiers takes long, so the test runs only when
// asked, and never with -short:
//
//	go test ./benchmarks/peers -run TestPeersAgree -peers
//	ARGOCHECK_PEERS=1 go test ./benchmarks/peers
//
// Asked to run, it fails when spin, rumur or gcc is missing.
func TestPeersAgree(t *testing.T) {
	if testing.Short() {
		t.Skip("builds SPIN and Rumur verifiers; not with -short")
	}
	if !*peers && os.Getenv("ARGOCHECK_PEERS") != "1" {
		t.Skip("builds SPIN and Rumur verifiers; run with -peers or ARGOCHECK_PEERS=1")
	}
	for _, tool := range []string{"spin", "rumur", "gcc"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed (apt-get install spin rumur gcc)", tool)
		}
	}
	dir := t.TempDir()
	argocheck := filepath.Join(dir, "argocheck")
	build := exec.Command("go", "build", "-o", argocheck, "./cmd/argocheck")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building argocheck: %v\n%s", err, out)
	}
	for _, bug := range []bool{false, true} {
		want := "verified"
		if bug {
			want = "violation"
		}
		got := map[string]verdict{
			"argocheck": runArgocheck(t, argocheck, bug),
			"spin":      runSpin(t, filepath.Join(dir, "spin"+strconv.FormatBool(bug)), bug),
			"rumur":     runRumur(t, filepath.Join(dir, "rumur"+strconv.FormatBool(bug)), bug),
		}
		for tool, v := range got {
			if v.verdict != want {
				t.Errorf("no-recovery=%v: %s says %s, want %s", bug, tool, v.verdict, want)
			}
			// Pinned by argocheck's own tests: 56 nodes at 2 blocks, 2 values.
			if !bug && v.states != 56 {
				t.Errorf("%s stored %d states, want 56", tool, v.states)
			}
		}
	}
}

func runArgocheck(t *testing.T, bin string, bug bool) verdict {
	args := []string{"check", "repdisk", "--blocks", strconv.Itoa(blocks), "--values", strconv.Itoa(values), "--json", "-q"}
	if bug {
		args = append(args, "--variant", "no-recovery")
	}
	out, _ := exec.Command(bin, args...).Output() // exit status 1 on a violation
	var r struct {
		Verdict string `json:"verdict"`
		States  int    `json:"states"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("argocheck output: %v\n%s", err, out)
	}
	return verdict{r.Verdict, r.States}
}

func runSpin(t *testing.T, dir string, bug bool) verdict {
	model, err := filepath.Abs("repdisk.pml")
	if err != nil {
		t.Fatal(err)
	}
	mustMkdir(t, dir)
	run(t, dir, "spin", "-DB="+strconv.Itoa(blocks), "-DV="+strconv.Itoa(values), "-DNORECOVERY="+b01(bug), "-a", model)
	run(t, dir, "gcc", "-O2", "-DSAFETY", "-DNOREDUCE", "-o", "pan", "pan.c")
	out := runStatus(t, dir, filepath.Join(dir, "pan"))
	errors := match(t, out, `errors: (\d+)`)
	v := verdict{verdict: "violation", states: match(t, out, `(\d+) states, stored`)}
	if errors == 0 {
		v.verdict = "verified"
	}
	return v
}

func runRumur(t *testing.T, dir string, bug bool) verdict {
	src, err := os.ReadFile("repdisk.mur")
	if err != nil {
		t.Fatal(err)
	}
	model := string(src)
	for _, c := range [][2]string{
		{"B: ", strconv.Itoa(blocks)},
		{"V: ", strconv.Itoa(values)},
		{"NORECOVERY: ", strconv.FormatBool(bug)},
	} {
		re := regexp.MustCompile(`(?m)^  ` + c[0] + `[0-9a-z]+;`)
		if !re.MatchString(model) {
			t.Fatalf("repdisk.mur has no constant %q", c[0])
		}
		model = re.ReplaceAllLiteralString(model, "  "+c[0]+c[1]+";")
	}
	mustMkdir(t, dir)
	if err := os.WriteFile(filepath.Join(dir, "model.m"), []byte(model), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, dir, "rumur", "--quiet", "--threads", "1", "--deadlock-detection", "off", "--output", "verifier.c", "model.m")
	run(t, dir, "gcc", "-O2", "-mcx16", "-pthread", "-o", "verifier", "verifier.c")
	out := runStatus(t, dir, filepath.Join(dir, "verifier"))
	v := verdict{states: match(t, out, `(\d+) states, \d+ rules fired`)}
	switch {
	case strings.Contains(out, "No error found"):
		v.verdict = "verified"
	case strings.Contains(out, "error(s) found"):
		v.verdict = "violation"
	}
	return v
}

func b01(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func mustMkdir(t *testing.T, dir string) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

// run runs a build step, which must succeed.
func run(t *testing.T, dir, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// runStatus runs a verifier, whose exit status may report a violation,
// and returns its output.
func runStatus(t *testing.T, dir, name string) string {
	t.Helper()
	cmd := exec.Command(name)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("%s: %v", name, err)
	}
	return string(out)
}

func match(t *testing.T, out, pattern string) int {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no %q in output:\n%s", pattern, out)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}
