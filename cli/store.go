package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
	"github.com/argocheck/argocheck/statestore/persist"
)

// createStore and openStore create and open a store: persist.Create and
// persist.Open, which tests replace.
var (
	createStore = persist.Create
	openStore   = persist.Open
)

// storeOptions returns the store's options for the --verbose flag, with
// this program's build: a store another build made is refused.
func storeOptions(cmd *cobra.Command, verbose bool) persist.Options {
	o := persist.Options{Build: buildID()}
	if verbose {
		o.Log = cmd.ErrOrStderr()
	}
	return o
}

// storedRun is the check of a stored run, rebuilt from its header.
type storedRun struct {
	sys    *catalog.System
	params catalog.Params
	chk    model.Checker
	// crashes and determinism are the stored run's modes.
	crashes     model.CrashMode
	determinism model.Determinism
}

// header is the stored form of a check: what a store records of it, with
// the build that explores it.
func header(sys *catalog.System, p catalog.Params, variant string, cfg explorer.Config) persist.Header {
	h := persist.Header{System: sys.Name, Variant: variant, Params: storedParams(sys, p), Build: buildID()}
	if cfg.Crashes != model.CrashAll {
		h.Crash = cfg.Crashes.String()
	}
	if cfg.Determinism != model.DeterminismSample {
		h.Determinism = cfg.Determinism.String()
	}
	return h
}

// openRun rebuilds the check of the run stored in st, of one of cat's
// systems; its errors are bad input.
func openRun(cat *catalog.Catalog, st *persist.Store) (*storedRun, error) {
	h := st.Header()
	bad := func(err error) error { return usagef("%s: the stored run: %v", st.Dir(), err) }
	sys, err := cat.Lookup(h.System)
	if err != nil {
		return nil, bad(err)
	}
	r := &storedRun{sys: sys}
	if r.params, err = readParams(sys, h.Params); err != nil {
		return nil, bad(err)
	}
	if err := sys.Validate(r.params, h.Variant); err != nil {
		return nil, bad(err)
	}
	if r.crashes, err = model.ParseCrashMode(cmp.Or(h.Crash, model.CrashAll.String())); err != nil {
		return nil, bad(err)
	}
	if r.determinism, err = model.ParseDeterminism(cmp.Or(h.Determinism, model.DeterminismSample.String())); err != nil {
		return nil, bad(err)
	}
	if r.chk, err = build(sys, r.params, h.Variant); err != nil {
		return nil, bad(err)
	}
	return r, nil
}

// notURL refuses a store directory written as a URL (file:///tmp/run),
// which would otherwise name a directory "file:" in the working
// directory; what names it in errors ("--store", "resume").
func notURL(what, dir string) error {
	u, err := url.Parse(dir)
	if err != nil || u.Scheme == "" || !strings.Contains(dir, "://") {
		return nil
	}
	hint := "a run shared through object storage is 'argocheck shard --exchange URL'"
	if u.Scheme == "file" {
		meant := u.Path
		if u.Host == "." {
			meant = "." + u.Path // file://./run, the driver's relative directory
		} else if u.Host != "localhost" {
			meant = path.Join("/", u.Host, u.Path) // file://tmp/run, meant as file:///tmp/run
		}
		hint = "give the directory itself, " + meant
	}
	return usagef("%s %s: a store is a directory on this machine, not a URL: %s", what, dir, hint)
}

// runCheckStored is check --store: a new persistent run.
func runCheckStored(cmd *cobra.Command, sys *catalog.System, p catalog.Params, f *checkFlags, cfg explorer.Config) error {
	if err := notURL("--store", f.store); err != nil {
		return err
	}
	switch {
	case f.search.exact:
		return usagef("--exact cannot be used with --store: a store keys states by fingerprint")
	case f.modular:
		return usagef("--modular cannot be used with --store: a store holds one check")
	case f.search.cont > 1:
		return usagef("--continue cannot be used with --store: a store keeps the first violation only")
	}
	if err := knownBuild("--store " + f.store); err != nil {
		return err
	}
	chk, err := build(sys, p, f.variant)
	if err != nil {
		return err
	}
	// Signals are caught from here on: one that comes while the store is
	// made stops the search before it starts.
	ctx, stop := signalContext()
	defer stop()
	st, err := createStore(f.store, header(sys, p, f.variant, cfg), storeOptions(cmd, f.verbose))
	if err != nil {
		return storeFail(err)
	}
	r := &storedRun{sys: sys, params: p, chk: chk, crashes: cfg.Crashes, determinism: cfg.Determinism}
	return exploreStored(ctx, cmd, st, r, cfg, &f.search)
}

