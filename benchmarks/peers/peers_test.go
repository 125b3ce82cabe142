package peers

import (
	"encoding/json"
	"flag"
	"fmt"
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
// disk and on the no-recovery bug, and argocheck and SPIN on the
// write-ahead log and the log on the replicated disk, correct at three
// sizes each and in their broken variants: they must agree on every
// verdict, and on a correct model they store the same states, since each
// peer state is one node of argocheck's graph.
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
	t.Run("repdisk", func(t *testing.T) {
		t.Parallel()
		for _, bug := range []bool{false, true} {
			want := "verified"
			if bug {
				want = "violation"
			}
			variant := ""
			if bug {
				variant = "no-recovery"
			}
			size := []string{"--blocks", strconv.Itoa(blocks), "--values", strconv.Itoa(values)}
			defs := []string{"-DB=" + strconv.Itoa(blocks), "-DV=" + strconv.Itoa(values), "-DNORECOVERY=" + b01(bug)}
			got := map[string]verdict{
				"argocheck": runArgocheck(t, argocheck, "repdisk", size, variant),
				"spin":      runSpin(t, filepath.Join(dir, "spin"+strconv.FormatBool(bug)), "repdisk.pml", defs),
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
	})
	for i, tt := range logCases {
		name := fmt.Sprintf("%s/b%d-v%d-l%d", tt.system, tt.blocks, tt.values, tt.log)
		if tt.variant != "" {
			name += "/" + tt.variant
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			size := []string{"--blocks", strconv.Itoa(tt.blocks), "--values", strconv.Itoa(tt.values), "--log", strconv.Itoa(tt.log)}
			defs := []string{"-DN=" + strconv.Itoa(tt.blocks), "-DV=" + strconv.Itoa(tt.values), "-DL=" + strconv.Itoa(tt.log)}
			if tt.define != "" {
				defs = append(defs, "-D"+tt.define+"=1")
			}
			model := map[string]string{"log": "log.pml", "log/repdisk": "log_repdisk.pml"}[tt.system]
			got := map[string]verdict{
				"argocheck": runArgocheck(t, argocheck, tt.system, size, tt.variant),
				"spin":      runSpin(t, filepath.Join(dir, "log"+strconv.Itoa(i)), model, defs),
			}
			want := "verified"
			if tt.variant != "" {
				want = "violation"
			}
			for tool, v := range got {
				if v.verdict != want {
					t.Errorf("%s says %s, want %s", tool, v.verdict, want)
				}
				if tt.variant == "" && v.states != tt.states {
					t.Errorf("%s stored %d states, want %d", tool, v.states, tt.states)
				}
			}
		})
	}
}

// logCases are the write-ahead log's checks: correct at three sizes, with
// the states pinned by argocheck's own tests (layers/log_test.go), and
// each broken variant with the #define that selects it in the SPIN model.
var logCases = []struct {
	system              string
	blocks, values, log int
	states              int    // correct models only
	variant, define     string // a broken variant: argocheck's name, the model's #define
}{
	{system: "log", blocks: 1, values: 2, log: 3, states: 266},
	{system: "log", blocks: 2, values: 2, log: 2, states: 832},
	{system: "log", blocks: 3, values: 2, log: 2, states: 3816},
	{system: "log", blocks: 2, values: 2, log: 2, variant: "no-recovery", define: "NORECOVERY"},
	{system: "log", blocks: 2, values: 2, log: 2, variant: "apply-without-commit-flag", define: "APPLYWITHOUTCOMMITFLAG"},
	{system: "log", blocks: 2, values: 2, log: 2, variant: "recovery-clears-header-first", define: "RECOVERYCLEARSHEADERFIRST"},
	{system: "log", blocks: 2, values: 2, log: 2, variant: "apply-backwards", define: "APPLYBACKWARDS"},
	{system: "log/repdisk", blocks: 1, values: 2, log: 3, states: 1148},
	{system: "log/repdisk", blocks: 2, values: 2, log: 1, states: 528},
	{system: "log/repdisk", blocks: 2, values: 2, log: 2, states: 3568},
	{system: "log/repdisk", blocks: 2, values: 2, log: 2, variant: "log:no-recovery", define: "NORECOVERY"},
	{system: "log/repdisk", blocks: 2, values: 2, log: 2, variant: "log:apply-backwards", define: "APPLYBACKWARDS"},
	{system: "log/repdisk", blocks: 2, values: 2, log: 2, variant: "rep:no-recovery", define: "REPNORECOVERY"},
	{system: "log/repdisk", blocks: 2, values: 2, log: 2, variant: "recover-upper-first", define: "UPPERFIRST"},
}

func runArgocheck(t *testing.T, bin, system string, size []string, variant string) verdict {
	args := append([]string{"check", system, "--json", "-q"}, size...)
	if variant != "" {
		args = append(args, "--variant", variant)
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

// runSpin builds and runs the SPIN model with the given #defines in dir. A
// violation is a failed assertion; any other error of pan's (a search cut
// short, an invalid end state) fails the test.
func runSpin(t *testing.T, dir, model string, defines []string) verdict {
	model, err := filepath.Abs(model)
	if err != nil {
		t.Fatal(err)
	}
	mustMkdir(t, dir)
	run(t, dir, "spin", append(append([]string{}, defines...), "-a", model)...)
	run(t, dir, "gcc", "-O2", "-DSAFETY", "-DNOREDUCE", "-o", "pan", "pan.c")
	// Depth-first search goes deep on these graphs; the stack allows it.
	out := runStatus(t, dir, filepath.Join(dir, "pan"), "-m1000000")
	if strings.Contains(out, "max search depth too small") {
		t.Fatalf("pan's search was cut short:\n%s", out)
	}
	errors := match(t, out, `errors: (\d+)`)
	v := verdict{verdict: "violation", states: match(t, out, `(\d+) states, stored`)}
	switch {
	case errors == 0:
		v.verdict = "verified"
	case !strings.Contains(out, "assertion violated"):
		t.Fatalf("pan reports an error that is no failed assertion:\n%s", out)
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
func runStatus(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
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
