package model

import (
	"fmt"
	"reflect"
	"slices"
	"sync/atomic"
	"unsafe"
)

// Machine is the executor's handle on a lower-layer specification: it owns
// the lower state, runs each Call as one step of the spec, and records a
// crash snapshot before every step. A Machine belongs to one worker.
type Machine[S, Op, Ret comparable] struct {
	spec  Spec[S, Op, Ret]
	state S
	// ops[k] is the operation of step k, hist[k] the state before it,
	// rets[k] its result and picks[k] the choice point it starts at, in
	// the current run's n steps and, past them, in the earlier runs of the
	// enumeration: ops from step n on are the previous run's.
	ops   []Op
	hist  []S
	rets  []Ret
	picks []int32
	n     int
	// The first skip steps of a run repeat the previous run's: the
	// procedure makes them again, but their results come from rets
	// instead of stepping the spec, and the state and the choices resume
	// from hist and picks at step skip.
	skip  int
	ch    *choices
	limit int
	// The first same steps must repeat the previous run's operations
	// exactly, or the code under test is not deterministic.
	same int
	// calls, when tracing, records every step of the run for paths.
	tracing bool
	calls   []Call
	// owner is the ID of the goroutine that runs the procedures (ownerID
	// its copy for that goroutine's own reads), and running says whether
	// one is running. stray records a call from any other goroutine, or
	// between runs: layer code calling from a goroutine of its own. A
	// stray call changes nothing else, so that it never races with the
	// executor; owner changes only when the executor moves to another
	// goroutine, so that a run costs no atomic write.
	owner   atomic.Int64
	ownerID int64
	running bool
	stray   atomic.Bool
	// open says a step of the spec is under way; broke is the first step
	// of the run that began and did not end (the spec panicked, or the
	// run passed the step limit), or -1: layer code that recovers the
	// panic must not make the run look completed.
	open  bool
	broke int
	// pointy says results may point somewhere (Ret is not a PlainValue),
	// so each is looked at (see aliasWalk); aliased is the failure of a
	// step whose result points into the state.
	pointy    bool
	aliased   *aliasedResult
	aliasWalk aliasWalk[Ret]
	_         [64]byte // keep workers' machines off each other's cache lines
}

// Call is one primitive step of a run, as a person reads it in a path.
type Call struct {
	Op    string `json:"op"`
	Ret   string `json:"ret"`
	State string `json:"state"` // lower state after the step
	// Repeat, when above 1, is the number of identical consecutive steps
	// this one stands for (a procedure looping until the step limit).
	Repeat int `json:"repeat,omitempty"`
}

// stepLimitError is panicked by a Machine whose run exceeds the step limit.
type stepLimitError struct{ limit int }

func (e stepLimitError) Error() string {
	return fmt.Sprintf("procedure exceeded the step limit of %d primitive operations", e.limit)
}

func newMachine[S, Op, Ret comparable](spec Spec[S, Op, Ret], ch *choices, limit int) *Machine[S, Op, Ret] {
	pointy := PlainValue(reflect.TypeFor[Ret]()) != nil
	return &Machine[S, Op, Ret]{spec: spec, ch: ch, limit: limit, broke: -1, pointy: pointy}
}

// start begins a run from s whose first same steps replay the previous
// run's. Of those, the first skip steps take their results from the
// previous run without stepping the spec (a tracing run steps them all):
// the caller vouches that the run takes the same choices in them.
func (m *Machine[S, Op, Ret]) start(s *S, same, skip int) {
	if m.tracing {
		skip = 0
	}
	m.state = *s
	m.calls = m.calls[:0]
	m.n = 0
	if m.broke >= 0 {
		// The broken step's result and the steps after it are not to be
		// repeated: run them again.
		skip = min(skip, m.broke)
	}
	m.same, m.skip = same, min(skip, same)
	m.open, m.broke, m.aliased = false, -1, nil
	if id := goroutineID(); id != m.ownerID {
		m.ownerID = id
		m.owner.Store(id)
	}
	m.running = true
}

// startFrom begins a run of an enumeration from s whose snapshots before
// step from are those of earlier runs (choices.newFrom): the steps before
// from-1, the one whose choice changed, repeat the previous run's.
func (m *Machine[S, Op, Ret]) startFrom(s *S, from int) {
	m.start(s, from, max(from-1, 0))
}

// calledBy reports whether the calling goroutine is the one whose ID owner
// holds. (Not a method of the generic Machine: there the atomic load
// would be a call.)
func calledBy(owner *atomic.Int64) bool { return owner.Load() == goroutineID() }

// takeStray reports whether a stray call came since the last time, and
// clears the record; the common case, none, costs no atomic write.
func (m *Machine[S, Op, Ret]) takeStray() bool {
	return m.stray.Load() && m.stray.Swap(false)
}

// end marks the end of a run: calls from now on are stray.
func (m *Machine[S, Op, Ret]) end() {
	m.running = false
	m.closeStep()
}

// closeStep notes a step left open (see broke).
func (m *Machine[S, Op, Ret]) closeStep() {
	if m.open {
		m.open = false
		if m.broke < 0 {
			m.broke = m.n - 1
		}
	}
}

