package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
)

// A plan lists checks, one a line:
//
//	# comment
//	SYSTEM [variant=NAME] [blocks=N] [values=N] [log=N] [oob=BOOL] [workers=N]
//	       [exact=BOOL] [max-depth=N] [max-states=N] [time-limit=D] [continue=K]
//	       expect=verified|violation|incomplete
//
// Omitted parameters take the system's defaults; variant "correct" (the
// default) is the correct implementation.

// planCheck is one line of a plan.
type planCheck struct {
	line     int
	text     string
	sys      *layers.System
	params   catalog.Params
	variant  string // "" is the correct implementation
	expected explorer.Verdict
	workers  int // 0: the run's --workers
	exact    bool
	cfg      explorer.Config
	limit    time.Duration // 0: the run's --time-limit
	cont     int           // -1: the run's --continue
}

// parsePlan reads a plan; name is used in errors ("FILE:LINE: ...").
func parsePlan(r io.Reader, name string) ([]planCheck, error) {
	var checks []planCheck
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		fields := strings.Fields(text)
		if len(fields) == 0 {
			continue
		}
		c, err := parsePlanLine(fields)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, n, err)
		}
		c.line, c.text = n, strings.Join(fields, " ")
		checks = append(checks, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(checks) == 0 {
		return nil, fmt.Errorf("%s: no checks", name)
	}
	return checks, nil
}

func parsePlanLine(fields []string) (planCheck, error) {
	sys, err := layers.Lookup(fields[0])
	if err != nil {
		return planCheck{}, err
	}
	c := planCheck{sys: sys, params: sys.Defaults(), cont: -1}
	seen := map[string]bool{}
	for _, f := range fields[1:] {
		key, val, ok := strings.Cut(f, "=")
		if !ok || val == "" {
			return c, fmt.Errorf("%q is not key=value", f)
		}
		if seen[key] {
			return c, fmt.Errorf("%s given twice", key)
		}
		seen[key] = true
		if err := c.set(key, val); err != nil {
			return c, fmt.Errorf("%s: %v", key, err)
		}
	}
	if c.expected == "" {
		return c, fmt.Errorf("missing expect=verified|violation|incomplete")
	}
	if err := sys.Validate(c.params, c.variant); err != nil {
		return c, err
	}
	return c, nil
}

func (c *planCheck) set(key, val string) error {
	atoi := func() (int, error) {
		n, err := strconv.Atoi(val)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%q is not a non-negative integer", val)
		}
		return n, nil
	}
	var err error
	switch key {
	case "expect":
		switch v := explorer.Verdict(val); v {
		case explorer.Verified, explorer.Violated, explorer.Incomplete:
			c.expected = v
		default:
			return fmt.Errorf("%q is not verified, violation or incomplete", val)
		}
	case "variant":
		if val != "correct" {
			c.variant = val
		}
	case "blocks", "values", "log":
		if !c.sys.Has(key) {
			return fmt.Errorf("system %s has no parameter %s", c.sys.Name, key)
		}
		n, err := atoi()
		if err != nil {
			return err
		}
		switch key {
		case "blocks":
			c.params.Blocks = n
		case "values":
			c.params.Values = n
		case "log":
			c.params.Log = n
		}
	case "oob":
		c.params.OOB, err = strconv.ParseBool(val)
	case "exact":
		c.exact, err = strconv.ParseBool(val)
	case "workers":
		c.workers, err = atoi()
		if err == nil && c.workers == 0 {
			err = fmt.Errorf("must be at least 1")
		}
	case "max-depth":
		c.cfg.MaxDepth, err = atoi()
	case "max-states":
		var n int
		n, err = atoi()
		c.cfg.MaxStates = uint64(n)
	case "continue":
		c.cont, err = atoi()
	case "time-limit":
		c.limit, err = time.ParseDuration(val)
		if err == nil && c.limit <= 0 {
			err = fmt.Errorf("must be positive")
		}
	default:
		return fmt.Errorf("unknown key (keys: variant, blocks, values, log, oob, workers, exact, max-depth, max-states, time-limit, continue, expect)")
	}
	return err
}

// planResult is one check of a plan in the JSON report: the check's report
// with the plan line, the expected verdict and whether it matched.
type planResult struct {
	Line     int              `json:"line"`
	Expected explorer.Verdict `json:"expected"`
	OK       bool             `json:"ok"`
	*report
}

// planReport is the JSON report of a plan run; README.md documents it.
type planReport struct {
	Plan    string        `json:"plan"`
	OK      bool          `json:"ok"`
	Checks  int           `json:"checks"`
	Failed  int           `json:"failed"`
	Seconds float64       `json:"seconds"`
	Results []*planResult `json:"results"`
}

