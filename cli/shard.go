package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	// A directory, on one machine or a shared volume, is always there to
	// exchange a sharded run's states through; a binary that shards
	// through object storage imports its driver (cmd/argocheck built with
	// -tags cloud imports S3's, GCS's and Azure's).

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/shard"
)

// openExchange opens the bucket of --exchange: shard.Open, which tests
// replace with a bucket of their own.
var openExchange = shard.Open

// indexVariables are the environment variables in which the engines that
// run arrays of processes give each its index, in the order shard reads
// them: a Kubernetes Indexed Job, a Slurm job array, an AWS Batch array
// job.
var indexVariables = []string{"JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID", "AWS_BATCH_JOB_ARRAY_INDEX"}

// shardFlags are the flags of shard.
type shardFlags struct {
	search   searchFlags
	params   paramFlags
	variant  string
	shards   int
	index    int
	exchange string
	// Hidden, for tests: a pause at every barrier, and the interval of
	// the lines that name the shards a barrier waits for.
	delay, waitReport time.Duration
}

func newShard(cat *catalog.Catalog) (*cobra.Command, error) {
	f := shardFlags{search: defaultSearchFlags()}
	cmd := &cobra.Command{
		Use:   "shard --shards N [--index I] --exchange URL SYSTEM",
		Short: "Run one of N processes that check a system together, through object storage",
		Long: `shard runs shard I of N processes that together search the state graph of
SYSTEM, as 'check' does on one machine, with the same verdict, depth,
shortest path and state count (and, on a verified run, the same transition
and crash-point counts: on a violation they say how far the shards got,
which can depend on timing). The processes share nothing but the objects
under the exchange URL (a directory, S3, GCS or Azure): a level-synchronous
search with one barrier per level and no server. Shard 0 prints the report and
writes the report files and the pictures; the others print their own part, and write it
at --report and --junit where no report of the run is there (shard 0's
is written over it), leave --trace-html and --trace-dot as they are, and
every shard exits with the verdict's status. A shard other than 0 that
ends before it has claimed the run (refused, stopped) removes what is at
--report and --junit unless shard 0 wrote it. A shard started again after being
stopped, in any way, resumes from its last level. Give every run an
exchange of its own: a shard refuses one that holds another run, or a
run made by another build ('argocheck --version' prints the build), so
every shard of a run runs the same binary; one that holds a run of the
same check and build that has ended, it reports again without checking
it again, and says so on stderr.

The index defaults to the engine's variable: $JOB_COMPLETION_INDEX
(Kubernetes Indexed Job), $SLURM_ARRAY_TASK_ID, $AWS_BATCH_JOB_ARRAY_INDEX.

Exchange URLs: file:///dir (one machine or a shared volume; three slashes:
file://tmp/run is refused, file://localhost/dir and file://./dir are taken),
and, in a binary built with -tags cloud, s3://bucket?prefix=run/&region=R,
gs://bucket?prefix=run/, azblob://container?prefix=run/, credentials as
each cloud's SDK finds them.

` + exitHelp(),
		Args: oneArg("shard", "one SYSTEM (see 'argocheck list')"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runShard(cmd, cat, args[0], &f)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&f.shards, "shards", 0, "number of shard processes of the run, `N` (required)")
	describe(fl, "shards", "a whole number, 1 or more")
	fl.IntVar(&f.index, "index", 0, "this process's shard, `I` from 0 to N-1 (default: from the engine's variable)")
	describe(fl, "index", "a whole number from 0 to N-1")
	fl.StringVar(&f.exchange, "exchange", "", "`URL` of the run's objects (required)")
	fl.StringVar(&f.variant, "variant", "correct", "implementation variant (see 'argocheck list')")
	mustName(fl, "variant", variantMust)
	f.search.register(fl, flagUse{sharded: true, pictures: true})
	fl.DurationVar(&f.delay, "barrier-delay", 0, "pause at every barrier before arriving (tests)")
	fl.DurationVar(&f.waitReport, "wait-report", 5*time.Second, "least interval of the lines naming the shards a barrier waits for")
	for _, name := range []string{"barrier-delay", "wait-report"} {
		if err := fl.MarkHidden(name); err != nil {
			return nil, err
		}
	}
	var err error
	f.params, err = registerParams(fl, cat)
	return cmd, err
}

// shardIndex returns the flag's index, or else the first engine's
// variable that is set, and where it was read: "--index" or the
// variable's name.
func shardIndex(cmd *cobra.Command, f *shardFlags) (int, string, error) {
	if cmd.Flags().Changed("index") {
		return f.index, "--index", nil
	}
	return envShardIndex()
}

// envShardIndex returns the index of the first engine's variable that is
// set, and the variable's name.
func envShardIndex() (int, string, error) {
	for _, name := range indexVariables {
		v, ok := os.LookupEnv(name)
		if !ok || v == "" {
			continue
		}
		i, err := strconv.Atoi(v)
		if err != nil {
			return 0, name, fmt.Errorf("%s=%q is not a shard index", name, v)
		}
		return i, name, nil
	}
	return 0, "", fmt.Errorf("no --index, and none of %s is set", strings.Join(indexVariables, ", "))
}

func runShard(cmd *cobra.Command, cat *catalog.Catalog, name string, f *shardFlags) error {
	f.variant = variantArg(f.variant)
	sys, p, cfg, err := chosen(cmd, cat, name, &f.params, f.variant, &f.search)
	if err != nil {
		return err
	}
	index, from, err := shardIndex(cmd, f)
	switch {
	case !cmd.Flags().Changed("shards"):
		return usagef("--shards is required: the number of shard processes of the run")
	case f.shards < 1:
		return usagef("--shards must be at least 1, not %d", f.shards)
	case err != nil:
		return usage(err)
	case f.shards == 1 && index != 0:
		return usagef("%s must be 0 with --shards 1, not %d", from, index)
	case index < 0 || index >= f.shards:
		return usagef("%s must be between 0 and %d with --shards %d, not %d", from, f.shards-1, f.shards, index)
	case f.exchange == "":
		return usagef("--exchange is required: the URL of the run's objects")
	}
	dirs := []ownDir{{name: "--exchange " + f.exchange, dir: shard.LocalDir(f.exchange)}}
	// The run's name, once the shard has claimed it: set by the search,
	// which a shard that gives it up (untilStopped) leaves running.
	var claimed atomic.Pointer[string]
	run := func() string {
		if r := claimed.Load(); r != nil {
			return *r
		}
		return ""
	}
	// unclaimed removes, for a shard other than shard 0 that ends before
	// it has claimed the run, what is at its report paths unless it is a
	// report that shard 0 wrote (removeUnclaimed), and returns the
	// removals' failures.
	unclaimed := func() error {
		if index == 0 || run() != "" {
			return nil
		}
		return withStale(nil, f.search.unclaimedOutputs())
	}
	if index != 0 {
		// Its files may be shard 0's, on a volume the shards share, of
		// this run: before it knows the run, it removes none of shard
		// 0's reports, and no picture.
		claimOutputs(cmd)
		if err := checkPathsIn(f.search.paths(), dirs); err != nil {
			return withStale(err, clearRefused(f.search.paths()[:2], dirs, removeUnclaimed))
		}
	} else {
		if err := f.search.checkPaths(cmd, dirs); err != nil {
			return err
		}
		if err := f.search.clearOutputs(); err != nil {
			return err
		}
	}
	if err := knownBuild("--exchange " + f.exchange); err != nil {
		return withSearchError(err, unclaimed())
	}
	chk, err := build(sys, p, f.variant)
	if err != nil {
		return withSearchError(err, unclaimed())
	}
	ctx, stop := signalContext()
	defer stop()
	bucket, err := openExchange(ctx, f.exchange)
	if err != nil {
		return withSearchError(usagef("--exchange %s: %v", f.exchange, err), unclaimed())
	}
	defer bucket.Close()
	scfg := shard.Config{
		Shards: f.shards, Index: index, Workers: cfg.Workers, Crashes: cfg.Crashes, Determinism: cfg.Determinism,
		Run:        shard.Manifest{System: sys.Name, Variant: f.variant, Params: storedParams(sys, p), Build: buildID()},
		Log:        cmd.ErrOrStderr(),
		WaitReport: f.waitReport, Delay: f.delay,
	}
	if !f.search.quiet {
		scfg.Progress = shardProgress(cmd.ErrOrStderr(), index, f.shards, f.search.progressInterval)
	}
	scfg.Claimed = func(r string) error {
		claimed.Store(&r)
		if index == 0 {
			return nil
		}
		return f.search.shardClear(r)
	}
	// Given up (untilStopped), the shard leaves the exchange as a kill
	// there would, and writes nothing to it: layer code runs before the
	// claim, in the expansion of a level, before the shard writes the
	// level's candidates and marker (a shard started again does the
	// level again), and in the trace of a run that has ended (reported
	// again).
	res, err := untilStopped(ctx, func() (*shard.Result, error) { return shard.Run(ctx, chk, bucket, scfg) })
	if err != nil {
		switch _, another := errors.AsType[*shard.AnotherRunError](err); {
		case another:
			return withSearchError(usagef("--exchange %s: %v", f.exchange, err), unclaimed())
		case gaveUp(err):
			// Its own error, status 3: the stop and the layer code's.
		case ctx.Err() != nil:
			err = &failure{ExitIncomplete, fmt.Errorf("shard %d stopped (%v); start it again to resume from its last level", index, context.Cause(ctx))}
		default:
			err = searchFail(fmt.Errorf("shard %d: %w", index, err))
		}
		// No verdict: as check's, --json says so, and so do shard 0's
		// report files, in place of what an earlier run left there, and
		// the other shards' where there are none (shardOutputs), once
		// one that has not claimed the run has removed what is there
		// but shard 0's reports.
		rep := newReport(sys, p, f.variant, cfg, &explorer.Result{})
		rep.Run, rep.Shards, rep.Shard = run(), f.shards, &shardWork{Index: index, ResumedFrom: -1}
		if index != 0 {
			printed := f.search.printError(cmd.OutOrStdout(), rep, err)
			cleared := unclaimed()
			return withSearchError(err, errors.Join(printed, cleared, settle(ExitVerified, f.search.shardErrorOutputs(rep, err))))
		}
		return f.search.settleError(cmd.OutOrStdout(), rep, err)
	}
	if res.Ended {
		// The same command started again after the run (an engine's
		// retry), or last night's exchange given to tonight's run: the
		// result is the run's, not searched again, and says so.
		fmt.Fprintf(cmd.ErrOrStderr(), "shard %d: run %s had ended before this shard started: its result is reported again, not checked again (a new run needs an exchange of its own)\n", index, run())
	}
	if res.Work.Leftover != "" {
		fmt.Fprintf(cmd.ErrOrStderr(), "shard %d: the candidates it has read stay in the exchange: %s\n", index, res.Work.Leftover)
	}
	rep := newReport(sys, p, f.variant, cfg, res.Search).standalone()
	rep.Shards, rep.Shard, rep.Run = f.shards, newShardWork(res.Work), run()
	status := verdictStatus(res.Search.Verdict)
	if index != 0 {
		srep := newShardReport(rep, res.Search)
		return printAndSettle(cmd.OutOrStdout(), srep, f.search.json, status, f.search.shardOutputs(srep))
	}
	return printAndSettle(cmd.OutOrStdout(), rep, f.search.json, status, f.search.checkOutputs(rep))
}

// A shard other than shard 0 given --report or --junit writes its own
// report there, unless a report of the run is there already: every
// shard may be given the same file (the pods of a Job share their
// arguments, and may share a volume), and shard 0 writes the report with
// the path there, over whatever is there. Once a shard has claimed the
// run, no shard can end the run without it: a report of the run with a
// verdict at its paths is one written when the run had ended before
// (the shard is started again), which it keeps, and it removes anything
// else (shardClear); at its end it creates the file, only where there is
// none (writeNewOutput). A file of its own thus ends with its report;
// one it shares with shard 0, with shard 0's, whichever ends first.
//
// A shard that ends before it has claimed the run does not know the run:
// refused (bad usage, an exchange that does not open or that holds
// another run or another build's, a check that does not build) or
// stopped before the claim or during it (a signal, the exchange's
// failure). It cannot tell a report of shard 0's of this run, on a
// shared volume, from an earlier run's, but it can tell a report that
// shard 0 wrote from any other file: every report of a shard names the
// shard that wrote it (the JSON report's shard.index, the JUnit report's
// argocheck.shard property), its error report too. So it removes what
// is at its --report and --junit paths unless it is a report that shard
// 0 wrote, of whichever run (removeUnclaimed), and, stopped, then writes
// the error's report where there is no file (shardErrorOutputs): a file
// of its own says it reached no verdict. A report of shard 0's is left
// as it is: at a path shared with shard 0, shard 0 clears it when it
// starts and writes it at its end; at a path of the shard's own that
// shard 0 once wrote (indices given otherwise another night), it stays
// until the shard claims a run (shardClear).
//
// Refused before it came to its output files (an unknown flag or
// system, a bad value, an index out of range), it removes the same way
// (staleOutputs), as does a shard whose index is not known, which may be
// shard 0; refused for its output paths themselves, it leaves as it is
// the path refused, one that cannot be written or that lies in the
// exchange's directory, and removes the same way at those fine on their
// own (clearRefused).
//
// The pictures (--trace-html, --trace-dot) are shard 0's alone: the
// other shards check their paths, which a Job's pods share with shard 0,
// and leave the files as they are, refused or not.
//
// A shard reads a file before it removes it, and removes it only if its
// path still leads to the file it read (removeUnless): a report renamed
// over it meanwhile, such as shard 0's written at its end while a second
// process of the shard's index claims the run, is kept. What is left is
// the moment between that last look and the removal, which no portable
// call closes.

// shardClear removes what is at the --report and --junit paths of a
// shard other than shard 0 that has claimed run, unless it is a report of
// run with a verdict (savedReport.ofRun): a file an earlier run left, or
// a report of this run with no verdict (a shard stopped, started again),
// which the verdict is to replace. As clearOutputs, it removes the file
// a symbolic link leads to, and leaves alone what is not a regular file
// and the file stdout or stderr writes to.
func (f *searchFlags) shardClear(run string) error {
	for _, p := range [][2]string{{"report", f.report}, {"junit", f.junit}} {
		for _, o := range removeUnless(p[0], p[1], func(r savedReport) bool { return r.ofRun(run) }) {
			if err := o.save(); err != nil {
				return ioFail(fmt.Errorf("could not remove what an earlier run left at %s: %v", o.name, cause(err)))
			}
		}
	}
	return nil
}

// unclaimedOutputs are the removals, for a shard other than shard 0 that
// ends before it has claimed its run, of what is at its --report and
// --junit paths (removeUnclaimed).
func (f *searchFlags) unclaimedOutputs() []output {
	return append(removeUnclaimed("report", f.report), removeUnclaimed("junit", f.junit)...)
}

// removeUnclaimed is the removal of what is at path, the --report (flag
// "report") or --junit file of a shard other than shard 0 that has not
// claimed its run, unless it is a report that shard 0 wrote, of any run
// and with a verdict or not (removeUnless).
func removeUnclaimed(flag, path string) []output {
	return removeUnless(flag, path, func(r savedReport) bool { return r.shard == 0 })
}

// removeUnless is removeStale for a report file that keep may keep: it
// reads the regular file at path (through a symbolic link, the file it
// leads to) and removes it, as removeStale does, unless keep says to
// keep what it holds (readSaved); a file that cannot be read is removed.
// It removes the file only if path still leads to the file it read: one
// renamed over it meanwhile is another process's, and kept.
func removeUnless(flag, path string, keep func(savedReport) bool) []output {
	if path == "" {
		return nil
	}
	return []output{{name: "--" + flag + " " + path, save: func() error {
		target, ok, err := staleTarget(path)
		if !ok {
			return err
		}
		var read fs.FileInfo // the file whose contents keep was given
		if fh, err := os.Open(target); err == nil {
			var data []byte
			read, err = fh.Stat()
			if err == nil {
				data, err = io.ReadAll(fh)
			}
			fh.Close()
			if err == nil && keep(readSaved(flag, data)) {
				return nil
			}
		}
		readHook()
		now, err := os.Stat(target)
		switch {
		case err != nil:
			return nil // gone meanwhile
		case read == nil:
			read = now // not read: what is there says nothing
		}
		if !os.SameFile(now, read) {
			return nil
		}
		return removeOrEmpty(target)
	}}}
}

// readHook is called by removeUnless once it has read a file it is to
// remove: tests rename another file over it there, as shard 0 writing
// its report would.
var readHook = func() {}

// savedReport is what a report file says of the sharded check that wrote
// it: its run ("" when it names none), whether it holds a verdict, and
// the index of the shard that wrote it (-1 when it names none).
type savedReport struct {
	run     string
	verdict bool
	shard   int
}

// ofRun reports whether r is a report of run with a verdict. No report
// is one of a run named "".
func (r savedReport) ofRun(run string) bool {
	return run != "" && r.run == run && r.verdict
}

// readSaved reads data, what the --report (flag "report") or --junit
// file holds: of a JSON report, its "run", whether it has a "verdict",
// and the "index" of its "shard" (with "shards": a sharded check's); of
// a JUnit report, its argocheck.run and argocheck.shard properties, and
// whether none of its test cases is an <error> (no verdict: a shard has
// no bound to stop it). Anything else names no run and no shard.
func readSaved(flag string, data []byte) savedReport {
	r := savedReport{shard: -1}
	if flag == "report" {
		var j struct {
			Run     string `json:"run"`
			Verdict string `json:"verdict"`
			Shards  int    `json:"shards"`
			Shard   *struct {
				Index *int `json:"index"`
			} `json:"shard"`
		}
		if json.Unmarshal(data, &j) != nil {
			return r
		}
		r.run, r.verdict = j.Run, j.Verdict != ""
		if j.Shards > 0 && j.Shard != nil && j.Shard.Index != nil && *j.Shard.Index >= 0 {
			r.shard = *j.Shard.Index
		}
		return r
	}
	var doc junitSuites
	if xml.Unmarshal(data, &doc) != nil || len(doc.Suites) == 0 {
		return r
	}
	r.verdict = true
	for _, s := range doc.Suites {
		for _, p := range s.Properties {
			switch p.Name {
			case runProperty:
				r.run = cmp.Or(r.run, p.Value)
			case shardProperty:
				if i, err := strconv.Atoi(p.Value); err == nil && i >= 0 && r.shard < 0 {
					r.shard = i
				}
			}
		}
		for _, c := range s.Cases {
			if c.Error != nil {
				r.verdict = false
			}
		}
	}
	return r
}

// shardOutputs are the report files of shard report r of a shard other
// than shard 0: the JSON report and the JUnit report, each written only
// where there is no file (writeNewOutput).
func (f *searchFlags) shardOutputs(r *shardReport) []output {
	outs := newFileOutput("report", f.report, func(w io.Writer) error { return encodeJSON(w, r) })
	return append(outs, newFileOutput("junit", f.junit, func(w io.Writer) error {
		return writeJUnit(w, "argocheck", []junitCase{shardCase(r)}, shardProperties(r.Run, r.Shard)...)
	})...)
}

// shardErrorOutputs are errorOutputs for a shard other than shard 0: the
// report files of the error, each written only where there is no file,
// and no pictures removed.
func (f *searchFlags) shardErrorOutputs(rep *report, err error) []output {
	outs := newFileOutput("report", f.report, func(w io.Writer) error { return encodeJSON(w, newErrorReport(rep, err)) })
	return append(outs, newFileOutput("junit", f.junit, func(w io.Writer) error {
		return writeJUnit(w, "argocheck", []junitCase{errorCase(rep, err)}, shardProperties(rep.Run, rep.Shard)...)
	})...)
}

// shardProgress returns the progress callback of a shard: a plain line
// after a level's barrier, at most every interval.
func shardProgress(w io.Writer, index, shards int, interval time.Duration) func(shard.Level) {
	last := time.Now()
	return func(l shard.Level) {
		if time.Since(last) < interval {
			return
		}
		last = time.Now()
		fmt.Fprintf(w, "progress shard=%d/%d level=%d frontier=%d level_states=%d states=%d transitions=%d next=%d wait_seconds=%.4f elapsed=%s\n",
			index, shards, l.Depth, l.Frontier, l.Size, l.States, l.Transitions, l.New,
			l.Waited.Seconds(), l.Elapsed.Truncate(100*time.Millisecond))
	}
}

// shardWork is one shard's part of a sharded check, in reports.
type shardWork struct {
	Index          int     `json:"index"`
	States         uint64  `json:"states"`
	Transitions    uint64  `json:"transitions"`
	CrashPoints    uint64  `json:"crash_points"`
	ResumedFrom    int     `json:"resumed_from"`
	Barriers       int     `json:"barriers"`
	BytesWritten   uint64  `json:"bytes_written"`
	BytesRead      uint64  `json:"bytes_read"`
	ObjectsWritten uint64  `json:"objects_written"`
	ObjectsRead    uint64  `json:"objects_read"`
	ObjectsDeleted uint64  `json:"objects_deleted"`
	Leftover       string  `json:"leftover,omitempty"`
	ExpandSeconds  float64 `json:"expand_seconds"`
	SendSeconds    float64 `json:"send_seconds"`
	WaitSeconds    float64 `json:"wait_seconds"`
	ReceiveSeconds float64 `json:"receive_seconds"`
}

func newShardWork(w shard.Work) *shardWork {
	return &shardWork{
		Index: w.Shard, States: w.States, Transitions: w.Transitions, CrashPoints: w.CrashPoints,
		ResumedFrom: w.ResumedFrom, Barriers: w.Barriers,
		BytesWritten: w.BytesWritten, BytesRead: w.BytesRead, ObjectsWritten: w.ObjectsWritten, ObjectsRead: w.ObjectsRead,
		ObjectsDeleted: w.ObjectsDeleted, Leftover: w.Leftover,
		ExpandSeconds: round(w.Expanding.Seconds(), 4), SendSeconds: round(w.Sending.Seconds(), 4),
		WaitSeconds: round(w.Waited.Seconds(), 4), ReceiveSeconds: round(w.Receiving.Seconds(), 4),
	}
}

func (s *shardWork) writeText(w io.Writer) {
	fmt.Fprintf(w, "shard=%d states=%d transitions=%d crash_points=%d resumed_from=%d barriers=%d\n",
		s.Index, s.States, s.Transitions, s.CrashPoints, s.ResumedFrom, s.Barriers)
	fmt.Fprintf(w, "bytes_written=%d bytes_read=%d objects_written=%d objects_read=%d objects_deleted=%d\n",
		s.BytesWritten, s.BytesRead, s.ObjectsWritten, s.ObjectsRead, s.ObjectsDeleted)
	if s.Leftover != "" {
		fmt.Fprintf(w, "leftover=%q\n", s.Leftover)
	}
	fmt.Fprintf(w, "expand_seconds=%.3f send_seconds=%.3f wait_seconds=%.3f receive_seconds=%.3f\n",
		s.ExpandSeconds, s.SendSeconds, s.WaitSeconds, s.ReceiveSeconds)
}

// shardReport is the report of a shard other than shard 0: the search's
// verdict, marked narrowed as check's is, its counts, and the shard's own
// part. Shard 0 reports the violation with its path.
type shardReport struct {
	Argocheck     *version         `json:"argocheck"`
	System        string           `json:"system"`
	Variant       string           `json:"variant"`
	Params        map[string]any   `json:"params"`
	Workers       int              `json:"workers"`
	Shards        int              `json:"shards"`
	Verdict       explorer.Verdict `json:"verdict"`
	Narrowed      string           `json:"narrowed,omitempty"`
	States        uint64           `json:"states"`
	Transitions   uint64           `json:"transitions"`
	CrashPoints   uint64           `json:"crash_points"`
	Depth         int              `json:"depth"`
	Seconds       float64          `json:"seconds"`
	ViolationKind string           `json:"violation_kind,omitempty"`
	Shard         *shardWork       `json:"shard"`
	Run           string           `json:"run,omitempty"`
	rep           *report
	message       string // the violation's
}

func newShardReport(rep *report, res *explorer.Result) *shardReport {
	r := &shardReport{
		Argocheck: rep.Argocheck, System: rep.System, Variant: rep.Variant, Params: rep.Params,
		Workers: rep.Workers, Shards: rep.Shards, Verdict: rep.Verdict, Narrowed: rep.Narrowed,
		States: rep.States, Transitions: rep.Transitions, CrashPoints: rep.CrashPoints, Depth: rep.Depth,
		Seconds: rep.Seconds, Shard: rep.Shard, Run: rep.Run, rep: rep,
	}
	if res.Violation != nil {
		r.ViolationKind, r.message = res.Violation.Kind, res.Violation.Message
	}
	return r
}

func (r *shardReport) writeText(w io.Writer) {
	fmt.Fprintln(w, r.rep.configLine())
	fmt.Fprintf(w, "verdict=%s", r.Verdict)
	if r.Narrowed != "" {
		fmt.Fprintf(w, " (narrowed: %s)", r.Narrowed)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "states=%d transitions=%d crash_points=%d depth=%d seconds=%.3f\n", r.States, r.Transitions, r.CrashPoints, r.Depth, r.Seconds)
	r.Shard.writeText(w)
	if r.ViolationKind != "" {
		fmt.Fprintf(w, "violation=%s (shard 0 reports it with its shortest path)\n", r.ViolationKind)
	}
}
