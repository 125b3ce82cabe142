package refsem

import (
	"fmt"
	"slices"

	"github.com/argocheck/argocheck/model"
)

// odometer is a Chooser that enumerates every sequence of answers to a
// run's Choose calls by running it again: a run replays the prefix it is
// given and answers 0 at every new choice point; next advances the last
// choice point that has alternatives left and drops those after it.
type odometer struct {
	pick, width []int
	pos         int // the next choice point of the current run
}

// Choose implements model.Chooser.
func (o *odometer) Choose(n int) int {
	if n < 1 {
		panic(fmt.Sprintf("refsem: Choose(%d): no alternatives", n))
	}
	i := o.pos
	o.pos++
	if i < len(o.pick) {
		if o.width[i] != n {
			panic(fmt.Sprintf("refsem: choice point %d offers %d alternatives, %d before: the code is not deterministic", i, n, o.width[i]))
		}
		return o.pick[i]
	}
	o.pick = append(o.pick, 0)
	o.width = append(o.width, n)
	return 0
}

// next sets up the next sequence of answers after the run just made, and
// reports whether there is one.
func (o *odometer) next() bool {
	n := min(o.pos, len(o.pick))
	o.pos = 0
	for i := n - 1; i >= 0; i-- {
		if o.pick[i]+1 < o.width[i] {
			o.pick[i]++
			o.pick, o.width = o.pick[:i+1], o.width[:i+1]
			return true
		}
	}
	return false
}

// Private panics of the interpreter.
type (
	crashNow        struct{} // the run is cut short at its crash point
	overLimit       struct{} // the run tried a step past the step limit
	budgetExhausted struct{} // Options.MaxRuns runs were made
)

// lowerCaller is the lower layer as the implementation sees it in one
// run: each Call is one step of the lower specification on state, whose
// choices the odometer answers. It cuts the run short at its crash
// point, before step crashAt+1, and fails it at a step past the limit.
type lowerCaller[CS, COp, CRet comparable] struct {
	spec    model.Spec[CS, COp, CRet]
	state   CS
	steps   int
	limit   int
	crashAt int // -1: none
	ch      *odometer
	active  bool
	// What a run's own recover could hide: the crash point reached, the
	// step limit passed, a lower step that panicked, a call while no
	// procedure ran.
	cut, over, broke, stray bool
}

// Call implements model.Caller.
func (l *lowerCaller[CS, COp, CRet]) Call(op COp) CRet {
	if !l.active {
		l.stray = true
		var zero CRet
		return zero
	}
	if l.steps == l.crashAt {
		l.cut = true
		panic(crashNow{})
	}
	if l.steps >= l.limit {
		l.over = true
		panic(overLimit{})
	}
	l.steps++
	l.broke = true
	r := l.spec.Step(&l.state, op, l.ch)
	l.broke = false
	return r
}

// fault is a run that failed.
type fault struct{ kind, msg string }

// run is one run of a procedure: complete, cut short at its crash point
// (cut), or failed.
type run[CS, ARet comparable] struct {
	state   CS // the lower state at its end
	ret     ARet
	steps   int
	cut     bool
	fault   *fault
	choices []int
}

// runsOf runs proc from lower state c once for every sequence of lower
// choices, each time on an instance built anew on a new lower handle,
// cutting each run short before its step crashAt+1 (-1: never).
func (s *search[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) runsOf(c CS, crashAt int, proc func(model.Instance[AAPI]) ARet) []run[CS, ARet] {
	var o odometer
	var out []run[CS, ARet]
	for {
		if s.runs++; s.maxRuns > 0 && s.runs > s.maxRuns {
			panic(budgetExhausted{})
		}
		out = append(out, s.once(c, crashAt, proc, &o))
		if !o.next() {
			return out
		}
	}
}

// once makes one run of proc from c with the answers o gives.
func (s *search[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) once(c CS, crashAt int, proc func(model.Instance[AAPI]) ARet, o *odometer) (r run[CS, ARet]) {
	l := &lowerCaller[CS, COp, CRet]{spec: s.sys.Lower.Spec, state: c, limit: s.limit, crashAt: crashAt, ch: o}
	var p any
	func() {
		defer func() { p = recover() }()
		inst := s.sys.Impl(s.sys.Lower.Handle(l))
		l.active = true
		r.ret = proc(inst)
	}()
	l.active = false
	r.state, r.steps, r.choices = l.state, l.steps, slices.Clone(o.pick[:min(o.pos, len(o.pick))])
	switch {
	case l.stray:
		r.fault = &fault{model.KindNondeterminism, "a call reached the lower layer while no procedure ran"}
	case l.over:
		r.fault = &fault{model.KindStepLimit, fmt.Sprintf("the run passed the step limit of %d", s.limit)}
	case l.broke:
		r.fault = &fault{model.KindPanic, fmt.Sprintf("the lower layer's step panicked: %v", p)}
	case l.cut:
		if _, ok := p.(crashNow); !ok {
			r.fault = &fault{model.KindPanic, fmt.Sprintf("layer code recovered the crash at its step %d (refsem cannot interpret it): %v", crashAt+1, p)}
		}
		r.cut = true
	case p != nil:
		r.fault = &fault{model.KindPanic, fmt.Sprintf("layer code panicked: %v", p)}
	}
	return r
}
