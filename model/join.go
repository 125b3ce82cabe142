package model

// Joined runs. The runs of one enumeration (an operation's procedure, or a
// recovery stage, from one state) form a tree of lower-layer choices, run
// deepest choice first. A choice the lower layer offers before each of its
// steps, such as a disk failing, makes many runs that differ only in the
// step before which it is taken, and each of them runs the procedure's
// code from its start again. Often two of them meet: failing a disk
// before a step that does not use it, or before the next one, gives the
// same step results and the same state after that next step.
//
// Take choice point p, made in step s, and the next one, p+1, the only
// choice point of step s+1. The subtree of runs that takes value c at p+1
// (and 0 at p) is run first. When the run X that takes value v > 0 at p
// comes, its steps s and s+1 are computed on the specification alone: the
// procedure issues the same operations as in the runs that took 0 at p as
// long as it gets the same results. When X's step s returns what theirs
// did, X's step s+1 makes no choice, and it returns and leaves what step
// s+1 of the subtree of c did, then X and its subtree make the same
// operations, results and states from step s+2 on as that subtree, the
// layer code being deterministic: X's edges are the crash outcomes of its
// state after step s, then the subtree's edges again, all of them to
// nodes reached before, and passing their checks when the subtree's did.
// X is not run: with a Repeater they go as one call, and a record keeps
// them as one event (evJoin), replayed as one call when the subtree's
// edges passed their checks in the same replay, and one by one otherwise.
//
// Joins rely on determinism as the skipped steps of a run do (see
// Machine); a search that checks every run twice (DeterminismFull) runs
// every run. They also step again the operations that earlier runs
// recorded, and compare results with ==: a lower layer whose operations
// or results are not plain values (PlainValue: a pointer to a buffer the
// layer code reuses, which holds something else by then) is not joined.

// joinRuns turns joins on for new workers; tests turn it off to compare.
var joinRuns = true

// joinWidth bounds the values of a choice point whose subtrees are kept
// as targets of joins.
const joinWidth = 4

// joinMark is where something began in an expansion: the edges, crash
// edges and violations emitted before it, and the record's events.
type joinMark struct {
	edge, crashes uint32
	fails         int
	event         int
}

// joinTarget is the subtree of one value of a choice point: the state
// after the point's step and that step's result, and what it emitted.
type joinTarget[CS, CRet comparable] struct {
	ok         bool
	state      CS
	ret        CRet
	start, end joinMark
}

// joinPoint is what a choice point of the current run keeps for joins.
type joinPoint[CS, COp, CRet comparable] struct {
	start  joinMark // the subtree of the current value began here
	joined bool     // the current value's run was joined, not run
	// Of the subtree of value 0, once done: the result of the point's
	// step and the operation after it.
	main     bool
	mainRet  CRet
	mainNext COp
	// targets[c] is the subtree of value c of the next choice point,
	// under value 0 of this one.
	targets [joinWidth]joinTarget[CS, CRet]
}

// reset forgets what the point kept.
func (pt *joinPoint[CS, COp, CRet]) reset() {
	pt.joined, pt.main = false, false
	for c := range pt.targets {
		pt.targets[c].ok = false
	}
}

// joinChooser answers a step's choices with the choices of run's choice
// points next..end-1, and records whether the step asked for others.
type joinChooser struct {
	run       *choices
	next, end int
	bad       bool
}

// Choose implements Chooser.
func (c *joinChooser) Choose(n int) int {
	if n <= 1 {
		if n < 1 {
			panic(noChoices(n))
		}
		return 0
	}
	if n > MaxChoices {
		panic(tooManyChoices(n))
	}
	if c.next >= c.end || c.run.width[c.next] != int32(n) {
		c.bad = true
		return 0
	}
	x := c.run.pick[c.next]
	c.next++
	return int(x)
}

// joining reports whether the current enumeration joins runs: records
// keep joins as events, replayed one by one without a Repeater; runs
// emitted as they are join only with one.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) joining(recording bool) bool {
	return (recording || w.rep != nil) && !w.noJoin && w.determinism() != DeterminismFull && !w.m.tracing
}

// mark returns where the next edge of the expansion begins; event is the
// record's event count.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) mark(event int) joinMark {
	return joinMark{edge: w.edge, crashes: w.crashEdges, fails: w.fails, event: event}
}

// startRuns begins the joins of an enumeration.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) startRuns() {
	w.run.reset()
	for q := range w.points {
		w.points[q].reset()
	}
	w.points = w.points[:0]
}

