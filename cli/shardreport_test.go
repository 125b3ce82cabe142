package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/shard"
)

// violatingShards are the arguments of a small sharded check that ends in
// a violation, after --exchange URL.
var violatingShards = []string{"repdisk", "--variant", "no-recovery", "--blocks", "3", "--values", "2", "-q", "--workers", "1"}

// gatedWriter is a shard's stdout that holds its first write until gate
// is closed: the shard prints its report, then writes its files, after
// the shard that closes gate has ended.
type gatedWriter struct {
	gate <-chan struct{}
	buf  bytes.Buffer
}

func (w *gatedWriter) Write(p []byte) (int, error) {
	if w.gate != nil {
		<-w.gate
	}
	return w.buf.Write(p)
}

// runShardsEach runs shard i of n with args(i) after --shards N --index
// I, all at once in this process, and returns what each printed. Shard i
// ends after shard after[i] (when after has i) has ended: it prints its
// report, and writes its report files, only then.
func runShardsEach(t *testing.T, n int, args func(i int) []string, after map[int]int) []shardRun {
	t.Helper()
	runs := make([]shardRun, n)
	ended := make([]chan struct{}, n)
	for i := range ended {
		ended[i] = make(chan struct{})
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			defer close(ended[i])
			out := &gatedWriter{}
			if j, ok := after[i]; ok {
				out.gate = ended[j]
			}
			var errb bytes.Buffer
			a := append([]string{"shard", "--shards", fmt.Sprint(n), "--index", fmt.Sprint(i)}, args(i)...)
			code := Run(layers.Catalog(), a, out, &errb)
			runs[i] = shardRun{out.buf.String(), errb.String(), code}
		})
	}
	wg.Wait()
	return runs
}

// reportFile is what a --report or --junit file says of a sharded run:
// the run it names, its verdict (a JUnit report's: "violation" for a
// failure, "error" for an error, "verified" otherwise), and the shard
// whose report it is (the JSON report's shard.index, the JUnit report's
// argocheck.shard; -1 for none).
type reportFile struct {
	run, verdict string
	shard        int
	data         string
}

// readReport reads the --report (flag "report") or --junit file at path.
func readReport(t *testing.T, flag, path string) reportFile {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := reportFile{shard: -1, data: string(data)}
	if flag == "report" {
		var rep struct {
			Run, Verdict, Error string
			Shard               *struct{ Index int }
		}
		if err := json.Unmarshal(data, &rep); err != nil {
			t.Fatalf("%s: %v\n%s", path, err, data)
		}
		r.run, r.verdict = rep.Run, rep.Verdict
		if rep.Error != "" {
			r.verdict = "error"
		}
		if rep.Shard != nil {
			r.shard = rep.Shard.Index
		}
		return r
	}
	var doc junitSuites
	if err := xml.Unmarshal(data, &doc); err != nil || len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != 1 {
		t.Fatalf("%s: %v, want one suite of one case\n%s", path, err, data)
	}
	for _, p := range doc.Suites[0].Properties {
		switch p.Name {
		case "argocheck.run":
			r.run = p.Value
		case "argocheck.shard":
			if _, err := fmt.Sscan(p.Value, &r.shard); err != nil {
				t.Fatalf("%s: argocheck.shard %q: %v", path, p.Value, err)
			}
		}
	}
	c := doc.Suites[0].Cases[0]
	switch {
	case c.Error != nil:
		r.verdict = "error"
	case c.Failure != nil:
		r.verdict = "violation"
	default:
		r.verdict = "verified"
	}
	return r
}

// staleReports are what an earlier run, verified, left at a --report and
// a --junit file.
var staleReports = map[string]string{
	"report": `{"verdict":"verified","run":"0123456789abcdef0123456789abcdef"}` + "\n",
	"junit": xml.Header + `<testsuites name="argocheck" tests="1" failures="0" errors="0" time="1"><testsuite name="argocheck" tests="1" failures="0" errors="0" time="1">` +
		`<properties><property name="argocheck.run" value="0123456789abcdef0123456789abcdef"></property></properties>` +
		`<testcase name="repdisk" classname="argocheck.repdisk" time="1"></testcase></testsuite></testsuites>` + "\n",
}

