package cli

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
)

// A plan lists checks, one a line:
//
//	# comment
//	SYSTEM [variant=NAME] [PARAMETER=VALUE ...] [SEARCH-FLAG=VALUE ...]
//	       expect=verified|violation[:KIND[:STEPS]]|incomplete
//
// The parameters are the system's; the search flags are those of check
// that say how the search goes (workers, exact, max-depth, max-states,
// memory, spill, crashes, determinism, time-limit, continue), each taking the
// run's flag when omitted. Each is the line's check's own: a time limit
// bounds each check from its start, not the whole plan. Omitted
// parameters take the system's defaults; variant "correct" (the default)
// is the correct implementation.
// violation:KIND expects a violation of that kind (model.ViolationKinds),
// violation:KIND:STEPS one whose shortest path has STEPS steps, as
// checktest.Violates does; with continue, the first violation reported
// is the one compared.

// planCheck is one line of a plan.
type planCheck struct {
	line     int
	text     string
	sys      *catalog.System
	params   catalog.Params
	variant  string // "" is the correct implementation
	expected expectation
	flags    searchFlags // the run's flags, with the line's keys set
	cfg      explorer.Config
	chk      model.Checker
}

// parsePlan reads a plan of cat's systems, each check with the run's
// flags base; name is used in errors ("FILE:LINE: ..."). A plan with bad
// lines is refused naming every one, a line of the error each, so that
// one run shows all there is to fix.
func parsePlan(r io.Reader, name string, cat *catalog.Catalog, base searchFlags) ([]planCheck, error) {
	var checks []planCheck
	var bad []string
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if n == 1 {
			// A plan saved by a Windows editor may begin with a byte
			// order mark: UTF-8's is skipped, UTF-16 is refused.
			if strings.HasPrefix(line, "\xff\xfe") || strings.HasPrefix(line, "\xfe\xff") {
				return nil, fmt.Errorf("%s: the plan is UTF-16 text: save it as UTF-8", name)
			}
			line = strings.TrimPrefix(line, "\ufeff")
		}
		text, _, _ := strings.Cut(line, "#")
		fields := strings.Fields(text)
		if len(fields) == 0 {
			continue
		}
		c, err := parsePlanLine(cat, fields, base)
		if err != nil {
			bad = append(bad, fmt.Sprintf("%s:%d: %v", name, n, err))
			continue
		}
		c.line, c.text = n, strings.Join(fields, " ")
		checks = append(checks, c)
	}
	if err := sc.Err(); err != nil {
		bad = append(bad, fmt.Sprintf("%s: %v", name, err))
	}
	if len(bad) > 0 {
		return nil, errors.New(strings.Join(bad, "\n"))
	}
	if len(checks) == 0 {
		return nil, fmt.Errorf("%s: no checks", name)
	}
	return checks, nil
}

func parsePlanLine(cat *catalog.Catalog, fields []string, base searchFlags) (planCheck, error) {
	sys, err := cat.Lookup(fields[0])
	if err != nil {
		return planCheck{}, err
	}
	c := planCheck{sys: sys, params: catalog.Params{}, flags: base}
	keys := pflag.NewFlagSet("plan", pflag.ContinueOnError)
	c.flags.registerSearch(keys, flagUse{})
	written := map[string]string{} // the line's values, by key
	for _, f := range fields[1:] {
		key, val, ok := strings.Cut(f, "=")
		if !ok || val == "" {
			// A true-or-false key written alone, as its flag is: oob.
			q, isParam := sys.Param(f)
			flag := keys.Lookup(f)
			if !ok && (isParam && q.Bool || flag != nil && flag.Value.Type() == "bool") {
				return c, fmt.Errorf("%q is not key=value (write %s=true)", f, f)
			}
			return c, fmt.Errorf("%q is not key=value", f)
		}
		if _, seen := written[key]; seen {
			return c, fmt.Errorf("%s given twice", key)
		}
		written[key] = val
		switch _, isParam := sys.Param(key); {
		case key == "expect":
			c.expected, err = parseExpectation(val)
		case key == "variant":
			c.variant = variantArg(val)
		case isParam:
			err = setPlanParam(sys, c.params, key, val)
		case keys.Lookup(key) != nil:
			err = keys.Set(key, val)
			if _, msg, ok := badValue(err); ok {
				err = errors.New(msg)
			}
		case someSystemTakes(cat, key):
			err = fmt.Errorf("system %s has no parameter %s", sys.Name, key)
		default:
			err = fmt.Errorf("unknown key (keys: %s)", strings.Join(planKeys(sys, keys), ", "))
		}
		if err != nil {
			return c, fmt.Errorf("%s: %v", key, err)
		}
	}
	if c.expected.verdict == "" {
		return c, fmt.Errorf("missing expect=verified|violation[:KIND[:STEPS]]|incomplete")
	}
	if c.params, err = checkParams(sys, c.params, c.variant); err != nil {
		return c, err
	}
	if c.cfg, err = c.flags.config(); err != nil {
		return c, planKeyError(err, keys, written)
	}
	c.chk, err = build(sys, c.params, c.variant)
	return c, err
}

