package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
)

// modularReport is the JSON object of a modular check: every layer's check
// against the specification below it, then the end-to-end check, and the
// worst of their verdicts. README.md documents its schema.
type modularReport struct {
	System  string           `json:"system"`
	Variant string           `json:"variant"`
	Modular bool             `json:"modular"`
	Verdict explorer.Verdict `json:"verdict"`
	Checks  []*report        `json:"checks"`
}

// worse reports whether verdict a is worse than b: a violation is worse
// than an incomplete search, which is worse than a verified one.
func worse(a, b explorer.Verdict) bool {
	rank := map[explorer.Verdict]int{explorer.Verified: 0, explorer.Incomplete: 1, explorer.Violated: 2}
	return rank[a] > rank[b]
}

// runModular runs the checks of sys's parts in order, each to its own
// verdict, and reports them all; the exit status is the worst verdict's.
func runModular(ctx context.Context, cmd *cobra.Command, sys *layers.System, p catalog.Params, variant string, f checkFlags) error {
	if sys.Modular == nil {
		return usageError{fmt.Errorf("%s has no modular check: it is a single layer", sys.Name)}
	}
	parts, err := sys.Modular(p, variant)
	if err != nil {
		return usageError{err}
	}
	if variant == "" {
		variant = "correct"
	}
	mr := &modularReport{System: sys.Name, Variant: variant, Modular: true, Verdict: explorer.Verified}
	cfg := explorer.Config{Workers: f.workers, Exact: f.exact, MaxDepth: f.maxDepth, MaxStates: f.maxStates, MemoryBytes: f.memoryBytes, Crashes: f.crashMode}
	for _, part := range parts {
		psys, err := layers.Lookup(part.System)
		if err != nil {
			return err
		}
		chk, err := psys.Build(part.Params, part.Variant)
		if err != nil {
			return usageError{err}
		}
		res, err := f.out.explore(ctx, cmd, part.System, chk, cfg)
		if err != nil {
			return err
		}
		rep := newReport(psys, part.Params, part.Variant, f.workers, res)
		noteCrashes(rep, f.crashMode)
		mr.Checks = append(mr.Checks, rep)
		if worse(res.Verdict, mr.Verdict) {
			mr.Verdict = res.Verdict
		}
	}
	if err := f.out.writeModular(mr); err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if f.json {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(mr); err != nil {
			return err
		}
	} else {
		mr.writeText(out)
	}
	return verdictExit(mr.Verdict)
}

// writeText writes each check's summary, then one line with every verdict
// and the overall one.
func (mr *modularReport) writeText(w io.Writer) {
	n := len(mr.Checks)
	for i, r := range mr.Checks {
		what := "layer"
		if i == n-1 {
			what = "end to end"
		}
		fmt.Fprintf(w, "== check %d of %d (%s)\n", i+1, n, what)
		r.writeText(w)
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "modular system=%s variant=%s", mr.System, mr.Variant)
	for _, r := range mr.Checks {
		fmt.Fprintf(w, " %s=%s", r.System, r.Verdict)
	}
	fmt.Fprintf(w, "\nverdict=%s\n", mr.Verdict)
}
