package model

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strconv"
	"strings"

	"github.com/cespare/xxhash/v2"
)

// Node tags.
const (
	tagIdle       = 0
	tagRecovering = 1
)

// worker expands nodes of a System's state graph (see the package
// documentation): the hot path of a search.
type worker[CS, COp, CRet comparable, CAPI any, AS, AOp, ARet comparable, AAPI any] struct {
	sys  *System[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]
	opts Options
	ops  []AOp
	m    *Machine[CS, COp, CRet]
	// inst runs the operations and rec the recoveries, so that nothing an
	// operation leaves in the instance reaches a recovery, as a crash
	// would lose it.
	inst, rec Instance[AAPI]
	// fresh is the instance the first of two compared runs is made on,
	// built in the current expansion when built says so (see
	// freshInstance).
	fresh Instance[AAPI]
	built bool
	// freshRebuilt says that fresh comes from a System built anew (see
	// Rebuilt), as the sample asks for one compared run in RebuiltEvery;
	// freshSys and recoveredSys are the Systems that built fresh and
	// recovered, for memoryOf.
	freshRebuilt bool
	freshSys     *System[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]
	recoveredSys *System[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]
	// pristine is an instance that runs nothing, for leftMemory, built
	// with the worker; shared is what it reached then (see shared.go).
	pristine Instance[AAPI]
	shared   []uint64
	// opsMemory is what the upper operations reached then, when their
	// type is not a plain value (see opsChanged), and opMemory[i] what
	// operation i reached, compared before and after each run of its
	// procedure (see opChanged); opBefore is where the memory of the
	// operation of the current run differed as the run began.
	opsMemory    []uint64
	opMemory     [][]uint64
	opBefore     string
	opWalk       sharedSnapshot // opChanged's walk, its memory reused
	seenPointers map[[2]uintptr]bool
	// The instances, the state and the calls of recoveredOps.
	recovered, clean Instance[AAPI]
	recoveredC       CS
	stagedOps        []COp
	stagedRets       []CRet
	// eachRun keeps the enumeration of recovery's runs that recoverEach
	// walks while compareOps, which has runs of its own, runs; eachRunning
	// says that compareOps runs after one of them.
	eachRun     choices
	eachRunning bool

	run    choices // lower nondeterminism of a procedure run
	lcrash choices // lower crash relation
	ustep  choices // upper step relation
	ucrash choices // upper crash relation

	// The node being expanded.
	c       CS
	lower   []byte // c's encoding, a slice of the node
	a       AS
	allowed []AS   // Recovering: allowed set; Idle: allowed set of the current op
	set     []byte // encoding of allowed
	out     []byte // successor encoding
	// crashes holds the encodings the last crash point emitted, ends[i]
	// the end of the i-th: the next crash point, when the run's step
	// between them changed nothing, emits them again.
	crashes []byte
	ends    []int
	scratch []byte
	offs    []int
	order   []int

	e    Emitter
	rep  Repeater // e, when it is one
	edge uint32   // ordinal of the next edge
	// expansion counts the calls of Expand.
	expansion  uint64
	fails      int    // violations emitted so far
	crashEdges uint32 // crash edges emitted so far in this expansion

	// Joined runs (see join.go): what the choice points of the current
	// run keep, the speculated steps' states and result, and where the
	// events of the records being replayed began. noJoin runs every run.
	points           []joinPoint[CS, COp, CRet]
	jch              joinChooser
	joinC, joinAfter CS
	joinRet          CRet
	marks            []joinMark
	noJoin           bool

	// memo holds the records of recoveries (see recoverMemo); noMemo
	// expands every Recovering node by running its recovery.
	memo   memo[CS, AS]
	noMemo bool
	// sameRet compares upper results where == is not identity (see
	// sameFor); nil where it is.
	sameRet func(a, b ARet) bool
	// The edge being emitted, as Replay describes it: its kind, the
	// operation (nil for recovery) and, when the run completed, its result,
	// and the crash point of a crash during a procedure.
	kind       StepKind
	op         *AOp
	ret        ARet
	done       bool
	crashAfter int
	panicV     any
	panicAt    string
	// stageStarts, when tracing a composed recovery, holds the steps the
	// run had made as each stage after the first began.
	stageStarts []int

	// sample picks the runs that are run twice; check says whether the
	// current one is, and probe is the first of its two runs. checkAll
	// runs every run twice (CheckAll).
	sample   sampler
	checkAll bool
	// wholeNode checks every run of the current node's expansion, as
	// checkAll does (see recoverMemo).
	wholeNode bool
	check     bool
	probe     probe[CS, COp, CRet, ARet]

	// labels are the profiler labels its procedures run under, which
	// tell the goroutines they leave running (see leftrunning.go);
	// labelled is those the goroutine running the worker carries now,
	// nil for none (see label).
	labels   procLabels
	labelled context.Context

	// Scratch states, kept in the worker so that passing their addresses
	// to the specs' methods allocates nothing per state.
	stepA, crashA, absA AS
	crashC              CS
	// Scratch states of the checks of the user's definitions
	// (userchecks.go).
	rtC, absC, preC CS
	rtA, preA       AS
	allowedAgain    []AS
	// rtNode is a recorded crash outcome's encoding followed by more
	// bytes, as a Recovering node's allowed set follows it.
	rtNode []byte
	// lowerTrips and upperTrips say that the round trips of the lower
	// and upper states are checked on every run, not only on the runs
	// run twice: the specification is not an EncodingTested.
	lowerTrips, upperTrips bool
	// lowerLen is the length of the lower state's encoding in the Idle
	// node that appendIdle encoded last.
	lowerLen int
}

