package cli

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/shard"
)

// shardRun is what one shard command printed.
type shardRun struct {
	stdout, stderr string
	code           int
}

// runShards runs the shard command for every index of n at once, in this
// process, with args after --shards N --index I, and returns what each
// printed.
func runShards(t *testing.T, n int, args ...string) []shardRun {
	t.Helper()
	runs := make([]shardRun, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			var out, errb bytes.Buffer
			a := append([]string{"shard", "--shards", fmt.Sprint(n), "--index", fmt.Sprint(i)}, args...)
			code := Run(layers.Catalog(), a, &out, &errb)
			runs[i] = shardRun{out.String(), errb.String(), code}
		})
	}
	wg.Wait()
	return runs
}

func exchange(t *testing.T) string {
	return "file://" + filepath.ToSlash(filepath.Join(t.TempDir(), "exchange"))
}

// TestShardReportsAsCheck: shard 0 of a sharded check prints check's
// report, with its path, and writes its report files; the other shards
// print their part, valid against the schema, write it to files of their
// own but for the pictures, and exit with the same status. Every report
// names the same run.
func TestShardReportsAsCheck(t *testing.T) {
	sch := reportSchema(t)
	for _, tc := range []struct {
		system  []string
		shards  int
		code    int
		compare []string // JSON fields equal to check's
	}{
		{[]string{"repdisk", "--blocks", "3", "--values", "2"}, 3, ExitVerified, []string{"verdict", "states", "transitions", "crash_points", "depth", "params"}},
		{[]string{"log/repdisk", "--variant", "recover-upper-first"}, 2, ExitViolation, []string{"verdict", "depth", "violation", "violations", "params"}},
		{[]string{"repdisk", "--blocks", "3", "--values", "2", "--crashes", "no-nested"}, 2, ExitVerified, []string{"verdict", "narrowed", "states", "params"}},
	} {
		t.Run(strings.Join(tc.system, " "), func(t *testing.T) {
			checkOut, _, code := cli(t, append([]string{"check", "--json", "-q", "--workers", "1"}, tc.system...)...)
			if code != tc.code {
				t.Fatalf("check: exit %d, want %d", code, tc.code)
			}
			dir := t.TempDir()
			file := func(i int, name string) string { return filepath.Join(dir, fmt.Sprintf("%d-%s", i, name)) }
			var shards sync.Map // the report files of each shard, by index
			runs := make([]shardRun, tc.shards)
			url := exchange(t)
			var wg sync.WaitGroup
			for i := range tc.shards {
				wg.Go(func() {
					var out, errb bytes.Buffer
					args := append([]string{"shard", "--shards", fmt.Sprint(tc.shards), "--index", fmt.Sprint(i),
						"--exchange", url, "--json", "-q", "--workers", "1",
						"--report", file(i, "report.json"), "--junit", file(i, "junit.xml"), "--trace-html", file(i, "trace.html")}, tc.system...)
					code := Run(layers.Catalog(), args, &out, &errb)
					runs[i] = shardRun{out.String(), errb.String(), code}
					shards.Store(i, true)
				})
			}
			wg.Wait()
			var check map[string]json.RawMessage
			validJSON(t, sch, []byte(checkOut), &check)
			var run json.RawMessage
			for i, r := range runs {
				if r.code != tc.code || r.stderr != "" {
					t.Fatalf("shard %d: exit %d, want %d; stderr %q", i, r.code, tc.code, r.stderr)
				}
				var got map[string]json.RawMessage
				validJSON(t, sch, []byte(r.stdout), &got)
				if run == nil {
					run = got["run"]
				}
				if len(got["run"]) < 3 || !bytes.Equal(got["run"], run) {
					t.Errorf("shard %d: run %s, shard 0's %s", i, got["run"], run)
				}
				junit, err := os.ReadFile(file(i, "junit.xml"))
				if err != nil || !bytes.Contains(junit, []byte(`<property name="argocheck.run" value=`+string(run)+`>`)) {
					t.Errorf("shard %d: --junit does not name the run %s: %v\n%s", i, run, err, junit)
				}
				if i != 0 {
					if _, err := os.Stat(file(i, "trace.html")); err == nil {
						t.Errorf("shard %d wrote trace.html: shard 0 writes the pictures", i)
					}
					if report, err := os.ReadFile(file(i, "report.json")); err != nil || !bytes.Equal(report, []byte(r.stdout)) {
						t.Errorf("shard %d: --report differs from the JSON it printed: %v\n%s", i, err, report)
					}
					for _, field := range []string{"verdict", "narrowed", "depth"} {
						if !bytes.Equal(got[field], check[field]) {
							t.Errorf("shard %d: %s is %s, check's %s", i, field, got[field], check[field])
						}
					}
					continue
				}
				for _, field := range tc.compare {
					if !bytes.Equal(got[field], check[field]) {
						t.Errorf("shard 0: %s is %s, check's %s", field, got[field], check[field])
					}
				}
				report, err := os.ReadFile(file(0, "report.json"))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(report, []byte(r.stdout)) {
					t.Errorf("shard 0: --report differs from the JSON it printed")
				}
				_, err = os.Stat(file(0, "trace.html"))
				if (tc.code == ExitViolation) != (err == nil) {
					t.Errorf("shard 0: trace.html written: %v, want %v", err == nil, tc.code == ExitViolation)
				}
				if _, err := os.Stat(file(0, "junit.xml")); err != nil {
					t.Errorf("shard 0 wrote no --junit: %v", err)
				}
			}
		})
	}
}

