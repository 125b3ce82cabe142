package model

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
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
	// KindNondeterminism: layer code behaved differently when run again
	// with the same lower-layer choices, or on a newly built instance (it
	// keeps state of its own between calls), or called the lower layer
	// from another goroutine than the procedure's, or while no procedure
	// was running.
	KindNondeterminism = "nondeterminism"
	// KindInvariant: the system's invariant failed on a lower state.
	KindInvariant = "invariant"
	// KindInitial: an initial lower state relates to no initial abstract state.
	KindInitial = "initial"
	// KindSpec: a specification, the abstraction relation or the invariant
	// broke a rule the search relies on: an encoding that does not decode
	// to the state it encodes, a relation, invariant or encoding that
	// changes the state it is handed, a lower crash relation that gives
	// another outcome for the same choices, an upper specification that
	// answers the same question (which states a crash allows, whether a
	// result is allowed) two ways.
	KindSpec = "spec"
)

// ViolationKinds returns the violation kinds, in the order declared
// above: what a test of a mutant (checktest.Violates) or a plan line
// (expect=violation:KIND) may name.
func ViolationKinds() []string {
	return []string{KindRefinement, KindRecovery, KindPanic, KindStepLimit,
		KindNondeterminism, KindInvariant, KindInitial, KindSpec}
}

// Violation is a failed check at one edge of a node's expansion. It is a
// result of the check, not an error.
type Violation struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
	// Where is, for a panic, the file and line in layer code that panicked.
	Where string `json:"where,omitempty"`
	// Edge is the ordinal of the failing edge in its node's expansion.
	Edge uint32 `json:"-"`
}

// Emitter receives the edges of a node's expansion in order. Every edge has
// an ordinal, its position in that order, counting successors and
// violations alike.
type Emitter interface {
	// Successor receives the node that edge reaches, an encoding valid
	// only during the call; crash says whether the edge is a crash. It
	// returns true to stop the expansion.
	Successor(edge uint32, node []byte, crash bool) (stop bool)
	// Fail receives a failed check at edge v.Edge; the failing run has no
	// successor. It returns true to stop the expansion, false to go on
	// with the next run.
	Fail(v *Violation) (stop bool)
}

// Repeater is an Emitter that also takes, in one call, a run of edges
// each of which reaches a node that an earlier successor of the same
// expansion reached, or the node being expanded. A worker uses it when its
// emitter has it; passing those edges to Successor one by one is
// equivalent.
type Repeater interface {
	Emitter
	// Again receives n edges, with the ordinals edge to edge+n-1, crashes
	// of them crashes, each reaching a node that a successor emitted
	// before it in this expansion reached, or the node being expanded. It
	// returns true to stop the expansion.
	Again(edge, n, crashes uint32) (stop bool)
}

// Checker is a refinement check with its types erased, as the explorer sees
// it. Nodes are canonical encodings.
type Checker interface {
	// Validate reports a check that cannot run, naming what is missing.
	Validate() error
	// NewWorker returns a worker with its own executor and buffers.
	NewWorker(o Options) Worker
}

// NewWorker returns chk.NewWorker(o), and an error where it panics: layer
// code that builds an Instance (Impl, Lower.Handle) and that Validate saw
// build twice may still panic when a search builds it again. The error
// names the value and the line of layer code that panicked.
func NewWorker(chk Checker, o Options) (w Worker, err error) {
	defer func() {
		if p := recover(); p != nil {
			w, err = nil, layerPanic("building a worker's Instance (Impl or Lower.Handle, called again)", p, panicSite())
		}
	}()
	return chk.NewWorker(o), nil
}

// Options are the settings of a search that the model carries out.
type Options struct {
	// Crashes narrows where crashes strike; the zero value, CrashAll, is
	// the full semantics.
	Crashes CrashMode
	// Determinism says which procedure runs are run twice and compared.
	Determinism Determinism
	// rebuild, when set (see Rebuilt), builds the check anew for each
	// new instance the determinism checks build.
	rebuild func() Checker
}

