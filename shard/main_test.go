package shard

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"testing"
	"time"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/internal/checkalltest"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/model"
)

// The tests run each shard as a process of its own: the test binary run
// again with childEnv set to a job, which it runs and reports on stdout
// as an outcome.

const childEnv = "ARGOCHECK_SHARD_TEST_JOB"

// job is one shard of a run, as a child process runs it.
type job struct {
	System  string
	Params  catalog.Params
	Variant string
	Crashes model.CrashMode
	URL     string
	Shards  int
	Index   int
	Workers int
	// Build is the manifest's.
	Build string
	// Delay and WaitReport are Config's.
	Delay, WaitReport time.Duration
}

// outcome is what a shard process reports of its result.
type outcome struct {
	Verdict                         explorer.Verdict
	States, Transitions, CrashPoint uint64
	Depth                           int
	Collision                       float64
	Violation                       *model.Violation
	Trace                           string // shard 0's path of the violation
	Work                            Work
}

func TestMain(m *testing.M) {
	if spec := os.Getenv(childEnv); spec != "" {
		os.Exit(runChild(spec))
	}
	os.Exit(m.Run())
}

// runChild runs the job spec and prints its outcome; its exit status is 0
// for a result, 1 for an error.
func runChild(spec string) int {
	var j job
	if err := json.Unmarshal([]byte(spec), &j); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	res, err := j.run(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		return 1
	}
	return 0
}

func (j job) checker() (model.Checker, error) {
	return layers.Build(j.System, j.Params, j.Variant)
}

func (j job) run(ctx context.Context) (*outcome, error) {
	chk, err := j.checker()
	if err != nil {
		return nil, err
	}
	b, err := Open(ctx, j.URL)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	cfg := Config{
		Shards: j.Shards, Index: j.Index, Workers: j.Workers, Crashes: j.Crashes,
		Run: Manifest{System: j.System, Variant: j.Variant, Params: map[string]string{}, Build: j.Build},
		Log: os.Stderr, Delay: j.Delay, WaitReport: j.WaitReport, Poll: 20 * time.Millisecond,
	}
	for k, v := range j.Params {
		cfg.Run.Params[k] = fmt.Sprint(v)
	}
	res, err := Run(ctx, chk, b, cfg)
	if err != nil {
		return nil, err
	}
	return newOutcome(res.Search, res.Work), nil
}

func newOutcome(r *explorer.Result, w Work) *outcome {
	o := &outcome{Verdict: r.Verdict, States: r.States, Transitions: r.Transitions, CrashPoint: r.CrashPoints, Depth: r.Depth, Collision: r.Collision, Violation: r.Violation, Work: w}
	if r.Trace != nil {
		o.Trace = r.Trace.String()
	}
	return o
}

// process is a running shard process.
type process struct {
	index          int
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
}

// start starts shard j.Index as a process.
func start(t *testing.T, j job) *process {
	t.Helper()
	spec, err := json.Marshal(j)
	if err != nil {
		t.Fatal(err)
	}
	p := &process{index: j.Index, cmd: exec.Command(os.Args[0], "-test.run=^$")}
	p.cmd.Env = append(os.Environ(), childEnv+"="+string(spec))
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return p
}

// wait waits for the process and returns its outcome.
func (p *process) wait() (*outcome, error) {
	if err := p.cmd.Wait(); err != nil {
		return nil, fmt.Errorf("shard %d: %v\n%s", p.index, err, p.stderr.String())
	}
	var o outcome
	if err := json.Unmarshal(p.stdout.Bytes(), &o); err != nil {
		return nil, fmt.Errorf("shard %d: %v\n%s", p.index, err, p.stdout.String())
	}
	return &o, nil
}

// processTimeout bounds a run of shard processes in the tests.
const processTimeout = time.Minute

