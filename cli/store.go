package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/model"
	"github.com/argocheck/argocheck/statestore/persist"
)

// storeOptions returns the store's options for the --verbose flag.
func storeOptions(cmd *cobra.Command, verbose bool) persist.Options {
	if verbose {
		return persist.Options{Log: cmd.ErrOrStderr()}
	}
	return persist.Options{}
}

// runParams is the stored form of a system's parameters.
func runParams(sys *layers.System, p catalog.Params) map[string]string {
	m := map[string]string{"oob": strconv.FormatBool(p.OOB)}
	for _, q := range sys.Params {
		switch q.Name {
		case "blocks":
			m[q.Name] = strconv.Itoa(p.Blocks)
		case "values":
			m[q.Name] = strconv.Itoa(p.Values)
		case "log":
			m[q.Name] = strconv.Itoa(p.Log)
		}
	}
	return m
}

// storedCheck rebuilds the check of a stored run.
func storedCheck(st *persist.Store) (*layers.System, catalog.Params, model.Checker, error) {
	run := st.Header()
	var p catalog.Params
	sys, err := layers.Lookup(run.System)
	if err != nil {
		return nil, p, nil, fmt.Errorf("%s: the stored run's %v", st.Dir(), err)
	}
	bad := func(name string) error {
		return fmt.Errorf("%s: the stored run's parameter %s=%q does not fit system %s", st.Dir(), name, run.Params[name], sys.Name)
	}
	want := runParams(sys, p)
	for name := range run.Params {
		if _, ok := want[name]; !ok {
			return nil, p, nil, bad(name)
		}
	}
	for name := range want {
		v, ok := run.Params[name]
		if !ok {
			return nil, p, nil, fmt.Errorf("%s: the stored run has no parameter %s", st.Dir(), name)
		}
		if name == "oob" {
			if p.OOB, err = strconv.ParseBool(v); err != nil {
				return nil, p, nil, bad(name)
			}
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, p, nil, bad(name)
		}
		switch name {
		case "blocks":
			p.Blocks = n
		case "values":
			p.Values = n
		case "log":
			p.Log = n
		}
	}
	if err := sys.Validate(p, run.Variant); err != nil {
		return nil, p, nil, fmt.Errorf("%s: the stored run: %v", st.Dir(), err)
	}
	chk, err := sys.Build(p, run.Variant)
	if err != nil {
		return nil, p, nil, fmt.Errorf("%s: the stored run: %v", st.Dir(), err)
	}
	if run.Crash != "" {
		if _, err := model.ParseCrashMode(run.Crash); err != nil {
			return nil, p, nil, fmt.Errorf("%s: the stored run's crash mode: %v", st.Dir(), err)
		}
	}
	return sys, p, chk, nil
}

// storedCrashes returns the crash mode of a stored run that storedCheck
// accepted.
func storedCrashes(st *persist.Store) model.CrashMode {
	mode, _ := model.ParseCrashMode(cmp.Or(st.Header().Crash, model.CrashAll.String()))
	return mode
}

// runCheckStored is check --store: a new persistent run.
func runCheckStored(cmd *cobra.Command, name string, sys *layers.System, p catalog.Params, f checkFlags) error {
	switch {
	case f.exact:
		return usageError{fmt.Errorf("--exact cannot be used with --store: a store keys states by fingerprint")}
	case f.modular:
		return usageError{fmt.Errorf("--modular cannot be used with --store: a store holds one check")}
	case f.out.cont > 1:
		return usageError{fmt.Errorf("--continue cannot be used with --store: a store keeps the first violation only")}
	}
	chk, err := sys.Build(p, f.variant)
	if err != nil {
		return usageError{err}
	}
	run := persist.Header{System: sys.Name, Variant: f.variant, Params: runParams(sys, p)}
	if f.crashMode != model.CrashAll {
		run.Crash = f.crashMode.String()
	}
	st, err := persist.Create(f.store, run, storeOptions(cmd, f.verbose))
	if err != nil {
		return usageError{err}
	}
	cfg := explorer.Config{Workers: f.workers, MaxDepth: f.maxDepth, MaxStates: f.maxStates, MemoryBytes: f.memoryBytes, Crashes: f.crashMode}
	return explore(cmd, st, sys, p, chk, cfg, &f.out, f.json)
}

