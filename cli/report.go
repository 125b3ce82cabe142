package cli

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
)

// figures are a search's figures, as reports and benchmarks give them.
type figures struct {
	States          uint64  `json:"states"`
	Transitions     uint64  `json:"transitions"`
	CrashPoints     uint64  `json:"crash_points"`
	Depth           int     `json:"depth"`
	Seconds         float64 `json:"seconds"`
	StatesPerSecond float64 `json:"states_per_second"`
	MemoryBytes     uint64  `json:"memory_bytes"`
	BytesPerState   float64 `json:"bytes_per_state"`
	LevelBytes      uint64  `json:"level_bytes"`
	Collision       float64 `json:"collision_probability"`
	// SpillBytes and Spills are set when the visited set spilled to disk.
	SpillBytes uint64 `json:"spill_bytes,omitempty"`
	Spills     int    `json:"spills,omitempty"`
	// ExpandingShare is the share of the workers' time spent expanding
	// states in this process's search (explorer.Result.ExpandingShare):
	// of a resumed search, since it resumed. It is absent where this
	// process searched nothing (a finished run reported again, a sharded
	// run's).
	ExpandingShare *float64 `json:"expanding_share,omitempty"`
}

// newFigures returns the figures of res, searched with workers.
func newFigures(res *explorer.Result, workers int) figures {
	f := figures{
		States: res.States, Transitions: res.Transitions, CrashPoints: res.CrashPoints, Depth: res.Depth,
		Seconds: round(res.Elapsed.Seconds(), 4), StatesPerSecond: math.Round(res.StatesPerSecond()),
		MemoryBytes: res.MemoryBytes, BytesPerState: round(res.BytesPerState(), 1),
		LevelBytes: res.LevelBytes, Collision: res.Collision,
		SpillBytes: res.SpillBytes, Spills: res.Spills,
	}
	if res.Ran > 0 {
		share := round(res.ExpandingShare(workers), 3)
		f.ExpandingShare = &share
	}
	return f
}

// expandingShare is f.ExpandingShare, or 0 where it is absent.
func (f *figures) expandingShare() float64 {
	if f.ExpandingShare == nil {
		return 0
	}
	return *f.ExpandingShare
}

// report is the JSON object of one check; report.schema.json is its
// schema.
type report struct {
	// Argocheck is the version that wrote a report standing alone; a
	// report inside another (a plan's, a modular check's) leaves it to
	// the outer one.
	Argocheck *version         `json:"argocheck,omitempty"`
	System    string           `json:"system"`
	Variant   string           `json:"variant"`
	Params    map[string]any   `json:"params"`
	Workers   int              `json:"workers"`
	Verdict   explorer.Verdict `json:"verdict"`
	Stopped   string           `json:"stopped,omitempty"`
	// Narrowed names the crash mode of a search narrower than the full
	// semantics: its verified is not the full check's.
	Narrowed string `json:"narrowed,omitempty"`
	figures
	Violation *violationReport `json:"violation,omitempty"`
	// Violations are the distinct violations found (--continue), the
	// first being Violation.
	Violations []*violationReport `json:"violations,omitempty"`
	// Shards is the number of shards of a sharded check, Shard the part
	// of the shard that writes the report (of a search that ended in an
	// error, only its index, which the error report gives).
	Shards int        `json:"shards,omitempty"`
	Shard  *shardWork `json:"shard,omitempty"`
	// Run names the run of a sharded check (shard.Manifest.Run), which
	// every shard's report files carry.
	Run string `json:"run,omitempty"`

	words []string // the parameters as the text writes them
}

// errorReport is the JSON object of a check whose search ended in an
// error, not a verdict: the check, and the error in place of the verdict
// and the figures. report.schema.json is its schema (checkError).
type errorReport struct {
	Argocheck version        `json:"argocheck"`
	System    string         `json:"system"`
	Variant   string         `json:"variant"`
	Params    map[string]any `json:"params"`
	Workers   int            `json:"workers"`
	Narrowed  string         `json:"narrowed,omitempty"`
	// Shards and Shard are a sharded check's: the number of its shards,
	// and the shard that wrote the report (its index), so that a report
	// of shard 0's can be told from another shard's.
	Shards int          `json:"shards,omitempty"`
	Shard  *shardWriter `json:"shard,omitempty"`
	// Run is the report's of a sharded check that claimed its run.
	Run   string `json:"run,omitempty"`
	Error string `json:"error"`
}

// shardWriter names the shard that wrote an error report.
type shardWriter struct {
	Index int `json:"index"`
}

// newErrorReport is the report of check r (which holds no result) whose
// search ended in err.
func newErrorReport(r *report, err error) *errorReport {
	e := &errorReport{Argocheck: reportVersion(), System: r.System, Variant: r.Variant, Params: r.Params,
		Workers: r.Workers, Narrowed: r.Narrowed, Run: r.Run, Error: err.Error()}
	if r.Shard != nil {
		e.Shards, e.Shard = r.Shards, &shardWriter{Index: r.Shard.Index}
	}
	return e
}

