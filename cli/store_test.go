package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/statestore/persist"
)

// binary is the argocheck command built once by TestMain, for the tests
// that stop it with signals.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "argocheck-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "argocheck")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building argocheck: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// killCheck is the configuration the kill tests stop and resume: the
// write-ahead log on the replicated disk, eleven levels, about a second of
// search on two workers.
var killCheck = []string{"log/repdisk", "--blocks", "2", "--values", "2", "--log", "3", "--workers", "2", "--quiet"}

// jsonReport is the part of check's JSON that the kill tests compare.
type jsonReport struct {
	Verdict     string `json:"verdict"`
	States      uint64 `json:"states"`
	Transitions uint64 `json:"transitions"`
	CrashPoints uint64 `json:"crash_points"`
	Depth       int    `json:"depth"`
}

// uninterrupted is the in-memory search of killCheck.
func uninterrupted(t *testing.T) jsonReport {
	t.Helper()
	chk, err := layers.Build("log/repdisk", catalog.Params{layers.Blocks: 2, layers.Values: 2, layers.Log: 3}, "")
	if err != nil {
		t.Fatal(err)
	}
	res, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	return jsonReport{string(res.Verdict), res.States, res.Transitions, res.CrashPoints, res.Depth}
}

// start starts check --store dir, or resume dir once the store holds the
// run (a kill can come before the check has written it).
func start(t *testing.T, dir string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	args := append([]string{"check"}, killCheck...)
	args = append(args, "--store", dir, "--json")
	if st, err := persist.OpenReadOnly(dir, persist.Options{}); err == nil {
		st.Close()
		args = []string{"resume", dir, "--workers", "2", "--json", "--quiet"}
	}
	cmd := exec.Command(binary, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &out, &errb
}

// finish resumes the store to its verdict and returns the report.
func finish(t *testing.T, dir string) jsonReport {
	t.Helper()
	cmd, out, errb := start(t, dir)
	err := cmd.Wait()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	var r jsonReport
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%v: %s\nstderr: %s", err, out, errb)
	}
	if code := cmd.ProcessState.ExitCode(); code != exitVerified {
		t.Fatalf("final run: exit %d\n%s%s", code, out, errb)
	}
	return r
}

// stopAtRandom runs the check several times, each stopped by sig at a
// random moment, and returns how many runs the signal stopped before
// they finished.
func stopAtRandom(t *testing.T, dir string, sig syscall.Signal, rounds int) (stopped int) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	for i := 0; i < rounds; i++ {
		cmd, out, errb := start(t, dir)
		time.Sleep(time.Duration(50+rng.IntN(700)) * time.Millisecond)
		cmd.Process.Signal(sig)
		err := cmd.Wait()
		ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
		switch {
		case err == nil:
			// Finished before the signal: the store holds the verdict.
			return stopped
		case ws.Signaled():
			// Killed (SIGKILL, or SIGINT before the handler was set).
			stopped++
		case ws.ExitStatus() == exitIncomplete:
			want := "resume with: argocheck resume " + dir
			if !strings.Contains(errb.String(), want) {
				t.Fatalf("stopped by %v without saying %q:\n%s", sig, want, errb)
			}
			stopped++
		default:
			t.Fatalf("round %d: %v\n%s%s", i, err, out, errb)
		}
	}
	return stopped
}

// A check killed with SIGKILL at random moments, resumed each time,
// reaches exactly the verdict and counts of an uninterrupted run.
func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a running check several times")
	}
	want := uninterrupted(t)
	dir := filepath.Join(t.TempDir(), "store")
	t.Logf("%d runs killed before they finished", stopAtRandom(t, dir, syscall.SIGKILL, 5))
	if got := finish(t, dir); got != want {
		t.Fatalf("after kills: %+v; uninterrupted: %+v", got, want)
	}
}