// TestShardSummaryAsCheck: shard 0's summary is check's, its path
// included, with the shard count on the first line and the shard's own
// lines before the path.
func TestShardSummaryAsCheck(t *testing.T) {
	sys := []string{"repdisk", "--blocks", "3", "--values", "2", "--variant", "recover-block0-only", "--workers", "1", "-q"}
	checkOut, _, _ := cli(t, append([]string{"check"}, sys...)...)
	runs := runShards(t, 2, append([]string{"--exchange", exchange(t)}, sys...)...)
	got := runs[0].stdout
	own := regexp.MustCompile(`(?m)^shard=0 .*\nbytes_written=.*\nexpand_seconds=.*\n`)
	if !own.MatchString(got) {
		t.Fatalf("shard 0's summary lacks its own lines:\n%s", got)
	}
	got = strings.Replace(own.ReplaceAllString(got, ""), " shards=2\n", "\n", 1)
	if strings.Contains(got, "expanding_share=") {
		t.Errorf("shard 0's summary gives an expanding share, which the shards' search does not measure:\n%s", got)
	}
	if searchedFigures(got) != searchedFigures(checkOut) {
		t.Errorf("shard 0's summary:\n%s\ncheck's:\n%s", got, checkOut)
	}
	if !strings.Contains(runs[1].stdout, "violation=recovery (shard 0 reports it with its shortest path)") || runs[1].code != ExitViolation {
		t.Errorf("shard 1: exit %d\n%s", runs[1].code, runs[1].stdout)
	}
}

// TestShardVerdictLines: every shard's summary has check's verdict line,
// marked narrowed as check's is.
func TestShardVerdictLines(t *testing.T) {
	verdict := regexp.MustCompile(`(?m)^verdict=.*$`)
	for _, crashes := range []string{"all", "no-nested", "between-ops"} {
		sys := []string{"repdisk", "--blocks", "2", "--values", "2", "--crashes", crashes, "--workers", "1", "-q"}
		checkOut, _, _ := cli(t, append([]string{"check"}, sys...)...)
		want := verdict.FindString(checkOut)
		if want == "" {
			t.Fatalf("check --crashes %s printed no verdict line:\n%s", crashes, checkOut)
		}
		for i, r := range runShards(t, 2, append([]string{"--exchange", exchange(t)}, sys...)...) {
			if got := verdict.FindString(r.stdout); got != want {
				t.Errorf("--crashes %s, shard %d: %q, check's %q", crashes, i, got, want)
			}
		}
	}
}