// anySteps is the steps of an expectation that takes a path of any
// length.
const anySteps = -1

// expectation is what a plan line expects of its check: a verdict and,
// for a violation, its kind ("" for any) and the length of its shortest
// path (anySteps for any), as checktest.Violates compares them.
type expectation struct {
	verdict explorer.Verdict
	kind    string
	steps   int
}

// parseExpectation reads the value of a plan line's expect key:
// verified, incomplete, violation, violation:KIND or violation:KIND:STEPS.
func parseExpectation(val string) (expectation, error) {
	e := expectation{steps: anySteps}
	parts := strings.Split(val, ":")
	switch v := explorer.Verdict(parts[0]); v {
	case explorer.Verified, explorer.Incomplete:
		if len(parts) > 1 {
			return e, fmt.Errorf("%q: only violation takes a kind (violation:KIND or violation:KIND:STEPS), not %s", val, v)
		}
		e.verdict = v
		return e, nil
	case explorer.Violated:
		e.verdict = v
	default:
		return e, fmt.Errorf("%q is not verified, violation (violation:KIND, violation:KIND:STEPS) or incomplete", val)
	}
	kinds := model.ViolationKinds()
	switch {
	case len(parts) == 1:
		return e, nil
	case len(parts) > 3:
		return e, fmt.Errorf("%q is not violation:KIND:STEPS: too many parts", val)
	case parts[1] == "":
		return e, fmt.Errorf("%q names no kind (write violation, or violation:KIND with KIND one of %s)", val, strings.Join(kinds, ", "))
	case !slices.Contains(kinds, parts[1]):
		return e, fmt.Errorf("%q: %q is not a kind of violation (kinds: %s)", val, parts[1], strings.Join(kinds, ", "))
	}
	e.kind = parts[1]
	if len(parts) == 2 {
		return e, nil
	}
	steps := parts[2]
	n, err := strconv.Atoi(steps)
	switch {
	case steps == "":
		return e, fmt.Errorf("%q names no steps after the kind (write violation:%s, or violation:%s:STEPS)", val, e.kind, e.kind)
	case strings.Trim(steps, "0123456789") != "":
		return e, fmt.Errorf("%q: steps %q is not a whole number, 0 or more", val, steps)
	case err != nil:
		return e, fmt.Errorf("%q: steps %q is more than a path can have", val, steps)
	case e.kind == model.KindNondeterminism:
		return e, fmt.Errorf("%q: a nondeterminism violation's path is rebuilt by running the nondeterministic code again, and has no length that repeats from run to run: write violation:%s", val, e.kind)
	}
	e.steps = n
	return e, nil
}

// String writes e as a plan line's expect value does:
// "violation:recovery:3".
func (e expectation) String() string {
	s := string(e.verdict)
	if e.kind != "" {
		s += ":" + e.kind
	}
	if e.steps != anySteps {
		s += ":" + strconv.Itoa(e.steps)
	}
	return s
}

// met says whether report r of a check is what e expects: its verdict,
// and for a violation the kind and length of the first violation
// reported (the report's violation, whose path is the shortest).
func (e expectation) met(r *report) bool {
	if r.Verdict != e.verdict {
		return false
	}
	if v := r.Violation; v != nil {
		return (e.kind == "" || v.Kind == e.kind) && (e.steps == anySteps || v.TraceLength == e.steps)
	}
	return true
}

// got writes what check r reached, as a line's expectation is compared
// with it: "violation (panic) at 5 steps", "verified".
func got(r *report) string {
	v := r.Violation
	switch {
	case v == nil:
		return string(r.Verdict)
	case v.TraceLength == 1:
		return fmt.Sprintf("%s (%s) at 1 step", r.Verdict, v.Kind)
	}
	return fmt.Sprintf("%s (%s) at %d steps", r.Verdict, v.Kind, v.TraceLength)
}

