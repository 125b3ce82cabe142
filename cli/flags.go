package cli

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
	"github.com/argocheck/argocheck/statestore"
)

// searchFlags are the flags of a search, one set shared by check, run and
// resume: how it searches (also the keys of a plan line) and what it
// writes.
type searchFlags struct {
	workers     int
	exact       bool
	maxDepth    int
	maxStates   uint64
	memory      string
	spill       string
	crashes     string
	determinism string
	timeLimit   time.Duration
	checkpoint  time.Duration
	cont        int

	quiet               bool
	progressInterval    time.Duration
	json                bool
	report, junit       string
	traceHTML, traceDOT string
}

// workersValues says which values --workers and a plan's workers take.
var workersValues = fmt.Sprintf("a whole number from 1 to %d", explorer.MaxWorkers)

// checkWorkers refuses a number of workers outside 1..explorer.MaxWorkers.
func checkWorkers(n int) error {
	if n < 1 || n > explorer.MaxWorkers {
		return outOfRange("workers", "must be between 1 and %d, not %d", explorer.MaxWorkers, n)
	}
	return nil
}

// flagError is config's error for the value of one flag: the command
// line names the flag (--max-depth), a plan line its key (max-depth).
type flagError struct {
	flag string
	err  error // what is wrong with the value, naming no flag
	// outside: the flag read the value but its range refuses it, and
	// err is a predicate of the flag ("must not be negative, not -1");
	// else err follows a colon.
	outside bool
	// values, when set, say which values the flag takes where its
	// description (describe) does not say it all.
	values string
}

// outOfRange is the error for flag's value outside its range, reason
// (a predicate of the flag) formatted with args.
func outOfRange(flag, reason string, args ...any) *flagError {
	return &flagError{flag: flag, err: fmt.Errorf(reason, args...), outside: true}
}

// badFlag is the error for flag's value that err refuses.
func badFlag(flag string, err error) *flagError {
	return &flagError{flag: flag, err: err}
}

// Error names the flag as the command line writes it:
// "--max-depth must not be negative, not -1", "--crashes: unknown ...".
func (e *flagError) Error() string {
	if e.outside {
		return "--" + e.flag + " " + e.err.Error()
	}
	return "--" + e.flag + ": " + e.err.Error()
}

func (e *flagError) Unwrap() error { return e.err }

// conflictError is config's error for two flags that cannot be given
// together, and why: the command line names the flags (--exact), a plan
// line its keys (exact).
type conflictError struct {
	flag, other, why string
}

func (e *conflictError) Error() string {
	return fmt.Sprintf("--%s cannot be used with --%s: %s", e.flag, e.other, e.why)
}

// defaultWorkers is the default number of workers: one per CPU.
func defaultWorkers() int { return min(runtime.NumCPU(), explorer.MaxWorkers) }

// defaultSearchFlags are the flags' defaults.
func defaultSearchFlags() searchFlags {
	return searchFlags{
		workers:          defaultWorkers(),
		crashes:          model.CrashAll.String(),
		determinism:      model.DeterminismSample.String(),
		progressInterval: 10 * time.Second,
		checkpoint:       explorer.DefaultCheckpointInterval,
	}
}

// flagUse says which of the search flags a command has.
type flagUse struct {
	// stored: the command continues a stored run, which fixes --exact,
	// --continue, --crashes and --determinism.
	stored bool
	// sharded: the command runs one shard of a check, which keeps no
	// bounds (--max-depth, --max-states, --memory, --time-limit) and
	// neither --exact nor --continue.
	sharded bool
	// pictures: the command draws one check's violating paths
	// (--trace-html, --trace-dot).
	pictures bool
	// checkpoints: the command can keep a store (check --store, resume),
	// whose commits --checkpoint-interval paces.
	checkpoints bool
}