// probe is the record of a run that is compared with the next one.
type probe[CS, COp, CRet, ARet comparable] struct {
	ops   []COp
	rets  []CRet
	ret   ARet
	done  bool
	state CS
}

func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) Initial() (nodes [][]byte, v *Violation) {
	defer func() {
		if p := recover(); p != nil {
			nodes, v = nil, &Violation{Kind: KindPanic, Message: fmt.Sprintf("layer code panicked on the initial states: %v", p), Where: panicSite()}
			v.Message += " (at " + v.Where + ")"
		}
	}()
	inits := w.sys.Upper.Spec.Init()
	for _, c := range w.sys.Lower.Spec.Init() {
		a, ok, msg := w.abs(&c)
		if msg != "" {
			return nil, &Violation{Kind: KindSpec, Message: msg}
		}
		if !ok || !contains(inits, a) {
			msg := fmt.Sprintf("initial lower state %s relates to no initial abstract state", w.sys.Lower.Spec.Format(&c))
			return nil, &Violation{Kind: KindInitial, Message: msg}
		}
		if w.sys.Invariant != nil {
			err, msg := w.invariant(&c)
			if msg != "" {
				return nil, &Violation{Kind: KindSpec, Message: msg}
			}
			if err != nil {
				msg := fmt.Sprintf("invariant fails on initial lower state %s: %v", w.sys.Lower.Spec.Format(&c), err)
				return nil, &Violation{Kind: KindInvariant, Message: msg}
			}
		}
		w.preC, w.preA = c, a
		n := w.appendIdle(nil, &c, &a)
		if msg := w.idleRoundTrip(n, &c, &a, true); msg != "" {
			return nil, &Violation{Kind: KindSpec, Message: msg}
		}
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
	start := len(dst)
	dst = w.sys.Lower.Spec.AppendEncode(dst, c)
	w.lowerLen = len(dst) - start
	return w.sys.Upper.Spec.AppendEncode(dst, a)
}

func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) appendRecovering(dst []byte, c *CS) []byte {
	dst = append(dst, tagRecovering)
	dst = w.sys.Lower.Spec.AppendEncode(dst, c)
	return append(dst, w.set...)
}

// decode loads node into w.c (its encoding a slice of node in w.lower) and
// w.a (Idle) or w.allowed and w.set (Recovering), and reports whether it
// is a Recovering node.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) decode(node []byte) (recovering bool, err error) {
	if len(node) == 0 || node[0] > tagRecovering {
		return false, errors.New("bad node tag")
	}
	n, err := w.sys.Lower.Spec.Decode(node[1:], &w.c)
	if err != nil {
		return false, err
	}
	w.lower = node[1 : 1+n]
	rest := node[1+n:]
	if node[0] == tagIdle {
		n, err = w.sys.Upper.Spec.Decode(rest, &w.a)
		if err == nil && n != len(rest) {
			err = fmt.Errorf("%d bytes left after the upper state", len(rest)-n)
		}
		return false, err
	}
	w.set = append(w.set[:0], rest...)
	w.allowed = w.allowed[:0]
	count, k := binary.Uvarint(rest)
	if k <= 0 || count > MaxAllowed {
		return true, errors.New("bad allowed set size")
	}
	rest = rest[k:]
	for range count {
		n, err := w.sys.Upper.Spec.Decode(rest, &w.crashA)
		if err != nil {
			return true, err
		}
		rest = rest[n:]
		w.allowed = append(w.allowed, w.crashA)
	}
	if len(rest) != 0 {
		return true, fmt.Errorf("%d bytes left after the allowed set", len(rest))
	}
	return true, nil
}

// CheckAll implements Worker.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) CheckAll(on bool) { w.checkAll = on }

// determinism returns the mode the runs follow now: the option's, or
// DeterminismFull while CheckAll or wholeNode is on (but for the tests'
// baseline, which checks nothing).
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) determinism() Determinism {
	if (w.checkAll || w.wholeNode) && w.opts.Determinism == DeterminismSample {
		return DeterminismFull
	}
	return w.opts.Determinism
}

// Expand implements Worker.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) Expand(node []byte, e Emitter) {
	w.e = e
	w.rep, _ = e.(Repeater)
	w.expansion++
	w.crashEdges = 0
	defer w.recoverExpansion()
	w.expand(node)
}