// explore runs or resumes (when out.from is set) a persistent search with
// out's progress and time limit, records its outcome, and reports it.
func explore(cmd *cobra.Command, st *persist.Store, sys *layers.System, p catalog.Params, chk model.Checker,
	cfg explorer.Config, out *outputFlags, asJSON bool) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg.Checkpoint = st
	res, err := out.explore(ctx, cmd, "", chk, cfg)
	if err == nil && res.Verdict != explorer.Incomplete {
		err = st.Finish(res.Outcome())
	}
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	rep := storedReport(st, sys, p, cfg.Workers, res)
	if err := out.writeFiles(rep, res); err != nil {
		return err
	}
	if err := writeReport(cmd.OutOrStdout(), rep, asJSON); err != nil {
		return err
	}
	if res.Verdict == explorer.Incomplete {
		fmt.Fprintf(cmd.ErrOrStderr(), "argocheck: stopped (%s) after level %d; resume with: argocheck resume %s\n", res.Stopped, st.Depth(), st.Dir())
	}
	return verdictExit(res.Verdict)
}

// storedReport is the report of a stored run's result.
func storedReport(st *persist.Store, sys *layers.System, p catalog.Params, workers int, res *explorer.Result) *report {
	rep := newReport(sys, p, st.Header().Variant, workers, res)
	if c := st.Header().Crash; c != "" {
		rep.Params["crashes"] = c
	}
	return rep
}

func writeReport(w io.Writer, rep *report, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	rep.writeText(w)
	return nil
}

// resumeFlags are the flags of resume.
type resumeFlags struct {
	workers   int
	maxDepth  int
	maxStates uint64
	memory    string
	json      bool
	verbose   bool
	out       outputFlags
}

