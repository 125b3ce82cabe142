package model

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// StepKind says what one step of a path is.
type StepKind string

// Step kinds.
const (
	// StepInit is the initial node of a path.
	StepInit StepKind = "init"
	// StepOp is an operation whose procedure ran to completion.
	StepOp StepKind = "op"
	// StepCrashInOp is a crash during an operation's procedure.
	StepCrashInOp StepKind = "crash-in-op"
	// StepCrash is a crash between operations.
	StepCrash StepKind = "crash"
	// StepRecover is a recovery run to completion.
	StepRecover StepKind = "recover"
	// StepCrashInRecovery is a crash during recovery.
	StepCrashInRecovery StepKind = "crash-in-recovery"
)

// Step is one edge of a path, described for a person.
type Step struct {
	Kind StepKind `json:"kind"`
	// Op is the upper operation, and Ret its result when it completed.
	Op  string `json:"op,omitempty"`
	Ret string `json:"ret,omitempty"`
	// Choices are the lower layer's nondeterministic choices of the run
	// (disk failures, out-of-bounds values), by alternative index.
	Choices []int `json:"choices,omitempty"`
	// Calls are the primitive steps that ran, up to the crash for a crash;
	// identical consecutive steps are one Call with a Repeat count.
	Calls []Call `json:"calls,omitempty"`
	// CrashAfter is the number of primitive steps before a crash during a
	// procedure, of Total steps the run had.
	CrashAfter int `json:"crash_after,omitempty"`
	Total      int `json:"total,omitempty"`
	// Stages, for a recovery that Compose made of the recoveries of
	// several layers (run the bottom layer's first), holds the number of
	// primitive steps of the run made before each stage after the first
	// began; for a crash during recovery, those at or past CrashAfter
	// did not begin. Empty for a recovery of one stage.
	Stages []int `json:"stages,omitempty"`
	// Node is the node the step reaches, unless it violates.
	Node NodeView `json:"node"`
	// Violation is set on the step where a check failed.
	Violation *Violation `json:"violation,omitempty"`
}

// MarshalJSON writes the step's fields, crash_after and total always on
// a crash during a procedure (a crash before its first primitive step
// has crash_after 0, a procedure of no steps total 0) and never on the
// other kinds.
func (s Step) MarshalJSON() ([]byte, error) {
	type plain Step
	if s.Kind != StepCrashInOp && s.Kind != StepCrashInRecovery {
		s.CrashAfter, s.Total = 0, 0
		return json.Marshal(plain(s))
	}
	return json.Marshal(struct {
		plain
		CrashAfter int `json:"crash_after"`
		Total      int `json:"total"`
	}{plain(s), s.CrashAfter, s.Total})
}

// NodeView describes a node of the state graph for a person.
type NodeView struct {
	Recovering bool   `json:"recovering"`
	Lower      string `json:"lower"`
	// Abstract is the upper state of an Idle node.
	Abstract string `json:"abstract,omitempty"`
	// Allowed are the upper states a Recovering node's recovery may end in.
	Allowed []string `json:"allowed,omitempty"`
}

// Trace is a path from an initial node to a violation.
type Trace struct {
	Steps []Step `json:"steps"`
}

// Len returns the number of edges on the path (the initial node is none).
func (t *Trace) Len() int { return len(t.Steps) - 1 }

// String renders the path as WriteText does.
func (t *Trace) String() string {
	var b strings.Builder
	t.WriteText(&b)
	return b.String()
}

// WriteText writes the path for a person: each step with its primitive
// calls and the node it reaches, and the failed check in words.
func (t *Trace) WriteText(w io.Writer) {
	for i, s := range t.Steps {
		if i == 0 {
			fmt.Fprintf(w, "start\n")
		} else {
			fmt.Fprintf(w, "%d. %s\n", i, s.headline())
			n, stage := 1, 0
			shown := len(s.Calls) > 0 && len(s.Stages) > 0
			if shown {
				fmt.Fprintf(w, "         stage 1 of %d\n", len(s.Stages)+1)
			}
			for _, c := range s.Calls {
				for shown && stage < len(s.Stages) && s.Stages[stage] < n {
					stage++
					fmt.Fprintf(w, "         stage %d of %d\n", stage+1, len(s.Stages)+1)
				}
				num, op := fmt.Sprint(n), c.Op
				if c.Repeat > 1 {
					num, op = fmt.Sprintf("%d-%d", n, n+c.Repeat-1), fmt.Sprintf("%s x%d", c.Op, c.Repeat)
				}
				// A short range of repeated steps ("3-4", "10-12") starts
				// further left, so that the operations stay in one column;
				// a longer one ("2-9991", a loop up to the step limit)
				// keeps the steps' indent and pushes its operation right.
				pad := 7
				if len(num) > 5 {
					pad = len(num) + 5
				}
				fmt.Fprintf(w, "%*s  %-28s -> %-8s %s\n", pad, num, op, c.Ret, c.State)
				n += max(c.Repeat, 1)
			}
			for shown && s.Kind == StepRecover && stage < len(s.Stages) {
				stage++ // a stage of no steps, at the end
				fmt.Fprintf(w, "         stage %d of %d\n", stage+1, len(s.Stages)+1)
			}
			if s.Kind == StepCrashInOp || s.Kind == StepCrashInRecovery {
				fmt.Fprintf(w, "         crash\n")
			}
		}
		if s.Violation != nil {
			fmt.Fprintf(w, "   VIOLATION (%s): %s\n", s.Violation.Kind, s.Violation.Message)
			continue
		}
		fmt.Fprintf(w, "   %s\n", s.Node.String())
	}
}

func (s *Step) headline() string {
	switch s.Kind {
	case StepOp:
		if s.Ret == "" {
			return s.Op
		}
		return fmt.Sprintf("%s -> %s", s.Op, s.Ret)
	case StepCrashInOp:
		return fmt.Sprintf("%s, crash after %d of %d steps", s.Op, s.CrashAfter, s.Total)
	case StepCrash:
		return "crash between operations"
	case StepRecover:
		return "recovery"
	case StepCrashInRecovery:
		return fmt.Sprintf("recovery, crash after %d of %d steps", s.CrashAfter, s.Total)
	case "":
		return "(no such step)"
	}
	return string(s.Kind)
}

// String renders the node on one line.
func (v NodeView) String() string {
	if v.Recovering {
		return fmt.Sprintf("recovering  lower %s  allowed {%s}", v.Lower, strings.Join(v.Allowed, ", "))
	}
	return fmt.Sprintf("idle        lower %s  abstract %s", v.Lower, v.Abstract)
}