// TestShardOwnReport: a shard other than shard 0 given a --report or
// --junit file of its own writes its report there, the run's verdict, in
// place of the verified that an earlier run left there; it names the run
// that shard 0's report names.
func TestShardOwnReport(t *testing.T) {
	for _, flag := range []string{"report", "junit"} {
		t.Run(flag, func(t *testing.T) {
			dir, url := t.TempDir(), exchange(t)
			file := func(i int) string { return filepath.Join(dir, fmt.Sprintf("r%d", i)) }
			for i := range 2 {
				writeFile(t, dir, fmt.Sprintf("r%d", i), staleReports[flag])
			}
			runs := runShardsEach(t, 2, func(i int) []string {
				return append([]string{"--exchange", url, "--" + flag, file(i)}, violatingShards...)
			}, nil)
			for i, r := range runs {
				if r.code != ExitViolation {
					t.Fatalf("shard %d: exit %d, want %d: %s", i, r.code, ExitViolation, r.stderr)
				}
			}
			zero, one := readReport(t, flag, file(0)), readReport(t, flag, file(1))
			if one.verdict != "violation" || one.shard != 1 || one.run != zero.run || len(zero.run) != 32 || zero.shard != 0 {
				t.Errorf("shard 1's --%s: verdict %s of shard %d, run %q; want violation of shard 1, run %q as shard 0's (shard %d)\n%s",
					flag, one.verdict, one.shard, one.run, zero.run, zero.shard, one.data)
			}
		})
	}
}

// TestShardSharedReport: shards given the same --report or --junit file
// (a Job's pods, their arguments and a volume shared) leave shard 0's
// report there, with the path, whichever ends first, in place of what an
// earlier run left there.
func TestShardSharedReport(t *testing.T) {
	for _, flag := range []string{"report", "junit"} {
		for _, last := range []int{0, 1} {
			t.Run(fmt.Sprintf("%s, shard %d ending last", flag, last), func(t *testing.T) {
				url := exchange(t)
				file := writeFile(t, t.TempDir(), "shared", staleReports[flag])
				runs := runShardsEach(t, 2, func(i int) []string {
					return append([]string{"--exchange", url, "--json", "--" + flag, file}, violatingShards...)
				}, map[int]int{last: 1 - last})
				var printed [2]struct{ Run string }
				for i, r := range runs {
					if err := json.Unmarshal([]byte(r.stdout), &printed[i]); r.code != ExitViolation || err != nil {
						t.Fatalf("shard %d: exit %d, want %d: %v %s", i, r.code, ExitViolation, err, r.stderr)
					}
				}
				got := readReport(t, flag, file)
				if got.shard != 0 || got.verdict != "violation" || len(got.run) != 32 || got.run != printed[1].Run || got.run != printed[0].Run {
					t.Errorf("--%s: shard %d's %s, run %q; want shard 0's violation of run %q\n%s", flag, got.shard, got.verdict, got.run, printed[1].Run, got.data)
				}
				if flag == "report" && got.data != runs[0].stdout {
					t.Errorf("--report is not the report shard 0 printed")
				}
				if path := map[string]string{"report": `"trace"`, "junit": "shortest path:"}[flag]; !strings.Contains(got.data, path) {
					t.Errorf("--%s has no path:\n%s", flag, got.data)
				}
			})
		}
	}
}

// failMarker is a bucket that fails writing shard 1's markers: the shard
// ends in an I/O error once it has claimed the run.
type failMarker struct{ shard.Bucket }

var errMarker = errors.New("marker refused")

func (b failMarker) Write(ctx context.Context, key string, data []byte, onlyNew bool) error {
	if strings.HasSuffix(key, "/done-1") {
		return errMarker
	}
	return b.Bucket.Write(ctx, key, data, onlyNew)
}

