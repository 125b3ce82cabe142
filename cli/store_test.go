package cli

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/model"
	"github.com/argocheck/argocheck/statestore/persist"
)

var seed = flag.Uint64("seed", 0, "seed of the random stops of the kill and interrupt tests (0: from the clock)")

// binaryDir is the directory of the command argocheckBinary built, or ""
// while none was.
var binaryDir string

// argocheckBinary builds the argocheck command once, for the tests that
// stop it with signals.
var argocheckBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "argocheck-bin")
	if err != nil {
		return "", err
	}
	binaryDir = dir
	bin := filepath.Join(dir, "argocheck")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/argocheck").CombinedOutput(); err != nil {
		return "", fmt.Errorf("building argocheck: %v\n%s", err, out)
	}
	return bin, nil
})

func TestMain(m *testing.M) {
	code := m.Run()
	if binaryDir != "" {
		os.RemoveAll(binaryDir)
	}
	os.Exit(code)
}

// killCheck is the configuration the kill tests stop and resume: the
// write-ahead log on the replicated disk, eleven levels (0 to 10), levels
// 5 to 8 taking a tenth to a third of a second each on two workers.
var killCheck = []string{"log/repdisk", "--blocks", "2", "--values", "2", "--log", "3", "--workers", "2"}

// jsonReport is the part of check's JSON that the kill tests compare.
type jsonReport struct {
	Verdict     string `json:"verdict"`
	States      uint64 `json:"states"`
	Transitions uint64 `json:"transitions"`
	CrashPoints uint64 `json:"crash_points"`
	Depth       int    `json:"depth"`
}

// uninterrupted is the in-memory search of killCheck, and how long it
// took.
func uninterrupted(t *testing.T) (jsonReport, time.Duration) {
	t.Helper()
	chk, err := layers.Build("log/repdisk", catalog.Params{layers.Blocks: 2, layers.Values: 2, layers.Log: 3}, "")
	if err != nil {
		t.Fatal(err)
	}
	res, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	return jsonReport{string(res.Verdict), res.States, res.Transitions, res.CrashPoints, res.Depth}, res.Elapsed
}

// process is a run of the argocheck command on a store, with its progress
// lines read as they come.
type process struct {
	cmd    *exec.Cmd
	stdout bytes.Buffer
	stderr bytes.Buffer // everything, once levels is closed
	levels chan int     // the level of each progress line; closed at the end of stderr
}

// startStored starts check --store dir, or resume dir once dir holds a
// store, with a progress line every 2ms.
func startStored(t *testing.T, dir string) *process {
	t.Helper()
	bin, err := argocheckBinary()
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"check"}, killCheck...)
	args = append(args, "--store", dir)
	if _, err := os.Stat(dir); err == nil {
		args = []string{"resume", dir, "--workers", "2"}
	}
	p := &process{cmd: exec.Command(bin, append(args, "--json", "--progress-interval", "2ms", "--checkpoint-interval", "1ms")...), levels: make(chan int, 1<<16)}
	p.cmd.Stdout = &p.stdout
	pipe, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	level := regexp.MustCompile(`^progress level=(\d+) `)
	go func() {
		defer close(p.levels)
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			p.stderr.WriteString(sc.Text() + "\n")
			if m := level.FindStringSubmatch(sc.Text()); m != nil {
				n, _ := strconv.Atoi(m[1])
				select {
				case p.levels <- n:
				default: // nobody is waiting for levels any more
				}
			}
		}
	}()
	return p
}

// reach waits until the run expands level target or a deeper one, and
// returns that level; -1 when the run ended first.
func (p *process) reach(target int) int {
	for n := range p.levels {
		if n >= target {
			return n
		}
	}
	return -1
}

// wait waits for the run to end and returns its exit status.
func (p *process) wait() (*os.ProcessState, error) {
	for range p.levels {
	}
	err := p.cmd.Wait()
	if _, ok := errors.AsType[*exec.ExitError](err); ok {
		err = nil
	}
	return p.cmd.ProcessState, err
}

// finish resumes the store to its verdict and returns the report.
func finish(t *testing.T, dir string) jsonReport {
	t.Helper()
	p := startStored(t, dir)
	ps, err := p.wait()
	if err != nil {
		t.Fatal(err)
	}
	var r jsonReport
	if err := json.Unmarshal(p.stdout.Bytes(), &r); err != nil {
		t.Fatalf("%v: %s\nstderr: %s", err, &p.stdout, &p.stderr)
	}
	if code := ps.ExitCode(); code != ExitVerified {
		t.Fatalf("final run: exit %d\n%s%s", code, &p.stdout, &p.stderr)
	}
	return r
}

