package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
	"github.com/argocheck/argocheck/statestore"
	"github.com/argocheck/argocheck/viz"
)

// outputFlags are the flags shared by check and run: progress, the time
// bound, --continue, and the report files.
type outputFlags struct {
	quiet            bool
	progressInterval time.Duration
	timeLimit        time.Duration
	cont             int
	report, junit    string
	// check only: pictures of the violating paths.
	traceHTML, traceDOT string
	// from, when set, is the checkpoint explore resumes (resume).
	from *statestore.Saved
}

func (o *outputFlags) register(fl *pflag.FlagSet, check bool) {
	fl.BoolVarP(&o.quiet, "quiet", "q", false, "show no progress while exploring")
	fl.DurationVar(&o.progressInterval, "progress-interval", 10*time.Second, "interval of the plain progress lines written when not on a terminal")
	fl.DurationVar(&o.timeLimit, "time-limit", 0, "stop, incomplete, after this long (a Go duration such as 90s or 2h; 0: no bound)")
	fl.IntVar(&o.cont, "continue", 0, "keep exploring after a violation until this many distinct violations (by kind, operation and crash point) are found")
	fl.StringVar(&o.report, "report", "", "also write the JSON report to `FILE`")
	fl.StringVar(&o.junit, "junit", "", "also write a JUnit XML report to `FILE`")
	if check {
		fl.StringVar(&o.traceHTML, "trace-html", "", "on a violation, write its path as one self-contained HTML page to `FILE`")
		fl.StringVar(&o.traceDOT, "trace-dot", "", "on a violation, write its path as a Graphviz graph to `FILE`")
	}
}

func (o *outputFlags) validate() error {
	if o.progressInterval <= 0 {
		return fmt.Errorf("--progress-interval must be positive, not %s", o.progressInterval)
	}
	if o.timeLimit < 0 {
		return fmt.Errorf("--time-limit must not be negative, not %s", o.timeLimit)
	}
	if o.cont < 0 {
		return fmt.Errorf("--continue must not be negative, not %d", o.cont)
	}
	return nil
}

// errTimeLimit is the cause of a context ended by --time-limit.
type errTimeLimit time.Duration

func (e errTimeLimit) Error() string { return fmt.Sprintf("time limit %s reached", time.Duration(e)) }

// explore runs one search with the flags' progress display, time limit and
// --continue, labelling progress lines with label.
func (o *outputFlags) explore(ctx context.Context, cmd *cobra.Command, label string, chk model.Checker, cfg explorer.Config) (*explorer.Result, error) {
	if o.timeLimit > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, o.timeLimit, errTimeLimit(o.timeLimit))
		defer cancel()
	}
	cfg.Continue = o.cont
	sink, interval := newProgress(cmd.OutOrStdout(), cmd.ErrOrStderr(), label, o.quiet, o.progressInterval)
	if sink != nil {
		cfg.Progress, cfg.ProgressInterval = sink.update, interval
		defer sink.close()
	}
	if o.from != nil {
		return explorer.Resume(ctx, chk, cfg, o.from)
	}
	return explorer.Run(ctx, chk, cfg)
}

// writeFiles writes the report files that the flags ask for about one
// check.
func (o *outputFlags) writeFiles(rep *report, res *explorer.Result) error {
	if o.report != "" {
		if err := writeJSONFile(o.report, rep); err != nil {
			return err
		}
	}
	if o.junit != "" {
		var buf bytes.Buffer
		if err := writeJUnit(&buf, "argocheck", []junitCase{checkCase(rep)}); err != nil {
			return err
		}
		if err := os.WriteFile(o.junit, buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	if o.traceHTML == "" && o.traceDOT == "" || len(res.Violations) == 0 {
		return nil
	}
	page := tracePage(rep, res)
	for _, f := range []struct {
		name  string
		write func(io.Writer, viz.Page) error
	}{{o.traceHTML, viz.WriteHTML}, {o.traceDOT, viz.WriteDOT}} {
		if f.name == "" {
			continue
		}
		var buf bytes.Buffer
		if err := f.write(&buf, page); err != nil {
			return err
		}
		if err := os.WriteFile(f.name, buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// tracePage is the picture of a check's violating paths.
func tracePage(rep *report, res *explorer.Result) viz.Page {
	page := viz.Page{Title: fmt.Sprintf("%s %s", rep.System, rep.Variant), Subtitle: rep.configLine()}
	for i, ce := range res.Violations {
		title := fmt.Sprintf("violation %d: %s", i+1, ce.Violation.Kind)
		if ce.Op != "" {
			title += " in " + ce.Op
			if ce.CrashAfter >= 0 {
				title += fmt.Sprintf(", crash after %d %s", ce.CrashAfter, plural(ce.CrashAfter, "step", "steps"))
			}
		}
		page.Paths = append(page.Paths, viz.Path{Title: title, Trace: ce.Trace})
	}
	return page
}

func writeJSONFile(name string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	return os.WriteFile(name, buf.Bytes(), 0o644)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// writeModular writes the report files of a modular check: the modular
// JSON object, and one JUnit test case per part.
func (o *outputFlags) writeModular(mr *modularReport) error {
	if o.report != "" {
		if err := writeJSONFile(o.report, mr); err != nil {
			return err
		}
	}
	if o.junit != "" {
		var cases []junitCase
		for _, r := range mr.Checks {
			cases = append(cases, checkCase(r))
		}
		var buf bytes.Buffer
		if err := writeJUnit(&buf, "argocheck "+mr.System+" modular", cases); err != nil {
			return err
		}
		return os.WriteFile(o.junit, buf.Bytes(), 0o644)
	}
	return nil
}