// TestShardRestartedReport: a shard other than shard 0 that fails once
// it has claimed the run writes the error's report, of the run, in place
// of an earlier run's verdict; started again, it replaces that report,
// of no verdict, with its verdict; started again after the run has
// ended, it keeps the run's reports with a verdict, shard 0's and its
// own, as they are.
func TestShardRestartedReport(t *testing.T) {
	for _, flag := range []string{"report", "junit"} {
		t.Run(flag, func(t *testing.T) {
			dir, url := t.TempDir(), exchange(t)
			shared := filepath.Join(dir, "shared")
			own := writeFile(t, dir, "own", staleReports[flag])
			// Shard 1 alone, which fails at its first marker: the error's
			// report, of this run, in place of the verified.
			openExchange = func(ctx context.Context, url string) (shard.Bucket, error) {
				b, err := shard.Open(ctx, url)
				return failMarker{b}, err
			}
			t.Cleanup(func() { openExchange = shard.Open })
			_, stderr, code := cli(t, append([]string{"shard", "--shards", "2", "--index", "1", "--exchange", url, "--" + flag, own}, violatingShards...)...)
			openExchange = shard.Open
			if !strings.Contains(stderr, errMarker.Error()) || code != ExitIO {
				t.Fatalf("shard 1 failing: exit %d, stderr %q; want %d and %q", code, stderr, ExitIO, errMarker)
			}
			stopped := readReport(t, flag, own)
			if stopped.verdict != "error" || len(stopped.run) != 32 {
				t.Fatalf("shard 1's --%s after the error: %s of run %q, want the error of the run\n%s", flag, stopped.verdict, stopped.run, stopped.data)
			}
			// The run, shard 1 resuming: its verdict in place of its error.
			runs := runShardsEach(t, 2, func(i int) []string {
				return append([]string{"--exchange", url, "--" + flag, []string{shared, own}[i]}, violatingShards...)
			}, nil)
			if runs[0].code != ExitViolation || runs[1].code != ExitViolation {
				t.Fatalf("exit %d and %d, want %d: %s %s", runs[0].code, runs[1].code, ExitViolation, runs[0].stderr, runs[1].stderr)
			}
			mine := readReport(t, flag, own)
			if mine.verdict != "violation" || mine.shard != 1 || mine.run != stopped.run {
				t.Fatalf("shard 1's --%s after the run: %s of shard %d, run %q; want shard 1's violation, run %q\n%s", flag, mine.verdict, mine.shard, mine.run, stopped.run, mine.data)
			}
			// Shard 1 started again after the run: shard 0's report and its
			// own kept as they are.
			for _, file := range []string{shared, own} {
				before := readReport(t, flag, file)
				out, stderr, code := cli(t, append([]string{"shard", "--shards", "2", "--index", "1", "--exchange", url, "--" + flag, file}, violatingShards...)...)
				if code != ExitViolation || !strings.Contains(out, "verdict=violation") {
					t.Fatalf("shard 1 again: exit %d, want %d: %s", code, ExitViolation, stderr)
				}
				if after := readReport(t, flag, file); after.data != before.data || after.run != stopped.run {
					t.Errorf("shard 1 again with shard %d's --%s of the run: it holds\n%s\nnot\n%s", before.shard, flag, after.data, before.data)
				}
			}
			if readReport(t, flag, shared).shard != 0 {
				t.Errorf("--%s shared: not shard 0's", flag)
			}
		})
	}
}

// TestWriteNewOutput: a shard's report is written where there is no file,
// or an empty one, and through a symbolic link to a file not made yet,
// which it makes; a file that holds anything is left as it is, and no
// file is left beside it.
func TestWriteNewOutput(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func(t *testing.T, dir, path string) // what is at path before
		want string
	}{
		{"none", func(*testing.T, string, string) {}, "new"},
		{"empty", func(t *testing.T, dir, _ string) { writeFile(t, dir, "r", "") }, "new"},
		{"a report", func(t *testing.T, dir, _ string) { writeFile(t, dir, "r", "shard 0's") }, "shard 0's"},
		{"a link to no file yet", func(t *testing.T, dir, path string) {
			if err := os.Symlink("target", path); err != nil {
				t.Fatal(err)
			}
		}, "new"},
		{"a link to a report", func(t *testing.T, dir, path string) {
			writeFile(t, dir, "target", "shard 0's")
			if err := os.Symlink("target", path); err != nil {
				t.Fatal(err)
			}
		}, "shard 0's"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "r")
			tc.make(t, dir, path)
			fi, _ := os.Lstat(path)
			link := fi != nil && fi.Mode()&os.ModeSymlink != 0
			if err := writeNewOutput(path, []byte("new")); err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Lstat(path); link && (err != nil || fi.Mode()&os.ModeSymlink == 0) {
				t.Errorf("the link at %s is gone: %v", path, err)
			}
			if got, err := os.ReadFile(path); err != nil || string(got) != tc.want {
				t.Errorf("%s holds %q (%v), want %q", path, got, err, tc.want)
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), ".") {
					t.Errorf("%s left beside it", e.Name())
				}
			}
		})
	}
}

// markedReport is a --report (flag "report") or --junit file that shard
// shard of 2 wrote for run: its verdict, verified, or, with no verdict,
// its error's.
func markedReport(flag string, shard int, run string, verdict bool) string {
	if flag == "report" {
		if verdict {
			return fmt.Sprintf(`{"verdict":"verified","shards":2,"shard":{"index":%d},"run":%q}`+"\n", shard, run)
		}
		return fmt.Sprintf(`{"shards":2,"shard":{"index":%d},"run":%q,"error":"an I/O failure"}`+"\n", shard, run)
	}
	c := `<testcase name="repdisk" classname="argocheck.repdisk" time="1"></testcase>`
	if !verdict {
		c = `<testcase name="repdisk" classname="argocheck.repdisk" time="0"><error message="no verdict: an I/O failure" type="error"></error></testcase>`
	}
	return xml.Header + `<testsuites name="argocheck" tests="1" failures="0" errors="0" time="1"><testsuite name="argocheck" tests="1" failures="0" errors="0" time="1">` +
		fmt.Sprintf(`<properties><property name="argocheck.run" value=%q></property><property name="argocheck.shard" value="%d"></property></properties>`, run, shard) +
		c + `</testsuite></testsuites>` + "\n"
}