// TestShardStoppedBySignal: a shard that a signal stops before the
// verdict exits with status 3, incomplete, and says how to resume; with
// --json it prints the error report, and a stdout that cannot take it
// makes the status 4.
func TestShardStoppedBySignal(t *testing.T) {
	cat, err := catalog.New(interruptingSystem(false))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		asJSON bool
		full   bool // stdout cannot be written
		code   int
	}{
		{"summary", false, false, ExitIncomplete},
		{"json", true, false, ExitIncomplete},
		{"json to a full stdout", true, true, ExitIO},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"shard", "--shards", "1", "--index", "0", "--exchange", exchange(t), "pass", "--variant", "interrupts", "-q", "--workers", "1"}
			if tc.asJSON {
				args = append(args, "--json")
			}
			var stdout, stderr bytes.Buffer
			var out io.Writer = &stdout
			if tc.full {
				out = fullWriter{}
			}
			code := Run(cat, args, out, &stderr)
			if tc.full {
				if code != tc.code || !strings.HasSuffix(stderr.String(), ": no space left on device\n") || strings.Count(stderr.String(), "\n") != 1 {
					t.Fatalf("exit %d, stderr %q; want %d and one line saying no space is left", code, &stderr, tc.code)
				}
				return
			}
			if code != tc.code || !strings.Contains(stderr.String(), "shard 0 stopped (") || !strings.Contains(stderr.String(), "start it again to resume") {
				t.Fatalf("exit %d, stderr %q; want %d and the shard stopped", code, &stderr, tc.code)
			}
			if tc.asJSON && !strings.Contains(stdout.String(), `"error": "shard 0 stopped (`) {
				t.Errorf("stdout %q, want the error report", &stdout)
			}
		})
	}
}