// exploreStored runs or resumes a persistent search, prints its verdict,
// and then records it in the store and writes the report files. ctx ends
// with the signals that stop the search, caught since before the store
// was opened.
func exploreStored(ctx context.Context, cmd *cobra.Command, st *persist.Store, r *storedRun, cfg explorer.Config, f *searchFlags) error {
	from, err := st.Resumable()
	if err != nil {
		st.Close()
		return storeFail(err)
	}
	cfg.Checkpoint, cfg.Crashes, cfg.Determinism = st, r.crashes, r.determinism
	res, err := f.explore(ctx, cmd, "", r.chk, cfg, from)
	if fe, ok := err.(*failure); ok && isStoreInput(fe.err) {
		// A record the search found damaged as it read the store: the
		// store is refused, as one damaged elsewhere is when opened.
		st.Close()
		return usage(fe.err)
	}
	if err != nil {
		// No verdict: as check's, --json and the report files say so.
		// The store keeps its last complete level.
		st.Close()
		rep := newReport(r.sys, r.params, st.Header().Variant, cfg, &explorer.Result{})
		return f.settleError(cmd.OutOrStdout(), rep, err)
	}
	rep := newReport(r.sys, r.params, st.Header().Variant, cfg, res).standalone()
	status, printed := printFirst(cmd.OutOrStdout(), rep, f.json, verdictStatus(res.Verdict))
	if res.Verdict == explorer.Incomplete {
		name := cmd.Root().Name()
		fmt.Fprintf(cmd.ErrOrStderr(), "%s: stopped (%s) after level %d; resume with: %s resume %s\n", name, res.Stopped, st.Depth(), name, st.Dir())
	}
	record := output{name: "the store " + st.Dir(), save: func() error {
		var err error
		if res.Verdict != explorer.Incomplete {
			err = st.Finish(res.Outcome())
		}
		return errors.Join(err, st.Close())
	}}
	return withSearchError(printed, settle(status, []output{record}, f.checkOutputs(rep)))
}

// resumeFlags are the flags of resume.
type resumeFlags struct {
	search  searchFlags
	verbose bool
}

func newResume(cat *catalog.Catalog) *cobra.Command {
	f := resumeFlags{search: defaultSearchFlags()}
	cmd := &cobra.Command{
		Use:   "resume DIR",
		Short: "Continue a stopped persistent check from its last commit",
		Long: `resume continues the check stored in DIR (by 'argocheck check ... --store DIR')
from its last commit (the end of a level, or of a part within one: see
--checkpoint-interval), with the system, variant, parameters, crash
mode and determinism mode read from the store. Its verdict and counts are
those of a check that never stopped. The workers it reports (workers=,
and workers in --json and --report) are its own --workers, which ran the
parts after the stop: the store does not record those of the runs
before, and the verdict and counts are the same for any number. On a
finished run it prints the stored verdict and exits with its status. A store belongs to the build
that made it ('argocheck --version' prints the build): another build's
store is refused.

` + exitHelp(),
		Args:        oneArg("resume", "one store DIR"),
		Annotations: map[string]string{storeArgAnnotation: ""},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runResume(cmd, cat, args[0], &f)
		},
	}
	fl := cmd.Flags()
	f.search.register(fl, flagUse{stored: true, pictures: true, checkpoints: true})
	fl.BoolVar(&f.verbose, "verbose", false, "show the store's (badger's) log on stderr")
	return cmd
}

func runResume(cmd *cobra.Command, cat *catalog.Catalog, dir string, f *resumeFlags) error {
	if err := notURL("resume", dir); err != nil {
		return err
	}
	cfg, err := f.search.config()
	if err != nil {
		return usage(err)
	}
	if err := f.search.checkPaths(cmd, []ownDir{{name: "the store " + dir, dir: dir}}); err != nil {
		return err
	}
	if err := f.search.clearOutputs(); err != nil {
		return err
	}
	if err := knownBuild("resume " + dir); err != nil {
		return err
	}
	// Signals are caught from here on: one that comes while the store is
	// read stops the search before it starts.
	ctx, stop := signalContext()
	defer stop()
	st, err := openStore(dir, storeOptions(cmd, f.verbose))
	if err != nil {
		return storeFail(err)
	}
	r, err := openRun(cat, st)
	if err != nil {
		st.Close()
		return err
	}
	if st.Outcome() == nil {
		return exploreStored(ctx, cmd, st, r, cfg, &f.search)
	}
	res, err := storedResult(st, r)
	st.Close()
	if err != nil {
		return err
	}
	cfg.Crashes, cfg.Determinism = r.crashes, r.determinism
	rep := newReport(r.sys, r.params, st.Header().Variant, cfg, res).standalone()
	status, printed := printFirst(cmd.OutOrStdout(), rep, f.search.json, verdictStatus(res.Verdict))
	fmt.Fprintf(cmd.ErrOrStderr(), "%s: %s holds a finished run (verdict %s): nothing to resume\n", cmd.Root().Name(), dir, res.Verdict)
	return withSearchError(printed, settle(status, f.search.checkOutputs(rep)))
}