// registerSearch adds to fl the flags of how the search goes that use
// asks for, with f's values as their defaults.
func (f *searchFlags) registerSearch(fl *pflag.FlagSet, use flagUse) {
	fl.IntVar(&f.workers, "workers", f.workers, fmt.Sprintf("worker goroutines, 1 to %d, one per CPU unless set", explorer.MaxWorkers))
	describe(fl, "workers", workersValues)
	if !use.sharded {
		fl.IntVar(&f.maxDepth, "max-depth", f.maxDepth, "stop, incomplete, at this depth (0: no bound)")
		describe(fl, "max-depth", "a whole number, 0 or more (0: no bound)")
		fl.Uint64Var(&f.maxStates, "max-states", f.maxStates, "stop, incomplete, past this many states (0: no bound)")
		describe(fl, "max-states", "a whole number, 0 or more (0: no bound)")
		fl.StringVar(&f.memory, "memory", f.memory, "memory budget of the visited set, parent records and level table, e.g. 2GiB or 500MB (default: half the physical memory)")
		mustName(fl, "memory", "be a size such as 2GiB or 500MB")
		fl.StringVar(&f.spill, "spill", f.spill, "when the visited set outgrows --memory, move it to disk in `DIR` (made then) instead of stopping (same counts and paths)")
		mustName(fl, "spill", "name a directory")
		fl.DurationVar(&f.timeLimit, "time-limit", f.timeLimit, "stop, incomplete, after this long (a Go duration such as 90s or 2h; 0: no bound)")
		describe(fl, "time-limit", "a duration such as 90s or 2h (0: no bound)")
	}
	if use.stored {
		return
	}
	if !use.sharded {
		fl.BoolVar(&f.exact, "exact", f.exact, "key states by their whole encoding instead of a 64-bit fingerprint")
	}
	fl.StringVar(&f.crashes, "crashes", f.crashes, "where crashes strike: all, no-nested (none during recovery), between-ops (none inside procedures)")
	fl.StringVar(&f.determinism, "determinism", f.determinism, "which procedure runs are run twice to check the layer code is deterministic: sample (every run of the first 4096 states or so, then a fixed sample) or full (every run)")
	if !use.sharded {
		fl.IntVar(&f.cont, "continue", f.cont, "keep exploring after a violation until this many distinct violations (by kind, operation and crash point) are found")
		describe(fl, "continue", "a whole number, 0 or more")
	}
}

// register adds to fl the search flags that use asks for.
func (f *searchFlags) register(fl *pflag.FlagSet, use flagUse) {
	f.registerSearch(fl, use)
	if use.checkpoints {
		fl.DurationVar(&f.checkpoint, "checkpoint-interval", f.checkpoint, "with a store, commit the run's progress at least this often, within a level too (what a killed run loses)")
		describe(fl, "checkpoint-interval", "a positive duration such as 30s or 5m")
	}
	fl.BoolVarP(&f.quiet, "quiet", "q", f.quiet, "show no progress while exploring")
	fl.DurationVar(&f.progressInterval, "progress-interval", f.progressInterval, "interval of the plain progress lines written when not on a terminal")
	describe(fl, "progress-interval", "a positive duration such as 10s or 1m")
	fl.BoolVar(&f.json, "json", f.json, "print one JSON object instead of the summary")
	fl.StringVar(&f.report, "report", f.report, "also write the JSON report to `FILE`")
	fl.StringVar(&f.junit, "junit", f.junit, "also write a JUnit XML report to `FILE`")
	mustName(fl, "report", "name a file")
	mustName(fl, "junit", "name a file")
	if use.pictures {
		whose := ""
		if use.sharded {
			// A Job's pods share their arguments: the other shards take
			// the flags, and leave the files alone.
			whose = " (shard 0's alone: the other shards leave FILE as it is)"
		}
		fl.StringVar(&f.traceHTML, "trace-html", f.traceHTML, "on a violation, write its paths as one self-contained HTML page to `FILE`; with none, remove an earlier run's FILE"+whose)
		fl.StringVar(&f.traceDOT, "trace-dot", f.traceDOT, "on a violation, write its paths as a Graphviz graph to `FILE`; with none, remove an earlier run's FILE"+whose)
		mustName(fl, "trace-html", "name a file")
		mustName(fl, "trace-dot", "name a file")
	}
}

// takesAnnotation is the annotation of a flag that says in words which
// values it takes, for the error that refuses a value it cannot read.
const takesAnnotation = "argocheck_takes"

// describe says in words which values flag name of fl takes; a flag not
// described is described by its type (typeValues).
func describe(fl *pflag.FlagSet, name, values string) {
	if err := fl.SetAnnotation(name, takesAnnotation, []string{values}); err != nil {
		panic(err) // no such flag: a mistake in this package
	}
}