// The same with SIGINT, which writes a checkpoint and exits with status 3
// and a line saying how to resume.
func TestInterruptAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("interrupts a running check several times")
	}
	want := uninterrupted(t)
	dir := filepath.Join(t.TempDir(), "store")
	t.Logf("%d runs interrupted before they finished", stopAtRandom(t, dir, syscall.SIGINT, 4))
	if got := finish(t, dir); got != want {
		t.Fatalf("after interrupts: %+v; uninterrupted: %+v", got, want)
	}
}

// A stored violation is dumped by trace exactly as check printed it, with
// every primitive step of the path.
func TestTraceGolden(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	code, out, _ := runArgs(t, "check", "repdisk", "--blocks", "3", "--values", "2", "--variant", "recover-block0-only", "--workers", "2", "--store", dir)
	if code != exitViolation {
		t.Fatalf("check: exit %d:\n%s", code, out)
	}
	code, trace, stderr := runArgs(t, "trace", dir)
	if code != exitVerified || stderr != "" {
		t.Fatalf("trace: exit %d: %s", code, stderr)
	}
	golden(t, "trace-recover-block0-only.txt", trace)
	_, section, _ := strings.Cut(out, "\nviolation=")
	_, dumped, _ := strings.Cut(trace, "\nviolation=")
	if section == "" || section != dumped {
		t.Fatalf("trace dumps:\n%s\ncheck printed:\n%s", dumped, section)
	}

	// JSON: the same steps as check --json reports.
	code, js, _ := runArgs(t, "trace", dir, "--format", "json")
	if code != exitVerified {
		t.Fatalf("trace --format json: exit %d", code)
	}
	var tr struct {
		Verdict    string `json:"verdict"`
		Violations []struct {
			Kind        string          `json:"kind"`
			TraceLength int             `json:"trace_length"`
			Trace       json.RawMessage `json:"trace"`
		} `json:"violations"`
	}
	if err := json.Unmarshal([]byte(js), &tr); err != nil {
		t.Fatal(err)
	}
	dir2 := filepath.Join(t.TempDir(), "store")
	_, cj, _ := runArgs(t, "check", "repdisk", "--blocks", "3", "--values", "2", "--variant", "recover-block0-only", "--workers", "1", "--store", dir2, "--json")
	var rep struct {
		Violation struct {
			Kind        string          `json:"kind"`
			TraceLength int             `json:"trace_length"`
			Trace       json.RawMessage `json:"trace"`
		} `json:"violation"`
	}
	if err := json.Unmarshal([]byte(cj), &rep); err != nil {
		t.Fatal(err)
	}
	if tr.Verdict != "violation" || len(tr.Violations) != 1 || tr.Violations[0].Kind != rep.Violation.Kind ||
		tr.Violations[0].TraceLength != rep.Violation.TraceLength || compactJSON(t, tr.Violations[0].Trace) != compactJSON(t, rep.Violation.Trace) {
		t.Fatalf("trace --format json:\n%s\ncheck --json:\n%s", js, cj)
	}
}

func compactJSON(t *testing.T, b []byte) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// Resuming a finished run prints its verdict and exits with its status.
func TestResumeFinished(t *testing.T) {
	for _, tc := range []struct {
		variant string
		code    int
	}{{"", exitVerified}, {"no-recovery", exitViolation}} {
		t.Run("variant="+tc.variant, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "store")
			args := []string{"check", "repdisk", "--blocks", "2", "--values", "2", "--store", dir}
			if tc.variant != "" {
				args = append(args, "--variant", tc.variant)
			}
			code, first, _ := runArgs(t, args...)
			if code != tc.code {
				t.Fatalf("check: exit %d", code)
			}
			code, again, stderr := runArgs(t, "resume", dir)
			if code != tc.code || !strings.Contains(stderr, "holds a finished run") {
				t.Fatalf("resume: exit %d, stderr %q", code, stderr)
			}
			if timing.ReplaceAllString(again, "$1=X") != timing.ReplaceAllString(first, "$1=X") {
				t.Fatalf("resume printed:\n%s\ncheck printed:\n%s", again, first)
			}
		})
	}
}