// waitAll waits for every process and returns their outcomes by index;
// when one fails or the time is up, it kills the others and fails the
// test.
func waitAll(t *testing.T, procs []*process) []*outcome {
	t.Helper()
	outs := make([]*outcome, len(procs))
	errs := make(chan error, len(procs))
	for i, p := range procs {
		go func() {
			o, err := p.wait()
			outs[i] = o
			errs <- err
		}()
	}
	timeout := time.After(processTimeout)
	for range procs {
		select {
		case err := <-errs:
			if err == nil {
				continue
			}
			killAll(procs)
			t.Fatal(err)
		case <-timeout:
			killAll(procs)
			t.Fatalf("the shards did not finish within %s", processTimeout)
		}
	}
	return outs
}

func killAll(procs []*process) {
	for _, p := range procs {
		p.cmd.Process.Kill()
	}
}

// startShards starts every shard of j's run as a process.
func startShards(t *testing.T, j job) []*process {
	t.Helper()
	procs := make([]*process, j.Shards)
	for i := range procs {
		j.Index = i
		procs[i] = start(t, j)
	}
	return procs
}

// runShards runs every shard of j's run as a process, concurrently, and
// returns their outcomes by index.
func runShards(t *testing.T, j job) []*outcome {
	t.Helper()
	return waitAll(t, startShards(t, j))
}