// mustNameValue is the value of a flag that an empty value does not set:
// what says what the value must do instead ("name a file").
type mustNameValue struct {
	pflag.Value
	what string
}

// errEmpty is the cause of the error for an empty value of a flag that
// mustName marked.
var errEmpty = errors.New("empty value")

// Set refuses the empty string and sets any other value as the flag's own
// value does.
func (v mustNameValue) Set(s string) error {
	if s == "" {
		return errEmpty
	}
	return v.Value.Set(s)
}

// mustName makes an empty value of flag name of fl bad usage, refused
// with the words what ("name a file"). Such a flag given empty would
// otherwise mean its default or nothing, in silence: "$REPORT" of a
// variable that a nightly job did not set would write no report.
func mustName(fl *pflag.FlagSet, name, what string) {
	f := fl.Lookup(name)
	if f == nil {
		panic("cli: no flag --" + name) // a mistake in this package
	}
	f.Value = mustNameValue{f.Value, what}
	if f.DefValue == "[]" {
		f.DefValue = "" // an empty list: no "(default [])" in the help
	}
}

// emptyValue rewrites pflag's error for an empty value of a flag that
// mustName marked (`--report must name a file, not ""`); ok is false for
// any other error.
func emptyValue(err error) (msg string, ok bool) {
	e, ok := errors.AsType[*pflag.InvalidValueError](err)
	if !ok || !errors.Is(err, errEmpty) {
		return "", false
	}
	f := e.GetFlag()
	return fmt.Sprintf("--%s must %s, not \"\"", f.Name, f.Value.(mustNameValue).what), true
}

// typeValues say which values a flag of each type takes.
var typeValues = map[string]string{
	"bool":     "true or false",
	"int":      "an integer",
	"uint64":   "a whole number, 0 or more",
	"intSlice": "a list of integers separated by commas",
	"duration": "a duration such as 90s or 2h",
}

// badValue rewrites pflag's error for a value a flag cannot read, which
// quotes strconv or time, in words that say what the flag takes
// (`"-5" is not a whole number, 0 or more`), and returns the flag's name;
// ok is false for any other error.
func badValue(err error) (name, msg string, ok bool) {
	e, ok := errors.AsType[*pflag.InvalidValueError](err)
	if !ok {
		return "", "", false
	}
	f := e.GetFlag()
	values := typeValues[f.Value.Type()]
	if v := f.Annotations[takesAnnotation]; len(v) > 0 {
		values = v[0]
	}
	if values == "" {
		return "", "", false
	}
	return f.Name, fmt.Sprintf("%q is not %s", e.GetValue(), values), true
}

// config checks the flags and returns the search's configuration; a
// stored run sets Crashes and Determinism from its store.
func (f *searchFlags) config() (explorer.Config, error) {
	cfg := explorer.Config{Workers: f.workers, Exact: f.exact, MaxDepth: f.maxDepth, MaxStates: f.maxStates, Continue: f.cont, Spill: f.spill, CheckpointInterval: f.checkpoint}
	if err := checkWorkers(f.workers); err != nil {
		return cfg, err
	}
	var err error
	switch {
	case f.maxDepth < 0:
		return cfg, outOfRange("max-depth", "must not be negative, not %d", f.maxDepth)
	case f.timeLimit < 0:
		e := outOfRange("time-limit", "must not be negative, not %s", f.timeLimit)
		e.values = "a duration, 0 or more (0: no bound)"
		return cfg, e
	case f.checkpoint <= 0:
		return cfg, fmt.Errorf("--checkpoint-interval must be positive, not %s", f.checkpoint)
	case f.cont < 0:
		return cfg, outOfRange("continue", "must not be negative, not %d", f.cont)
	case f.progressInterval <= 0:
		return cfg, fmt.Errorf("--progress-interval must be positive, not %s", f.progressInterval)
	}
	if f.exact && f.spill != "" {
		return cfg, &conflictError{"exact", "spill", "exact keys hold every encoding in memory, which cannot spill"}
	}
	if f.spill != "" {
		if err := explorer.CheckSpill(f.spill); err != nil {
			return cfg, badFlag("spill", err)
		}
	}
	if cfg.MemoryBytes, err = parseBytes(f.memory); err != nil {
		return cfg, badFlag("memory", err)
	}
	if cfg.Crashes, err = model.ParseCrashMode(f.crashes); err != nil {
		return cfg, badFlag("crashes", err)
	}
	if cfg.Determinism, err = model.ParseDeterminism(f.determinism); err != nil {
		return cfg, badFlag("determinism", err)
	}
	return cfg, nil
}

