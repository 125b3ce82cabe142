package model

import (
	"bytes"
	"errors"
	"fmt"
)

// Violation kinds.
const (
	// KindRefinement: a completed operation's result or final state is not
	// allowed by the upper specification (rule 1).
	KindRefinement = "refinement"
	// KindRecovery: a completed recovery ends in a state that relates to no
	// allowed abstract state (rules 2 and 3).
	KindRecovery = "recovery"
	// KindPanic: layer code panicked.
	KindPanic = "panic"
	// KindStepLimit: a procedure ran more primitive steps than the limit.
	KindStepLimit = "step-limit"
	// KindNondeterminism: layer code behaved differently on replay.
	KindNondeterminism = "nondeterminism"
	// KindInvariant: the system's invariant failed on a lower state.
	KindInvariant = "invariant"
	// KindInitial: an initial lower state relates to no initial upper state.
	KindInitial = "initial"
)

// Violation is a failed check at one edge of a node's expansion. It is a
// result of the check, not an error.
type Violation struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
	// Edge is the ordinal of the failing edge in its node's expansion.
	Edge uint32 `json:"-"`
}

// Error renders the violation as "kind: message".
func (v *Violation) Error() string { return v.Kind + ": " + v.Message }

// Emitter receives the successors of a node during Expand.
type Emitter interface {
	// Successor receives one successor's encoding, valid only during the
	// call; crash tells whether the edge is a crash.
	Successor(node []byte, crash bool)
	// Violation receives a failed check at edge v.Edge and says whether
	// the expansion stops there. When it goes on, the failing run has no
	// successor and the enumeration continues with the next run.
	Violation(v *Violation) (stop bool)
}

// Checker is a refinement check with its types erased, as the explorer sees
// it. Nodes are canonical encodings.
type Checker interface {
	// NewWorker returns a worker with its own executor and buffers.
	NewWorker() Worker
}

// Worker expands nodes of one Checker's state graph. It is not safe for
// concurrent use; each explorer worker owns one.
type Worker interface {
	// Initial returns the initial nodes, or the violation of an initial
	// state that relates to no initial abstract state.
	Initial() ([][]byte, *Violation)
	// Expand passes every successor and every violation of node to e, in
	// a fixed order whose positions are the edges' ordinals, and returns
	// the violation e stopped at, if any.
	Expand(node []byte, e Emitter) *Violation
	// Replay reruns Expand up to edge and describes that edge as a Step,
	// with the successor's encoding (nil when the edge violates).
	Replay(node []byte, edge uint32) (Step, []byte)
	// View describes a node for a person.
	View(node []byte) NodeView
}

// System is the recovery-refinement check of implementation Impl of layer
// Upper on layer Lower under abstraction relation Abs.
type System[CS comparable, COp Operation, CRet Result, CAPI any,
	AS comparable, AOp Operation, ARet Result, AAPI any] struct {
	Lower Layer[CS, COp, CRet, CAPI]
	Upper Layer[AS, AOp, ARet, AAPI]
	Impl  Impl[CAPI, AAPI]
	Abs   Relation[AS, CS]
	// Invariant, when set, must hold of every lower state reached by a
	// completed operation or recovery.
	Invariant func(c *CS) error
	// StepLimit bounds the primitive steps of one procedure run; zero
	// means DefaultStepLimit.
	StepLimit int
	// Crashes narrows where crashes strike; the zero value, CrashAll, is
	// the full semantics.
	Crashes CrashMode
}