// TestShardUsage: what shard refuses with one line and status 2, and the
// index it takes from the engines' variables.
func TestShardUsage(t *testing.T) {
	for _, name := range indexVariables {
		t.Setenv(name, "")
	}
	used := exchange(t)
	if runs := runShards(t, 1, "--exchange", used, "repdisk", "--blocks", "1", "-q"); runs[0].code != ExitVerified {
		t.Fatalf("a run of one shard: exit %d: %s", runs[0].code, runs[0].stderr)
	}
	cases := []struct {
		args   []string
		stderr string
	}{
		{[]string{"shard", "--shards", "2", "--exchange", exchange(t), "repdisk"}, "no --index, and none of JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID, AWS_BATCH_JOB_ARRAY_INDEX is set"},
		{[]string{"shard", "--shards", "2", "--index", "2", "--exchange", exchange(t), "repdisk"}, "--index must be between 0 and 1 with --shards 2, not 2"},
		{[]string{"shard", "--shards", "2", "--index", "-1", "--exchange", exchange(t), "repdisk"}, "--index must be between 0 and 1 with --shards 2, not -1"},
		{[]string{"shard", "--shards", "1", "--index", "1", "--exchange", exchange(t), "repdisk"}, "--index must be 0 with --shards 1, not 1"},
		{[]string{"shard", "--index", "0", "--exchange", exchange(t), "repdisk"}, "--shards is required: the number of shard processes of the run"},
		{[]string{"shard", "--exchange", exchange(t), "repdisk"}, "--shards is required"},
		{[]string{"shard", "--shards", "0", "--index", "0", "--exchange", exchange(t), "repdisk"}, "--shards must be at least 1, not 0"},
		{[]string{"shard", "--shards", "2", "--index", "0", "repdisk"}, "--exchange is required"},
		{[]string{"shard", "--shards", "2", "--index", "0", "--exchange", "nosuch://x", "repdisk"}, `--exchange nosuch://x: this program knows file:// URLs, not nosuch://`},
		// The tests' binary, as argocheck built without the tag cloud,
		// has no driver for the clouds' stores.
		{[]string{"shard", "--shards", "2", "--index", "0", "--exchange", "s3://bucket?prefix=run/", "repdisk"}, `--exchange s3://bucket?prefix=run/: this program knows file:// URLs, not s3://: build argocheck with -tags cloud (go build -tags cloud ./cmd/argocheck), or import github.com/argocheck/argocheck/shard/cloud in a program of your own`},
		{[]string{"shard", "--shards", "2", "--index", "0", "--exchange", "gs://bucket", "repdisk"}, "or import github.com/argocheck/argocheck/shard/cloud"},
		{[]string{"shard", "--shards", "2", "--index", "0", "--exchange", "/dev/null/run", "repdisk"}, "--exchange /dev/null/run: not a URL: for the directory /dev/null/run write file:///dev/null/run"},
		// A host would be dropped: the objects would go in /dev/null/x.
		{[]string{"shard", "--shards", "1", "--index", "0", "--exchange", "file://tmp/dev/null/x", "repdisk"}, `--exchange file://tmp/dev/null/x: a file URL takes no host, and "tmp" would be dropped (the objects would go in /dev/null/x): for the directory /tmp/dev/null/x write file:///tmp/dev/null/x`},
		{[]string{"shard", "--shards", "1", "--index", "0", "--exchange", used, "repdisk", "--blocks", "2"}, "the exchange holds another run (system=repdisk variant=correct blocks=1 oob=false values=2 crashes=all determinism=sample shards=1), not this one (system=repdisk variant=correct blocks=2"},
		{[]string{"shard", "--shards", "2", "--index", "0", "--exchange", used, "repdisk", "--blocks", "1"}, "shards=1), not this one"},
		{[]string{"shard", "--shards", "2", "--index", "0", "--exchange", exchange(t), "repdisk", "--max-depth", "2"}, "--max-depth is a flag of check, not of shard"},
		{[]string{"shard", "--shards", "2", "--index", "0", "--exchange", exchange(t), "nosuch"}, `unknown system "nosuch"`},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, stderr, code := cli(t, tc.args...)
			if code != ExitUsage || !strings.Contains(stderr, tc.stderr) || strings.Count(stderr, "\n") != 1 {
				t.Fatalf("exit %d, stderr %q; want %d and one line containing %q", code, stderr, ExitUsage, tc.stderr)
			}
		})
	}
	// An index out of range names the engine's variable it was read from.
	t.Run("JOB_COMPLETION_INDEX out of range", func(t *testing.T) {
		t.Setenv("JOB_COMPLETION_INDEX", "2")
		_, stderr, code := cli(t, "shard", "--shards", "2", "--exchange", exchange(t), "repdisk")
		if want := "argocheck: JOB_COMPLETION_INDEX must be between 0 and 1 with --shards 2, not 2\n"; code != ExitUsage || stderr != want {
			t.Fatalf("exit %d, stderr %q; want %d and %q", code, stderr, ExitUsage, want)
		}
	})
	for _, name := range indexVariables {
		t.Run(name, func(t *testing.T) {
			url := exchange(t)
			t.Setenv(name, "1")
			var runs [2]shardRun
			var wg sync.WaitGroup
			for i, extra := range [][]string{{"--index", "0"}, nil} {
				wg.Go(func() {
					args := append(append([]string{"shard", "--shards", "2", "--exchange", url, "-q"}, extra...), "repdisk", "--blocks", "2")
					var out, errb bytes.Buffer
					runs[i].code = Run(layers.Catalog(), args, &out, &errb)
					runs[i].stdout, runs[i].stderr = out.String(), errb.String()
				})
			}
			wg.Wait()
			if runs[0].code != ExitVerified || runs[1].code != ExitVerified || !strings.Contains(runs[1].stdout, "\nshard=1 ") {
				t.Fatalf("shard 0: exit %d %s; shard from %s=1: exit %d %s%s", runs[0].code, runs[0].stderr, name, runs[1].code, runs[1].stdout, runs[1].stderr)
			}
		})
	}
}

