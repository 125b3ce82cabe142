package cli

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/model"
)

// report is the JSON object of one check; README.md documents its schema.
type report struct {
	System          string           `json:"system"`
	Variant         string           `json:"variant"`
	Params          map[string]any   `json:"params"`
	Workers         int              `json:"workers"`
	Verdict         explorer.Verdict `json:"verdict"`
	Stopped         string           `json:"stopped,omitempty"`
	States          uint64           `json:"states"`
	Transitions     uint64           `json:"transitions"`
	CrashPoints     uint64           `json:"crash_points"`
	Depth           int              `json:"depth"`
	Seconds         float64          `json:"seconds"`
	StatesPerSecond float64          `json:"states_per_second"`
	MemoryBytes     uint64           `json:"memory_bytes"`
	BytesPerState   float64          `json:"bytes_per_state"`
	LevelBytes      uint64           `json:"level_bytes"`
	Collision       float64          `json:"collision_probability"`
	Violation       *violationReport `json:"violation,omitempty"`
	// Violations are the distinct violations found (--continue), the
	// first being Violation.
	Violations []*violationReport `json:"violations,omitempty"`
}

type violationReport struct {
	Kind        string       `json:"kind"`
	Message     string       `json:"message"`
	Op          string       `json:"op"`
	CrashAfter  int          `json:"crash_after"`
	TraceLength int          `json:"trace_length"`
	Trace       []model.Step `json:"trace"`
	text        string
}

func newReport(sys *layers.System, p catalog.Params, variant string, workers int, res *explorer.Result) *report {
	if variant == "" {
		variant = "correct"
	}
	params := map[string]any{}
	for _, q := range sys.Params {
		switch q.Name {
		case "blocks":
			params["blocks"] = p.Blocks
		case "values":
			params["values"] = p.Values
		case "log":
			params["log"] = p.Log
		}
	}
	params["oob"] = p.OOB
	r := &report{
		System: sys.Name, Variant: variant, Params: params, Workers: workers,
		Verdict: res.Verdict, Stopped: res.Stopped,
		States: res.States, Transitions: res.Transitions, CrashPoints: res.CrashPoints,
		Depth: res.Depth, Seconds: round(res.Elapsed.Seconds(), 4),
		StatesPerSecond: math.Round(res.StatesPerSecond()),
		MemoryBytes:     res.MemoryBytes, BytesPerState: round(res.BytesPerState(), 1),
		LevelBytes: res.LevelBytes, Collision: res.Collision,
	}
	for _, ce := range res.Violations {
		r.Violations = append(r.Violations, &violationReport{
			Kind: ce.Violation.Kind, Message: ce.Violation.Message, Op: ce.Op, CrashAfter: ce.CrashAfter,
			TraceLength: ce.Trace.Len(), Trace: ce.Trace.Steps, text: ce.Trace.String(),
		})
	}
	if len(r.Violations) > 0 {
		r.Violation = r.Violations[0]
	}
	return r
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
	fmt.Fprintln(w)
	fmt.Fprintf(w, "states=%d transitions=%d crash_points=%d depth=%d\n", r.States, r.Transitions, r.CrashPoints, r.Depth)
	fmt.Fprintf(w, "seconds=%.3f states_per_second=%.0f memory_bytes=%d bytes_per_state=%.1f\n",
		r.Seconds, r.StatesPerSecond, r.MemoryBytes, r.BytesPerState)
	fmt.Fprintf(w, "level_bytes=%d collision_probability=%.3g\n", r.LevelBytes, r.Collision)
	if v := r.Violation; v != nil {
		fmt.Fprintf(w, "\nviolation=%s trace_length=%d\n%s\n\nshortest path:\n%s", v.Kind, v.TraceLength, v.Message, v.text)
	}
	if len(r.Violations) > 1 {
		r.writeMore(w)
	}
}

// configLine names the check: system, variant, parameters and workers.
func (r *report) configLine() string {
	var b strings.Builder
	fmt.Fprintf(&b, "system=%s variant=%s %s workers=%d", r.System, r.Variant, r.paramText(), r.Workers)
	return b.String()
}

// paramText renders the parameters as key=value words.
func (r *report) paramText() string {
	var words []string
	for _, k := range []string{"blocks", "values", "log"} {
		if v, ok := r.Params[k]; ok {
			words = append(words, fmt.Sprintf("%s=%v", k, v))
		}
	}
	if r.Params["oob"] == true {
		words = append(words, "oob=true")
	}
	if c, ok := r.Params["crashes"]; ok {
		words = append(words, fmt.Sprintf("crashes=%v", c))
	}
	return strings.Join(words, " ")
}

// writeMore writes the violations after the first, found with --continue.
func (r *report) writeMore(w io.Writer) {
	for i, v := range r.Violations[1:] {
		fmt.Fprintf(w, "\nviolation %d of %d: violation=%s op=%q crash_after=%d trace_length=%d\n%s\n\nshortest path:\n%s",
			i+2, len(r.Violations), v.Kind, v.Op, v.CrashAfter, v.TraceLength, v.Message, v.text)
	}
}