// SetCrashMode sets s.Crashes (see model.SetCrashMode).
func (s *System[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) SetCrashMode(m CrashMode) {
	s.Crashes = m
}

// DefaultStepLimit is the step limit of a System that sets none.
const DefaultStepLimit = 10000

// Node tags.
const (
	tagIdle       = 0
	tagRecovering = 1
)

// NewWorker implements Checker.
func (s *System[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) NewWorker() Worker {
	limit := s.StepLimit
	if limit <= 0 {
		limit = DefaultStepLimit
	}
	w := &worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]{sys: s, ops: s.Upper.Spec.Ops(), target: -1}
	w.m = newMachine(s.Lower.Spec, &w.run, limit)
	w.inst = s.Impl(s.Lower.Handle(w.m))
	return w
}

type worker[CS comparable, COp Operation, CRet Result, CAPI any,
	AS comparable, AOp Operation, ARet Result, AAPI any] struct {
	sys  *System[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]
	ops  []AOp
	m    *Machine[CS, COp, CRet]
	inst Instance[AAPI]

	run    choices // lower nondeterminism of a procedure run
	lcrash choices // lower crash relation
	ustep  choices // upper step relation
	ucrash choices // upper crash relation

	// The node being expanded.
	c       CS
	a       AS
	allowed []AS   // Recovering: allowed set; Idle: allowed set of the current op
	set     []byte // encoding of allowed
	out     []byte // successor encoding
	scratch []byte
	offs    []int
	order   []int

	emitter Emitter
	edge    uint32
	panicV  any

	// Scratch states, kept in the worker so that passing their addresses
	// to the specs' methods allocates nothing per state.
	stepA, crashA, absA AS
	crashC              CS

	// Replay: the edge to describe, and what was found there.
	target int64
	found  bool
	step   Step
	cur    Step // context of the edge being enumerated
}

func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) Initial() ([][]byte, *Violation) {
	var nodes [][]byte
	inits := w.sys.Upper.Spec.Init()
	for _, c := range w.sys.Lower.Spec.Init() {
		a, ok := w.sys.Abs(&c)
		if !ok || !contains(inits, a) {
			msg := fmt.Sprintf("initial lower state %s relates to no initial abstract state", w.sys.Lower.Spec.Format(&c))
			return nil, &Violation{Kind: KindInitial, Message: msg}
		}
		n := w.appendIdle(nil, &c, &a)
		dup := false
		for _, m := range nodes {
			dup = dup || bytes.Equal(m, n)
		}
		if !dup {
			nodes = append(nodes, n)
		}
	}
	return nodes, nil
}

func contains[T comparable](xs []T, x T) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) appendIdle(dst []byte, c *CS, a *AS) []byte {
	dst = append(dst, tagIdle)
	dst = w.sys.Lower.Spec.AppendEncode(dst, c)
	return w.sys.Upper.Spec.AppendEncode(dst, a)
}

func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) appendRecovering(dst []byte, c *CS) []byte {
	dst = append(dst, tagRecovering)
	dst = w.sys.Lower.Spec.AppendEncode(dst, c)
	return append(dst, w.set...)
}

// decode loads node into w.c and w.a (Idle) or w.allowed and w.set
// (Recovering), and reports whether it is a Recovering node.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) decode(node []byte) (recovering bool, err error) {
	if len(node) == 0 || node[0] > tagRecovering {
		return false, errors.New("bad node tag")
	}
	n, err := w.sys.Lower.Spec.Decode(node[1:], &w.c)
	if err != nil {
		return false, err
	}
	rest := node[1+n:]
	if node[0] == tagIdle {
		_, err = w.sys.Upper.Spec.Decode(rest, &w.a)
		return false, err
	}
	w.set = append(w.set[:0], rest...)
	w.allowed = w.allowed[:0]
	if len(rest) == 0 {
		return true, errors.New("truncated allowed set")
	}
	count := int(rest[0])
	rest = rest[1:]
	for i := 0; i < count; i++ {
		n, err := w.sys.Upper.Spec.Decode(rest, &w.crashA)
		if err != nil {
			return true, err
		}
		rest = rest[n:]
		w.allowed = append(w.allowed, w.crashA)
	}
	return true, nil
}

func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) Expand(node []byte, e Emitter) *Violation {
	w.emitter, w.target = e, -1
	return w.expand(node)
}