// stopMidway runs killCheck on the store in dir again and again, each run
// stopped by sig once it expands a level chosen at random (at least two
// past the store's last complete level, at least three before the last
// level, depth), after a random delay under a fortieth of the
// uninterrupted search's time. It asserts that every stop came mid-way:
// the store unfinished, holding more complete levels than before.
func stopMidway(t *testing.T, dir string, sig syscall.Signal, depth int, elapsed time.Duration) {
	s := *seed
	if s == 0 {
		s = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -seed %d)", s, s)
	rng := rand.New(rand.NewPCG(s, 0))
	window := max(elapsed/40, time.Millisecond)
	stored := -1 // the store's last complete level
	for round := 0; ; round++ {
		target := stored + 2 + rng.IntN(2)
		if target > depth-3 {
			if round < 2 {
				t.Fatalf("only %d runs stopped", round)
			}
			return
		}
		delay := time.Duration(rng.Int64N(int64(window)))
		p := startStored(t, dir)
		seen := p.reach(target)
		time.Sleep(delay)
		p.cmd.Process.Signal(sig)
		ps, err := p.wait()
		if err != nil {
			t.Fatal(err)
		}
		if seen < 0 {
			t.Fatalf("round %d: the run ended before level %d, with status %d\n%s", round, target, ps.ExitCode(), &p.stdout)
		}
		ws := ps.Sys().(syscall.WaitStatus)
		switch {
		case sig == syscall.SIGKILL && ws.Signaled():
		case sig != syscall.SIGKILL && ws.ExitStatus() == ExitIncomplete:
			if want := "resume with: argocheck resume " + dir; !strings.Contains(p.stderr.String(), want) {
				t.Fatalf("round %d: stopped by %v without saying %q", round, sig, want)
			}
		default:
			t.Fatalf("round %d: %v stopped the run at level %d with status %s\n%s", round, sig, seen, ps, &p.stdout)
		}
		st, err := persist.OpenReadOnly(dir, persist.Options{})
		if err != nil {
			t.Fatal(err)
		}
		finished, levels := st.Outcome() != nil, st.Depth()
		st.Close()
		if finished || levels <= stored {
			t.Fatalf("round %d: stopped at level %d after %s: the store is finished=%v with last complete level %d, before %d",
				round, seen, delay, finished, levels, stored)
		}
		t.Logf("round %d: stopped at level %d after %s; last complete level %d", round, seen, delay, levels)
		stored = levels
	}
}

// A check stopped mid-way again and again, by SIGKILL or by SIGINT (which
// writes a checkpoint and exits with status 3 and a line saying how to
// resume), and resumed each time, reaches exactly the verdict and counts
// of an uninterrupted run.
func TestStopAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("stops a running check several times")
	}
	want, elapsed := uninterrupted(t)
	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "store")
			stopMidway(t, dir, sig, want.Depth, elapsed)
			if got := finish(t, dir); got != want {
				t.Fatalf("after the stops: %+v; uninterrupted: %+v", got, want)
			}
		})
	}
}

// spilledViolation is a check whose stored run spills (three times at
// 300KB) and commits within levels, and whose violation lies in its last
// level, found a third of a second or more into the run.
var spilledViolation = []string{"log/repdisk", "--blocks", "4", "--values", "2", "--log", "3", "--variant", "log:recovery-clears-header-first"}