// violationReport is one violation with its shortest path.
type violationReport struct {
	Kind        string       `json:"kind"`
	Message     string       `json:"message"`
	Where       string       `json:"where,omitempty"`
	Op          string       `json:"op"`
	CrashAfter  int          `json:"crash_after"`
	TraceLength int          `json:"trace_length"`
	Trace       []model.Step `json:"trace"`
	text        string
}

// variantName names a variant in reports: "correct" for "".
func variantName(v string) string {
	if v == "" {
		return "correct"
	}
	return v
}

// variantArg is the variant a --variant flag names: "" for "correct",
// the name the reports give the correct implementation.
func variantArg(v string) string {
	if v == "correct" {
		return ""
	}
	return v
}

// variantMust says what a --variant flag must do (mustName): an empty
// value would check the correct implementation in silence ("$VARIANT" of
// a variable not set).
const variantMust = "name a variant (see 'argocheck list')"

// newReport is the report of result res of sys's check at p and variant,
// searched with cfg.
func newReport(sys *catalog.System, p catalog.Params, variant string, cfg explorer.Config, res *explorer.Result) *report {
	r := &report{
		System: sys.Name, Variant: variantName(variant), Workers: cfg.Workers,
		Verdict: res.Verdict, Stopped: res.Stopped, figures: newFigures(res, cfg.Workers),
		Violations: violationReports(res.Violations),
	}
	r.Params, r.words = reportParams(sys, p)
	r.Narrowed = narrowed(cfg)
	if cfg.Crashes != model.CrashAll {
		r.Params["crashes"] = cfg.Crashes.String()
		r.words = append(r.words, "crashes="+cfg.Crashes.String())
	}
	if cfg.Determinism != model.DeterminismSample {
		r.Params["determinism"] = cfg.Determinism.String()
		r.words = append(r.words, "determinism="+cfg.Determinism.String())
	}
	if len(r.Violations) > 0 {
		r.Violation = r.Violations[0]
	}
	return r
}

// narrowed names the crash mode of cfg when it explores less than the
// full semantics, or is empty.
func narrowed(cfg explorer.Config) string {
	if cfg.Crashes == model.CrashAll {
		return ""
	}
	return "crashes=" + cfg.Crashes.String()
}

// standalone marks r as a report standing alone, with the version and
// the build.
func (r *report) standalone() *report {
	v := reportVersion()
	r.Argocheck = &v
	return r
}

func violationReports(ces []explorer.Counterexample) []*violationReport {
	var out []*violationReport
	for _, ce := range ces {
		out = append(out, &violationReport{
			Kind: ce.Violation.Kind, Message: ce.Violation.Message, Where: ce.Violation.Where,
			Op: ce.Op, CrashAfter: ce.CrashAfter,
			TraceLength: ce.Trace.Len(), Trace: ce.Trace.Steps, text: ce.Trace.String(),
		})
	}
	return out
}

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

// writeText writes the summary a person reads and a script can grep.
func (r *report) writeText(w io.Writer) {
	fmt.Fprintln(w, r.configLine())
	fmt.Fprintf(w, "verdict=%s", r.Verdict)
	if r.Stopped != "" {
		fmt.Fprintf(w, " (%s)", r.Stopped)
	}
	if r.Narrowed != "" {
		fmt.Fprintf(w, " (narrowed: %s)", r.Narrowed)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "states=%d transitions=%d crash_points=%d depth=%d\n", r.States, r.Transitions, r.CrashPoints, r.Depth)
	fmt.Fprintf(w, "seconds=%.3f states_per_second=%.0f memory_bytes=%d bytes_per_state=%.1f\n",
		r.Seconds, r.StatesPerSecond, r.MemoryBytes, r.BytesPerState)
	fmt.Fprintf(w, "level_bytes=%d collision_probability=%.3g", r.LevelBytes, r.Collision)
	if r.Spills > 0 {
		fmt.Fprintf(w, " spill_bytes=%d spills=%d", r.SpillBytes, r.Spills)
	}
	if r.ExpandingShare != nil {
		fmt.Fprintf(w, " expanding_share=%.3f", *r.ExpandingShare)
	}
	fmt.Fprintln(w)
	if r.Shard != nil {
		r.Shard.writeText(w)
	}
	writeViolations(w, r.Violations)
}

// writeViolations writes each violation with its shortest path, the
// first as "violation=KIND", the others numbered.
func writeViolations(w io.Writer, vs []*violationReport) {
	for i, v := range vs {
		if i == 0 {
			fmt.Fprintf(w, "\nviolation=%s trace_length=%d\n", v.Kind, v.TraceLength)
		} else {
			fmt.Fprintf(w, "\nviolation %d of %d: violation=%s op=%q crash_after=%d trace_length=%d\n",
				i+1, len(vs), v.Kind, v.Op, v.CrashAfter, v.TraceLength)
		}
		fmt.Fprintf(w, "%s\n\nshortest path:\n%s", v.Message, v.text)
	}
}

// configLine names the check: system, variant, parameters and workers.
func (r *report) configLine() string {
	line := fmt.Sprintf("system=%s variant=%s %s workers=%d", r.System, r.Variant, r.paramText(), r.Workers)
	if r.Shards > 0 {
		line += fmt.Sprintf(" shards=%d", r.Shards)
	}
	return line
}

// paramText renders the parameters as key=value words.
func (r *report) paramText() string { return strings.Join(r.words, " ") }