// planReadError is the error of the plan name that cannot be read (err),
// which names it as the plan: "plan p.plan: no such file or directory",
// "plan /tmp: is a directory".
func planReadError(name string, err error) error {
	if e, ok := errors.AsType[*fs.PathError](err); ok {
		err = e.Err
	}
	return fmt.Errorf("plan %s: %v", name, err)
}

// planSpills are the spill directories that the lines of plan data (read
// from the file name) give with spill=DIR, those that do not parse too:
// of a plan refused, or of a command line refused before it came to its
// output files (staleOutputs), no report is cleared in one either.
func planSpills(data []byte, name string) []ownDir {
	var dirs []ownDir
	for n, line := range bytes.Split(data, []byte("\n")) {
		text, _, _ := strings.Cut(string(line), "#")
		for _, f := range strings.Fields(text) {
			if dir, ok := strings.CutPrefix(f, "spill="); ok && dir != "" {
				dirs = append(dirs, spillDir(fmt.Sprintf("spill=%s (%s:%d)", dir, name, n+1), dir))
			}
		}
	}
	return dirs
}

// setPlanParam sets the named parameter of sys in p from its value as a
// plan line writes it, refusing one outside the parameter's range there,
// where the line's value is at hand.
func setPlanParam(sys *catalog.System, p catalog.Params, name, value string) error {
	q, _ := sys.Param(name)
	v, err := q.Parse(value)
	if err != nil || (!q.Bool && (v < q.Min || v > q.Max)) {
		return fmt.Errorf("%q is not %s", value, paramValues(q))
	}
	p[name] = v
	return nil
}

// planKeyError rewrites config's error for the value of a search flag,
// which names the flag (--max-depth), to name the key of the plan line
// and quote its value as written there: `max-depth: "-1" is not a whole
// number, 0 or more (0: no bound)`, as for a value the flag cannot read.
func planKeyError(err error, keys *pflag.FlagSet, written map[string]string) error {
	if c, ok := errors.AsType[*conflictError](err); ok {
		return fmt.Errorf("%s cannot be used with %s: %s", c.flag, c.other, c.why)
	}
	e, ok := errors.AsType[*flagError](err)
	if !ok {
		return err
	}
	values := e.values
	if f := keys.Lookup(e.flag); values == "" && f != nil && len(f.Annotations[takesAnnotation]) > 0 {
		values = f.Annotations[takesAnnotation][0]
	}
	if val, ok := written[e.flag]; ok && e.outside && values != "" {
		return fmt.Errorf("%s: %q is not %s", e.flag, val, values)
	}
	return fmt.Errorf("%s: %v", e.flag, e.err)
}

// planKeys names the keys of a plan line of sys.
func planKeys(sys *catalog.System, search *pflag.FlagSet) []string {
	keys := append([]string{"variant"}, paramNames(sys)...)
	search.VisitAll(func(f *pflag.Flag) { keys = append(keys, f.Name) })
	return append(keys, "expect")
}

// planResult is one check of a plan in the JSON report: the check's report
// with the plan line, the expected verdict (and the violation's kind and
// path length, when the line names them) and whether it matched.
type planResult struct {
	Line          int              `json:"line"`
	Expected      explorer.Verdict `json:"expected"`
	ExpectedKind  string           `json:"expected_kind,omitempty"`
	ExpectedSteps *int             `json:"expected_steps,omitempty"`
	OK            bool             `json:"ok"`
	Settings      *planSettings    `json:"settings"`
	*report

	expectation expectation
}

// planSettings are the search settings a plan's check ran with: the
// line's search keys, and the run's flags for those it omits. The JSON
// report gives every one; the table only those not argocheck's defaults
// (words).
type planSettings struct {
	Workers   int    `json:"workers"`
	Exact     bool   `json:"exact"`
	MaxDepth  int    `json:"max_depth"`
	MaxStates uint64 `json:"max_states"`
	// MemoryBudgetBytes is the memory budget (--memory, its default
	// resolved: half the physical memory).
	MemoryBudgetBytes uint64 `json:"memory_budget_bytes"`
	// Spill is the spill directory, "" for none.
	Spill       string `json:"spill"`
	Crashes     string `json:"crashes"`
	Determinism string `json:"determinism"`
	// TimeLimitSeconds is the time limit of the check (each line's
	// search has its own), 0 for none.
	TimeLimitSeconds float64 `json:"time_limit_seconds"`
	Continue         int     `json:"continue"`

	// words are the settings that are not argocheck's defaults, as a
	// plan line writes them ("workers=2 time-limit=30s"), but crashes
	// and determinism, which the params column shows.
	words []string
}