// candidateObjects returns the objects of candidates under the exchange
// directory dir.
func candidateObjects(t *testing.T, dir string) []string {
	t.Helper()
	objs, err := filepath.Glob(filepath.Join(dir, "level-*", "to-*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

// exchangeURL returns the URL of a new, empty exchange directory.
func exchangeURL(t *testing.T) (string, string) {
	dir := filepath.Join(t.TempDir(), "exchange")
	return "file://" + filepath.ToSlash(dir), dir
}

// reference is explorer.Run's result of j's check, in the form of a
// shard's outcome.
func reference(t *testing.T, j job) *outcome {
	t.Helper()
	chk, err := j.checker()
	if err != nil {
		t.Fatal(err)
	}
	res, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 2, BatchSize: 4, PartSize: 4, Crashes: j.Crashes}) // levels of several parts
	if err != nil {
		t.Fatal(err)
	}
	return newOutcome(res, Work{})
}

// sameResult checks a shard's outcome against explorer.Run's: the
// verdict, depth and states, and on a violation the violation (and on
// shard 0 its path); every count of a verified search, and its estimated
// chance of a fingerprint collision. On a violation the transitions say
// how far each search got, and are not compared.
func sameResult(t *testing.T, shard int, got, want *outcome) {
	t.Helper()
	if got.Verdict != want.Verdict || got.Depth != want.Depth || got.States != want.States {
		t.Errorf("shard %d: verdict %s depth %d states %d, want %s depth %d states %d", shard,
			got.Verdict, got.Depth, got.States, want.Verdict, want.Depth, want.States)
	}
	if want.Verdict == explorer.Verified {
		if got.States != want.States || got.Transitions != want.Transitions || got.CrashPoint != want.CrashPoint {
			t.Errorf("shard %d: states=%d transitions=%d crash_points=%d, want %d %d %d", shard,
				got.States, got.Transitions, got.CrashPoint, want.States, want.Transitions, want.CrashPoint)
		}
		if got.Collision != want.Collision {
			t.Errorf("shard %d: collision probability %g, want %g", shard, got.Collision, want.Collision)
		}
		return
	}
	if got.Violation == nil || got.Violation.Kind != want.Violation.Kind || got.Violation.Message != want.Violation.Message || got.Violation.Where != want.Violation.Where {
		t.Errorf("shard %d: violation %+v, want %+v", shard, got.Violation, want.Violation)
	}
	if shard == 0 && got.Trace != want.Trace {
		t.Errorf("shard 0: path\n%s\nwant\n%s", got.Trace, want.Trace)
	}
	if shard != 0 && got.Trace != "" {
		t.Errorf("shard %d rebuilt a path; shard 0 does", shard)
	}
}

// cases are the checks the tests shard: a correct system and a broken
// variant, on one layer and on the stack, and a narrower crash mode.
var cases = []job{
	{System: "repdisk", Params: catalog.Params{layers.Blocks: 3, layers.Values: 2}},
	{System: "repdisk", Params: catalog.Params{layers.Blocks: 3, layers.Values: 2}, Variant: "no-recovery"},
	{System: "log/repdisk", Params: catalog.Params{layers.Blocks: 2, layers.Values: 2, layers.Log: 2}},
	{System: "log/repdisk", Params: catalog.Params{layers.Blocks: 2, layers.Values: 2, layers.Log: 2}, Variant: "recover-upper-first"},
	// Crashes between operations only: the broken variant verifies.
	{System: "repdisk", Params: catalog.Params{layers.Blocks: 3, layers.Values: 2}, Variant: "no-recovery", Crashes: model.CrashBetweenOps},
}

func (j job) String() string {
	return fmt.Sprintf("%s/%s/%v/crashes=%s", j.System, variantName(j.Variant), j.Params, j.Crashes)
}

func variantName(v string) string {
	if v == "" {
		return "correct"
	}
	return v
}

// TestShardsMatchExplorer runs each case with 1, 2, 3 and 5 shard
// processes and compares every shard's result with explorer.Run's; on a
// verified search the shards' own parts (states owned, transitions and
// crash points of their expansions) add up to its counts.
func TestShardsMatchExplorer(t *testing.T) {
	for _, c := range cases {
		want := reference(t, c)
		for _, n := range []int{1, 2, 3, 5} {
			if testing.Short() && n == 5 {
				continue
			}
			t.Run(fmt.Sprintf("%s/%d", c, n), func(t *testing.T) {
				j := c
				var dir string
				j.URL, dir = exchangeURL(t)
				j.Shards, j.Workers = n, 1+n%2
				outs := runShards(t, j)
				var owned, transitions, crashes, deleted uint64
				for i, o := range outs {
					sameResult(t, i, o, want)
					owned += o.Work.States
					transitions += o.Work.Transitions
					crashes += o.Work.CrashPoints
					deleted += o.Work.ObjectsDeleted
					if o.Work.Leftover != "" {
						t.Errorf("shard %d: %s", i, o.Work.Leftover)
					}
				}
				if want.Verdict == explorer.Verified && (owned != want.States || transitions != want.Transitions || crashes != want.CrashPoint) {
					t.Errorf("the shards own %d states and expanded %d transitions and %d crash points in all, want %d %d %d",
						owned, transitions, crashes, want.States, want.Transitions, want.CrashPoint)
				}
				if left := candidateObjects(t, dir); len(left) > 0 {
					t.Errorf("the exchange still holds %d objects of candidates: %v", len(left), left)
				}
				if n > 1 && deleted == 0 {
					t.Error("no shard deleted the candidates it read")
				}
			})
		}
	}
}

// TestSlowShardDelaysOthers holds one shard at every barrier: the others
// wait for it, say so, and reach the same result.
func TestSlowShardDelaysOthers(t *testing.T) {
	c := cases[0]
	want := reference(t, c)
	c.URL, _ = exchangeURL(t)
	c.Shards, c.Workers, c.WaitReport = 3, 1, 50*time.Millisecond
	procs := make([]*process, c.Shards)
	for i := range procs {
		j := c
		j.Index = i
		if i == 1 {
			j.Delay = 150 * time.Millisecond
		}
		procs[i] = start(t, j)
	}
	for i, o := range waitAll(t, procs) {
		p := procs[i]
		sameResult(t, i, o, want)
		if i == 1 {
			continue
		}
		// The slow shard pauses 150ms at each of the levels expanded and
		// the empty one after them: a fast shard waits for it, at least
		// half of that (less its own part of the level's work).
		levels := want.Depth + 2
		if min := time.Duration(levels) * 75 * time.Millisecond; o.Work.Waited < min {
			t.Errorf("shard %d waited %s at barriers, less than half the slow shard's pauses", i, o.Work.Waited)
		}
		if !bytes.Contains(p.stderr.Bytes(), []byte("waiting for shard 1 (")) {
			t.Errorf("shard %d did not say it waits for shard 1:\n%s", i, p.stderr.String())
		}
	}
}

// TestListShards: a waiting line names up to ten shards and counts the
// others, so that a shard of a run of thousands writes short lines.
func TestListShards(t *testing.T) {
	var many []string
	for i := range 12 {
		many = append(many, fmt.Sprint(i+1))
	}
	for _, tc := range []struct {
		missing []string
		want    string
	}{
		{[]string{"1"}, "1"},
		{many[:10], "1, 2, 3, 4, 5, 6, 7, 8, 9, 10"},
		{many[:11], "1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 1 more"},
		{many, "1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 2 more"},
	} {
		if got := listShards(tc.missing); got != tc.want {
			t.Errorf("%d shards: %q, want %q", len(tc.missing), got, tc.want)
		}
	}
}

// TestRefusesAnotherRun: a bucket holding another run's manifest (one of
// another build among them), or objects and no manifest, is refused before
// anything is written.
func TestRefusesAnotherRun(t *testing.T) {
	c := cases[0]
	url, _ := exchangeURL(t)
	c.URL, c.Shards, c.Workers, c.Build = url, 1, 1, "0123456789abcdef"
	if _, err := c.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	other := []job{c, c, c, c, c}
	other[0].Shards = 2
	other[1].Params = catalog.Params{layers.Blocks: 2, layers.Values: 2}
	other[2].Crashes = model.CrashNoNested
	other[3].Build = "fedcba9876543210"
	other[4].Build = ""
	for _, o := range other {
		_, err := o.run(context.Background())
		if e, ok := errors.AsType[*AnotherRunError](err); !ok || e.Found == nil {
			t.Errorf("%v shards=%d crashes=%s: error %v, want another run refused", o, o.Shards, o.Crashes, err)
		}
	}
	for _, tc := range []struct{ build, want string }{
		{"fedcba9876543210", "the exchange holds a run made by another build of argocheck (build 0123456789abcdef), not by this one (build fedcba9876543210): an exchange belongs to the build that made it, and every shard of a run runs the same binary; give this run a new exchange"},
		{"", "(build 0123456789abcdef), not by this one (build none recorded)"},
	} {
		o := c
		o.Build = tc.build
		if _, err := o.run(context.Background()); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("build %q: error %v, want %q", tc.build, err, tc.want)
		}
	}
	// A run made before builds were recorded is another build's.
	old := c
	old.URL, _ = exchangeURL(t)
	old.Build = ""
	if _, err := old.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	old.Build = c.Build
	if _, err := old.run(context.Background()); err == nil || !strings.Contains(err.Error(), "(build none recorded), not by this one (build 0123456789abcdef)") {
		t.Errorf("a run with no build: error %v, want refused", err)
	}
	// The same run again is no other run: it finds the search done.
	if _, err := c.run(context.Background()); err != nil {
		t.Errorf("the same run again: %v", err)
	}

	url, dir := exchangeURL(t)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	c.URL = url
	_, err := c.run(context.Background())
	if e, ok := errors.AsType[*AnotherRunError](err); !ok || e.Found != nil {
		t.Errorf("objects without a manifest: error %v, want refused", err)
	}
	if _, err := os.Stat(filepath.Join(dir, manifestKey)); err == nil {
		t.Error("a refused run wrote its manifest")
	}
}