// recoverExpansion turns a panic outside the procedure runs, in a
// specification's code, the abstraction relation or the invariant, into
// a violation at the next edge; a limit of the encoding goes on up.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) recoverExpansion() {
	w.unlabel()
	p := recover()
	if p == nil {
		return
	}
	if err, ok := p.(error); ok && errors.Is(err, ErrLimit) {
		panic(p)
	}
	v := &Violation{Kind: KindPanic, Message: fmt.Sprintf("layer code panicked outside a procedure (in a specification, the abstraction relation or the invariant): %v", p), Where: panicSite()}
	if v.Where != "" {
		v.Message += " (at " + v.Where + ")"
	}
	w.fail(v)
}

func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) expand(node []byte) {
	w.edge, w.built = 0, false
	recovering, err := w.decode(node)
	if err != nil {
		panic(fmt.Sprintf("a node does not decode (%v): the specifications' Decode does not read what their AppendEncode wrote (checktest.Spec tells)", err))
	}
	if recovering {
		// Recovery from a lower state recorded before needs no second
		// look at what it leaves in memory.
		stop, again := false, false
		if w.useMemo() {
			made := w.memo.made
			stop = w.recoverMemo(node)
			again = w.memo.made == made
		} else {
			stop = w.recoverAll(node)
		}
		if !stop && !again {
			w.recoveredOps()
		}
		return
	}
	w.sample.start(w.determinism(), node)
	for i := range w.ops {
		if w.opAll(&w.ops[i]) {
			return
		}
	}
	// A crash between operations, described before the specification's
	// Crash runs: a panic there is a violation of this edge.
	w.kind, w.op, w.crashAfter = StepCrash, nil, 0
	w.allowedAfter(nil)
	w.encodeAllowed()
	if msg := w.allowedChecks(nil); msg != "" {
		w.violate(KindSpec, msg)
		return
	}
	w.crashAt(&w.c)
}

// opAll runs op's procedure from the current Idle node over every choice
// of the lower layer, emitting crash points and completions. It reports
// whether the emitter stopped the expansion.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) opAll(op *AOp) bool {
	// The step is op's, with no call yet, before the specification's
	// Step and Crash run: a panic there (recoverExpansion) is described
	// as op's, not as the operation before it.
	w.kind, w.op, w.done, w.crashAfter = StepOp, op, false, 0
	w.run.reset()
	w.m.calls = w.m.calls[:0]
	w.allowedAfter(op)
	w.encodeAllowed()
	if msg := w.allowedChecks(op); msg != "" {
		w.kind, w.op, w.crashAfter = StepCrashInOp, op, 0
		return w.violate(KindSpec, msg)
	}
	return w.runAll(op)
}

// recoverAll runs recovery from the current Recovering node, node, over
// every choice of the lower layer, sampling runs by the node. It reports
// whether the emitter stopped the expansion.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) recoverAll(node []byte) bool {
	w.sample.start(w.determinism(), node)
	if w.runAll(nil) {
		return true
	}
	if where := w.leftMemory(xxhash.Sum64(w.lower)); where != "" {
		w.kind, w.op, w.crashAfter = StepRecover, nil, 0
		return w.violate(KindNondeterminism, memoryMessage("compared runs of "+w.procedure(nil, &w.c)+" on a newly built instance", where))
	}
	return false
}

// runAll runs op's procedure, or recovery when op is nil, from the current
// node over every choice of the lower layer, each run followed by its
// checks, its crash points and its completion.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) runAll(op *AOp) bool {
	w.startRuns()
	for first := true; first || w.nextRun(0); first = false {
		from := w.run.newFrom()
		if t := w.join(false); t != nil {
			if w.joinRun(op, from, t) {
				return true
			}
			continue
		}
		w.check = w.sample.next()
		left := "" // a goroutine the compared run left running (leftBy)
		if w.check {
			fresh := w.freshInstance()
			w.m.startFrom(&w.c, from)
			before := runtime.NumGoroutine()
			w.probe.ret, w.probe.done = w.call(fresh, op)
			w.keepProbe()
			left = w.leftBy(before)
		}
		w.m.startFrom(&w.c, from)
		inst := &w.inst
		if op == nil {
			inst = &w.rec
		}
		ret, done := w.call(inst, op)
		w.run.finish()
		w.kind, w.op, w.ret, w.done, w.crashAfter = StepRecover, op, ret, done, 0
		if op != nil {
			w.kind = StepOp
		}
		if left != "" {
			return w.violate(KindNondeterminism, left)
		}
		if w.afterRun(op, from) {
			return true
		}
	}
	return false
}