// TestKubernetesJob reads deploy/kubernetes/job.yaml as a Kubernetes
// Indexed Job and runs its container's command line, its variables
// expanded as Kubernetes does, through the shard command's own parsing.
func TestKubernetesJob(t *testing.T) {
	data, err := os.ReadFile("../deploy/kubernetes/job.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var job batchv1.Job
	if err := yaml.UnmarshalStrict(data, &job); err != nil {
		t.Fatal(err)
	}
	spec := job.Spec
	switch {
	case job.APIVersion != "batch/v1" || job.Kind != "Job":
		t.Fatalf("%s %s, not a batch/v1 Job", job.APIVersion, job.Kind)
	case spec.CompletionMode == nil || *spec.CompletionMode != batchv1.IndexedCompletion:
		t.Fatal("completionMode is not Indexed")
	case spec.Completions == nil || spec.Parallelism == nil || *spec.Completions != *spec.Parallelism:
		t.Fatal("completions and parallelism are not set, or differ")
	case spec.BackoffLimitPerIndex == nil || *spec.BackoffLimitPerIndex < 1:
		t.Fatal("no backoffLimitPerIndex: a killed shard would not be started again")
	case spec.Template.Spec.RestartPolicy != corev1.RestartPolicyNever:
		t.Fatal("restartPolicy is not Never, which a podFailurePolicy needs")
	case len(spec.Template.Spec.Containers) != 1:
		t.Fatalf("%d containers, want 1", len(spec.Template.Spec.Containers))
	}
	c := spec.Template.Spec.Containers[0]
	var final []int32
	if p := spec.PodFailurePolicy; p != nil {
		for _, r := range p.Rules {
			if r.Action == batchv1.PodFailurePolicyActionFailIndex && r.OnExitCodes != nil && r.OnExitCodes.Operator == batchv1.PodFailurePolicyOnExitCodesOpIn {
				final = append(final, r.OnExitCodes.Values...)
			}
		}
	}
	slices.Sort(final)
	if !slices.Equal(final, []int32{ExitViolation, ExitUsage}) {
		t.Errorf("the exit statuses that end an index without a retry are %v, want violation and usage %v", final, []int32{ExitViolation, ExitUsage})
	}
	args := expandVars(t, append(slices.Clone(c.Command), c.Args...), c.Env)
	if len(args) == 0 || args[0] != "argocheck" {
		t.Fatalf("the container runs %q, not argocheck", args)
	}
	root, err := newRoot(layers.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	cmd, rest, err := root.Find(args[1:])
	if err != nil || cmd.Name() != "shard" {
		t.Fatalf("%q is not the shard command: %v", args[1:], err)
	}
	if err := cmd.ParseFlags(rest); err != nil {
		t.Fatalf("shard refuses the Job's arguments %q: %v", rest, err)
	}
	if err := cmd.ValidateArgs(cmd.Flags().Args()); err != nil {
		t.Fatalf("shard refuses the Job's arguments %q: %v", rest, err)
	}
	fl := cmd.Flags()
	if fl.Changed("index") {
		t.Error("the Job sets --index: each pod's index comes from JOB_COMPLETION_INDEX")
	}
	if n, _ := fl.GetInt("shards"); n != int(*spec.Completions) {
		t.Errorf("--shards %d, but %d completions", n, *spec.Completions)
	}
	if url, _ := fl.GetString("exchange"); !strings.HasPrefix(url, "s3://") {
		t.Errorf("--exchange %q is not an S3 URL", url)
	}
	if _, err := layers.Catalog().Lookup(fl.Arg(0)); err != nil {
		t.Error(err)
	}
}

// expandVars expands $(NAME) in args from the container's environment as
// Kubernetes does: each variable's value expanded from those before it;
// one taken from the pod's fields stands for itself.
func expandVars(t *testing.T, args []string, env []corev1.EnvVar) []string {
	t.Helper()
	ref := regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)
	vars := map[string]string{}
	expand := func(s string) string {
		return ref.ReplaceAllStringFunc(s, func(m string) string {
			name := ref.FindStringSubmatch(m)[1]
			v, ok := vars[name]
			if !ok {
				t.Errorf("%s refers to $(%s), which the container does not set", s, name)
			}
			return v
		})
	}
	for _, e := range env {
		if e.ValueFrom != nil {
			vars[e.Name] = strings.ToLower(e.Name)
			continue
		}
		vars[e.Name] = expand(e.Value)
	}
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = expand(a)
	}
	return out
}