// Worker expands nodes of one Checker's state graph. It is not safe for
// concurrent use; each explorer worker owns one.
type Worker interface {
	// Initial returns the initial nodes, at least one (a search refuses a
	// Checker that gives none, which would verify having checked
	// nothing), or the violation of an initial state that relates to no
	// initial abstract state.
	Initial() ([][]byte, *Violation)
	// Expand passes every edge of node to e, in a fixed order, until e
	// says stop.
	Expand(node []byte, e Emitter)
	// Replay runs node's expansion again up to edge and describes that
	// edge as a Step, with the successor's encoding (nil when the edge
	// violates); the zero Step when node has no such edge.
	Replay(node []byte, edge uint32) (Step, []byte)
	// CheckAll, when on, makes the expansions and replays from then on
	// run every procedure run twice, as DeterminismFull does, whatever
	// the Determinism option; off, they follow the option again. Searches
	// turn it on for the levels that begin before CheckAllStates states
	// are found.
	CheckAll(on bool)
	// View describes a node for a person.
	View(node []byte) NodeView
	// Stray returns a violation when a call reached the lower layer from
	// another goroutine than the procedure's, or while no procedure was
	// running, since the last run ended: a goroutine of the layer code's
	// own, left behind or not. Runs check it as they end; the explorer and
	// the shards ask once more at the end of every level, and the explorer
	// before every checkpoint commit. Asked then, with no run under way, it
	// also returns one when a goroutine that one of the worker's
	// procedures started is still running (see leftrunning.go), or when
	// memory that the worker's instances share (reached from every
	// instance's API through one pointer, slice or map), or memory that
	// the upper operations point to, holds other values than when the
	// worker was made.
	Stray() *Violation
}

// EdgesReplayer is a Worker that can describe several edges of one node
// with one expansion: the paths to several violations found at one node
// take one replay of its expansion, not one replay up to each of them.
type EdgesReplayer interface {
	// ReplayEdges runs node's expansion again once, up to the last of
	// edges, which must be in increasing order (it panics otherwise), and
	// describes each of them as Replay does: for deterministic layer
	// code, steps[i] is the Step that Replay(node, edges[i]) returns, the
	// zero Step when node has no such edge.
	ReplayEdges(node []byte, edges []uint32) (steps []Step)
}

// System is the recovery-refinement check of implementation Impl of layer
// Upper on layer Lower under abstraction relation Abs. NewSystem builds one
// with its types inferred.
type System[CS, COp, CRet comparable, CAPI any, AS, AOp, ARet comparable, AAPI any] struct {
	Lower Layer[CS, COp, CRet, CAPI]
	Upper Layer[AS, AOp, ARet, AAPI]
	Impl  Impl[CAPI, AAPI]
	Abs   Relation[AS, CS]
	// Invariant, when set, must hold of every initial lower state and of
	// every lower state reached by a completed operation or recovery. It
	// must read *c only (a KindSpec violation otherwise).
	Invariant func(c *CS) error
	// StepLimit bounds the primitive steps of one procedure run; zero
	// means DefaultStepLimit.
	StepLimit int
}

// NewSystem returns the check of impl, an implementation of upper on
// lower, under the abstraction relation abs.
func NewSystem[CS, COp, CRet comparable, CAPI any, AS, AOp, ARet comparable, AAPI any](
	lower Layer[CS, COp, CRet, CAPI], upper Layer[AS, AOp, ARet, AAPI],
	impl Impl[CAPI, AAPI], abs Relation[AS, CS]) *System[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI] {
	return &System[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]{Lower: lower, Upper: upper, Impl: impl, Abs: abs}
}

// DefaultStepLimit is the step limit of a System that sets none.
const DefaultStepLimit = 10000

// ErrLimit marks an error of a check that goes past what argocheck can
// encode: more than MaxAllowed abstract states allowed after a crash, a
// Choose among more than MaxChoices alternatives, more than 2^24
// successors of one state, more than 2^40 states.
var ErrLimit = errors.New("beyond argocheck's limits")

// MaxAllowed is the most abstract states a crash may allow: the members
// of a Recovering node's allowed set, which its encoding holds, and which
// the checks compare linearly.
const MaxAllowed = 1 << 12

// Validator is what a Spec implements to have its parameters checked
// before a search (disk sizes, for instance): System.Validate calls it.
type Validator interface {
	Validate() error
}