func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) expand(node []byte) *Violation {
	w.edge = 0
	recovering, err := w.decode(node)
	if err != nil {
		panic(fmt.Sprintf("model: undecodable node %x: %v", node, err))
	}
	if recovering {
		w.cur = Step{Kind: StepRecover}
		return w.recoverAll()
	}
	for i := range w.ops {
		if v := w.opAll(w.ops[i]); v != nil || w.found {
			return v
		}
	}
	// A crash between operations.
	w.allowed = w.allowed[:0]
	w.addCrashesOf(&w.a)
	w.encodeAllowed()
	w.cur = Step{Kind: StepCrash}
	w.crashAt(&w.c)
	return nil
}

// opAll runs op's procedure from the current Idle node over every choice
// of the lower layer, emitting crash points and completions.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) opAll(op AOp) *Violation {
	spec := w.sys.Upper.Spec
	// The allowed set after a crash during op: crashA(a) and crashA(a')
	// for every (a', _) in stepA(a, op).
	w.allowed = w.allowed[:0]
	w.addCrashesOf(&w.a)
	w.ustep.reset()
	for {
		w.stepA = w.a
		spec.Step(&w.stepA, op, &w.ustep)
		w.ustep.finish()
		w.addCrashesOf(&w.stepA)
		if !w.ustep.next() {
			break
		}
	}
	w.encodeAllowed()

	w.run.reset()
	for first := true; first || w.run.next(); first = false {
		w.m.start(&w.c, w.run.newFrom(), w.run.newFrom())
		w.m.tracing = w.target >= 0
		ret, done := w.callOp(op)
		w.run.finish()
		if w.target >= 0 {
			w.cur = Step{Kind: StepOp, Op: op.String(), Choices: w.run.path()}
			if done {
				w.cur.Ret = ret.String()
			}
		}
		if v, stop := w.afterRun(&op, ret, done); stop {
			return v
		}
	}
	return nil
}

// recoverAll runs recovery from the current Recovering node over every
// choice of the lower layer.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) recoverAll() *Violation {
	var none ARet
	w.run.reset()
	for first := true; first || w.run.next(); first = false {
		w.m.start(&w.c, w.run.newFrom(), w.run.newFrom())
		w.m.tracing = w.target >= 0
		done := w.callRecover()
		w.run.finish()
		if w.target >= 0 {
			w.cur = Step{Kind: StepRecover, Choices: w.run.path()}
		}
		if v, stop := w.afterRun(nil, none, done); stop {
			return v
		}
	}
	return nil
}

// afterRun handles a finished run of op's procedure, or of recovery when
// op is nil: the run's own failures, its crash points, and its completion,
// checked by rule 1 (an operation) or rule 2 (recovery) and emitted as an
// Idle node. It returns the violation found, if any, and whether the
// expansion stops.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) afterRun(op *AOp, ret ARet, done bool) (*Violation, bool) {
	if v := w.checkRun(done); v != nil {
		return v, w.stops(v)
	}
	crashKind, doneKind, crashes := StepCrashInRecovery, StepRecover, w.sys.Crashes.crashesInRecovery()
	if op != nil {
		crashKind, doneKind, crashes = StepCrashInOp, StepOp, w.sys.Crashes.crashesInOps()
	}
	for k := w.run.newFrom(); crashes && k <= w.m.steps(); k++ {
		w.cur.Kind, w.cur.CrashAfter = crashKind, k
		if w.crashAt(w.m.snapshot(k)) {
			return nil, true
		}
	}
	w.cur.Kind, w.cur.CrashAfter = doneKind, 0
	c := w.m.snapshot(w.m.steps())
	var related bool
	w.absA, related = w.sys.Abs(c)
	if v := w.checkCompletion(op, ret, c, related); v != nil {
		return v, w.stops(v)
	}
	if v := w.checkInvariant(c); v != nil {
		return v, w.stops(v)
	}
	w.out = w.appendIdle(w.out[:0], c, &w.absA)
	return nil, w.emit(false)
}