// preClaimBucket is an exchange that fails its first read, the claim's
// look for the manifest, with what fail returns.
type preClaimBucket struct {
	shard.Bucket
	fail func(ctx context.Context) error
}

func (b preClaimBucket) Read(ctx context.Context, key string) ([]byte, error) {
	return nil, b.fail(ctx)
}

// errExchange is the failure of an exchange that does not open, or that
// fails during the claim.
var errExchange = errors.New("the exchange refused")

// interruptSelf sends this process SIGINT, and returns once the running
// command has seen it, with its context's error.
func interruptSelf(ctx context.Context) error {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt)
	defer signal.Stop(ch)
	self, err := os.FindProcess(os.Getpid())
	if err == nil {
		err = self.Signal(os.Interrupt)
	}
	if err != nil {
		return err
	}
	<-ch
	<-ctx.Done()
	return ctx.Err()
}

// TestShardUnclaimedReport: a shard other than shard 0 that ends before
// it has claimed the run (refused for bad usage, for one of its output
// paths, for an exchange that does not open or holds another run;
// stopped by the exchange's failure or a signal during the claim)
// leaves no earlier run's verdict at its --report and --junit paths: an
// earlier run's report, its own or check's, is removed, and, stopped,
// replaced by the error's report, which names the shard; a report that
// shard 0 wrote, with a verdict or not, of whichever run, may be shard
// 0's of this run on a shared volume, and is kept as it is; so are the
// pictures, shard 0's alone.
func TestShardUnclaimedReport(t *testing.T) {
	for _, name := range indexVariables {
		t.Setenv(name, "")
	}
	used := exchange(t)
	if runs := runShards(t, 1, "--exchange", used, "repdisk", "--blocks", "1", "-q", "--workers", "1"); runs[0].code != ExitVerified {
		t.Fatalf("a run of one shard: exit %d: %s", runs[0].code, runs[0].stderr)
	}
	const earlierRun = "fedcba9876543210fedcba9876543210"
	opening := func(fail func(context.Context) error) func(context.Context, string) (shard.Bucket, error) {
		return func(ctx context.Context, url string) (shard.Bucket, error) {
			b, err := shard.Open(ctx, url)
			return preClaimBucket{b, fail}, err
		}
	}
	missing := filepath.Join(t.TempDir(), "missing", "file")
	for _, tc := range []struct {
		name string
		// args are the command's after shard, given the exchange, the
		// flag (report or junit) and its file, and the other flag's.
		args func(url, flag, file, other string) []string
		open func(context.Context, string) (shard.Bucket, error) // the exchange's, when not shard.Open
		code int
		// stopped: the shard writes the error's report where there is
		// no file; refused, it writes none.
		stopped bool
	}{
		{"unknown flag", func(url, flag, file, _ string) []string {
			return []string{"--shards", "2", "--index", "1", "--exchange", url, "--" + flag, file, "repdisk", "--bogus"}
		}, nil, ExitUsage, false},
		{"index from the engine's variable, unknown system", func(url, flag, file, _ string) []string {
			return []string{"--shards", "2", "--exchange", url, "--" + flag, file, "nosuch"}
		}, nil, ExitUsage, false},
		{"index out of range", func(url, flag, file, _ string) []string {
			return []string{"--shards", "2", "--index", "2", "--exchange", url, "--" + flag, file, "repdisk"}
		}, nil, ExitUsage, false},
		{"the other report path refused", func(url, flag, file, other string) []string {
			return []string{"--shards", "2", "--index", "1", "--exchange", url, "--" + flag, file, "--" + other, missing, "repdisk"}
		}, nil, ExitUsage, false},
		{"an exchange that does not open", func(url, flag, file, _ string) []string {
			return []string{"--shards", "2", "--index", "1", "--exchange", url, "--" + flag, file, "repdisk"}
		}, func(context.Context, string) (shard.Bucket, error) { return nil, errExchange }, ExitUsage, false},
		{"an exchange of another run", func(_, flag, file, _ string) []string {
			return []string{"--shards", "2", "--index", "1", "--exchange", used, "--" + flag, file, "repdisk", "--blocks", "1"}
		}, nil, ExitUsage, false},
		{"the exchange failing during the claim", func(url, flag, file, _ string) []string {
			return []string{"--shards", "2", "--index", "1", "--exchange", url, "--" + flag, file, "repdisk"}
		}, opening(func(context.Context) error { return errExchange }), ExitIO, true},
		{"a signal during the claim", func(url, flag, file, _ string) []string {
			return []string{"--shards", "2", "--index", "1", "--exchange", url, "--" + flag, file, "repdisk"}
		}, opening(interruptSelf), ExitIncomplete, true},
	} {
		for _, flag := range []string{"report", "junit"} {
			other := map[string]string{"report": "junit", "junit": "report"}[flag]
			for _, there := range []struct {
				name string
				data string
				kept bool
			}{
				{"an earlier run's report", staleReports[flag], false},
				{"shard 1's report of an earlier run", markedReport(flag, 1, earlierRun, true), false},
				{"shard 0's report of an earlier run", markedReport(flag, 0, earlierRun, true), true},
				{"shard 0's error report", markedReport(flag, 0, earlierRun, false), true},
			} {
				t.Run(fmt.Sprintf("%s, --%s holding %s", tc.name, flag, there.name), func(t *testing.T) {
					t.Setenv("JOB_COMPLETION_INDEX", "1")
					dir := t.TempDir()
					file := writeFile(t, dir, "r", there.data)
					picture := writeFile(t, dir, "t.html", "an earlier run's path")
					if tc.open != nil {
						openExchange = tc.open
						t.Cleanup(func() { openExchange = shard.Open })
					}
					args := append(append([]string{"shard"}, tc.args(exchange(t), flag, file, other)...), "-q", "--workers", "1", "--trace-html", picture)
					_, stderr, code := cli(t, args...)
					openExchange = shard.Open
					if code != tc.code || strings.Count(stderr, "\n") != 1 {
						t.Fatalf("exit %d, stderr %q; want %d and one line", code, stderr, tc.code)
					}
					if b, err := os.ReadFile(picture); err != nil || string(b) != "an earlier run's path" {
						t.Errorf("--trace-html holds %q (%v), want it as it was", b, err)
					}
					data, err := os.ReadFile(file)
					switch {
					case there.kept:
						if err != nil || string(data) != there.data {
							t.Errorf("--%s holds %q (%v), want shard 0's report as it was", flag, data, err)
						}
					case !tc.stopped:
						if err == nil {
							t.Errorf("--%s still holds\n%s", flag, data)
						}
					default:
						got := readReport(t, flag, file)
						if got.verdict != "error" || got.shard != 1 || got.run != "" {
							t.Errorf("--%s: %s of shard %d, run %q; want shard 1's error, of no run\n%s", flag, got.verdict, got.shard, got.run, got.data)
						}
						if flag == "report" {
							var rep map[string]any
							validJSON(t, reportSchema(t), data, &rep)
						}
					}
				})
			}
		}
	}
}