// joinRun emits the edges of a run that joins subtree t instead of
// running: the crash outcomes of its state after the step of its last
// choice point, snapshot from, then t's edges again.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) joinRun(op *AOp, from int, t *joinTarget[CS, CRet]) bool {
	crashKind, crashes := w.crashPoints(op)
	if crashes {
		w.kind, w.op, w.crashAfter = crashKind, op, from
		if w.crashAt(&w.joinC) {
			return true
		}
	}
	if n := t.end.edge - t.start.edge; n > 0 {
		return w.emitAgain(n, t.end.crashes-t.start.crashes)
	}
	return false
}

// crashPoints returns the kind of the crash points of op's procedure, or
// of recovery when op is nil, and whether the crash mode takes them.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) crashPoints(op *AOp) (StepKind, bool) {
	if op != nil {
		return StepCrashInOp, w.opts.Crashes.crashesInOps()
	}
	return StepCrashInRecovery, w.opts.Crashes.crashesInRecovery()
}

// keepProbe keeps the run just finished as the probe, the first of two
// runs compared, and rewinds the choices for the second.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) keepProbe() {
	w.run.finish()
	w.probe.ops = append(w.probe.ops[:0], w.m.operations()...)
	w.probe.rets = append(w.probe.rets[:0], w.m.results()...)
	w.probe.state = w.m.state
	w.run.rewind()
}

// freshInstance returns the instance the first of two compared runs is
// made on, built anew for the node being expanded; the second run is made
// on the worker's instance, which every expansion before used. A
// procedure that depends on what earlier runs left in the instance (state
// kept of its own between calls) differs between the two.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) freshInstance() *Instance[AAPI] {
	switch rebuild := w.opts.rebuild != nil && w.sample.rebuilt(); {
	case rebuild && !(w.built && w.freshRebuilt):
		w.fresh, w.freshSys = w.buildInstanceAnew()
		w.built, w.freshRebuilt = true, true
	case !w.built:
		w.fresh, w.freshSys, w.built, w.freshRebuilt = w.buildInstance(), w.sys, true, false
	}
	return &w.fresh
}

// buildInstance builds an instance of the implementation for the
// determinism checks on the lower layer's interface made anew, as after
// a real crash: what the implementation keeps in that interface (a field
// of the lower layer's handle) is new too, and not shared with the other
// instances these checks build. It runs layer code, whose allocations are
// the one kind an expansion makes (in the nodes those checks sample).
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) buildInstance() Instance[AAPI] {
	w.implLabel()
	return w.sys.Impl(w.sys.Lower.Handle(w.m))
}

// buildInstanceAnew is buildInstance from a System built anew, where the check
// was made with Rebuilt: memory that the System's closures share is new
// in the instance, as in a new process. It builds the instances the
// compared runs start on, and returns the System that built it.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) buildInstanceAnew() (Instance[AAPI], *System[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) {
	if w.opts.rebuild != nil {
		w.implLabel()
		if sys, ok := w.opts.rebuild().(*System[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]); ok && sys != nil {
			return sys.Impl(sys.Lower.Handle(w.m)), sys
		}
	}
	return w.buildInstance(), w.sys
}

// call runs op's procedure, or recovery when op is nil, once on inst, and
// reports its result and whether it completed; a panic is kept in
// w.panicV.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) call(inst *Instance[AAPI], op *AOp) (ret ARet, done bool) {
	w.label(labelsOf(&w.labels, w.ops, op))
	defer func() {
		p := recover()
		w.m.end()
		repanicLimit(p)
		if p != nil {
			w.panicV = p
			if _, ok := p.(stepLimitError); !ok {
				w.panicAt = panicSite()
			}
		}
	}()
	if op == nil && w.m.tracing {
		w.stageStarts = w.stageStarts[:0]
		for s, stage := range inst.recoveryStages() {
			if s > 0 {
				w.stageStarts = append(w.stageStarts, len(w.m.calls))
			}
			stage()
		}
	} else if op == nil {
		inst.Recover()
	} else {
		if w.opMemory != nil && w.opBefore == "" {
			w.opBefore = w.opChanged(op) // kept until checkRun reports it
		}
		ret = w.sys.Upper.Dispatch(inst.API, *op)
	}
	if b := w.m.broken(); b != nil {
		w.panicV, w.panicAt = b, ""
		return ret, false
	}
	return ret, true
}