// checkCompletion checks a completed run ending in lower state c, whose
// abstraction w.absA is valid when related. An operation's run must match
// some (a', r) in stepA(a, op) with r = ret and R(a', c) (rule 1); a
// recovery must end related to an allowed state (rule 2).
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) checkCompletion(op *AOp, ret ARet, c *CS, related bool) *Violation {
	lower, upper := w.sys.Lower.Spec, w.sys.Upper.Spec
	kind, msg, allowed := KindRecovery, "", ""
	if op != nil {
		if related && w.stepAllows(*op, ret, &w.absA) {
			return nil
		}
		kind = KindRefinement
		msg = fmt.Sprintf("%s returned %s and left lower state %s", *op, ret, lower.Format(c))
		allowed = fmt.Sprintf("which the specification does not allow from %s", upper.Format(&w.a))
	} else {
		if related && contains(w.allowed, w.absA) {
			return nil
		}
		msg = fmt.Sprintf("recovery ended in lower state %s", lower.Format(c))
		allowed = "which is not among the states allowed after the crash"
	}
	if !related {
		return w.violate(kind, msg+", which relates to no abstract state")
	}
	return w.violate(kind, fmt.Sprintf("%s (abstract %s), %s", msg, upper.Format(&w.absA), allowed))
}

// checkRun reports a panic, an exceeded step limit or a replay divergence
// of the run just finished.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) checkRun(done bool) *Violation {
	if !done {
		if e, ok := w.panicV.(stepLimitError); ok {
			return w.violate(KindStepLimit, e.Error())
		}
		return w.violate(KindPanic, fmt.Sprintf("layer code panicked: %v", w.panicV))
	}
	if w.run.diverged {
		return w.violate(KindNondeterminism, "replaying the procedure with the same lower-layer choices took a different course: the layer code is not deterministic")
	}
	return nil
}

func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) checkInvariant(c *CS) *Violation {
	if w.sys.Invariant == nil {
		return nil
	}
	if err := w.sys.Invariant(c); err != nil {
		return w.violate(KindInvariant, fmt.Sprintf("invariant fails on %s: %v", w.sys.Lower.Spec.Format(c), err))
	}
	return nil
}

func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) callOp(op AOp) (ret ARet, done bool) {
	defer func() {
		if p := recover(); p != nil {
			w.panicV = p
		}
	}()
	ret = w.sys.Upper.Dispatch(w.inst.API, op)
	return ret, true
}

func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) callRecover() (done bool) {
	defer func() {
		if p := recover(); p != nil {
			w.panicV = p
		}
	}()
	w.inst.Recover()
	return true
}

// stepAllows reports whether some (a', r) in stepA(w.a, op) has r = ret
// and a' = *a2.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) stepAllows(op AOp, ret ARet, a2 *AS) bool {
	w.ustep.reset()
	for {
		w.stepA = w.a
		r := w.sys.Upper.Spec.Step(&w.stepA, op, &w.ustep)
		w.ustep.finish()
		if r == ret && w.stepA == *a2 {
			return true
		}
		if !w.ustep.next() {
			return false
		}
	}
}

// addCrashesOf adds crashA(*a) to the allowed set.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) addCrashesOf(a *AS) {
	w.ucrash.reset()
	for {
		w.crashA = *a
		w.sys.Upper.Spec.Crash(&w.crashA, &w.ucrash)
		w.ucrash.finish()
		if !contains(w.allowed, w.crashA) {
			w.allowed = append(w.allowed, w.crashA)
		}
		if !w.ucrash.next() {
			return
		}
	}
}

