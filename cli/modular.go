package cli

import (
	"fmt"
	"io"
	"maps"

	"github.com/spf13/cobra"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
)

// modularReport is the JSON object of a modular check: every layer's check
// against the specification below it, then the end-to-end check, and the
// worst of their verdicts. report.schema.json is its schema.
type modularReport struct {
	Argocheck version          `json:"argocheck"`
	System    string           `json:"system"`
	Variant   string           `json:"variant"`
	Modular   bool             `json:"modular"`
	Verdict   explorer.Verdict `json:"verdict"`
	// Narrowed names the crash mode when it is not the full semantics.
	Narrowed string    `json:"narrowed,omitempty"`
	Checks   []*report `json:"checks"`
	// Error is the error of the check whose search ended with no verdict
	// ("check I of N (SYSTEM): ..."): it and those after it did not run,
	// and the verdict is incomplete at best.
	Error string `json:"error,omitempty"`

	parts int // the checks to run, those that did not run among them
}

// sameCheck reports whether part pt is sys's own check at complete
// parameters p and variant.
func sameCheck(sys *catalog.System, pt catalog.Part, p catalog.Params, variant string) bool {
	if pt.System != sys.Name || pt.Variant != variant {
		return false
	}
	q, err := sys.Complete(pt.Params)
	return err == nil && maps.Equal(q, p)
}

// worse reports whether verdict a is worse than b: a violation is worse
// than an incomplete search, which is worse than a verified one.
func worse(a, b explorer.Verdict) bool {
	return verdictRank(a) > verdictRank(b)
}

// verdictRank orders verdicts from verified up; a verdict it does not
// know ranks above every other, as verdictStatus makes it an error.
func verdictRank(v explorer.Verdict) int {
	switch v {
	case explorer.Verified:
		return 0
	case explorer.Incomplete:
		return 1
	case explorer.Violated:
		return 2
	}
	return 3
}