// Bad stores and directories: one line naming the problem, exit status 2,
// nothing overwritten.
func TestStoreBadInput(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "file")
	os.WriteFile(file, []byte("mine"), 0o644)
	finished := filepath.Join(tmp, "finished")
	if code, _, _ := runArgs(t, "check", "repdisk", "--blocks", "2", "--store", finished); code != exitVerified {
		t.Fatal("setup: check --store did not verify")
	}
	stopped := filepath.Join(tmp, "stopped")
	if code, _, _ := runArgs(t, "check", "repdisk", "--blocks", "3", "--max-states", "50", "--store", stopped); code != exitIncomplete {
		t.Fatal("setup: check --store --max-states did not stop")
	}
	foreign := filepath.Join(tmp, "foreign")
	os.Mkdir(foreign, 0o755)
	os.WriteFile(filepath.Join(foreign, "notes.txt"), []byte("mine"), 0o644)
	truncated := filepath.Join(tmp, "truncated")
	if code, _, _ := runArgs(t, "check", "repdisk", "--blocks", "2", "--store", truncated); code != exitVerified {
		t.Fatal("setup: check --store did not verify")
	}
	manifest := filepath.Join(truncated, "MANIFEST")
	fi, _ := os.Stat(manifest)
	os.Truncate(manifest, fi.Size()-3)

	cases := []struct {
		args []string
		want string
	}{
		{[]string{"check", "repdisk", "--store", file}, "is a file, not a directory"},
		{[]string{"check", "repdisk", "--store", foreign}, "is not empty and holds no argocheck store"},
		{[]string{"check", "repdisk", "--blocks", "3", "--store", finished}, "holds the store of another run (system=repdisk variant=correct blocks=2"},
		{[]string{"check", "repdisk", "--blocks", "2", "--store", finished}, "already holds the store of this run"},
		{[]string{"check", "repdisk", "--exact", "--store", filepath.Join(tmp, "new")}, "--exact cannot be used with --store"},
		{[]string{"check", "repdisk", "--continue", "2", "--store", filepath.Join(tmp, "new")}, "--continue cannot be used with --store"},
		{[]string{"check", "repdisk", "--blocks", "2", "--crashes", "no-nested", "--store", finished}, "holds the store of another run (system=repdisk variant=correct blocks=2 oob=false values=2), not of this check (system=repdisk variant=correct blocks=2 oob=false values=2 crash=no-nested)"},
		{[]string{"resume", filepath.Join(tmp, "none")}, "the directory does not exist"},
		{[]string{"resume", file}, "is a file, not a directory"},
		{[]string{"resume", foreign}, "holds no argocheck store"},
		{[]string{"resume", truncated}, "corrupt or truncated store"},
		{[]string{"resume", stopped, "--workers", "0"}, "--workers must be at least 1"},
		{[]string{"resume"}, "resume takes one store DIR"},
		{[]string{"trace", stopped}, "holds an unfinished run"},
		{[]string{"trace", foreign}, "holds no argocheck store"},
		{[]string{"trace", finished, "--format", "xml"}, `--format must be text or json, not "xml"`},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			before := dirSums(t, tmp)
			code, out, stderr := runArgs(t, tc.args...)
			if code != exitUsage {
				t.Fatalf("exit %d, want %d\n%s%s", code, exitUsage, out, stderr)
			}
			if !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
				t.Fatalf("stderr %q, want one line containing %q", stderr, tc.want)
			}
			after := dirSums(t, tmp)
			for p, sum := range before {
				if after[p] != sum && filepath.Base(p) != "LOCK" {
					t.Errorf("%s changed", p)
				}
			}
		})
	}
	if _, err := os.Stat(filepath.Join(tmp, "new")); err == nil {
		t.Error("check --exact --store created its directory")
	}
}

// dirSums returns every file under dir with its contents.
func dirSums(t *testing.T, dir string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			b, _ := os.ReadFile(p)
			sums[p] = string(b)
		}
		return nil
	})
	return sums
}