// TestShardClearKeepsWhatCameSince: a shard other than shard 0 removes
// an earlier run's report at its --report or --junit path only if the
// path still leads to the file it read: shard 0's report renamed over it
// meanwhile (a second process of the shard's index that claims the run
// as the run ends, or one refused before the claim) is kept.
func TestShardClearKeepsWhatCameSince(t *testing.T) {
	const run = "00112233445566778899aabbccddeeff" // not staleReports' run
	for _, flag := range []string{"report", "junit"} {
		for _, tc := range []struct {
			name  string
			clear func(f *searchFlags) error
		}{
			{"claimed", func(f *searchFlags) error { return f.shardClear(run) }},
			{"not claimed", func(f *searchFlags) error { return withStale(nil, f.unclaimedOutputs()) }},
		} {
			t.Run(fmt.Sprintf("%s, --%s", tc.name, flag), func(t *testing.T) {
				dir := t.TempDir()
				path := writeFile(t, dir, "r", staleReports[flag])
				zero := writeFile(t, dir, "zero", markedReport(flag, 0, run, true))
				readHook = func() {
					if err := os.Rename(zero, path); err != nil {
						t.Error(err)
					}
				}
				t.Cleanup(func() { readHook = func() {} })
				f := &searchFlags{report: path}
				if flag == "junit" {
					f = &searchFlags{junit: path}
				}
				if err := tc.clear(f); err != nil {
					t.Fatal(err)
				}
				if b, err := os.ReadFile(path); err != nil || string(b) != markedReport(flag, 0, run, true) {
					t.Errorf("--%s holds %q (%v), want shard 0's report", flag, b, err)
				}
			})
		}
	}
}