// Validate reports what s lacks to run: the lower layer's Spec and Handle,
// the upper layer's Spec, Dispatch and operations, the implementation, the
// relation, initial states, and an implementation that builds an API and a
// recovery procedure (each layer's, in a composed one). It also refuses a
// lower Init or an upper Ops seen to return another list when called
// again, an implementation that calls the lower layer while its
// Instance is built, and an Impl or Lower.Handle that panics when called
// a second time.
//
// The layer code it calls (each Spec's Validate, Init and Ops,
// Lower.Handle and Impl) runs on a goroutine of its own: a panic there,
// or a runtime.Goexit (testing's FailNow and Fatal call it), is an error
// naming the code and what it panicked with, not a panic of the caller.
func (s *System[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) Validate() error {
	if s == nil {
		return errors.New("model: the system is nil (a nil *model.System)")
	}
	if err := goroutineIDs(); err != nil {
		return err
	}
	var missing []string
	need := func(ok bool, field string) {
		if !ok {
			missing = append(missing, field)
		}
	}
	need(s.Lower.Spec != nil, "Lower.Spec")
	need(s.Lower.Handle != nil, "Lower.Handle")
	need(s.Upper.Spec != nil, "Upper.Spec")
	need(s.Upper.Dispatch != nil, "Upper.Dispatch")
	need(s.Impl != nil, "Impl")
	need(s.Abs != nil, "Abs")
	if len(missing) > 0 {
		hint := ""
		if s.Impl == nil || s.Abs == nil {
			hint = " (model.Compose and model.ComposeRelations return nil when a part is nil)"
		}
		return fmt.Errorf("model: the system has no %s%s", strings.Join(missing, ", no "), hint)
	}
	if s.StepLimit < 0 {
		return fmt.Errorf("model: the system's StepLimit is negative (%d)", s.StepLimit)
	}
	for _, st := range []struct {
		name string
		t    reflect.Type
	}{{"Lower", reflect.TypeFor[CS]()}, {"Upper", reflect.TypeFor[AS]()}} {
		if err := PlainValue(st.t); err != nil {
			return fmt.Errorf("model: %s.Spec's states are not plain values: %w", st.name, err)
		}
	}
	return guard(s.validateCode)
}

// validateCode is the part of Validate that calls layer code, each call
// through cb.
func (s *System[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) validateCode(cb *callbacks) error {
	for _, sp := range []struct {
		name string
		spec any
	}{{"Lower", s.Lower.Spec}, {"Upper", s.Upper.Spec}} {
		if v, ok := sp.spec.(Validator); ok {
			var err error
			cb.do(sp.name+".Spec.Validate", func() { err = v.Validate() })
			if err != nil {
				return fmt.Errorf("model: %s.Spec: %w", sp.name, err)
			}
		}
	}
	var lowerInits, upperInits, ops int
	cb.do("Lower.Spec.Init", func() { lowerInits = len(s.Lower.Spec.Init()) })
	cb.do("Upper.Spec.Init", func() { upperInits = len(s.Upper.Spec.Init()) })
	cb.do("Upper.Spec.Ops", func() { ops = len(s.Upper.Spec.Ops()) })
	switch {
	case lowerInits == 0:
		return errors.New("model: Lower.Spec.Init returns no initial state")
	case upperInits == 0:
		return errors.New("model: Upper.Spec.Init returns no initial state")
	case ops == 0:
		return errors.New("model: Upper.Spec.Ops returns no operation: there is nothing to check")
	}
	var same bool
	if cb.do("Lower.Spec.Init", func() { same = sameLists(s.Lower.Spec.Init) }); !same {
		return errors.New("model: Lower.Spec.Init returns other states, or its states in another order, when called again: the initial nodes are numbered by it, so it must return a fixed list (not a map's keys)")
	}
	if cb.do("Upper.Spec.Ops", func() { same = sameOps(s.Upper.Spec.Ops) }); !same {
		return errors.New("model: Upper.Spec.Ops returns other operations, or its operations in another order, when called again: every worker, and the path rebuilt after a search, numbers a state's edges by it, so it must return a fixed list (not a map's keys)")
	}
	// The encodings of the initial states: a Codec that cannot encode the
	// state type (a string field in a zero Codec) panics at the first
	// state, an error of the system, not a violation of its code.
	cb.do("Lower.Spec.AppendEncode", func() {
		for _, c := range s.Lower.Spec.Init() {
			s.Lower.Spec.AppendEncode(nil, &c)
		}
	})
	cb.do("Upper.Spec.AppendEncode", func() {
		for _, a := range s.Upper.Spec.Init() {
			s.Upper.Spec.AppendEncode(nil, &a)
		}
	})
	refuse := &refusingCaller[COp, CRet]{}
	// Once Validate returns, a call of refuse is one through a handle
	// that the layer code kept from an Instance built here.
	defer refuse.validated.Store(true)
	var lower CAPI
	cb.do("Lower.Handle", func() { lower = s.Lower.Handle(refuse) })
	if refuse.called {
		return refuse.err("Lower.Handle")
	}
	var inst Instance[AAPI]
	cb.do("Impl", func() { inst = s.Impl(lower) })
	if refuse.called {
		return refuse.err("Impl")
	}
	if any(inst.API) == nil {
		return errors.New("model: Impl returns an Instance with no API")
	}
	if inst.Recover == nil {
		return errors.New("model: Impl returns an Instance with no Recover (a recovery that does nothing is func() {})")
	}
	stages := inst.recoveryStages()
	for i, st := range stages {
		if st == nil {
			return fmt.Errorf("model: Impl composes an implementation whose Instance has no Recover, stage %d of the %d of the composed recovery (a recovery that does nothing is func() {})", i+1, len(stages))
		}
	}
	// A search builds many Instances, two for each worker and more for
	// its checks: one that cannot be built again (it registers something
	// global, say) is an error here, not a panic of the search.
	const again = ", called again (a search builds an Instance for each worker and check),"
	cb.do("Lower.Handle"+again, func() { lower = s.Lower.Handle(refuse) })
	if refuse.called {
		return refuse.err("Lower.Handle" + again)
	}
	cb.do("Impl"+again, func() { s.Impl(lower) })
	if refuse.called {
		return refuse.err("Impl" + again)
	}
	return nil
}

// listCalls is how many times Validate calls Init and Ops to see that
// they return the same list. A list built from a map's keys comes in
// another order at some call, almost surely: the least random is a small
// map's, whose order changes at one call in eight, and all 256 calls
// agree with a probability under 10^-14.
const listCalls = 256

// sameLists reports whether list returns equal lists in listCalls calls:
// equal by ==, or where that is not identity (a float in T) by sameFor,
// so that an operation carrying NaN equals itself.
func sameLists[T comparable](list func() []T) bool {
	same := sameFor[T]()
	if same == nil {
		same = func(a, b T) bool { return a == b }
	}
	first := list()
	for range listCalls - 1 {
		if !slices.EqualFunc(list(), first, same) {
			return false
		}
	}
	return true
}

// sameOps is sameLists for the upper operations, which, when they are
// not plain values (an operation that points to the buffer it writes),
// are equal when what they reach holds equal values: an Ops that makes
// its operations' buffers at each call returns the same operations, at
// other addresses, and each worker runs those it was given.
func sameOps[T comparable](list func() []T) bool {
	if PlainValue(reflect.TypeFor[T]()) == nil {
		return sameLists(list)
	}
	walk := func() []uint64 { return sharedWalk(reflect.ValueOf(list()), "Ops", nil, -1).vals }
	first := walk()
	for range listCalls - 1 {
		if !slices.Equal(walk(), first) {
			return false
		}
	}
	return true
}

// refusingCaller is the Caller Validate builds an Instance on: building
// one must not call the lower layer. It panics at the first call, with a
// buildCall, and remembers the call, which layer code that recovers the
// panic does not hide. A call once Validate has returned comes through a
// handle that layer code kept (a variable its Impl captured, set at the
// first Impl call) and called from a later Instance: it is recorded in
// lateCalls and panics with a lateCall.
type refusingCaller[Op, Ret any] struct {
	called    bool
	op        string // the first call's operation
	site      string // the lines of layer code that made it (callChain)
	validated atomic.Bool
}

// Call records the call and panics.
func (r *refusingCaller[Op, Ret]) Call(op Op) Ret {
	if r.validated.Load() {
		c := lateCall{op: show(op), site: callChain()}
		lateCalls.add(c)
		panic(c)
	}
	if !r.called {
		r.called, r.op, r.site = true, show(op), callChain()
	}
	panic(buildCall{op: r.op, site: r.site})
}

// err is the error of a call to r made while code, Impl or Lower.Handle,
// ran.
func (r *refusingCaller[Op, Ret]) err(code string) error {
	return buildCall{op: r.op, site: r.site}.err(code)
}

// buildCall is the panic of refusingCaller: the operation called and
// where.
type buildCall struct{ op, site string }

// err is the error of the call, made while code ran.
func (b buildCall) err(code string) error {
	at := ""
	if b.site != "" {
		at = " at " + b.site
	}
	return fmt.Errorf("model: %s called the lower layer (%s%s) while the implementation's Instance was built, before any procedure ran: building an Instance must not call the lower layer; make the call in an operation's procedure or in Recover", code, b.op, at)
}

// lateCall is a call of the lower layer, made during a search, through
// a handle that System.Validate built an Instance on before it: the
// operation called and where.
type lateCall struct{ op, site string }

// Error says what the call was and why it is wrong.
func (c lateCall) Error() string {
	at := ""
	if c.site != "" {
		at = " at " + c.site
	}
	return fmt.Sprintf("a call of the lower layer (%s%s) went through a handle kept from an Instance that System.Validate built before the search, not through the handle that the running Instance's Impl call received, and never reached the lower state the search checks: keep no lower-layer handle from one Impl call for another (in a variable Impl captures, or a package-level one); call the lower layer only through the handle each Impl call is given", c.op, at)
}

// lateCalls records the lateCall of each goroutine that made one, so
// that the run that made it fails even when layer code recovers its
// panic: the call changed nothing the search sees, and the run would
// otherwise pass as one that never made it. It is shared by every
// System: a handle kept from one System's Validate may be called by
// another's search.
var lateCalls calls

// calls records calls by the goroutine that made them.
type calls struct {
	any atomic.Bool // a call is recorded
	mu  sync.Mutex
	by  map[int64]lateCall // the first call of each goroutine not taken yet
}

// add records c, a call made by the calling goroutine.
func (l *calls) add(c lateCall) {
	id := goroutineID()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.by == nil {
		l.by = map[int64]lateCall{}
	}
	if _, ok := l.by[id]; !ok {
		l.by[id] = c
	}
	l.any.Store(true)
}

// take returns and forgets the message of the call made by goroutine id,
// or "" when there is none. The common case, no call recorded, costs an
// atomic load.
func (l *calls) take(id int64) string {
	if !l.any.Load() {
		return ""
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	c, ok := l.by[id]
	if !ok {
		return ""
	}
	delete(l.by, id)
	l.any.Store(len(l.by) > 0)
	return c.Error()
}

// stepLimit returns the step limit in force.
func (s *System[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) stepLimit() int {
	if s.StepLimit <= 0 {
		return DefaultStepLimit
	}
	return s.StepLimit
}

// NewWorker implements Checker.
func (s *System[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) NewWorker(o Options) Worker {
	if err := goroutineIDs(); err != nil {
		panic(err)
	}
	w := &worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]{sys: s, opts: o, ops: s.Upper.Spec.Ops()}
	w.m = newMachine(s.Lower.Spec, &w.run, s.stepLimit())
	w.labels = newProcLabels(w.ops)
	w.implLabel()
	w.inst = s.Impl(s.Lower.Handle(w.m))
	w.rec = s.Impl(s.Lower.Handle(w.m))
	w.pristine = w.buildInstance()
	w.unlabel()
	w.takeShared()
	// A joined run is computed from the operations and results recorded
	// by the runs before it: ones that point to memory the layer code
	// changes after the call (a buffer it reuses) would be stepped as
	// other operations than the calls made.
	plainCalls := PlainValue(reflect.TypeFor[COp]()) == nil && PlainValue(reflect.TypeFor[CRet]()) == nil
	w.noMemo, w.noJoin = !recordRecoveries, !joinRuns || !plainCalls
	w.sameRet = sameFor[ARet]()
	_, lowerTested := s.Lower.Spec.(EncodingTested)
	_, upperTested := s.Upper.Spec.(EncodingTested)
	w.lowerTrips, w.upperTrips = !lowerTested, !upperTested
	w.memo.stages = w.rec.recoveryStages()
	w.memo.slots = make([][]memoEntry[CS, AS], len(w.memo.stages))
	for i := range w.memo.slots {
		w.memo.slots[i] = make([]memoEntry[CS, AS], memoSlots)
	}
	return w
}