// startThreeShards starts 3 shard processes of workers goroutines each
// on log/repdisk at 2/2/3, and returns their job, explorer.Run's outcome,
// the exchange directory and the processes.
func startThreeShards(t *testing.T, workers int) (job, *outcome, string, []*process) {
	t.Helper()
	c := job{System: "log/repdisk", Params: catalog.Params{layers.Blocks: 2, layers.Values: 2, layers.Log: 3}}
	want := reference(t, c)
	url, dir := exchangeURL(t)
	c.URL, c.Shards, c.Workers = url, 3, workers
	return c, want, dir, startShards(t, c)
}

// TestDuplicateShard: more processes of one shard, started while the run
// goes on (an engine that started again a shard it took for lost), each
// with another cache of sent keys and so other candidates objects, leave
// every process with explorer.Run's result: each marker's candidates are
// read from the objects of the process that wrote it. (Read from the last
// process to write them, fewer than a marker said: 10 runs in 10 failed.)
func TestDuplicateShard(t *testing.T) {
	c, want, dir, procs := startThreeShards(t, 4)
	for _, level := range []int{2, 3, 4} {
		for deadline := time.Now().Add(processTimeout); ; time.Sleep(time.Millisecond) {
			if _, err := os.Stat(filepath.Join(dir, frontierKey(level, 1))); err == nil {
				break
			}
			if time.Now().After(deadline) {
				killAll(procs)
				t.Fatalf("shard 1 did not reach level %d", level)
			}
		}
		j := c
		j.Index = 1
		procs = append(procs, start(t, j))
	}
	for i, o := range waitAll(t, procs) {
		sameResult(t, min(i, 1), o, want)
	}
}