// storedResult returns a finished run's result with its paths rebuilt.
func storedResult(st *persist.Store, r *storedRun) (*explorer.Result, error) {
	cfg := explorer.Config{Crashes: r.crashes, Determinism: r.determinism}
	res, err := explorer.Restore(r.chk, cfg, st.Outcome(), st.Parent)
	if err != nil {
		return nil, ioFail(fmt.Errorf("%s: %w", st.Dir(), err))
	}
	return res, nil
}

// traceFlags are the flags of trace.
type traceFlags struct {
	json    bool
	format  string
	verbose bool
}

func newTrace(cat *catalog.Catalog) *cobra.Command {
	var f traceFlags
	cmd := &cobra.Command{
		Use:   "trace DIR",
		Short: "Print the violating paths recorded in a store",
		Long: `trace prints the violations of the finished check stored in DIR, each with
its shortest path, rebuilt from the stored parent records and replayed
through the layer code, so that every primitive step shows as in the
check's own output.

` + exitHelp(),
		Args:        oneArg("trace", "one store DIR"),
		Annotations: map[string]string{storeArgAnnotation: ""},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTrace(cmd, cat, args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.json, "json", false, "print one JSON object instead of the paths")
	fl.StringVar(&f.format, "format", "text", "output format: text, or json (as --json)")
	fl.BoolVar(&f.verbose, "verbose", false, "show the store's (badger's) log on stderr")
	return cmd
}

// traceReport is the trace command's report: a stored run's violations.
type traceReport struct {
	Argocheck version          `json:"argocheck"`
	System    string           `json:"system"`
	Variant   string           `json:"variant"`
	Params    map[string]any   `json:"params"`
	Verdict   explorer.Verdict `json:"verdict"`
	// Narrowed names the stored run's crash mode when it is not the full
	// semantics, as in a check report.
	Narrowed   string             `json:"narrowed,omitempty"`
	Violations []*violationReport `json:"violations"`
	words      []string
}

func (t *traceReport) writeText(w io.Writer) {
	fmt.Fprintf(w, "system=%s variant=%s %s verdict=%s", t.System, t.Variant, strings.Join(t.words, " "), t.Verdict)
	if t.Narrowed != "" {
		fmt.Fprintf(w, " (narrowed: %s)", t.Narrowed)
	}
	fmt.Fprintf(w, " violations=%d\n", len(t.Violations))
	writeViolations(w, t.Violations)
}

func runTrace(cmd *cobra.Command, cat *catalog.Catalog, dir string, f traceFlags) error {
	if !slices.Contains([]string{"text", "json"}, f.format) {
		return usagef("--format must be text or json, not %q", f.format)
	}
	if f.json && cmd.Flags().Changed("format") && f.format != "json" {
		return usagef("--json and --format %s ask for two formats: give one", f.format)
	}
	if err := notURL("trace", dir); err != nil {
		return err
	}
	if err := knownBuild("trace " + dir); err != nil {
		return err
	}
	st, err := persist.OpenReadOnly(dir, storeOptions(cmd, f.verbose))
	if err != nil {
		return storeFail(err)
	}
	defer st.Close()
	r, err := openRun(cat, st)
	if err != nil {
		return err
	}
	if st.Outcome() == nil {
		return usagef("%s holds an unfinished run, with no verdict yet: continue it with 'argocheck resume %s'", dir, dir)
	}
	res, err := storedResult(st, r)
	if err != nil {
		return err
	}
	cfg := explorer.Config{Crashes: r.crashes, Determinism: r.determinism}
	rep := newReport(r.sys, r.params, st.Header().Variant, cfg, res)
	t := &traceReport{
		Argocheck: reportVersion(), System: rep.System, Variant: rep.Variant, Params: rep.Params,
		Verdict: rep.Verdict, Narrowed: rep.Narrowed, Violations: append([]*violationReport{}, rep.Violations...), words: rep.words,
	}
	return printReport(cmd.OutOrStdout(), t, f.json || f.format == "json")
}