// newPlanSettings are the settings of check c.
func newPlanSettings(c *planCheck) *planSettings {
	f, cfg := &c.flags, c.cfg
	s := &planSettings{
		Workers: cfg.Workers, Exact: cfg.Exact, MaxDepth: cfg.MaxDepth, MaxStates: cfg.MaxStates,
		MemoryBudgetBytes: cfg.MemoryBytes, Spill: cfg.Spill, Crashes: cfg.Crashes.String(),
		Determinism: cfg.Determinism.String(), TimeLimitSeconds: f.timeLimit.Seconds(), Continue: cfg.Continue,
	}
	if s.MemoryBudgetBytes == 0 {
		s.MemoryBudgetBytes = explorer.DefaultMemoryBytes()
	}
	def := defaultSearchFlags()
	add := func(differs bool, key string, value any) {
		if differs {
			s.words = append(s.words, fmt.Sprintf("%s=%v", key, value))
		}
	}
	add(f.workers != def.workers, "workers", f.workers)
	add(f.maxDepth != def.maxDepth, "max-depth", f.maxDepth)
	add(f.maxStates != def.maxStates, "max-states", f.maxStates)
	add(f.memory != def.memory, "memory", f.memory)
	add(f.spill != def.spill, "spill", f.spill)
	add(f.timeLimit != def.timeLimit, "time-limit", f.timeLimit)
	add(f.exact != def.exact, "exact", f.exact)
	add(f.cont != def.cont, "continue", f.cont)
	return s
}

// text writes the settings that are not the defaults, or "-".
func (s *planSettings) text() string {
	if len(s.words) == 0 {
		return "-"
	}
	return strings.Join(s.words, " ")
}

// newPlanResult is the result of check c, whose report is rep; the
// check is not ok when interrupted (a signal stopped it), whatever it
// reached.
func newPlanResult(c *planCheck, rep *report, interrupted bool) *planResult {
	e := c.expected
	r := &planResult{Line: c.line, Expected: e.verdict, ExpectedKind: e.kind, OK: e.met(rep) && !interrupted,
		Settings: newPlanSettings(c), report: rep, expectation: e}
	if e.steps != anySteps {
		r.ExpectedSteps = &e.steps
	}
	return r
}

// planReport is the JSON report of a plan run; report.schema.json is its
// schema.
type planReport struct {
	Argocheck version       `json:"argocheck"`
	Plan      string        `json:"plan"`
	OK        bool          `json:"ok"`
	Checks    int           `json:"checks"`
	Failed    int           `json:"failed"`
	Seconds   float64       `json:"seconds"`
	Results   []*planResult `json:"results"`
	// NotRun counts the checks the plan stopped before (a signal, or a
	// search that ended in an error): each is an <error> of the JUnit
	// report.
	NotRun int `json:"not_run"`
	// Error is the error that stopped the plan at a check with no verdict
	// ("FILE:LINE: ..."): that check reached no verdict, and those after
	// it did not run.
	Error string `json:"error,omitempty"`
}

