package explorer

import (
	"context"
	"slices"

	"github.com/argocheck/argocheck/model"
)

// Counterexample is one violation with the shortest path to it.
//
// Two counterexamples are distinct when they differ in the violation's kind,
// in Op or in CrashAfter: the operation and crash point of the episode in
// which the check failed.
type Counterexample struct {
	Violation *model.Violation
	// Trace is the shortest path to the violation; its last step fails.
	Trace *model.Trace
	// Op is the upper operation whose run or recovery failed the check:
	// the failing step's own operation, or, for a failing recovery, the
	// operation that crashed before it ("" after a crash between
	// operations or at the initial state).
	Op string
	// CrashAfter is the number of Op's primitive steps before the crash
	// that led to the failing recovery, or -1 when no operation crashed
	// (the check failed in a completed operation, at the initial state, or
	// after a crash between operations).
	CrashAfter int

	edge uint64 // the key of the violating edge
}

// newCounterexample returns the counterexample of path t, whose last step
// fails, deriving its episode: walking back over recoveries and crashes
// during recovery to the crash that started them.
func newCounterexample(t *model.Trace, edge uint64) Counterexample {
	ce := Counterexample{Violation: t.Steps[len(t.Steps)-1].Violation, Trace: t, CrashAfter: -1, edge: edge}
	for i := len(t.Steps) - 1; i >= 0; i-- {
		s := &t.Steps[i]
		switch s.Kind {
		case model.StepRecover, model.StepCrashInRecovery:
			continue
		case model.StepOp:
			ce.Op = s.Op
		case model.StepCrashInOp:
			ce.Op, ce.CrashAfter = s.Op, s.CrashAfter
		}
		break
	}
	return ce
}

// ceID is the key under which counterexamples are distinct.
type ceID struct {
	kind, op   string
	crashAfter int
}

func (c *Counterexample) id() ceID { return ceID{c.Violation.Kind, c.Op, c.CrashAfter} }

// found is a violation found by a worker while continuing past violations.
type found struct {
	key uint64 // edge key of the violating edge
	v   *model.Violation
}

// continuing reports whether the search goes on after a violation.
func (s *search) continuing() bool { return s.cfg.Continue > 1 }

// groupPaths makes collect rebuild the paths of the violations found at
// one state together; tests turn it off to compare with rebuilding each
// on its own.
var groupPaths = true

// collect takes the part's violations from every worker in edge order,
// keeps those distinct from the counterexamples already in res, and reports
// whether res now holds Config.Continue of them. The order, and so the
// choice among equal violations, does not depend on the number of workers.
//
// Every violation's path is rebuilt to learn its episode: when the
// workers are model.EdgesReplayers, those of one state together, with one
// replay of the state's path and one of its expansion (see
// paths.pathsAt), as a node with many failing runs has many violations. When ctx ends first, collect stops before the next
// violation, and the caller stops the search without this part's states
// (see expandPart).
func (s *search) collect(ctx context.Context, res *Result) bool {
	var all []found
	for _, w := range s.workers {
		all = append(all, w.found...)
		w.found = w.found[:0]
	}
	slices.SortFunc(all, func(a, b found) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return 0
	})
	p := s.paths()
	// Without a model.EdgesReplayer, one state's paths together take one
	// replay each all the same, and ctx is looked at between them.
	_, group := p.w.(model.EdgesReplayer)
	group = group && groupPaths
	var traces []*model.Trace // the paths of all[from:to], one state's
	from, to := 0, 0
	for i, f := range all {
		if ctx.Err() != nil {
			break
		}
		if i == to {
			from, to = i, i+1
			if group {
				to = sameState(all, i)
			}
			traces = s.tracesAt(p, all[from:to])
		}
		ce := newCounterexample(traces[i-from], f.key)
		if slices.ContainsFunc(res.Violations, func(c Counterexample) bool { return c.id() == ce.id() }) {
			continue
		}
		res.addCounterexample(ce)
		s.prog.violationCount(len(res.Violations))
		if len(res.Violations) >= s.cfg.Continue {
			return true
		}
	}
	return false
}

// sameState returns the end of the run of violations all[i:] found at
// the state of all[i], which all, sorted by edge key, holds together.
func sameState(all []found, i int) int {
	state, _ := splitEdge(all[i].key)
	j := i + 1
	for j < len(all) {
		if st, _ := splitEdge(all[j].key); st != state {
			break
		}
		j++
	}
	return j
}

// tracesAt rebuilds through p the paths to the violations fs, found at
// one state's edges, in increasing order, as tracePaths rebuilds each.
func (s *search) tracesAt(p *paths, fs []found) []*model.Trace {
	state, _ := splitEdge(fs[0].key)
	lasts := make([]uint32, len(fs))
	wants := make([]*model.Violation, len(fs))
	for i, f := range fs {
		_, lasts[i] = splitEdge(f.key)
		wants[i] = f.v
	}
	ts, err := p.pathsAt(state, lasts, wants)
	if err != nil {
		ts = make([]*model.Trace, len(fs))
		for i := range ts {
			ts[i] = replayError(err)
		}
	}
	return ts
}

// addCounterexample records ce; the first one is also the Result's
// Violation and Trace.
func (r *Result) addCounterexample(ce Counterexample) {
	if len(r.Violations) == 0 {
		r.Violation, r.Trace = ce.Violation, ce.Trace
	}
	r.Violations = append(r.Violations, ce)
	r.Verdict = Violated
}