// A stored run that spills, committing within levels, killed with SIGKILL
// at random moments (in commits and spill merges too) and resumed each
// time with one or two workers, reports the verdict, counts, depth and
// violations, paths included, of the same check run uninterrupted in
// memory.
func TestKillSpilledViolation(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a running check several times")
	}
	bin, err := argocheckBinary()
	if err != nil {
		t.Fatal(err)
	}
	type report struct {
		jsonReport
		Violations json.RawMessage `json:"violations"`
	}
	// run runs argocheck with args, killed after kill unless 0, and returns
	// its report, or killed, or restart when it found no run in the store
	// (the check killed before it recorded one).
	run := func(kill time.Duration, args ...string) (r report, killed, restart bool) {
		t.Helper()
		cmd := exec.Command(bin, append(args, "--json")...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if kill > 0 {
			timer := time.AfterFunc(kill, func() { cmd.Process.Kill() })
			defer timer.Stop()
		}
		cmd.Wait()
		ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
		switch code := ws.ExitStatus(); {
		case ws.Signaled() && ws.Signal() == syscall.SIGKILL:
			return r, true, false
		case code == ExitUsage && strings.Contains(stderr.String(), "holds no run"):
			return r, false, true
		case code != ExitViolation:
			t.Fatalf("%s: status %d\n%s%s", strings.Join(args, " "), code, &stdout, &stderr)
		}
		if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
			t.Fatalf("%v: %s", err, &stdout)
		}
		return r, false, false
	}
	want, _, _ := run(0, append([]string{"check"}, spilledViolation...)...)
	if want.Verdict != string(explorer.Violated) || len(want.Violations) < 100 {
		t.Fatalf("uninterrupted: %+v", want.jsonReport)
	}
	s := cmp.Or(*seed, 1)
	t.Logf("seed %d (rerun with -seed %d)", s, s)
	rng := rand.New(rand.NewPCG(s, 0))
	dir := t.TempDir()
	store, spill := filepath.Join(dir, "store"), filepath.Join(dir, "spill")
	stored := []string{"--spill", spill, "--memory", "300KB", "--checkpoint-interval", "5ms"}
	for kills, runs := 0, 0; ; runs++ {
		args := append(append([]string{"check"}, spilledViolation...), "--store", store)
		if _, err := os.Stat(filepath.Join(store, "MANIFEST")); err == nil {
			args = []string{"resume", store, "--workers", strconv.Itoa(1 + kills%2)}
		} else {
			os.RemoveAll(store) // killed before badger made its files
		}
		kill := time.Duration(0) // the last run is not killed
		if kills < 6 {
			kill = time.Duration(50+rng.IntN(600)) * time.Millisecond
		}
		got, killed, restart := run(kill, append(args, stored...)...)
		switch {
		case killed:
			kills++
			continue
		case restart:
			os.RemoveAll(store)
			continue
		}
		if got.jsonReport != want.jsonReport || !bytes.Equal(got.Violations, want.Violations) {
			t.Fatalf("after %d kills: %+v; uninterrupted: %+v (violations equal: %v)", kills, got.jsonReport, want.jsonReport, bytes.Equal(got.Violations, want.Violations))
		}
		if kills == 6 {
			t.Logf("%d kills in %d runs", kills, runs)
			return
		}
		os.RemoveAll(store) // finished before the kills were done: again
	}
}

// A stored violation is dumped by trace exactly as check printed it, with
// every primitive step of the path.
func TestTraceGolden(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	out, _, code := cli(t, "check", "repdisk", "--blocks", "3", "--values", "2", "--variant", "recover-block0-only", "--workers", "2", "--store", dir)
	if code != ExitViolation {
		t.Fatalf("check: exit %d:\n%s", code, out)
	}
	trace, stderr, code := cli(t, "trace", dir)
	if code != ExitVerified || stderr != "" {
		t.Fatalf("trace: exit %d: %s", code, stderr)
	}
	golden(t, "trace-recover-block0-only.txt", trace)
	_, section, _ := strings.Cut(out, "\nviolation=")
	_, dumped, _ := strings.Cut(trace, "\nviolation=")
	if section == "" || section != dumped {
		t.Fatalf("trace dumps:\n%s\ncheck printed:\n%s", dumped, section)
	}

	// JSON (--json, or --format json): the violation as check --json
	// reports it.
	js, _, code := cli(t, "trace", dir, "--json")
	if alias, _, _ := cli(t, "trace", dir, "--format", "json"); code != ExitVerified || alias != js {
		t.Fatalf("trace --json: exit %d; --format json differs:\n%s\n%s", code, js, alias)
	}
	var tr struct {
		Argocheck  version           `json:"argocheck"`
		Params     map[string]any    `json:"params"`
		Verdict    string            `json:"verdict"`
		Violations []json.RawMessage `json:"violations"`
	}
	validJSON(t, reportSchema(t), []byte(js), &tr)
	dir2 := filepath.Join(t.TempDir(), "store")
	cj, _, _ := cli(t, "check", "repdisk", "--blocks", "3", "--values", "2", "--variant", "recover-block0-only", "--workers", "1", "--store", dir2, "--json")
	var rep struct {
		Params    map[string]any  `json:"params"`
		Violation json.RawMessage `json:"violation"`
	}
	if err := json.Unmarshal([]byte(cj), &rep); err != nil {
		t.Fatal(err)
	}
	if tr.Argocheck != reportVersion() || tr.Verdict != "violation" || len(tr.Violations) != 1 ||
		compactJSON(t, tr.Violations[0]) != compactJSON(t, rep.Violation) || mustJSON(t, tr.Params) != mustJSON(t, rep.Params) {
		t.Fatalf("trace --json:\n%s\ncheck --json:\n%s", js, cj)
	}
}