func newRun(cat *catalog.Catalog) *cobra.Command {
	f := defaultSearchFlags()
	cmd := &cobra.Command{
		Use:   "run PLAN",
		Short: "Run the checks listed in a plan file and compare their verdicts",
		Long: `run reads PLAN, one check a line:

  SYSTEM [variant=NAME] [PARAMETER=VALUE ...] [SEARCH-FLAG=VALUE ...]
         expect=verified|violation[:KIND[:STEPS]]|incomplete

(# starts a comment), runs the checks in order and prints one summary table.
The parameters are the system's (see 'argocheck list'); the search flags
are workers, exact, max-depth, max-states, memory, spill, crashes,
determinism, time-limit and continue, each taking this command's flag when
omitted. Bounds are each check's own: a time limit (--time-limit, or a
line's time-limit) bounds each check from its start, not the whole plan,
which may take as long as its lines' limits together.
The table shows, in a settings column, the search settings of a line that
are not argocheck's defaults (workers=2 time-limit=30s); --report gives
every line's settings.
expect=violation takes a violation of any kind, violation:KIND one of
that kind, and violation:KIND:STEPS one whose shortest path has STEPS
steps (check's trace_length; not for nondeterminism, whose path does not
repeat from run to run). KIND is one of
  ` + strings.Join(model.ViolationKinds(), ", ") + `.
With continue, the first violation reported, at the shortest path, is
the one compared.
A plan with bad lines is refused, running nothing (status 2), with each
bad line named on a stderr line of its own (FILE:LINE: reason).
Exit status 1 when any verdict, or a violation's kind or path length,
differs from the expected one, 3 when a signal stopped the run. A search
that ends in an error instead of a verdict stops the plan with that
error's status; the table and reports cover the checks run so far, and
name the error. The lines a stopped plan did not reach are errors of the
--junit report, counted in --report's not_run.

` + exitHelp(),
		Args:        oneArg("run", "one PLAN file"),
		Annotations: map[string]string{planArgAnnotation: ""},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPlan(cmd, cat, args[0], f)
		},
	}
	f.register(cmd.Flags(), flagUse{})
	return cmd
}

func runPlan(cmd *cobra.Command, cat *catalog.Catalog, name string, f searchFlags) error {
	if _, err := f.config(); err != nil {
		return usage(err)
	}
	// A report written over the plan would leave the next run no plan.
	for _, p := range f.paths() {
		if sameFile(name, p[1]) {
			return usagef("--%s %s is the plan %s: write it to another file", p[0], p[1], name)
		}
	}
	// A plan that is not a regular file (a FIFO, /dev/stdin) may block
	// until a writer comes, and gives what it holds once: the report
	// files are checked before it is read, as far as they can be without
	// its lines' spill directories (as staleOutputs does), so that bad
	// usage is refused at once, leaving the plan unread.
	if fi, err := os.Stat(name); err == nil && !fi.Mode().IsRegular() && !fi.IsDir() {
		if err := f.checkPaths(cmd, nil); err != nil {
			return err
		}
	}
	// The plan is read before the report files are checked, so that one
	// that lies in a line's spill directory is refused and left as it
	// is, whether or not the plan parses; a plan that cannot be read or
	// parsed is refused after they are cleared, leaving no earlier run's
	// report.
	data, readErr := os.ReadFile(name)
	if err := f.checkPaths(cmd, planSpills(data, name)); err != nil {
		return err
	}
	var checks []planCheck
	var parseErr error
	if readErr == nil {
		checks, parseErr = parsePlan(bytes.NewReader(data), name, cat, f)
	}
	if err := f.clearOutputs(); err != nil {
		return err
	}
	if readErr != nil {
		return usage(withValueAfterBool(cmd, name, planReadError(name, readErr)))
	}
	if parseErr != nil {
		return usage(parseErr)
	}
	ctx, stop := signalContext()
	defer stop()
	start := time.Now()
	pr := &planReport{Argocheck: reportVersion(), Plan: name, Checks: len(checks), Results: []*planResult{}}
	var cases []junitCase
	names := planCaseNames(checks)
	var runErr error // the error of a search, which stops the plan
	for i, c := range checks {
		label := fmt.Sprintf("[%d/%d] %s", i+1, len(checks), c.text)
		res, err := c.flags.explore(ctx, cmd, label, c.chk, c.cfg, nil)
		if err != nil {
			// The verdicts reached so far are reported all the same, and
			// this check is an error of the JUnit report.
			runErr = fmt.Errorf("%s:%d: %w", name, c.line, err)
			pr.Error = runErr.Error()
			cases = append(cases, errorCase(c.report(), err))
			cases[i].Name = names[i]
			break
		}
		rep := newReport(c.sys, c.params, c.variant, c.cfg, res)
		// A check that a signal stopped is not ok, even on a line that
		// expects incomplete: its own bound did not stop it.
		interrupted := ctx.Err() != nil && res.Verdict == explorer.Incomplete
		r := newPlanResult(&c, rep, interrupted)
		if !r.OK {
			pr.Failed++
		}
		pr.Results = append(pr.Results, r)
		cases = append(cases, planCase(rep, c.expected, interrupted))
		cases[i].Name = names[i]
		if ctx.Err() != nil {
			break // interrupted: report what ran
		}
	}
	if len(cases) < len(checks) {
		// The plan stopped before these checks: each is an error of the
		// JUnit report, so that CI sees every line of the plan.
		why := runErr
		if why == nil {
			why = fmt.Errorf("a signal stopped %s:%d", name, checks[len(cases)-1].line)
		}
		for i := len(cases); i < len(checks); i++ {
			cases = append(cases, notRunCase(checks[i].report(), "the plan", why))
			cases[i].Name = names[i]
		}
		pr.NotRun = len(checks) - len(pr.Results)
		if runErr != nil {
			pr.NotRun-- // the check that ended in the error ran
		}
	}
	pr.OK = pr.Failed == 0 && len(pr.Results) == len(checks) && runErr == nil
	pr.Seconds = round(time.Since(start).Seconds(), 3)
	status := ExitVerified
	switch {
	case runErr != nil:
		// The search's error gives the status; printAndSettle gives only
		// stdout's and the report files' failures.
	case ctx.Err() != nil:
		status = ExitIncomplete
	case !pr.OK:
		status = ExitViolation
	}
	saved := printAndSettle(cmd.OutOrStdout(), pr, f.json, status, jsonOutput(f.report, pr), fileOutput("junit", f.junit, func(w io.Writer) error {
		return writeJUnit(w, "argocheck "+name, cases)
	}))
	return withSearchError(runErr, saved)
}

