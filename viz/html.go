package viz

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"

	"github.com/argocheck/argocheck/model"
)

//go:embed assets/page.html.tmpl assets/page.css assets/page.js
var assets embed.FS

var pageTemplate = template.Must(template.New("page.html.tmpl").ParseFS(assets, "assets/page.html.tmpl"))

// WriteHTML writes p as one self-contained HTML page: its styles and
// script are embedded and it loads nothing from anywhere.
func WriteHTML(w io.Writer, p Page) error {
	css, err := assets.ReadFile("assets/page.css")
	if err != nil {
		return err
	}
	js, err := assets.ReadFile("assets/page.js")
	if err != nil {
		return err
	}
	v := layout(p)
	v.CSS, v.JS = template.CSS(css), template.JS(js)
	return pageTemplate.Execute(w, v)
}

// layout is what the page shows of p, laid out for the template: all but
// the styles and the script.
func layout(p Page) pageView {
	v := pageView{Title: p.Title, Subtitle: p.Subtitle}
	for i, path := range p.Paths {
		v.Paths = append(v.Paths, buildPath(fmt.Sprintf("p%d", i), path))
	}
	return v
}

type pageView struct {
	Title, Subtitle string
	CSS             template.CSS `json:"-"`
	JS              template.JS  `json:"-"`
	Paths           []pathView
}

type pathView struct {
	ID, Title string
	Length    int
	Steps     []stepView
	// Failing is the id of the failing step ("" when none fails).
	Failing   string
	Violation *model.Violation
}

type stepView struct {
	ID    string
	Index int
	// Kind is the step kind, also its CSS class; Label says it in words.
	Kind, Label, Headline string
	Recovery              bool // a recovery run, drawn in its own lane
	Crash                 bool // the step ends in a crash
	CrashText             string
	Choices               string
	Calls                 []callView
	Failures              []string // disks that failed during the step
	Node                  *nodeView
	Violation             *model.Violation
	Failing               bool
}

type callView struct {
	N, Op, Ret   string // N numbers the call's steps: "3", or "2-9991" for a repeated call
	RetFailed    bool
	State        state
	Failures     []string
	CrashAfterMe bool // the crash comes right after this call
	// Stage, on the first call of each stage of a recovery that
	// model.Compose made of several layers' recoveries, says which:
	// "stage 2 of 2".
	Stage string `json:",omitempty"`
}

type nodeView struct {
	Recovering bool
	Lower      state
	Abstract   *state
	Allowed    []state
}

var kindLabels = map[model.StepKind]string{
	model.StepInit:            "initial state",
	model.StepOp:              "operation",
	model.StepCrashInOp:       "crash during operation",
	model.StepCrash:           "crash between operations",
	model.StepRecover:         "recovery",
	model.StepCrashInRecovery: "crash during recovery",
}

// buildPath lays out one trace, comparing each state with the one before
// it: calls with the previous call or the step's starting node, nodes with
// the last lower state, abstract states with the last abstract state.
func buildPath(id string, p Path) pathView {
	pv := pathView{ID: id, Title: p.Title, Length: p.Trace.Len()}
	var lower, abstract *state
	for i, s := range p.Trace.Steps {
		sv := stepView{
			ID: fmt.Sprintf("%s-s%d", id, i), Index: i, Kind: string(s.Kind),
			Label: kindLabels[s.Kind], Headline: headline(&s), Violation: s.Violation,
			Recovery: s.Kind == model.StepRecover || s.Kind == model.StepCrashInRecovery,
			Crash:    s.Kind == model.StepCrashInOp || s.Kind == model.StepCrashInRecovery || s.Kind == model.StepCrash,
		}
		if sv.Label == "" {
			sv.Label = string(s.Kind)
		}
		if slices.ContainsFunc(s.Choices, func(c int) bool { return c != 0 }) {
			sv.Choices = strings.Trim(fmt.Sprint(s.Choices), "[]")
		}
		switch s.Kind {
		case model.StepCrashInOp, model.StepCrashInRecovery:
			sv.CrashText = fmt.Sprintf("crash after %d of %d primitive steps", s.CrashAfter, s.Total)
			switch {
			case s.CrashAfter+1 == s.Total:
				sv.CrashText += fmt.Sprintf("; step %d never ran", s.Total)
			case s.CrashAfter < s.Total:
				sv.CrashText += fmt.Sprintf("; steps %d to %d never ran", s.CrashAfter+1, s.Total)
			}
		case model.StepCrash:
			sv.CrashText = "crash between operations"
		}
		n, stage := 1, 0
		for _, c := range s.Calls {
			cv := callView{Ret: c.Ret, RetFailed: c.Ret == "failed", State: parseState(c.State)}
			if len(s.Stages) > 0 {
				for stage < len(s.Stages) && s.Stages[stage] < n {
					stage++
				}
				if n == 1 || stage > 0 && s.Stages[stage-1] == n-1 {
					cv.Stage = fmt.Sprintf("stage %d of %d", stage+1, len(s.Stages)+1)
				}
			}
			cv.N, cv.Op, n = callLabel(n, c)
			cv.Failures = diff(lower, &cv.State)
			sv.Failures = append(sv.Failures, cv.Failures...)
			st := cv.State
			lower = &st
			sv.Calls = append(sv.Calls, cv)
		}
		if n := len(sv.Calls); n > 0 && sv.Crash {
			sv.Calls[n-1].CrashAfterMe = true
		}
		if s.Violation != nil {
			sv.Failing = true
			pv.Failing, pv.Violation = sv.ID, s.Violation
		} else {
			nv := &nodeView{Recovering: s.Node.Recovering, Lower: parseState(s.Node.Lower)}
			sv.Failures = append(sv.Failures, diff(lower, &nv.Lower)...)
			lower = &nv.Lower
			if s.Node.Recovering {
				for _, a := range s.Node.Allowed {
					nv.Allowed = append(nv.Allowed, parseState(a))
				}
			} else {
				a := parseState(s.Node.Abstract)
				diff(abstract, &a)
				nv.Abstract, abstract = &a, &a
			}
			sv.Node = nv
		}
		pv.Steps = append(pv.Steps, sv)
	}
	return pv
}

func headline(s *model.Step) string {
	switch s.Kind {
	case model.StepInit:
		return "start"
	case model.StepOp, model.StepCrashInOp:
		if s.Ret != "" && s.Kind == model.StepOp {
			return fmt.Sprintf("%s \u2192 %s", s.Op, s.Ret)
		}
		return s.Op
	case model.StepCrash:
		return "crash"
	case model.StepRecover, model.StepCrashInRecovery:
		return "recovery"
	}
	return string(s.Kind)
}