func compactJSON(t *testing.T, b []byte) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// Resuming a finished run prints its verdict and exits with its status,
// as check printed it: a narrowed one's crash and determinism modes too.
func TestResumeFinished(t *testing.T) {
	for _, tc := range []struct {
		variant string
		modes   []string
		code    int
	}{
		{"", nil, ExitVerified},
		{"no-recovery", nil, ExitViolation},
		{"", []string{"--crashes", "no-nested", "--determinism", "full"}, ExitVerified},
	} {
		t.Run(strings.Join(append([]string{"variant=" + tc.variant}, tc.modes...), " "), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "store")
			args := append([]string{"check", "repdisk", "--blocks", "2", "--values", "2", "--store", dir}, tc.modes...)
			if tc.variant != "" {
				args = append(args, "--variant", tc.variant)
			}
			first, _, code := cli(t, args...)
			if code != tc.code {
				t.Fatalf("check: exit %d", code)
			}
			again, stderr, code := cli(t, "resume", dir)
			if code != tc.code || !strings.Contains(stderr, "holds a finished run") {
				t.Fatalf("resume: exit %d, stderr %q", code, stderr)
			}
			if strings.Contains(again, "expanding_share=") || !strings.Contains(first, "expanding_share=") {
				t.Errorf("an expanding share in check's summary and not in resume's, which searched nothing: resume printed:\n%s\ncheck printed:\n%s", again, first)
			}
			if searchedFigures(again) != searchedFigures(first) {
				t.Fatalf("resume printed:\n%s\ncheck printed:\n%s", again, first)
			}
		})
	}
}

// TestStoredModes: the crash and determinism modes of a stored run are
// kept in the store, and resume and trace report them as check did.
func TestStoredModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	check, _, code := cli(t, "check", "repdisk", "--variant", "no-recovery", "--crashes", "no-nested", "--determinism", "full",
		"--max-depth", "1", "--store", dir, "--json", "-q")
	if code != ExitIncomplete {
		t.Fatalf("check: exit %d", code)
	}
	resumed, _, code := cli(t, "resume", dir, "--json", "-q")
	if code != ExitViolation {
		t.Fatalf("resume: exit %d", code)
	}
	traced, _, code := cli(t, "trace", dir, "--json")
	if code != ExitVerified {
		t.Fatalf("trace: exit %d", code)
	}
	want := `{"blocks":3,"crashes":"no-nested","determinism":"full","oob":false,"values":2}`
	for name, out := range map[string]string{"check": check, "resume": resumed, "trace": traced} {
		var r struct {
			Params map[string]any `json:"params"`
		}
		validJSON(t, reportSchema(t), []byte(out), &r)
		if got := mustJSON(t, r.Params); got != want {
			t.Errorf("%s: params %s, want %s", name, got, want)
		}
	}
	st, err := persist.OpenReadOnly(dir, persist.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if h := st.Header(); h.Crash != "no-nested" || h.Determinism != "full" || h.Params["oob"] != "false" || h.Params["blocks"] != "3" {
		t.Errorf("stored header %+v", h)
	}
}

