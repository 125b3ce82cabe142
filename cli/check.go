package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/model"
)

// checkFlags are the flags of check.
type checkFlags struct {
	blocks, values, log int
	oob                 bool
	variant             string
	workers             int
	exact               bool
	maxDepth            int
	maxStates           uint64
	json                bool
	memory              string
	memoryBytes         uint64 // --memory, parsed
	modular             bool
	out                 outputFlags
	crashes             string
	crashMode           model.CrashMode // crashes, parsed
	store               string
	verbose             bool
}

func newCheck() *cobra.Command {
	var f checkFlags
	cmd := &cobra.Command{
		Use:   "check SYSTEM",
		Short: "Exhaustively check a system for recovery refinement",
		Long: `check explores the whole reachable state graph of SYSTEM (see 'argocheck
list') and reports a verdict with its figures, and on a violation the
shortest path to it.`,
		Args: oneArg("check", "one SYSTEM (see 'argocheck list')"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCheck(cmd, args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&f.blocks, "blocks", 0, "data blocks per disk (default: the system's)")
	fl.IntVar(&f.values, "values", 0, "client values 0..values-1 (default: the system's)")
	fl.IntVar(&f.log, "log", 0, "log capacity, for log systems (default: the system's)")
	fl.BoolVar(&f.oob, "oob", false, "include one out-of-bounds address in the operations")
	fl.StringVar(&f.variant, "variant", "", "implementation variant (see 'argocheck list')")
	fl.IntVar(&f.workers, "workers", runtime.NumCPU(), "worker goroutines")
	fl.BoolVar(&f.exact, "exact", false, "key states by their whole encoding instead of a 64-bit fingerprint")
	fl.IntVar(&f.maxDepth, "max-depth", 0, "stop, incomplete, at this depth (0: no bound)")
	fl.Uint64Var(&f.maxStates, "max-states", 0, "stop, incomplete, past this many states (0: no bound)")
	fl.BoolVar(&f.json, "json", false, "print one JSON object instead of the summary")
	fl.StringVar(&f.memory, "memory", "", "memory budget of the visited set and parent records, e.g. 2GiB or 500MB (default: half the physical memory)")
	fl.BoolVar(&f.modular, "modular", false, "check each layer against the specification below it, then the stack end to end")
	f.out.register(fl, true)
	fl.StringVar(&f.crashes, "crashes", "all", "where crashes strike: all, no-nested (none during recovery), between-ops (none inside procedures)")
	fl.StringVar(&f.store, "store", "", "keep the run in a persistent store in `DIR` (resumable; see resume, trace)")
	fl.BoolVar(&f.verbose, "verbose", false, "show the store's (badger's) log on stderr")
	return cmd
}

func runCheck(cmd *cobra.Command, name string, f checkFlags) error {
	sys, err := layers.Lookup(name)
	if err != nil {
		return usageError{err}
	}
	p := sys.Defaults()
	fl := cmd.Flags()
	if fl.Changed("blocks") {
		p.Blocks = f.blocks
	}
	if fl.Changed("values") {
		p.Values = f.values
	}
	if fl.Changed("log") {
		p.Log = f.log
	}
	for _, name := range []string{"blocks", "values", "log"} {
		if fl.Changed(name) && !sys.Has(name) {
			return usageError{fmt.Errorf("%s takes no --%s (see 'argocheck list')", sys.Name, name)}
		}
	}
	p.OOB = f.oob
	if err := sys.Validate(p, f.variant); err != nil {
		return usageError{err}
	}
	if f.workers < 1 {
		return usageError{fmt.Errorf("--workers must be at least 1, not %d", f.workers)}
	}
	if err := f.out.validate(); err != nil {
		return usageError{err}
	}
	if f.memoryBytes, err = parseBytes(f.memory); err != nil {
		return usageError{fmt.Errorf("--memory: %v", err)}
	}
	crashes, err := model.ParseCrashMode(f.crashes)
	if err != nil {
		return usageError{fmt.Errorf("--crashes: %v", err)}
	}
	f.crashMode = crashes
	if f.store != "" {
		return runCheckStored(cmd, name, sys, p, f)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if f.modular {
		if f.out.traceHTML != "" || f.out.traceDOT != "" {
			return usageError{fmt.Errorf("--trace-html and --trace-dot draw one check's paths, not a --modular check's")}
		}
		return runModular(ctx, cmd, sys, p, f.variant, f)
	}
	chk, err := sys.Build(p, f.variant)
	if err != nil {
		return usageError{err}
	}
	cfg := explorer.Config{Workers: f.workers, Exact: f.exact, MaxDepth: f.maxDepth, MaxStates: f.maxStates, MemoryBytes: f.memoryBytes, Crashes: crashes}
	res, err := f.out.explore(ctx, cmd, "", chk, cfg)
	if err != nil {
		return err
	}
	rep := newReport(sys, p, f.variant, f.workers, res)
	noteCrashes(rep, crashes)
	if err := f.out.writeFiles(rep, res); err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if f.json {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		rep.writeText(out)
	}
	return verdictExit(res.Verdict)
}

func verdictExit(v explorer.Verdict) error {
	switch v {
	case explorer.Violated:
		return exitError{exitViolation}
	case explorer.Incomplete:
		return exitError{exitIncomplete}
	}
	return nil
}

// noteCrashes records a narrowed crash mode in the report's parameters.
func noteCrashes(rep *report, mode model.CrashMode) {
	if mode != model.CrashAll {
		rep.Params["crashes"] = mode.String()
	}
}