// report is the report of plan check c before it runs: the check, with
// no result.
func (c *planCheck) report() *report {
	return newReport(c.sys, c.params, c.variant, c.cfg, &explorer.Result{})
}

// planCaseNames names the JUnit test cases of checks: each as a check's
// (system, variant, parameters), which CI systems key their history by,
// and, when two lines would share a name (they differ in search keys or
// expectations only, or not at all), each of those with " (line N)"
// added, so that no CI system takes one for a rerun of another.
func planCaseNames(checks []planCheck) []string {
	names := make([]string, len(checks))
	count := map[string]int{}
	for i := range checks {
		names[i] = junitName(checks[i].report())
		count[names[i]]++
	}
	for i, c := range checks {
		if count[names[i]] > 1 {
			names[i] += fmt.Sprintf(" (line %d)", c.line)
		}
	}
	return names
}

// writeText writes the summary table, then the summary of every check
// that is not what its line expects. A violation's verdict names its
// kind and path length ("violation (recovery) at 2 steps"); a verdict
// over a narrowed graph is marked "(narrowed)", its crash mode in the
// params column. When a line ran with search settings other than
// argocheck's defaults (its keys, or the run's flags), a settings column
// after params shows them as a plan line writes them ("workers=2
// time-limit=30s"), "-" on a line with none; a plan run with the defaults
// throughout has no such column.
func (pr *planReport) writeText(w io.Writer) {
	settings := slices.ContainsFunc(pr.Results, func(r *planResult) bool { return len(r.Settings.words) > 0 })
	col := func(s string) string {
		if !settings {
			return ""
		}
		return s + "\t"
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "line\tsystem\tvariant\tparams\t"+col("settings")+"expected\tverdict\tstates\tdepth\tseconds\tresult")
	for _, r := range pr.Results {
		result := "ok"
		if !r.OK {
			result = "FAIL"
		}
		verdict := got(r.report)
		if r.Narrowed != "" {
			verdict += " (narrowed)"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s%s\t%s\t%d\t%d\t%.3f\t%s\n",
			r.Line, r.System, r.Variant, r.paramText(), col(r.Settings.text()), r.expectation, verdict, r.States, r.Depth, r.Seconds, result)
	}
	tw.Flush()
	for _, r := range pr.Results {
		if !r.OK {
			fmt.Fprintf(w, "\n%s line %d: expected %s", pr.Plan, r.Line, r.expectation)
			if r.expectation.met(r.report) {
				fmt.Fprint(w, ", from its own bound, not a signal")
			} else {
				fmt.Fprintf(w, ", got %s", got(r.report))
			}
			fmt.Fprintln(w)
			r.writeText(w)
		}
	}
	if pr.Error != "" {
		fmt.Fprintf(w, "\n%s: no verdict, the plan stopped\n", pr.Error)
	}
	fmt.Fprintf(w, "\nplan=%s checks=%d ran=%d failed=%d ok=%t seconds=%.3f\n",
		pr.Plan, pr.Checks, len(pr.Results), pr.Failed, pr.OK, pr.Seconds)
}