// TestStoreURL: a store is named by its directory; one named by a URL is
// refused with status 2 and the directory it means, and nothing is made
// (not a directory "file:" in the working directory). A directory whose
// name holds a colon but no "://" is a directory.
func TestStoreURL(t *testing.T) {
	tmp := t.TempDir()
	t.Chdir(tmp)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"check", "repdisk", "--store", "file:///x/run"}, "--store file:///x/run: a store is a directory on this machine, not a URL: give the directory itself, /x/run"},
		{[]string{"check", "repdisk", "--store", "file://x/run"}, "give the directory itself, /x/run"},
		{[]string{"check", "repdisk", "--store", "file://localhost/x/run"}, "give the directory itself, /x/run"},
		{[]string{"check", "repdisk", "--store", "file://./x/run"}, "give the directory itself, ./x/run"},
		{[]string{"check", "repdisk", "--store", "s3://bucket/run"}, "not a URL: a run shared through object storage is 'argocheck shard --exchange URL'"},
		{[]string{"resume", "file:///x/run"}, "resume file:///x/run: a store is a directory on this machine, not a URL"},
		{[]string{"trace", "file:///x/run"}, "trace file:///x/run: a store is a directory on this machine, not a URL"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, stderr, code := cli(t, tc.args...)
			if code != ExitUsage || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
				t.Fatalf("exit %d, stderr %q; want %d and one line containing %q", code, stderr, ExitUsage, tc.want)
			}
			if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
				t.Fatalf("the working directory holds %s", entries[0].Name())
			}
		})
	}
	if _, stderr, code := cli(t, "check", "repdisk", "--blocks", "1", "--store", "nightly-18:00", "-q"); code != ExitVerified {
		t.Errorf("--store nightly-18:00: exit %d, want %d: %s", code, ExitVerified, stderr)
	}
}