// TestLaggingDuplicateTakesFrontier: a process of a shard started again
// that lags behind the first (it pauses at every barrier) finds the
// candidates of its level deleted by the first, which has committed the
// next frontier, takes that frontier, and ends with explorer.Run's
// result like the rest.
func TestLaggingDuplicateTakesFrontier(t *testing.T) {
	c, want, dir, procs := startThreeShards(t, 2)
	if err := awaitFile(filepath.Join(dir, frontierKey(2, 1)), processTimeout); err != nil {
		killAll(procs)
		t.Fatal(err)
	}
	lag := c
	lag.Index, lag.Delay = 1, 200*time.Millisecond
	procs = append(procs, start(t, lag))
	for i, o := range waitAll(t, procs) {
		sameResult(t, min(i, 1), o, want)
	}
	if log := procs[3].stderr.String(); !strings.Contains(log, "committed the next frontier first; this one takes it") {
		t.Errorf("the lagging process never took the first one's frontier; its log:\n%s", log)
	}
}

var seed = flag.Uint64("seed", 0, "seed of the kill test's choices of shard, level and moment (0: from the clock)")

// TestKillAndRestart kills shard processes with SIGKILL at random
// moments, each a random pause shorter than a barrier after the victim
// writes its marker of a level it has not reached yet, short of its last
// level, starts them again, and checks that the run ends with
// explorer.Run's result, and that no candidates are left in the
// exchange: those a shard started again wrote for a level the others had
// passed are deleted at the end. Every kill strikes a running shard
// before its last marker: mid-run.
func TestKillAndRestart(t *testing.T) {
	s := *seed
	if s == 0 {
		s = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (repeat with -seed %d)", s, s)
	rng := rand.New(rand.NewPCG(s, 0))
	const delay = 30 * time.Millisecond // every shard's pause at every barrier
	for _, c := range []job{cases[2], cases[3]} {
		t.Run(c.String(), func(t *testing.T) {
			want := reference(t, c)
			j := c
			var dir string
			j.URL, dir = exchangeURL(t)
			j.Shards, j.Workers, j.Delay = 3, 1, delay
			procs := startShards(t, j)
			// The last level of the search: the empty one after a verified
			// search's last, or the violation's.
			last := want.Depth + 1
			if want.Verdict == explorer.Violated {
				last = want.Depth
			}
			restarted := map[int]bool{}
			for range min(3, last/2) {
				// A shard whose next marker is not its last, and the next
				// level or the one after, short of its last.
				var room []int
				for i := range j.Shards {
					if highestMarker(dir, i, last)+1 < last {
						room = append(room, i)
					}
				}
				if len(room) == 0 {
					killAll(procs)
					t.Fatal("no shard is far enough from its last marker to be killed mid-run")
				}
				victim := room[rng.IntN(len(room))]
				level := min(highestMarker(dir, victim, last)+1+rng.IntN(2), last-1)
				pause := time.Duration(rng.Int64N(int64(delay)))
				if err := awaitFile(filepath.Join(dir, markerKey(level, victim)), processTimeout); err != nil {
					killAll(procs)
					t.Fatal(err)
				}
				time.Sleep(pause)
				p := procs[victim]
				if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
					killAll(procs)
					t.Fatalf("killing shard %d: %v", victim, err)
				}
				err := p.cmd.Wait()
				ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
				if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
					killAll(procs)
					t.Fatalf("shard %d was not killed, it ended: %v\n%s", victim, err, p.stderr.String())
				}
				if _, err := os.Stat(filepath.Join(dir, markerKey(last, victim))); err == nil {
					killAll(procs)
					t.Fatalf("shard %d was killed after its last marker, not mid-run", victim)
				}
				t.Logf("killed shard %d %s after its marker of level %d", victim, pause, level)
				j.Index = victim
				procs[victim] = start(t, j)
				restarted[victim] = true
			}
			for i, o := range waitAll(t, procs) {
				sameResult(t, i, o, want)
				if restarted[i] && o.Work.ResumedFrom < 0 {
					t.Errorf("shard %d started again from scratch, not from its frontier", i)
				}
			}
			if left := candidateObjects(t, dir); len(left) > 0 {
				t.Errorf("the exchange still holds %d objects of candidates: %v", len(left), left)
			}
		})
	}
}