// brokenStep is the failure of a run in which a step of the spec panicked
// and layer code recovered the panic.
type brokenStep struct{ op string }

func (b brokenStep) Error() string {
	return fmt.Sprintf("the lower layer's step %s panicked, and layer code recovered the panic", b.op)
}

// runFailure returns the kind and message of p when it is a failure the
// check itself raises in a run (the step limit, a broken step), or false.
func runFailure(p any) (kind, msg string, ok bool) {
	switch e := p.(type) {
	case stepLimitError:
		return KindStepLimit, e.Error(), true
	case brokenStep:
		return KindPanic, e.Error(), true
	case aliasedResult:
		return KindSpec, e.Error(), true
	}
	return "", "", false
}

// broken returns the failure of a run that completed although one of its
// steps did not (see broke): a stepLimitError, a brokenStep, or nil.
func (m *Machine[S, Op, Ret]) broken() any {
	if m.closeStep(); m.broke < 0 {
		return nil
	}
	if m.aliased != nil {
		return *m.aliased
	}
	if m.broke >= m.limit {
		return stepLimitError{m.limit}
	}
	return brokenStep{show(m.ops[m.broke])}
}

// Call runs op as one step of the lower specification.
func (m *Machine[S, Op, Ret]) Call(op Op) Ret {
	if !calledBy(&m.owner) || !m.running {
		m.stray.Store(true)
		var zero Ret
		return zero
	}
	// A step the run repeats (within the step limit: the run before made
	// it) costs this alone; step, with its larger frame, does the rest.
	if k := m.n; k < m.skip && m.ops[k] == op {
		m.n++
		return m.rets[k]
	}
	return m.step(op)
}

// step runs op as the current run's next step: from the previous run's
// results while the run repeats it (see start), on the spec from then on.
func (m *Machine[S, Op, Ret]) step(op Op) Ret {
	k := m.n
	if m.open {
		m.closeStep()
	}
	if k >= m.limit {
		if m.broke < 0 {
			m.broke = k
		}
		panic(stepLimitError{m.limit})
	}
	if k < m.skip {
		// Another course than the run repeated: step from here on.
		m.ch.diverged = true
		m.skip = k
	}
	if k == m.skip && k > 0 {
		m.state = m.hist[k]
		m.ch.pos = int(m.picks[k])
	}
	if k < m.same && m.ops[k] != op {
		m.ch.diverged = true
	}
	if k < len(m.ops) {
		m.ops[k] = op
	} else {
		m.grow()
		m.ops = append(m.ops, op)
	}
	// hist, picks and rets have room for as many steps as ops holds (see
	// grow): assigning to slot k copies the state once, where append
	// would copy it twice.
	m.hist = m.hist[:k+1]
	m.hist[k] = m.state
	m.picks = m.picks[:k+1]
	m.picks[k] = int32(m.ch.pos)
	m.n++
	m.ch.step = int32(k)
	m.open = true
	r := m.spec.Step(&m.state, op, m.ch)
	m.open = false
	if m.pointy {
		if where := m.aliasWalk.of(r, unsafe.Pointer(&m.state), unsafe.Sizeof(m.state)); where != "" {
			m.aliased = &aliasedResult{show(op), where}
			if m.broke < 0 {
				m.broke = k
			}
			panic(*m.aliased)
		}
	}
	m.rets = m.rets[:k+1]
	m.rets[k] = r
	if m.tracing {
		m.trace(op, r)
	}
	return r
}

// grow makes room for one more step than ops holds in hist, picks and
// rets, keeping what they hold.
func (m *Machine[S, Op, Ret]) grow() {
	n := len(m.ops) + 1
	m.hist = slices.Grow(m.hist, n-len(m.hist))
	m.picks = slices.Grow(m.picks, n-len(m.picks))
	m.rets = slices.Grow(m.rets, n-len(m.rets))
}

// trace records a step for paths.
func (m *Machine[S, Op, Ret]) trace(op Op, r Ret) {
	m.calls = append(m.calls, Call{Op: show(op), Ret: show(r), State: m.spec.Format(&m.state)})
}

// steps returns the number of steps of the current run.
func (m *Machine[S, Op, Ret]) steps() int { return m.n }

// operations returns the operations of the current run's steps.
func (m *Machine[S, Op, Ret]) operations() []Op { return m.ops[:m.n] }

// results returns the results of the current run's steps.
func (m *Machine[S, Op, Ret]) results() []Ret { return m.rets[:m.n] }

// snapshot returns the state before step k of a run that completed its
// steps; k == steps() is the state after the last step.
func (m *Machine[S, Op, Ret]) snapshot(k int) *S {
	if k == m.n {
		return &m.state
	}
	return &m.hist[k]
}

// collapse returns calls with runs of identical consecutive calls merged
// into one with its Repeat count.
func collapse(calls []Call) []Call {
	var out []Call
	for _, c := range calls {
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.Op == c.Op && last.Ret == c.Ret && last.State == c.State {
				last.Repeat = max(last.Repeat, 1) + 1
				continue
			}
		}
		out = append(out, c)
	}
	return out
}