// Bad stores and directories: one line naming the problem, exit status 2,
// nothing overwritten.
func TestStoreBadInput(t *testing.T) {
	tmp := t.TempDir()
	file := writeFile(t, tmp, "file", "mine")
	finished := filepath.Join(tmp, "finished")
	if _, _, code := cli(t, "check", "repdisk", "--blocks", "2", "--store", finished); code != ExitVerified {
		t.Fatal("setup: check --store did not verify")
	}
	stopped := filepath.Join(tmp, "stopped")
	if _, _, code := cli(t, "check", "repdisk", "--blocks", "3", "--max-states", "50", "--store", stopped); code != ExitIncomplete {
		t.Fatal("setup: check --store --max-states did not stop")
	}
	foreign := filepath.Join(tmp, "foreign")
	os.Mkdir(foreign, 0o755)
	writeFile(t, foreign, "notes.txt", "mine")
	truncated := filepath.Join(tmp, "truncated")
	if _, _, code := cli(t, "check", "repdisk", "--blocks", "2", "--store", truncated); code != ExitVerified {
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
		{[]string{"check", "repdisk", "--blocks", "2", "--store", finished}, "already holds the store of this run, finished: 'argocheck trace "},
		{[]string{"check", "repdisk", "--exact", "--store", filepath.Join(tmp, "new")}, "--exact cannot be used with --store"},
		{[]string{"check", "repdisk", "--continue", "2", "--store", filepath.Join(tmp, "new")}, "--continue cannot be used with --store"},
		{[]string{"check", "repdisk", "--blocks", "2", "--crashes", "no-nested", "--store", finished}, "holds the store of another run (system=repdisk variant=correct blocks=2 oob=false values=2), not of this check (system=repdisk variant=correct blocks=2 oob=false values=2 crash=no-nested)"},
		{[]string{"resume", filepath.Join(tmp, "none")}, "the directory does not exist"},
		{[]string{"resume", file}, "is a file, not a directory"},
		{[]string{"resume", foreign}, "holds no argocheck store"},
		{[]string{"resume", truncated}, "corrupt or truncated store"},
		{[]string{"resume", stopped, "--workers", "0"}, "--workers must be between 1 and 4096, not 0"},
		{[]string{"resume"}, "resume takes one store DIR"},
		{[]string{"resume", ""}, "resume takes one store DIR, got an empty argument"},
		{[]string{"check", "repdisk", "--store", ""}, `--store must name a directory, not ""`},
		{[]string{"trace", stopped}, "holds an unfinished run"},
		{[]string{"trace", foreign}, "holds no argocheck store"},
		{[]string{"trace", finished, "--format", "xml"}, `--format must be text or json, not "xml"`},
		{[]string{"trace", finished, "--format", "text", "--json"}, "--json and --format text ask for two formats"},
		{[]string{"check", "repdisk", "--blocks", "2", "--determinism", "full", "--store", finished}, "not of this check (system=repdisk variant=correct blocks=2 oob=false values=2 determinism=full)"},
		// A stored run fixes these: they are no flags of resume or trace,
		// and the error says where they come from.
		{[]string{"resume", stopped, "--continue", "2"}, "--continue is a flag of check: resume takes the check's settings from its store"},
		{[]string{"resume", stopped, "--crashes", "all"}, "--crashes is a flag of check: resume takes the check's settings from its store"},
		{[]string{"resume", stopped, "--determinism=full"}, "--determinism is a flag of check: resume takes the check's settings from its store"},
		{[]string{"resume", stopped, "--exact"}, "--exact is a flag of check: resume takes"},
		{[]string{"resume", stopped, "--blocks", "2"}, "--blocks is a flag of check: resume takes"},
		{[]string{"trace", finished, "--crashes", "all"}, "--crashes is a flag of check: trace takes the check's settings from its store"},
		{[]string{"resume", stopped, "--bogus"}, "unknown flag: --bogus"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			before := dirSums(t, tmp)
			out, stderr, code := cli(t, tc.args...)
			if code != ExitUsage {
				t.Fatalf("exit %d, want %d\n%s%s", code, ExitUsage, out, stderr)
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

// storeOfBuild writes in dir a store of repdisk at blocks 2 as the build
// made would: finished, or stopped after its first levels. A finished
// store records verdict when it is not empty.
func storeOfBuild(t *testing.T, dir, made string, finished bool, verdict string) {
	t.Helper()
	const blocks = 2
	sys, p, chk := repdiskOf(t, blocks)
	cfg := explorer.Config{Workers: 1}
	h := header(sys, p, "", cfg)
	h.Build = made
	st, err := persist.Create(dir, h, persist.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Checkpoint = st; !finished {
		cfg.MaxDepth = 2
	}
	res, err := explorer.Run(context.Background(), chk, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != explorer.Incomplete {
		o := res.Outcome()
		o.Verdict = cmp.Or(verdict, o.Verdict)
		err = st.Finish(o)
	}
	if err := errors.Join(err, st.Close()); err != nil {
		t.Fatal(err)
	}
}

// TestStoreOfAnotherBuild: a store another build made, finished or not,
// or one that recorded no build, is refused by check --store, resume and
// trace in one line naming both builds, exit status 2, and stays as it
// was; a store this build made resumes.
func TestStoreOfAnotherBuild(t *testing.T) {
	for _, made := range []string{"fedcba9876543210", ""} {
		for _, finished := range []bool{true, false} {
			t.Run(fmt.Sprintf("build=%q/finished=%v", made, finished), func(t *testing.T) {
				dir := filepath.Join(t.TempDir(), "store")
				storeOfBuild(t, dir, made, finished, "")
				name := cmp.Or(made, "none recorded")
				want := fmt.Sprintf("argocheck: %s holds a store made by another build of argocheck (build %s), not by this one (build %s): a store belongs to the build that made it; give this run a new store directory ('argocheck --version' shows a program's build)\n",
					dir, name, buildID())
				for _, args := range [][]string{
					{"check", "repdisk", "--blocks", "2", "--store", dir},
					{"resume", dir},
					{"trace", dir},
				} {
					stdout, stderr, code := cli(t, args...)
					if code != ExitUsage || stdout != "" || stderr != want {
						t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d, stderr %q", args, code, stdout, stderr, ExitUsage, want)
					}
				}
				st, err := persist.OpenReadOnly(dir, persist.Options{})
				if err != nil {
					t.Fatal(err)
				}
				defer st.Close()
				if h := st.Header(); h.Build != made || (st.Outcome() != nil) != finished {
					t.Errorf("the refused store changed: build %q, outcome %v", h.Build, st.Outcome())
				}
			})
		}
	}
	t.Run("this build", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "store")
		storeOfBuild(t, dir, buildID(), false, "")
		if _, stderr, code := cli(t, "resume", dir, "-q"); code != ExitVerified {
			t.Fatalf("resume: exit %d, stderr %q", code, stderr)
		}
	})
}

// repdiskOf returns the catalogue's repdisk, its parameters at the given
// blocks, and its check.
func repdiskOf(t *testing.T, blocks int) (*catalog.System, catalog.Params, model.Checker) {
	t.Helper()
	sys, err := layers.Lookup("repdisk")
	if err != nil {
		t.Fatal(err)
	}
	p, err := checkParams(sys, catalog.Params{layers.Blocks: blocks}, "")
	if err != nil {
		t.Fatal(err)
	}
	chk, err := build(sys, p, "")
	if err != nil {
		t.Fatal(err)
	}
	return sys, p, chk
}

// TestStoredVerdictUnknown: a finished store whose verdict is none of the
// three is refused by resume and trace in one line saying so, exit
// status 4, and is never taken for verified.
func TestStoredVerdictUnknown(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	storeOfBuild(t, dir, buildID(), true, "verfied")
	for _, args := range [][]string{
		{"resume", dir},
		{"trace", dir},
	} {
		stdout, stderr, code := cli(t, args...)
		want := fmt.Sprintf("argocheck: %s: the stored verdict \"verfied\" is none of verified, violation and incomplete\n", dir)
		if code != ExitIO || stdout != "" || stderr != want {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d and stderr %q", args[0], code, stdout, stderr, ExitIO, want)
		}
	}
}

// trace marks the verdict of a run stored with a narrowed crash mode as
// check does, in its line and in its JSON, where a verified narrowed run
// read as the full check's.
func TestTraceNarrowed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	if out, _, code := cli(t, "check", "log", "--variant", "recovery-clears-header-first", "--crashes", "no-nested", "--workers", "1", "--store", dir); code != ExitVerified {
		t.Fatalf("check: exit %d:\n%s", code, out)
	}
	out, stderr, code := cli(t, "trace", dir)
	if code != ExitVerified || !strings.Contains(out, " verdict=verified (narrowed: crashes=no-nested) violations=0\n") {
		t.Fatalf("trace: exit %d: %s%s", code, out, stderr)
	}
	js, _, code := cli(t, "trace", dir, "--json")
	var tr struct {
		Verdict  string `json:"verdict"`
		Narrowed string `json:"narrowed"`
	}
	validJSON(t, reportSchema(t), []byte(js), &tr)
	if code != ExitVerified || tr.Verdict != "verified" || tr.Narrowed != "crashes=no-nested" {
		t.Fatalf("trace --json: exit %d, verdict %q narrowed %q:\n%s", code, tr.Verdict, tr.Narrowed, js)
	}
	full := filepath.Join(t.TempDir(), "store")
	cli(t, "check", "log", "--workers", "1", "--store", full)
	if js, _, _ := cli(t, "trace", full, "--json"); strings.Contains(js, "narrowed") {
		t.Fatalf("trace --json of a full run names a narrowing:\n%s", js)
	}
}

// TestResumeWorkers: resume reports its own --workers, in the summary's
// workers= and the report's workers, whatever the run before it had (the
// store does not record them), on a stopped run that it continues and on
// a finished one; resume --help says so.
func TestResumeWorkers(t *testing.T) {
	for _, tc := range []struct {
		name    string
		stop    []string // check's bound, so that resume continues
		workers string   // resume's
		code    int
	}{
		{"stopped, more workers", []string{"--max-depth", "2"}, "2", ExitVerified},
		{"stopped, as many", []string{"--max-depth", "2"}, "1", ExitVerified},
		{"finished", nil, "3", ExitVerified},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			store, report := filepath.Join(dir, "store"), filepath.Join(dir, "r.json")
			args := append([]string{"check", "repdisk", "--blocks", "2", "--values", "2", "--workers", "1", "-q", "--store", store}, tc.stop...)
			out, _, code := cli(t, args...)
			if want := ExitVerified; tc.stop != nil {
				want = ExitIncomplete
				if code != want {
					t.Fatalf("check: exit %d, want %d\n%s", code, want, out)
				}
			} else if code != want || !strings.Contains(out, " workers=1\n") {
				t.Fatalf("check: exit %d\n%s", code, out)
			}
			out, stderr, code := cli(t, "resume", store, "-q", "--workers", tc.workers, "--report", report)
			if code != tc.code {
				t.Fatalf("resume: exit %d\n%s%s", code, out, stderr)
			}
			if !strings.Contains(out, " workers="+tc.workers+"\n") {
				t.Errorf("resume --workers %s: the summary says\n%s", tc.workers, out)
			}
			var rep struct {
				Workers int `json:"workers"`
			}
			data, err := os.ReadFile(report)
			if err != nil {
				t.Fatal(err)
			}
			validJSON(t, reportSchema(t), data, &rep)
			if strconv.Itoa(rep.Workers) != tc.workers {
				t.Errorf("resume --workers %s: the report's workers is %d", tc.workers, rep.Workers)
			}
		})
	}
	help, _, _ := cli(t, "resume", "--help")
	if !strings.Contains(strings.Join(strings.Fields(help), " "), "The workers it reports (workers=, and workers in --json and --report) are its own --workers") {
		t.Errorf("resume --help does not say which workers it reports:\n%s", help)
	}
}