// nextRun advances the enumeration to its next run, keeping what the
// subtrees it leaves offer to joins; event is the record's event count. It
// reports false after the last run.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) nextRun(event int) bool {
	r := &w.run
	i := len(r.pick) - 1
	for i >= 0 && r.pick[i]+1 >= r.width[i] {
		i--
	}
	if i < 0 {
		return false
	}
	// w.points holds a point for each of the run's choice points; those
	// past it, in its capacity, are reset.
	for q := len(r.pick); q < len(w.points); q++ {
		w.points[q].reset()
	}
	w.points = w.points[:min(len(w.points), len(r.pick))]
	for len(w.points) < len(r.pick) {
		if len(w.points) < cap(w.points) {
			w.points = w.points[:len(w.points)+1]
		} else {
			w.points = append(w.points, joinPoint[CS, COp, CRet]{})
		}
	}
	now := w.mark(event)
	for q := len(r.pick) - 1; q >= i; q-- {
		w.keepTarget(q, now)
		if q > i {
			w.points[q].reset()
		}
	}
	if r.pick[i] == 0 {
		w.keepMain(i)
	}
	r.next()
	w.points = w.points[:i+1]
	w.points[i].start, w.points[i].joined = now, false
	return true
}

// keepTarget keeps the subtree of choice point q's current value, done
// now, as a target of choice point q-1.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) keepTarget(q int, now joinMark) {
	r, pt := &w.run, &w.points[q]
	v := r.pick[q]
	if q == 0 || v == 0 || v >= joinWidth || r.pick[q-1] != 0 || pt.joined {
		return
	}
	s := int(r.at[q])
	t := &w.points[q-1].targets[v]
	t.ok = now.fails == pt.start.fails && r.at[q-1]+1 == r.at[q] &&
		(q+1 >= len(r.at) || r.at[q+1] != r.at[q]) && s < w.m.steps()
	if t.ok {
		t.state, t.ret = *w.m.snapshot(s + 1), w.m.rets[s]
		t.start, t.end = pt.start, now
	}
}

// keepMain keeps, for choice point i, the result of its step and the
// operation after it in the subtree of its value 0, done now.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) keepMain(i int) {
	r, pt := &w.run, &w.points[i]
	s := int(r.at[i])
	pt.main = s+1 < w.m.steps()
	if pt.main {
		pt.mainRet, pt.mainNext = w.m.rets[s], w.m.ops[s+1]
	}
}

// join decides whether the run about to start joins a subtree run
// before (see above). If so, it returns that subtree, and the run's state
// after the step of its last choice point is in w.joinC.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) join(recording bool) *joinTarget[CS, CRet] {
	r := &w.run
	p := len(r.pick) - 1
	if p < 0 || !w.joining(recording) {
		return nil
	}
	pt := &w.points[p]
	if !pt.main {
		return nil
	}
	some := false
	for c := range pt.targets {
		some = some || pt.targets[c].ok
	}
	if !some {
		return nil
	}
	if !w.speculate(p) {
		return nil
	}
	for c := range pt.targets {
		if t := &pt.targets[c]; t.ok && t.ret == w.joinRet && t.state == w.joinAfter {
			pt.joined = true
			return t
		}
	}
	return nil
}

// speculate computes, on the specification, the steps s and s+1 of the run
// about to start, s the step of its last choice point p: from the state
// before step s, the operation of step s with the run's choices, then the
// operation after it in the runs that took 0 at p. It reports whether
// step s returned what it returned in those runs and step s+1 made no
// choice; the state after step s is then in w.joinC, the state after step
// s+1 in w.joinAfter and its result in w.joinRet.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) speculate(p int) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	r, m, pt := &w.run, w.m, &w.points[p]
	s := int(r.at[p])
	if s >= len(m.hist) || s >= len(m.ops) || s >= len(m.picks) {
		return false
	}
	first := int(m.picks[s]) // the first choice point of step s
	if first > p {
		return false
	}
	spec := w.sys.Lower.Spec
	w.joinC = m.hist[s]
	w.jch.run, w.jch.next, w.jch.end, w.jch.bad = r, first, p+1, false
	ret := spec.Step(&w.joinC, m.ops[s], &w.jch)
	if w.jch.bad || w.jch.next != p+1 || ret != pt.mainRet {
		return false
	}
	w.joinAfter = w.joinC
	w.jch.next, w.jch.end, w.jch.bad = 0, 0, false
	w.joinRet = spec.Step(&w.joinAfter, pt.mainNext, &w.jch)
	return !w.jch.bad
}
