package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
)

// checkFlags are the flags of check.
type checkFlags struct {
	search  searchFlags
	params  paramFlags
	variant string
	modular bool
	store   string
	verbose bool
	// cpuProfile is where a CPU profile of the run is written, if set.
	cpuProfile string
}

func newCheck(cat *catalog.Catalog) (*cobra.Command, error) {
	f := checkFlags{search: defaultSearchFlags()}
	cmd := &cobra.Command{
		Use:   "check SYSTEM",
		Short: "Exhaustively check a system for recovery refinement",
		Long: `check explores the whole reachable state graph of SYSTEM (see
'argocheck list') and reports a verdict with its figures, and on a
violation the shortest path to it. The parameter flags set the system's
parameters; a system refuses those it does not take.

` + exitHelp(),
		Args: oneArg("check", "one SYSTEM (see 'argocheck list')"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCheck(cmd, cat, args[0], &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.variant, "variant", "correct", "implementation variant (see 'argocheck list')")
	fl.BoolVar(&f.modular, "modular", false, "check each layer against the specification below it, then the stack end to end")
	f.search.register(fl, flagUse{pictures: true, checkpoints: true})
	fl.StringVar(&f.store, "store", "", "keep the run in a persistent store in `DIR` (resumable; see resume, trace)")
	fl.BoolVar(&f.verbose, "verbose", false, "show the store's (badger's) log on stderr")
	fl.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to `FILE` (read it with 'go tool pprof')")
	mustName(fl, "variant", variantMust)
	mustName(fl, "store", "name a directory")
	mustName(fl, "cpuprofile", "name a file")
	var err error
	f.params, err = registerParams(fl, cat)
	return cmd, err
}

// signalContext returns a context cancelled by SIGINT or SIGTERM, which
// stop a search as incomplete. A variable, so that a test can wait until
// the command has seen the signal it sends.
var signalContext = func() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// build builds sys's check at complete parameters p and variant, and
// checks that it can run. A Build that panics, or returns neither a
// check nor an error, is bad input too: the error names the system, and
// for a panic the value and the line.
func build(sys *catalog.System, p catalog.Params, variant string) (model.Checker, error) {
	chk, err := callBuild(sys, p, variant)
	if err == nil && chk == nil {
		err = fmt.Errorf("Build returned no check (a nil model.Checker) and no error, for variant %s", variantName(variant))
	}
	if err == nil {
		err = chk.Validate()
	}
	if err != nil {
		return nil, usagef("%s: %v", sys.Name, err)
	}
	return chk, nil
}

// callBuild calls sys.Build, its panic an error naming the value and the
// line that panicked.
func callBuild(sys *catalog.System, p catalog.Params, variant string) (chk model.Checker, err error) {
	defer panicked("Build", variant, &err)
	return sys.BuildRebuilt(p, variant)
}

// callModular calls sys.Modular, its panic an error naming the value and
// the line that panicked: catalog.New calls it at the defaults only.
func callModular(sys *catalog.System, p catalog.Params, variant string) (parts []catalog.Part, err error) {
	defer panicked("Modular", variant, &err)
	return sys.Modular(p, variant)
}

// panicked, deferred by a call of the catalogue's function named what,
// makes its panic the call's error *err, naming the value and the line
// that panicked.
func panicked(what, variant string, err *error) {
	if r := recover(); r != nil {
		at := ""
		if site := panicSite(); site != "" {
			at = " at " + site
		}
		*err = fmt.Errorf("%s panicked%s, for variant %s: %v", what, at, variantName(variant), r)
	}
}

// panicSite returns "dir/file.go:line" of the innermost frame of a panic
// outside the runtime and catalog.Params's methods (which panic at a
// parameter their caller misnamed): the code that panicked. It is called
// from the deferred function that recovers.
func panicSite() string {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, "runtime.") && !strings.HasPrefix(f.Function, paramsMethods) && f.File != "" {
			return filepath.Join(filepath.Base(filepath.Dir(f.File)), filepath.Base(f.File)) + fmt.Sprintf(":%d", f.Line)
		}
		if !more {
			return ""
		}
	}
}

// paramsMethods begins the function name of every method of catalog.Params.
var paramsMethods = reflect.TypeFor[catalog.Params]().PkgPath() + ".Params."

// chosen returns the system named name, its parameters from the flags,
// checked with variant, and the search's configuration from the search
// flags: what check and shard start from.
func chosen(cmd *cobra.Command, cat *catalog.Catalog, name string, pf *paramFlags, variant string, sf *searchFlags) (*catalog.System, catalog.Params, explorer.Config, error) {
	var cfg explorer.Config
	sys, err := cat.Lookup(name)
	if err != nil {
		return nil, nil, cfg, usage(withValueAfterBool(cmd, name, err))
	}
	p, err := pf.params(sys)
	if err != nil {
		return nil, nil, cfg, usage(err)
	}
	if p, err = checkParams(sys, p, variant); err != nil {
		return nil, nil, cfg, usage(flagRange(err))
	}
	if cfg, err = sf.config(); err != nil {
		return nil, nil, cfg, usage(err)
	}
	return sys, p, cfg, nil
}

func runCheck(cmd *cobra.Command, cat *catalog.Catalog, name string, f *checkFlags) error {
	f.variant = variantArg(f.variant)
	sys, p, cfg, err := chosen(cmd, cat, name, &f.params, f.variant, &f.search)
	if err != nil {
		return err
	}
	if err := f.search.checkPaths(cmd, []ownDir{{name: "--store " + f.store, dir: f.store}}, [2]string{"cpuprofile", f.cpuProfile}); err != nil {
		return err
	}
	if err := f.search.clearOutputs(); err != nil {
		return err
	}
	if f.store == "" && cmd.Flags().Changed("checkpoint-interval") {
		return usagef("--checkpoint-interval needs --store: a run without a store keeps no checkpoints")
	}
	if f.cpuProfile != "" {
		stop, err := startCPUProfile(f.cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	if f.store != "" {
		return runCheckStored(cmd, sys, p, f, cfg)
	}
	if f.modular {
		return runModular(cmd, cat, sys, p, f.variant, &f.search, cfg)
	}
	chk, err := build(sys, p, f.variant)
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	res, err := f.search.explore(ctx, cmd, "", chk, cfg, nil)
	if err != nil {
		// No verdict: --json and the report files say so, the files in
		// place of what an earlier run left there, and the command ends
		// with the error.
		rep := newReport(sys, p, f.variant, cfg, &explorer.Result{})
		return f.search.settleError(cmd.OutOrStdout(), rep, err)
	}
	rep := newReport(sys, p, f.variant, cfg, res).standalone()
	return printAndSettle(cmd.OutOrStdout(), rep, f.search.json, verdictStatus(res.Verdict), f.search.checkOutputs(rep))
}

// startCPUProfile starts a CPU profile written to path and returns the
// function that ends it.
func startCPUProfile(path string) (func(), error) {
	out, err := os.Create(path)
	if err != nil {
		return nil, usagef("--cpuprofile: %v", err)
	}
	if err := pprof.StartCPUProfile(out); err != nil {
		out.Close()
		return nil, usagef("--cpuprofile: %v", err)
	}
	return func() {
		pprof.StopCPUProfile()
		out.Close()
	}, nil
}
