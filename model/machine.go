package model

import "fmt"

// Machine is the executor's handle on a lower-layer specification: it owns
// the lower state, runs each Call as one step of the spec, and records a
// crash snapshot before every step. A Machine belongs to one worker.
type Machine[S comparable, Op Operation, Ret Result] struct {
	spec  Spec[S, Op, Ret]
	state S
	snaps []S // snaps[i] is the state before step keep+i
	keep  int // the first step whose snapshot is kept
	ch    *choices
	limit int
	// ops are the operations of the current run, prev those of the run
	// before; the first same steps must repeat prev exactly, or the code
	// under test is not deterministic.
	ops, prev []Op
	same      int
	// calls, when tracing, records every step of the run for paths.
	tracing bool
	calls   []Call
	_       [64]byte // keep workers' machines off each other's cache lines
}

// Call is one primitive step of a run, as a person reads it in a path.
type Call struct {
	Op    string `json:"op"`
	Ret   string `json:"ret"`
	State string `json:"state"` // lower state after the step
}

// stepLimitError is panicked by a Machine whose run exceeds the step limit.
type stepLimitError struct{ limit int }

func (e stepLimitError) Error() string {
	return fmt.Sprintf("procedure exceeded the step limit of %d primitive operations", e.limit)
}

func newMachine[S comparable, Op Operation, Ret Result](spec Spec[S, Op, Ret], ch *choices, limit int) *Machine[S, Op, Ret] {
	return &Machine[S, Op, Ret]{spec: spec, ch: ch, limit: limit}
}

// start begins a run from s whose first same steps replay the previous
// run's, keeping the snapshots from step keep on: a replayed prefix's
// crash points were taken in an earlier run, so its snapshots are not
// copied again.
func (m *Machine[S, Op, Ret]) start(s *S, same, keep int) {
	m.state = *s
	m.snaps = m.snaps[:0]
	m.calls = m.calls[:0]
	m.prev, m.ops = m.ops, m.prev[:0]
	m.same, m.keep = same, keep
}

// Call runs op as one step of the lower specification.
func (m *Machine[S, Op, Ret]) Call(op Op) Ret {
	k := len(m.ops)
	if k >= m.limit {
		panic(stepLimitError{m.limit})
	}
	if k >= m.keep {
		m.snaps = append(m.snaps, m.state)
	}
	if k < m.same && m.prev[k] != op {
		m.ch.diverged = true
	}
	m.ops = append(m.ops, op)
	m.ch.step = int32(k)
	r := m.spec.Step(&m.state, op, m.ch)
	if m.tracing {
		m.calls = append(m.calls, Call{Op: op.String(), Ret: r.String(), State: m.spec.Format(&m.state)})
	}
	return r
}

// steps returns the number of steps of the current run.
func (m *Machine[S, Op, Ret]) steps() int { return len(m.ops) }

// snapshot returns the state before step k, which must be at least the
// run's keep; k == steps() is the state after the last step.
func (m *Machine[S, Op, Ret]) snapshot(k int) *S {
	if k == len(m.ops) {
		return &m.state
	}
	return &m.snaps[k-m.keep]
}