// runModular runs the checks of sys's parts in order, each to its own
// verdict, and reports them all; the exit status is the worst verdict's.
// A check whose search ends in an error, not a verdict, stops the run
// with that error's status; the checks before it are reported all the
// same, and the error with them.
func runModular(cmd *cobra.Command, cat *catalog.Catalog, sys *catalog.System, p catalog.Params, variant string, f *searchFlags, cfg explorer.Config) error {
	if sys.Modular == nil {
		return usagef("%s has no modular check: it is a single layer", sys.Name)
	}
	if f.traceHTML != "" || f.traceDOT != "" {
		return usagef("--trace-html and --trace-dot draw one check's paths, not a --modular check's")
	}
	// Modular is handed a copy: one that writes into its parameters (to
	// give a layer's check other values) must not change those of the
	// stack's own check, which runs at the command line's.
	parts, err := callModular(sys, maps.Clone(p), variant)
	if err != nil {
		return usagef("%s: %v", sys.Name, err)
	}
	// The layers' checks alone do not make the stack's verdict (a
	// composition can fail with every layer verified: recover-upper-first,
	// or a lower layer checked at fewer values than the upper one
	// writes), so the last check is always the system's own, end to end,
	// whatever Modular lists.
	if n := len(parts); n == 0 || !sameCheck(sys, parts[n-1], p, variant) {
		parts = append(parts, catalog.Part{System: sys.Name, Params: p, Variant: variant})
	}
	// Every part is built before any runs, so that a bad part runs none.
	systems := make([]*catalog.System, len(parts))
	checks := make([]model.Checker, len(parts))
	for i, pt := range parts {
		if systems[i], err = cat.Lookup(pt.System); err != nil {
			return usage(err)
		}
		if parts[i].Params, err = checkParams(systems[i], pt.Params, pt.Variant); err != nil {
			return usage(err)
		}
		if checks[i], err = build(systems[i], parts[i].Params, pt.Variant); err != nil {
			return err
		}
	}
	ctx, stop := signalContext()
	defer stop()
	mr := &modularReport{Argocheck: reportVersion(), System: sys.Name, Variant: variantName(variant), Modular: true, Verdict: explorer.Verified, Narrowed: narrowed(cfg), Checks: []*report{}, parts: len(parts)}
	var cases []junitCase
	var runErr error // the error of a search, which stops the run
	for i, pt := range parts {
		res, err := f.explore(ctx, cmd, pt.System, checks[i], cfg, nil)
		if err != nil {
			// The verdicts reached so far are reported all the same; this
			// check is an error of the JUnit report, and the stack's
			// verdict is not verified.
			runErr = fmt.Errorf("check %d of %d (%s): %w", i+1, len(parts), pt.System, err)
			mr.Error = runErr.Error()
			if worse(explorer.Incomplete, mr.Verdict) {
				mr.Verdict = explorer.Incomplete
			}
			cases = append(cases, errorCase(newReport(systems[i], pt.Params, pt.Variant, cfg, &explorer.Result{}), err))
			// The checks after it are errors of the JUnit report too, so
			// that CI sees every check of the stack.
			for j := i + 1; j < len(parts); j++ {
				r := newReport(systems[j], parts[j].Params, parts[j].Variant, cfg, &explorer.Result{})
				cases = append(cases, notRunCase(r, "the modular check", runErr))
			}
			break
		}
		r := newReport(systems[i], pt.Params, pt.Variant, cfg, res)
		mr.Checks = append(mr.Checks, r)
		cases = append(cases, checkCase(r))
		if worse(res.Verdict, mr.Verdict) {
			mr.Verdict = res.Verdict
		}
	}
	uniqueCaseNames(cases)
	status := verdictStatus(mr.Verdict)
	if runErr != nil {
		// The search's error gives the status; printAndSettle gives only
		// stdout's and the report files' failures.
		status = ExitVerified
	}
	saved := printAndSettle(cmd.OutOrStdout(), mr, f.json, status, jsonOutput(f.report, mr), fileOutput("junit", f.junit, func(w io.Writer) error {
		return writeJUnit(w, "argocheck "+mr.System+" modular", cases)
	}))
	return withSearchError(runErr, saved)
}

// uniqueCaseNames makes the names of a modular check's test cases, one
// per check in order, unique: each name that two checks share (a Modular
// that lists a check twice, or one check at parameters written two ways)
// takes " (check I of N)", its check's position, as the summary numbers
// it, so that no CI system takes one for a rerun of the other. A name no
// other check has is left as it is, and the names depend on the checks
// alone.
func uniqueCaseNames(cases []junitCase) {
	count := map[string]int{}
	for _, c := range cases {
		count[c.Name]++
	}
	for i := range cases {
		if count[cases[i].Name] > 1 {
			cases[i].Name += fmt.Sprintf(" (check %d of %d)", i+1, len(cases))
		}
	}
}

// writeText writes each check's summary, then one line with every verdict
// and the overall one.
func (mr *modularReport) writeText(w io.Writer) {
	n := max(mr.parts, len(mr.Checks))
	for i, r := range mr.Checks {
		what := "layer"
		if i == n-1 && r.System == mr.System {
			what = "end to end"
		}
		fmt.Fprintf(w, "== check %d of %d (%s)\n", i+1, n, what)
		r.writeText(w)
		fmt.Fprintln(w)
	}
	if mr.Error != "" {
		fmt.Fprintf(w, "%s: no verdict, the modular check stopped\n\n", mr.Error)
	}
	fmt.Fprintf(w, "modular system=%s variant=%s", mr.System, mr.Variant)
	for _, r := range mr.Checks {
		fmt.Fprintf(w, " %s=%s", r.System, r.Verdict)
	}
	if mr.Error != "" {
		fmt.Fprint(w, " (stopped: no verdict)")
	}
	fmt.Fprintf(w, "\nverdict=%s", mr.Verdict)
	if mr.Narrowed != "" {
		fmt.Fprintf(w, " (narrowed: %s)", mr.Narrowed)
	}
	fmt.Fprintln(w)
}