// afterRun handles a finished run of op's procedure, or of recovery when
// op is nil: the run's own failures, its crash points from step from on,
// and its completion, checked by rule 1 (an operation) or rule 2
// (recovery) and emitted as an Idle node. It reports whether the emitter
// stopped the expansion.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) afterRun(op *AOp, from int) bool {
	if failed, stop := w.checkRun(op); failed {
		return stop
	}
	crashKind, crashes := w.crashPoints(op)
	doneKind := w.kind
	for k := from; crashes && k <= w.m.steps(); k++ {
		w.kind, w.crashAfter = crashKind, k
		c := w.m.snapshot(k)
		// A crash point whose state repeats the one before emits what
		// that one did, unless one of its outcomes failed a check (no
		// outcomes kept, see crashAt): then it is computed again.
		if k > from && *c == *w.m.snapshot(k - 1) && len(w.ends) > 0 {
			if w.rep != nil {
				// The outcomes just emitted, again for every step that
				// changed nothing.
				n := 1
				for k+n <= w.m.steps() && *w.m.snapshot(k + n) == *c {
					n++
				}
				if again := uint32(n * len(w.ends)); w.emitAgain(again, again) {
					return true
				}
				k += n - 1
				continue
			}
			if w.crashAgain() {
				return true
			}
			continue
		}
		if w.crashAt(c) {
			return true
		}
	}
	w.kind, w.crashAfter = doneKind, 0
	c := w.m.snapshot(w.m.steps())
	var related bool
	var msg string
	if w.absA, related, msg = w.abs(c); msg != "" {
		return w.violate(KindSpec, msg)
	}
	if failed, stop := w.checkCompletion(op, c, related); failed {
		return stop
	}
	if failed, stop := w.checkInvariant(c); failed {
		return stop
	}
	if w.check {
		w.preC, w.preA = *c, w.absA
	}
	w.out = w.appendIdle(w.out[:0], c, &w.absA)
	if msg := w.idleRoundTrip(w.out, c, &w.absA, w.check); msg != "" {
		return w.violate(KindSpec, msg)
	}
	return w.emit(false)
}

// checkRun reports a run of op's procedure, or of recovery when op is
// nil, that went wrong before any check of its result:
// nondeterministic layer code, a panic or an exceeded step limit. It says
// whether the run failed and, if so, whether the emitter stopped the
// expansion.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) checkRun(op *AOp) (failed, stop bool) {
	if msg := lateCalls.take(w.m.ownerID); msg != "" {
		return true, w.violate(KindNondeterminism, msg)
	}
	switch {
	case w.m.takeStray():
		return true, w.violate(KindNondeterminism, strayMessage)
	case w.run.diverged:
		return true, w.violateRun(op, divergedMessage(w.procedure(op, &w.c), w.rebuiltRun()))
	}
	if w.opMemory != nil && op != nil {
		where := w.opBefore
		if w.opBefore = ""; where == "" {
			where = w.opChanged(op)
		}
		if where != "" {
			return true, w.violate(KindNondeterminism, opsMessage(where))
		}
	}
	if w.check {
		if msg := w.compareProbe(); msg != "" {
			return true, w.violateRun(op, probeMessage(w.procedure(op, &w.c), msg, w.freshRebuilt, w.rebuiltRun()))
		}
		if where := w.doneMemory(op == nil); where != "" {
			if op != nil {
				return true, w.violate(KindNondeterminism, opMemoryMessage(w.procedure(op, &w.c), where))
			}
			return true, w.violate(KindNondeterminism, memoryMessage("run on a newly built instance, "+w.procedure(nil, &w.c), where))
		}
	}
	if w.done {
		return false, false
	}
	if kind, msg, ok := runFailure(w.panicV); ok {
		return true, w.violate(kind, msg)
	}
	v := &Violation{Kind: KindPanic, Message: fmt.Sprintf("layer code panicked: %v", w.panicV), Where: w.panicAt}
	if v.Where != "" {
		v.Message += " (at " + v.Where + ")"
	}
	return true, w.fail(v)
}

// violateRun reports a run of op's procedure, or of recovery when op is
// nil, that took another course when run again, as msg says; or, when the
// memory that the upper operations point to changed (opsChanged), that
// change, which makes the runs differ: an operation's reader that the
// first run read to its end, its buffer changed in place.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) violateRun(op *AOp, msg string) bool {
	if op != nil {
		if where := w.opsChanged(); where != "" {
			msg = opsMessage(where)
		}
	}
	return w.violate(KindNondeterminism, msg)
}

// procedure names the run of op's procedure, or of recovery when op is
// nil, from lower state c, for a nondeterminism violation: the path to
// one may not reach the node the search found it at (the code that
// rebuilds it is the nondeterministic code), so the message says which
// run it was.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) procedure(op *AOp, c *CS) string {
	if op == nil {
		return "recovery from lower state " + w.sys.Lower.Spec.Format(c)
	}
	return "the procedure of " + show(*op) + " from lower state " + w.sys.Lower.Spec.Format(c)
}

// probeMessage is the message of two compared runs of proc that differ as
// msg says; rebuilt says that the first run's instance came from a
// System built anew (see Rebuilt), and anew that the node's compared
// runs began on one, which makes memory that a System's instances share
// the likely cause (see causes).
func probeMessage(proc, msg string, rebuilt, anew bool) string {
	first := "a newly built instance,"
	if rebuilt {
		first = "an instance of a System built anew, as after a restart,"
	}
	return "run twice with the same lower-layer choices, the first time on " + first + " " + proc + " " + msg +
		causes(anew, "is not deterministic"+nondeterminismHint+", or keeps state of its own between calls")
}

// rebuiltRun says that the node's compared runs began on an instance of
// a System built anew (see Rebuilt): the difference may come from memory
// that a System's instances share, which a restart makes anew and no
// walk of an instance's memory reaches.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) rebuiltRun() bool {
	return w.built && w.freshRebuilt
}