// encodeAllowed writes the canonical encoding of the allowed set into
// w.set: a count, then the members' encodings in increasing byte order.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) encodeAllowed() {
	if len(w.allowed) > 255 {
		panic("model: more than 255 allowed abstract states after a crash")
	}
	w.scratch = w.scratch[:0]
	w.offs = append(w.offs[:0], 0)
	for i := range w.allowed {
		w.scratch = w.sys.Upper.Spec.AppendEncode(w.scratch, &w.allowed[i])
		w.offs = append(w.offs, len(w.scratch))
	}
	// Insertion sort of the members (allowed sets are small), keeping
	// w.allowed in the same order as its encoding.
	n := len(w.allowed)
	member := func(i int) []byte { return w.scratch[w.offs[i]:w.offs[i+1]] }
	order := w.order[:0]
	for i := 0; i < n; i++ {
		order = append(order, i)
	}
	w.order = order
	for i := 1; i < n; i++ {
		for j := i; j > 0 && bytes.Compare(member(order[j-1]), member(order[j])) > 0; j-- {
			order[j-1], order[j] = order[j], order[j-1]
		}
	}
	w.set = append(w.set[:0], byte(n))
	for _, i := range order {
		w.set = append(w.set, member(i)...)
	}
}

// crashAt emits Recovering(crashC(*c), allowed) for every outcome of the
// lower crash relation. It reports whether a replay found its edge.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) crashAt(c *CS) bool {
	w.lcrash.reset()
	for {
		w.crashC = *c
		w.sys.Lower.Spec.Crash(&w.crashC, &w.lcrash)
		w.lcrash.finish()
		w.out = w.appendRecovering(w.out[:0], &w.crashC)
		if w.emit(true) {
			return true
		}
		if !w.lcrash.next() {
			return false
		}
	}
}

// emit passes w.out to the emitter as the next edge. In a replay it
// records the target edge instead and reports true when found.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) emit(crash bool) bool {
	e := w.edge
	w.edge++
	if w.target < 0 {
		w.emitter.Successor(w.out, crash)
		return false
	}
	if int64(e) == w.target {
		w.capture(nil)
		return true
	}
	return false
}

func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) violate(kind, msg string) *Violation {
	v := &Violation{Kind: kind, Message: msg, Edge: w.edge}
	w.edge++
	if w.target >= 0 && int64(v.Edge) == w.target {
		w.capture(v)
	}
	return v
}

// stops reports v and says whether the expansion ends at it: in a replay,
// when v is the edge replayed; otherwise as the emitter decides.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) stops(v *Violation) bool {
	if w.target >= 0 {
		return w.found
	}
	return w.emitter.Violation(v)
}

func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) capture(v *Violation) {
	w.found = true
	w.step = w.cur
	calls := w.m.calls
	if w.step.Kind == StepCrashInOp || w.step.Kind == StepCrashInRecovery {
		calls = calls[:w.step.CrashAfter]
		w.step.Total = len(w.m.calls)
	}
	w.step.Calls = append([]Call(nil), calls...)
	w.step.Violation = v
	if v == nil {
		w.step.Node = w.View(w.out)
	}
}

func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) Replay(node []byte, edge uint32) (Step, []byte) {
	w.target, w.found = int64(edge), false
	defer func() { w.target, w.found = -1, false; w.m.tracing = false }()
	w.expand(node)
	if !w.found {
		return Step{}, nil
	}
	if w.step.Violation != nil {
		return w.step, nil
	}
	return w.step, append([]byte(nil), w.out...)
}

func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) View(node []byte) NodeView {
	c, a, allowed := w.c, w.a, append([]AS(nil), w.allowed...)
	set := append([]byte(nil), w.set...)
	defer func() { w.c, w.a, w.allowed, w.set = c, a, allowed, set }()
	recovering, err := w.decode(node)
	if err != nil {
		return NodeView{Lower: fmt.Sprintf("undecodable node %x", node)}
	}
	v := NodeView{Recovering: recovering, Lower: w.sys.Lower.Spec.Format(&w.c)}
	if !recovering {
		v.Abstract = w.sys.Upper.Spec.Format(&w.a)
		return v
	}
	for i := range w.allowed {
		v.Allowed = append(v.Allowed, w.sys.Upper.Spec.Format(&w.allowed[i]))
	}
	return v
}