type runFlags struct {
	workers int
	json    bool
	out     outputFlags
}

func newRun() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run PLAN",
		Short: "Run the checks listed in a plan file and compare their verdicts",
		Long: `run reads PLAN, one check a line:

  SYSTEM [variant=NAME] [blocks=N] [values=N] [log=N] [oob=BOOL] [workers=N]
         [exact=BOOL] [max-depth=N] [max-states=N] [time-limit=D] [continue=K]
         expect=verified|violation|incomplete

(# starts a comment), runs the checks in order and prints one summary table.
Exit status 1 when any verdict differs from the expected one.`,
		Args: oneArg("run", "one PLAN file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPlan(cmd, args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&f.workers, "workers", runtime.NumCPU(), "worker goroutines of checks that set none")
	fl.BoolVar(&f.json, "json", false, "print one JSON object instead of the table")
	f.out.register(fl, false)
	return cmd
}

func runPlan(cmd *cobra.Command, name string, f runFlags) error {
	if err := f.out.validate(); err != nil {
		return usageError{err}
	}
	if f.workers < 1 {
		return usageError{fmt.Errorf("--workers must be at least 1, not %d", f.workers)}
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return usageError{err}
	}
	checks, err := parsePlan(bytes.NewReader(data), name)
	if err != nil {
		return usageError{err}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	pr := &planReport{Plan: name, Checks: len(checks)}
	var cases []junitCase
	for i, c := range checks {
		out := f.out
		if c.limit > 0 {
			out.timeLimit = c.limit
		}
		if c.cont >= 0 {
			out.cont = c.cont
		}
		workers := f.workers
		if c.workers > 0 {
			workers = c.workers
		}
		chk, err := c.sys.Build(c.params, c.variant)
		if err != nil {
			return usageError{fmt.Errorf("%s:%d: %v", name, c.line, err)}
		}
		cfg := c.cfg
		cfg.Workers, cfg.Exact = workers, c.exact
		label := fmt.Sprintf("[%d/%d] %s", i+1, len(checks), c.text)
		res, err := out.explore(ctx, cmd, label, chk, cfg)
		if err != nil {
			return fmt.Errorf("%s:%d: %v", name, c.line, err)
		}
		rep := newReport(c.sys, c.params, c.variant, workers, res)
		r := &planResult{Line: c.line, Expected: c.expected, OK: res.Verdict == c.expected, report: rep}
		if !r.OK {
			pr.Failed++
		}
		pr.Results = append(pr.Results, r)
		cases = append(cases, planCase(rep, c.expected))
		if ctx.Err() != nil {
			break // interrupted: report what ran
		}
	}
	pr.OK = pr.Failed == 0 && len(pr.Results) == len(checks)
	pr.Seconds = round(time.Since(start).Seconds(), 3)
	if f.out.report != "" {
		if err := writeJSONFile(f.out.report, pr); err != nil {
			return err
		}
	}
	if f.out.junit != "" {
		var buf bytes.Buffer
		if err := writeJUnit(&buf, "argocheck "+name, cases); err != nil {
			return err
		}
		if err := os.WriteFile(f.out.junit, buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	stdout := cmd.OutOrStdout()
	if f.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(pr); err != nil {
			return err
		}
	} else if err := pr.writeText(stdout); err != nil {
		return err
	}
	if !pr.OK {
		return exitError{exitViolation}
	}
	return nil
}

// writeText writes the summary table, then the summary of every check
// whose verdict differs from the expected one.
func (pr *planReport) writeText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "line\tsystem\tvariant\tparams\texpected\tverdict\tstates\tdepth\tseconds\tresult")
	for _, r := range pr.Results {
		result := "ok"
		if !r.OK {
			result = "FAIL"
		}
		verdict := string(r.Verdict)
		if r.Violation != nil {
			verdict += " (" + r.Violation.Kind + ")"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%.3f\t%s\n",
			r.Line, r.System, r.Variant, r.paramText(), r.Expected, verdict, r.States, r.Depth, r.Seconds, result)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range pr.Results {
		if !r.OK {
			fmt.Fprintf(w, "\n%s line %d: expected %s\n", pr.Plan, r.Line, r.Expected)
			r.writeText(w)
		}
	}
	fmt.Fprintf(w, "\nplan=%s checks=%d ran=%d failed=%d ok=%t seconds=%.3f\n",
		pr.Plan, pr.Checks, len(pr.Results), pr.Failed, pr.OK, pr.Seconds)
	return nil
}