// causes ends the message of compared runs that differ with what makes
// them so: the layer code's own, which rest names ("is not
// deterministic..."), and, where anew says that the newly built instance
// is of a System built anew, memory that every instance of one System
// shares, put first, as the likely one there (a recovery that skips its
// work the first time in a process, through a variable Impl's closures
// capture, is one).
func causes(anew bool, rest string) string {
	if !anew {
		return ": the layer code " + rest
	}
	return ": " + anewCause + "; or the layer code " + rest
}

// anewCause is the first cause that causes names where the newly built
// instance is of a System built anew.
const anewCause = "as the newly built instance is of a System built anew, as after a restart, the layer code likely keeps state in memory that every instance of one System shares (a variable of the function that builds the System, captured by Impl's closures), which a recovery or an operation changes and a restart makes anew: keep that state in the lower layer, or build it in Impl"

// divergedMessage is the message of a run of proc that, run again with
// the same lower-layer choices, took another course; anew is as for
// causes.
func divergedMessage(proc string, anew bool) string {
	return "run again with the same lower-layer choices (to reach another of its choices), " + proc + " took a different course" + causes(anew, "is not deterministic"+nondeterminismHint)
}

// nondeterminismHint follows "the layer code is not deterministic" in
// messages: what makes Go code so, and the way out.
const nondeterminismHint = " (it ranges over a map, whose order changes from one range to the next: range over its sorted keys; or it reads the time, a random number or a goroutine's progress)"

// strayMessage is the message of the goroutine check on every run.
const strayMessage = "a call reached the lower layer from another goroutine than the procedure's, or while no procedure was running: layer code calls it from a goroutine of its own; make every call from the goroutine that runs the procedure (Call, Recover), as the search runs one procedure at a time: a goroutine that the procedure waits for adds nothing to check, and what a background one does belongs in a procedure the search explores"

// Stray implements Worker. It also says when memory that the worker's
// instances share, or that the upper operations point to, changed since
// the worker was made (see shared.go), which the search asks between
// runs: at the end of every level and before a checkpoint commit.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) Stray() *Violation {
	if w.m.takeStray() {
		return &Violation{Kind: KindNondeterminism, Message: strayMessage}
	}
	if msg := w.labels.leftRunning(); msg != "" {
		return &Violation{Kind: KindNondeterminism, Message: msg}
	}
	if where := w.sharedChanged(); where != "" {
		return &Violation{Kind: KindNondeterminism, Message: sharedMessage(where)}
	}
	if where := w.opsChanged(); where != "" {
		return &Violation{Kind: KindNondeterminism, Message: opsMessage(where)}
	}
	return nil
}

// compareProbe compares the run just finished with the probe before it,
// and says how they differ ("" when they do not).
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) compareProbe() string {
	p, m := &w.probe, w.m
	if msg := diffCalls(p.ops, p.rets, m.operations(), m.results()); msg != "" {
		return msg
	}
	switch {
	case p.done != w.done:
		if p.done {
			return "completed the first time and panicked the second"
		}
		return "panicked the first time and completed the second"
	case p.done && !w.sameResult(p.ret, w.ret):
		return fmt.Sprintf("returned %s the first time and %s the second", show(p.ret), show(w.ret)) + alikeHint(show(p.ret), show(w.ret))
	case p.state != m.state:
		spec := w.sys.Lower.Spec
		return fmt.Sprintf("left lower state %s the first time and %s the second", spec.Format(&p.state), spec.Format(&m.state))
	}
	return ""
}

// alikeHint says, of two values found unequal that print alike (a and b),
// what makes them unequal and how layer code does without it, or returns
// "" when they print differently.
func alikeHint(a, b string) string {
	if a != b {
		return ""
	}
	return " (values that print alike but differ under ==: one holding a pointer made in the call, an error of fmt.Errorf or errors.New or a &T{}, is another value at every call, and equals no result of a specification; return errors made once, in package-level variables, or of a comparable type that holds no pointer)"
}

// diffCalls says how two runs' primitive calls (operations and results)
// differ, or returns "".
func diffCalls[Op, Ret comparable](ops1 []Op, rets1 []Ret, ops2 []Op, rets2 []Ret) string {
	for i := range min(len(ops1), len(ops2)) {
		if ops1[i] != ops2[i] || rets1[i] != rets2[i] {
			return fmt.Sprintf("made as its step %d %s -> %s the first time and %s -> %s the second",
				i+1, show(ops1[i]), show(rets1[i]), show(ops2[i]), show(rets2[i])) +
				alikeHint(show(ops1[i])+show(rets1[i]), show(ops2[i])+show(rets2[i]))
		}
	}
	switch {
	case len(ops1) < len(ops2):
		return fmt.Sprintf("made %d steps the first time and %d the second, the next being %s", len(ops1), len(ops2), show(ops2[len(ops1)]))
	case len(ops1) > len(ops2):
		return fmt.Sprintf("made %d steps the first time and %d the second, the next being %s", len(ops1), len(ops2), show(ops1[len(ops2)]))
	}
	return ""
}