// TestShardAnotherBuild: an exchange holding a run another build made, or
// one that recorded no build, is refused in one line naming both builds,
// exit status 2, where the same run made by this build is found done.
func TestShardAnotherBuild(t *testing.T) {
	sys, p, chk := repdiskOf(t, 1)
	for _, made := range []string{"fedcba9876543210", "", buildID()} {
		t.Run(fmt.Sprintf("build=%q", made), func(t *testing.T) {
			url := exchange(t)
			bucket, err := shard.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			cfg := shard.Config{Shards: 1, Workers: 1, Run: shard.Manifest{System: sys.Name, Params: storedParams(sys, p), Build: made}}
			_, err = shard.Run(context.Background(), chk, bucket, cfg)
			bucket.Close()
			if err != nil {
				t.Fatal(err)
			}
			_, stderr, code := cli(t, "shard", "--shards", "1", "--index", "0", "--exchange", url, "repdisk", "--blocks", "1", "-q")
			if made == buildID() {
				if code != ExitVerified {
					t.Fatalf("this build's run: exit %d, stderr %q", code, stderr)
				}
				return
			}
			want := fmt.Sprintf("argocheck: --exchange %s: the exchange holds a run made by another build of argocheck (build %s), not by this one (build %s): an exchange belongs to the build that made it, and every shard of a run runs the same binary; give this run a new exchange ('argocheck --version' shows a program's build)\n",
				url, cmp.Or(made, "none recorded"), buildID())
			if code != ExitUsage || stderr != want {
				t.Errorf("exit %d, stderr %q; want exit %d, stderr %q", code, stderr, ExitUsage, want)
			}
		})
	}
}

// TestShardSaysRunEnded: shards given the exchange of a run that has
// ended (an engine's retry after the run, or last night's exchange given
// to tonight's run with the same build) print the run's result again,
// with the same status, and say on stderr that it was not searched
// again; the run's own shards say nothing of the kind.
func TestShardSaysRunEnded(t *testing.T) {
	x := exchange(t)
	args := []string{"--exchange", x, "-q", "repdisk", "--blocks", "2", "--values", "2", "--variant", "no-recovery"}
	const said = "had ended before this shard started: its result is reported again, not checked again"
	var first []shardRun
	for round, ended := range []bool{false, true} {
		runs := runShards(t, 2, args...)
		if round == 0 {
			first = runs
		}
		for i, r := range runs {
			if r.code != ExitViolation {
				t.Fatalf("round %d, shard %d: status %d, want %d\n%s", round, i, r.code, ExitViolation, r.stderr)
			}
			if got, want := verdictLines(r.stdout), verdictLines(first[i].stdout); got != want {
				t.Errorf("round %d, shard %d printed\n%s\nwant the run's\n%s", round, i, got, want)
			}
			if got := strings.Contains(r.stderr, said); got != ended {
				t.Errorf("round %d, shard %d: stderr %q, saying the run had ended: %v, want %v", round, i, r.stderr, got, ended)
			}
		}
	}
}

// verdictLines is the verdict and violation lines of a shard's summary.
func verdictLines(out string) string {
	var b strings.Builder
	for line := range strings.Lines(out) {
		if strings.HasPrefix(line, "verdict=") || strings.HasPrefix(line, "violation=") {
			b.WriteString(line)
		}
	}
	return b.String()
}