// errTimeLimit is the cause of a context ended by --time-limit.
type errTimeLimit time.Duration

func (e errTimeLimit) Error() string { return fmt.Sprintf("time limit %s reached", time.Duration(e)) }

// explore runs one search, or resumes it from a checkpoint when from is
// set, with the flags' progress display and time limit, labelling
// progress lines with label.
func (f *searchFlags) explore(ctx context.Context, cmd *cobra.Command, label string, chk model.Checker, cfg explorer.Config, from *statestore.Saved) (*explorer.Result, error) {
	if f.timeLimit > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, f.timeLimit, errTimeLimit(f.timeLimit))
		defer cancel()
	}
	sink, interval := newProgress(cmd.OutOrStdout(), cmd.ErrOrStderr(), label, f.quiet, f.progressInterval)
	if sink != nil {
		g := &closingSink{sink: sink}
		cfg.Progress, cfg.ProgressInterval = g.update, interval
		defer g.close()
	}
	res, err := untilStopped(ctx, func() (*explorer.Result, error) {
		if from != nil {
			return explorer.Resume(ctx, chk, cfg, from)
		}
		return explorer.Run(ctx, chk, cfg)
	})
	if err != nil {
		if gaveUp(err) {
			return nil, err
		}
		return nil, searchFail(err)
	}
	return res, nil
}

// untilStopped runs search, a search on ctx, and returns what it
// returns, or gives it up when it has not returned stopGrace after ctx
// is done. Stopped, the workers finish the units they expand, which
// takes them a moment, unless layer code runs for ever without calling
// the lower layer (a loop that never ends), which no step limit counts
// and no search can interrupt. The command does not wait for it past
// stopGrace: the error is then a notStoppedError, with status 3 (see
// gaveUp), the command ends with no verdict, its reports saying why,
// and the process ends with the search's goroutines.
func untilStopped[R any](ctx context.Context, search func() (R, error)) (R, error) {
	type searched struct {
		res R
		err error
	}
	done := make(chan searched, 1)
	go func() {
		var s searched
		s.res, s.err = search()
		done <- s
	}()
	var s searched
	select {
	case s = <-done:
	case <-ctx.Done():
		t := time.NewTimer(stopGrace)
		defer t.Stop()
		select {
		case s = <-done:
		case <-t.C:
			var none R
			return none, &failure{ExitIncomplete, &notStoppedError{cause: context.Cause(ctx), grace: stopGrace}}
		}
	}
	return s.res, s.err
}

// gaveUp reports whether err is untilStopped's, of a search given up.
func gaveUp(err error) bool {
	f, ok := err.(*failure)
	if !ok {
		return false
	}
	_, ok = f.err.(*notStoppedError)
	return ok
}

// stopGrace is how long a search stopped by --time-limit or a signal may
// take to return before the command gives it up (notStoppedError). A
// variable, so that a test need not wait a minute.
var stopGrace = time.Minute

// notStoppedError is the error of a search that was stopped and had not
// returned stopGrace later: layer code running without end.
type notStoppedError struct {
	cause error
	grace time.Duration
}

func (e *notStoppedError) Error() string {
	return fmt.Sprintf("the search was stopped (%v) and had not ended %s later: layer code has run that long without returning or calling the lower layer (a loop that never ends?), which no step limit counts", e.cause, e.grace)
}

// closingSink passes a search's progress to sink until it is closed, and
// drops it after: a search that a command gave up (notStoppedError) may
// still report its progress while its goroutines run.
type closingSink struct {
	mu     sync.Mutex
	sink   progressSink
	closed bool
}

func (c *closingSink) update(p explorer.Progress) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed {
		c.sink.update(p)
	}
}

func (c *closingSink) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	c.sink.close()
}