// checkCompletion checks a completed run ending in lower state c, whose
// abstraction w.absA is valid when related. An operation's run must match
// some (a', r) in stepA(a, op) with r = ret and R(a', c) (rule 1); a
// recovery must end related to an allowed state (rule 2).
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) checkCompletion(op *AOp, c *CS, related bool) (failed, stop bool) {
	if op == nil {
		if related && contains(w.allowed, w.absA) {
			return false, false
		}
	} else if related {
		ok := w.stepAllows(*op, w.ret, &w.absA)
		if w.check && w.stepAllows(*op, w.ret, &w.absA) != ok {
			return true, w.violate(KindSpec, w.stepDiffers(op, ok))
		}
		if ok {
			return false, false
		}
	}
	return true, w.violate(w.completionFailure(op, c, related))
}

// completionFailure describes a completion that checkCompletion rejects:
// the state reached and what the specification allowed instead.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) completionFailure(op *AOp, c *CS, related bool) (kind, msg string) {
	lower, upper := w.sys.Lower.Spec, w.sys.Upper.Spec
	reached := "which relates to no abstract state"
	if related {
		reached = "abstract " + upper.Format(&w.absA)
	}
	if op == nil {
		allowed := make([]string, len(w.allowed))
		for i := range w.allowed {
			allowed[i] = upper.Format(&w.allowed[i])
		}
		if related && alike(w.absA, w.allowed, func(a AS) string { return upper.Format(&a) }) {
			// The reached state formats as an allowed one it is not:
			// show the values too.
			reached += " " + plain(w.absA)
			for i := range w.allowed {
				allowed[i] += " " + plain(w.allowed[i])
			}
		}
		return KindRecovery, fmt.Sprintf("recovery ended in lower state %s (%s); the states allowed after the crash are {%s}",
			lower.Format(c), reached, strings.Join(allowed, ", "))
	}
	var rets []ARet
	var states []string
	w.ustep.reset()
	for {
		w.stepA = w.a
		rets = append(rets, upper.Step(&w.stepA, *op, &w.ustep))
		w.ustep.finish()
		states = append(states, upper.Format(&w.stepA))
		if !w.ustep.next() {
			break
		}
	}
	// A result that prints as an allowed one it is not (a String method
	// that leaves out a field) is shown with its value too.
	showRet := show
	if alike(w.ret, rets, func(r ARet) string { return show(r) }) {
		showRet = func(r any) string { return show(r) + " " + plain(r) }
	}
	allowed := make([]string, len(rets))
	for i, r := range rets {
		allowed[i] = fmt.Sprintf("%s with %s", showRet(r), states[i])
	}
	return KindRefinement, fmt.Sprintf("%s returned %s and left lower state %s (%s); from %s the specification allows %s",
		show(*op), showRet(w.ret), lower.Format(c), reached, upper.Format(&w.a), strings.Join(allowed, " or "))
}

// alike reports whether x renders as one of others that differs from it.
func alike[T comparable](x T, others []T, render func(T) string) bool {
	for _, o := range others {
		if o != x && render(o) == render(x) {
			return true
		}
	}
	return false
}

// plain renders x, in parentheses, as fmt's %+v does but with no String
// method of its own or of its parts: "({A:1 B:0})".
func plain(x any) string {
	var b strings.Builder
	b.WriteByte('(')
	writePlain(&b, reflect.ValueOf(x))
	b.WriteByte(')')
	return b.String()
}

// writePlain writes v to b for plain.
func writePlain(b *strings.Builder, v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		b.WriteByte('{')
		for i := range v.NumField() {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(v.Type().Field(i).Name + ":")
			writePlain(b, v.Field(i))
		}
		b.WriteByte('}')
	case reflect.Array:
		b.WriteByte('[')
		for i := range v.Len() {
			if i > 0 {
				b.WriteByte(' ')
			}
			writePlain(b, v.Index(i))
		}
		b.WriteByte(']')
	case reflect.Bool:
		b.WriteString(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		b.WriteString(strconv.FormatUint(v.Uint(), 10))
	case reflect.Float32, reflect.Float64:
		b.WriteString(strconv.FormatFloat(v.Float(), 'g', -1, 64))
	case reflect.String:
		b.WriteString(strconv.Quote(v.String()))
	default:
		b.WriteString(v.Kind().String())
	}
}

func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) checkInvariant(c *CS) (failed, stop bool) {
	if w.sys.Invariant == nil {
		return false, false
	}
	err, msg := w.invariant(c)
	if msg != "" {
		return true, w.violate(KindSpec, msg)
	}
	if err != nil {
		return true, w.violate(KindInvariant, fmt.Sprintf("invariant fails on %s: %v", w.sys.Lower.Spec.Format(c), err))
	}
	return false, false
}