// highestMarker returns the deepest level up to last whose marker of
// shard i exists, -1 when none does.
func highestMarker(dir string, i, last int) int {
	for d := last; d >= 0; d-- {
		if _, err := os.Stat(filepath.Join(dir, markerKey(d, i))); err == nil {
			return d
		}
	}
	return -1
}

// awaitFile waits until the file at path exists.
func awaitFile(path string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if _, err := os.Stat(path); err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not appear within %s", path, timeout)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestShardsCheckFirstLevelsWhole: shards expand with every run checked
// the levels that begin before model.CheckAllStates states are found in
// the whole search, as one search does, though none of them holds all
// of those states. The shards run in this process, so that one recorder
// sees every expansion.
func TestShardsCheckFirstLevelsWhole(t *testing.T) {
	j := job{System: "log", Params: catalog.Params{layers.Blocks: 3, layers.Values: 3}}
	chk, err := j.checker()
	if err != nil {
		t.Fatal(err)
	}
	rec := checkalltest.New(chk)
	url, _ := exchangeURL(t)
	const shards = 3
	results := make([]*Result, shards)
	errs := make([]error, shards)
	var wg sync.WaitGroup
	for i := range shards {
		wg.Go(func() {
			b, err := Open(context.Background(), url)
			if err != nil {
				errs[i] = err
				return
			}
			defer b.Close()
			cfg := Config{Shards: shards, Index: i, Workers: 2, Run: Manifest{System: j.System, Params: map[string]string{"blocks": "3", "values": "3"}}, Poll: 20 * time.Millisecond}
			results[i], errs[i] = Run(context.Background(), rec, b, cfg)
		})
	}
	wg.Wait()
	for i := range shards {
		if errs[i] != nil {
			t.Fatalf("shard %d: %v", i, errs[i])
		}
		if r := results[i].Search; r.Verdict != explorer.Verified {
			t.Fatalf("shard %d: verdict %s %+v", i, r.Verdict, r.Violation)
		}
	}
	rec.Check(t, chk, results[0].Search.States)
}