func newResume() *cobra.Command {
	var f resumeFlags
	cmd := &cobra.Command{
		Use:   "resume DIR",
		Short: "Continue a stopped persistent check from its last complete level",
		Long: `resume continues the check stored in DIR (by 'argocheck check ... --store DIR')
from its last complete level, with the system, variant and parameters read
from the store. Its verdict and counts are those of a check that never
stopped. On a finished run it prints the stored verdict and exits with its
status.`,
		Args: oneArg("resume", "one store DIR"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runResume(cmd, args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&f.workers, "workers", runtime.NumCPU(), "worker goroutines")
	fl.IntVar(&f.maxDepth, "max-depth", 0, "stop, incomplete, at this depth (0: no bound)")
	fl.Uint64Var(&f.maxStates, "max-states", 0, "stop, incomplete, past this many states (0: no bound)")
	fl.StringVar(&f.memory, "memory", "", "memory budget of the visited set and parent records, e.g. 2GiB or 500MB (default: half the physical memory)")
	fl.BoolVar(&f.json, "json", false, "print one JSON object instead of the summary")
	fl.BoolVar(&f.verbose, "verbose", false, "show the store's (badger's) log on stderr")
	f.out.register(fl, false)
	return cmd
}

func runResume(cmd *cobra.Command, dir string, f resumeFlags) error {
	if f.workers < 1 {
		return usageError{fmt.Errorf("--workers must be at least 1, not %d", f.workers)}
	}
	if err := f.out.validate(); err != nil {
		return usageError{err}
	}
	if f.out.cont > 1 {
		return usageError{fmt.Errorf("--continue cannot be used with a store: a store keeps the first violation only")}
	}
	memory, err := parseBytes(f.memory)
	if err != nil {
		return usageError{fmt.Errorf("--memory: %v", err)}
	}
	st, err := persist.Open(dir, storeOptions(cmd, f.verbose))
	if err != nil {
		return usageError{err}
	}
	sys, p, chk, err := storedCheck(st)
	if err != nil {
		st.Close()
		return usageError{err}
	}
	if st.Outcome() != nil {
		res, err := storedResult(st, chk)
		st.Close()
		if err != nil {
			return usageError{err}
		}
		if err := writeReport(cmd.OutOrStdout(), storedReport(st, sys, p, f.workers, res), f.json); err != nil {
			return err
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "argocheck: %s holds a finished run (verdict %s): nothing to resume\n", dir, res.Verdict)
		return verdictExit(res.Verdict)
	}
	if f.out.from, err = st.Saved(); err != nil {
		st.Close()
		return usageError{err}
	}
	cfg := explorer.Config{Workers: f.workers, MaxDepth: f.maxDepth, MaxStates: f.maxStates, MemoryBytes: memory, Crashes: storedCrashes(st)}
	return explore(cmd, st, sys, p, chk, cfg, &f.out, f.json)
}

// traceFlags are the flags of trace.
type traceFlags struct {
	format  string
	verbose bool
}

// traceFormats are the formats trace writes.
var traceFormats = []string{"text", "json"}

func newTrace() *cobra.Command {
	var f traceFlags
	cmd := &cobra.Command{
		Use:   "trace DIR",
		Short: "Print the violating paths recorded in a store",
		Long: `trace prints the violations of the finished check stored in DIR, each with
its shortest path, rebuilt from the stored parent records and replayed
through the layer code, so that every primitive step shows as in the
check's own output.`,
		Args: oneArg("trace", "one store DIR"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTrace(cmd, args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.format, "format", "text", "output format: text or json")
	fl.BoolVar(&f.verbose, "verbose", false, "show the store's (badger's) log on stderr")
	return cmd
}

// tracedViolation is one violation of the trace command's JSON output.
type tracedViolation struct {
	Kind        string       `json:"kind"`
	Message     string       `json:"message"`
	TraceLength int          `json:"trace_length"`
	Trace       []model.Step `json:"trace"`
}

// traceReport is the trace command's JSON output.
type traceReport struct {
	System     string            `json:"system"`
	Variant    string            `json:"variant"`
	Params     map[string]string `json:"params"`
	Verdict    string            `json:"verdict"`
	Violations []tracedViolation `json:"violations"`
}

func runTrace(cmd *cobra.Command, dir string, f traceFlags) error {
	if !slices.Contains(traceFormats, f.format) {
		return usageError{fmt.Errorf("--format must be text or json, not %q", f.format)}
	}
	st, err := persist.OpenReadOnly(dir, storeOptions(cmd, f.verbose))
	if err != nil {
		return usageError{err}
	}
	defer st.Close()
	_, _, chk, err := storedCheck(st)
	if err != nil {
		return usageError{err}
	}
	o := st.Outcome()
	if o == nil {
		return usageError{fmt.Errorf("%s holds an unfinished run, with no verdict yet: continue it with 'argocheck resume %s'", dir, dir)}
	}
	run := st.Header()
	variant := run.Variant
	if variant == "" {
		variant = "correct"
	}
	out := traceReport{System: run.System, Variant: variant, Params: run.Params, Verdict: o.Verdict, Violations: []tracedViolation{}}
	res, err := storedResult(st, chk)
	if err != nil {
		return err
	}
	for _, ce := range res.Violations {
		v, t := ce.Violation, ce.Trace
		out.Violations = append(out.Violations, tracedViolation{Kind: v.Kind, Message: v.Message, TraceLength: t.Len(), Trace: t.Steps})
	}
	w := cmd.OutOrStdout()
	if f.format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Fprintf(w, "%s verdict=%s violations=%d\n", run, o.Verdict, len(out.Violations))
	for _, v := range out.Violations {
		t := model.Trace{Steps: v.Trace}
		fmt.Fprintf(w, "\nviolation=%s trace_length=%d\n%s\n\nshortest path:\n%s", v.Kind, v.TraceLength, v.Message, t.String())
	}
	return nil
}

// storedResult returns a finished run's result with its paths rebuilt.
func storedResult(st *persist.Store, chk model.Checker) (*explorer.Result, error) {
	res, err := explorer.Restore(chk, explorer.Config{Crashes: storedCrashes(st)}, st.Outcome(), st.Parent)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", st.Dir(), err)
	}
	return res, nil
}