// stepAllows reports whether some (a', r) in stepA(w.a, op) has r = ret
// and a' = *a2.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) stepAllows(op AOp, ret ARet, a2 *AS) bool {
	w.ustep.reset()
	for {
		w.stepA = w.a
		r := w.sys.Upper.Spec.Step(&w.stepA, op, &w.ustep)
		w.ustep.finish()
		if w.sameResult(r, ret) && w.stepA == *a2 {
			return true
		}
		if !w.ustep.next() {
			return false
		}
	}
}

// sameResult reports whether upper results a and b are the same: == or,
// where that is not identity, sameRet.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) sameResult(a, b ARet) bool {
	if w.sameRet != nil {
		return w.sameRet(a, b)
	}
	return a == b
}

// allowedAfter sets the allowed set of a crash from the current Idle
// node: crashA(a) and, during op (unless nil), crashA(a') for every
// (a', _) in stepA(a, op).
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) allowedAfter(op *AOp) {
	w.allowed = w.allowed[:0]
	w.addCrashesOf(&w.a)
	if op == nil {
		return
	}
	w.ustep.reset()
	for {
		w.stepA = w.a
		w.sys.Upper.Spec.Step(&w.stepA, *op, &w.ustep)
		w.ustep.finish()
		w.addCrashesOf(&w.stepA)
		if !w.ustep.next() {
			return
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
// w.set: a count (a varint: one byte below 128), then the members'
// encodings in increasing byte order.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) encodeAllowed() {
	if len(w.allowed) > MaxAllowed {
		panic(fmt.Errorf("%w: more than %d abstract states allowed after a crash", ErrLimit, MaxAllowed))
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
	w.set = binary.AppendUvarint(w.set[:0], uint64(n))
	for _, i := range order {
		w.set = append(w.set, member(i)...)
	}
}

// crashAt emits Recovering(crashC(*c), allowed) for every outcome of the
// lower crash relation. An outcome that fails its checks is a violation
// in its place, with no successor, and the other outcomes are emitted
// all the same. It reports whether the emitter stopped the expansion.
//
// It leaves the outcomes' encodings in w.crashes, for crashAgain, or none
// when one of them failed: a crash point with the same state is then
// computed again, and fails as this one did.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) crashAt(c *CS) bool {
	w.lcrash.reset()
	w.crashes, w.ends = w.crashes[:0], w.ends[:0]
	failed := false
	for {
		w.crashC = *c
		w.sys.Lower.Spec.Crash(&w.crashC, &w.lcrash)
		w.lcrash.finish()
		if w.check {
			w.preC = w.crashC
		}
		w.crashes = w.appendRecovering(w.crashes, &w.crashC)
		w.ends = append(w.ends, len(w.crashes))
		ok := true
		if w.check || w.lowerTrips {
			enc := w.crashes[w.start()+1:]
			if msg := w.crashOutcomeFault(c, enc, len(enc)-len(w.set)); msg != "" {
				w.crashes, w.ends = w.crashes[:w.start()], w.ends[:len(w.ends)-1]
				failed, ok = true, false
				if w.violate(KindSpec, msg) {
					return true
				}
			}
		}
		if ok && w.emitNode(w.crashes[w.start():], true) {
			return true
		}
		if !w.lcrash.next() {
			if failed {
				w.crashes, w.ends = w.crashes[:0], w.ends[:0]
			}
			return false
		}
	}
}

// start returns the start of the last encoding in w.crashes.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) start() int {
	if len(w.ends) < 2 {
		return 0
	}
	return w.ends[len(w.ends)-2]
}

// crashAgain emits the successors of the last crash point again, for a
// crash point whose lower state is the same (the step between them
// changed nothing): the lower crash relation and the encodings are not
// computed again.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) crashAgain() bool {
	start := 0
	for _, end := range w.ends {
		if w.emitNode(w.crashes[start:end], true) {
			return true
		}
		start = end
	}
	return false
}

// emit passes w.out to the emitter as the next edge.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) emit(crash bool) bool {
	return w.emitNode(w.out, crash)
}

// emitNode passes node to the emitter as the next edge.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) emitNode(node []byte, crash bool) bool {
	e := w.edge
	w.edge++
	if crash {
		w.crashEdges++
	}
	return w.e.Successor(e, node, crash)
}

// emitAgain passes n edges, crashes of them crashes, that reach nodes
// emitted before in this expansion to the emitter, which must be a
// Repeater.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) emitAgain(n, crashes uint32) bool {
	e := w.edge
	w.edge += n
	w.crashEdges += crashes
	return w.rep.Again(e, n, crashes)
}

// violate passes a violation of the given kind to the emitter as the next
// edge.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) violate(kind, msg string) bool {
	return w.fail(&Violation{Kind: kind, Message: msg})
}

func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) fail(v *Violation) bool {
	v.Edge = w.edge
	w.edge++
	w.fails++
	return w.e.Fail(v)
}
