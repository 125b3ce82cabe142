package cli

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCoverageOfUserBinary: a program over Main built with -cover writes
// its coverage counters to GOCOVERDIR whatever its verdict (verified,
// violation or incomplete, each exiting with its own status), and the
// counters hold what the search's workers ran of the layer's code, so
// that 'go tool covdata' shows which lines of a layer a check reached.
// It builds the tutorial's kvcheck with its layer (package kv) and its
// main package instrumented: without the main package, the Go toolchain
// writes no coverage data at all.
func TestCoverageOfUserBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program of another module")
	}
	examples, err := filepath.Abs("../examples")
	if err != nil {
		t.Fatal(err)
	}
	source, err := os.ReadFile(filepath.Join(examples, "kv", "store.go"))
	if err != nil {
		t.Fatal(err)
	}
	// The line of put's commit point: only the search's workers run it.
	commit := 0
	for i, l := range strings.Split(string(source), "\n") {
		if strings.Contains(l, "// the commit point") {
			commit = i + 1
		}
	}
	if commit == 0 {
		t.Fatal("examples/kv/store.go has no line marked // the commit point")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "kvcheck")
	build := exec.Command("go", "build", "-cover", "-coverpkg=./kv,./cmd/kvcheck", "-o", bin, "./cmd/kvcheck")
	build.Dir = examples
	build.Env = append(os.Environ(), "GOFLAGS=-mod=readonly -buildvcs=false", "GOPROXY=off", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"verified", []string{"check", "kv", "--workers", "2", "-q"}, ExitVerified},
		{"violation", []string{"check", "kv", "--variant", "oldest-wins", "--workers", "2", "-q"}, ExitViolation},
		{"incomplete", []string{"check", "kv", "--max-depth", "2", "--workers", "2", "-q"}, ExitIncomplete},
	} {
		dir := filepath.Join(tmp, tc.name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, tc.args...)
		cmd.Env = append(os.Environ(), "GOCOVERDIR="+dir)
		out, err := cmd.CombinedOutput()
		if _, ok := err.(*exec.ExitError); err != nil && !ok {
			t.Fatal(err)
		}
		if code := cmd.ProcessState.ExitCode(); code != tc.code {
			t.Errorf("%s: exit %d, want %d:\n%s", tc.name, code, tc.code, out)
			continue
		}
		counters, _ := filepath.Glob(filepath.Join(dir, "covcounters.*"))
		if len(counters) == 0 {
			t.Errorf("%s (exit %d): no coverage counters in GOCOVERDIR", tc.name, tc.code)
			continue
		}
		profile := filepath.Join(tmp, tc.name+".out")
		if out, err := exec.Command("go", "tool", "covdata", "textfmt", "-i="+dir, "-o="+profile).CombinedOutput(); err != nil {
			t.Fatalf("go tool covdata textfmt: %v\n%s", err, out)
		}
		if n := runs(t, profile, "examples/kv/store.go", commit); n == 0 {
			t.Errorf("%s: the counters show put's commit point (examples/kv/store.go:%d) never ran", tc.name, commit)
		}
	}
}

// runs returns the count of the block of the coverage profile that
// covers line of file (a path ending), or 0 when none does.
func runs(t *testing.T, profile, file string, line int) int {
	t.Helper()
	f, err := os.Open(profile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// path:startline.col,endline.col statements count
		where, rest, ok := strings.Cut(sc.Text(), ":")
		fields := strings.Fields(rest)
		if !ok || !strings.HasSuffix(where, file) || len(fields) != 3 {
			continue
		}
		from, to, _ := strings.Cut(fields[0], ",")
		start, _ := strconv.Atoi(strings.Split(from, ".")[0])
		end, _ := strconv.Atoi(strings.Split(to, ".")[0])
		if count, _ := strconv.Atoi(fields[2]); start <= line && line <= end && count > 0 {
			return count
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return 0
}
