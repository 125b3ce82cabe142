package model

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"runtime/pprof"
	"strconv"
	"unsafe"
)

// Semantics is a System's behaviour with its types erased: the relations
// that recovery refinement is defined from, over encoded states, computed by
// running the procedures through the executor (Machine and choice replay)
// but without the explorer's search or node graph. It is what the relation
// oracle (package relations) decides recovery refinement from.
//
// States are canonical encodings held in strings; results are their
// printed forms, which the Semantics checks are distinct for distinct
// results. It always describes the full semantics: narrowing the crashes
// (Options.Crashes) applies to the explorer only. A Semantics is not safe
// for concurrent use.
type Semantics interface {
	// LowerInit and UpperInit return the initial states of the two layers.
	LowerInit() []string
	UpperInit() []string
	// Ops returns the names of the upper operations; an operation is
	// passed to Exec and UpperStep by its index.
	Ops() []string
	// Exec runs operation op's procedure from lower state c over every
	// choice of the lower layer and returns every run.
	Exec(op int, c string) []Execution
	// RecoveryStages returns the number of parts of the recovery
	// procedure: one for a single layer, one per layer for a stack.
	RecoveryStages() int
	// Recover runs the recovery procedure from c, every run of it; stage
	// -1 is the whole procedure, stage i its i-th part alone.
	Recover(stage int, c string) []Execution
	// LowerCrash and UpperCrash return the crash relations' outcomes.
	LowerCrash(c string) []string
	UpperCrash(a string) []string
	// UpperStep returns every (result, state) of the upper specification's
	// step relation from a.
	UpperStep(op int, a string) []Outcome
	// Abs is the abstraction relation, a partial function from lower to
	// upper states.
	Abs(c string) (a string, ok bool)
	// Invariant checks the System's invariant, if any, on c.
	Invariant(c string) error
	// FormatLower and FormatUpper render states for a person.
	FormatLower(c string) string
	FormatUpper(a string) string
}

// Execution is one run of a procedure, for one sequence of lower-layer
// choices.
type Execution struct {
	// Ret is the result of a completed operation ("" for recovery).
	Ret string
	// Snapshots are the lower states before each primitive step, then the
	// final state: the states a crash can strike in.
	Snapshots []string
	// Fault is set when the run panicked, exceeded the step limit or was
	// not deterministic on replay; the run is then not completed.
	Fault *Violation
}

// Final returns the state the run ended in.
func (r *Execution) Final() string { return r.Snapshots[len(r.Snapshots)-1] }

// Outcome is one element of a step relation: a result and a state.
type Outcome struct {
	Ret   string
	State string
}

// SemanticsOf returns chk's Semantics when chk provides one (every System
// does).
func SemanticsOf(chk Checker) (Semantics, bool) {
	if r, ok := chk.(*rebuilt); ok {
		chk = r.Checker
	}
	p, ok := chk.(interface{ Semantics() Semantics })
	if !ok {
		return nil, false
	}
	return p.Semantics(), true
}

// Semantics returns a new type-erased view of s.
func (s *System[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) Semantics() Semantics {
	sem := &semantics[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]{sys: s, ops: s.Upper.Spec.Ops(), rets: map[string]ARet{}}
	sem.m = newMachine(s.Lower.Spec, &sem.ch, s.stepLimit())
	sem.same = func(a, b ARet) bool { return a == b }
	if f := sameFor[ARet](); f != nil {
		sem.same = f
	}
	sem.labels = newProcLabels(sem.ops)
	sem.stages = len(sem.build().recoveryStages())
	pprof.SetGoroutineLabels(sem.labels.own)
	if PlainValue(reflect.TypeFor[AOp]()) != nil {
		for i := range sem.ops {
			sem.opsMemory = append(sem.opsMemory, sharedWalk(reflect.ValueOf(&sem.ops[i]).Elem(), opRoot(i), unsafe.Pointer(sem.m), -1).vals)
		}
	}
	return sem
}

// opRoot names operation i of Ops in paths to memory.
func opRoot(i int) string { return "Ops[" + strconv.Itoa(i) + "]" }

type semantics[CS, COp, CRet comparable, CAPI any, AS, AOp, ARet comparable, AAPI any] struct {
	sys    *System[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]
	ops    []AOp
	m      *Machine[CS, COp, CRet]
	ch     choices
	stages int             // the stages of a recovery
	rets   map[string]ARet // result names seen, to check they are distinct
	same   func(a, b ARet) bool
	// opsMemory[i] is what operation i reached when the Semantics was
	// made, when operations are not plain values (see opsChanged).
	opsMemory [][]uint64
	// labels are the profiler labels the procedures run under, as a
	// worker's (see leftrunning.go), and before the count of goroutines
	// as the procedure began (after Impl), or -1 before it.
	labels procLabels
	before int
}

func (s *semantics[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) lower(c string) CS {
	var st CS
	if _, err := s.sys.Lower.Spec.Decode([]byte(c), &st); err != nil {
		panic(fmt.Sprintf("model: undecodable lower state %x: %v", c, err))
	}
	return st
}

func (s *semantics[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) upper(a string) AS {
	var st AS
	if _, err := s.sys.Upper.Spec.Decode([]byte(a), &st); err != nil {
		panic(fmt.Sprintf("model: undecodable upper state %x: %v", a, err))
	}
	return st
}

func (s *semantics[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) encLower(c *CS) string {
	return string(s.sys.Lower.Spec.AppendEncode(nil, c))
}

func (s *semantics[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) encUpper(a *AS) string {
	return string(s.sys.Upper.Spec.AppendEncode(nil, a))
}

// ret names r, checking that no other result has the same name.
func (s *semantics[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) ret(r ARet) string {
	name := show(r)
	if old, ok := s.rets[name]; ok && !s.same(old, r) {
		panic(fmt.Sprintf("model: distinct results %#v and %#v print the same, %q%s", old, r, name, alikeHint(name, name)))
	}
	s.rets[name] = r
	return name
}

func (s *semantics[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) LowerInit() []string {
	var out []string
	for _, c := range s.sys.Lower.Spec.Init() {
		out = append(out, s.encLower(&c))
	}
	return out
}

func (s *semantics[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) UpperInit() []string {
	var out []string
	for _, a := range s.sys.Upper.Spec.Init() {
		out = append(out, s.encUpper(&a))
	}
	return out
}

func (s *semantics[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) Ops() []string {
	out := make([]string, len(s.ops))
	for i, op := range s.ops {
		out[i] = show(op)
	}
	return out
}

// Exec and Recover run each procedure on a newly built instance, on the
// lower layer's interface made anew: its memory starts empty, as after a
// crash.
//
// A run after which what the operation points to holds other values than
// when the Semantics was made (layer code changed a buffer the operation
// carries) is not deterministic: a run made later runs another operation.
// That change is the fault of its runs, rather than the other course
// that it made a replay take.
func (s *semantics[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) Exec(op int, c string) []Execution {
	runs := s.runs(c, func() string {
		inst := s.build()
		s.enter(s.labels.ops[op])
		return s.ret(s.sys.Upper.Dispatch(inst.API, s.ops[op]))
	})
	if s.opsMemory == nil {
		return runs
	}
	if where := walkChanged(reflect.ValueOf(&s.ops[op]).Elem(), opRoot(op), unsafe.Pointer(s.m), s.opsMemory[op]); where != "" {
		for i := range runs {
			if runs[i].Fault == nil || runs[i].Fault.Kind == KindNondeterminism {
				runs[i].Fault = &Violation{Kind: KindNondeterminism, Message: opsMessage(where)}
			}
		}
	}
	return runs
}

func (s *semantics[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) RecoveryStages() int {
	return s.stages
}

func (s *semantics[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) Recover(stage int, c string) []Execution {
	return s.runs(c, func() string {
		inst := s.build()
		s.enter(s.labels.recovery)
		if stage >= 0 {
			inst.stage(stage)()
		} else {
			inst.Recover()
		}
		return ""
	})
}

// build builds an instance on the lower layer's interface made anew, with
// the labels Impl runs under.
func (s *semantics[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) build() Instance[AAPI] {
	pprof.SetGoroutineLabels(s.labels.impl)
	return s.sys.Impl(s.sys.Lower.Handle(s.m))
}

// enter begins a procedure: it puts the procedure's labels ctx on the
// goroutine and counts the goroutines.
func (s *semantics[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) enter(ctx context.Context) {
	pprof.SetGoroutineLabels(ctx)
	s.before = runtime.NumGoroutine()
}

// runs runs proc from c over every sequence of lower-layer choices. A
// run after which more goroutines run than as its procedure began, one of
// them left running by the procedure (leftRunning), is not
// deterministic, as in the explorer's compared runs.
func (s *semantics[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) runs(c string, proc func() string) []Execution {
	start := s.lower(c)
	var out []Execution
	s.ch.reset()
	for {
		s.m.start(&start, s.ch.newFrom(), 0)
		s.before = -1
		ret, fault := s.call(proc)
		pprof.SetGoroutineLabels(s.labels.own)
		if fault == nil && s.before >= 0 && runtime.NumGoroutine() > s.before {
			if msg := s.labels.leftByCaller(); msg != "" {
				fault = &Violation{Kind: KindNondeterminism, Message: msg}
			}
		}
		s.ch.finish()
		if msg := lateCalls.take(s.m.ownerID); msg != "" {
			// Before a panic: the call's own, which layer code may
			// have recovered.
			fault = &Violation{Kind: KindNondeterminism, Message: msg}
		}
		if fault == nil && s.m.takeStray() {
			fault = &Violation{Kind: KindNondeterminism, Message: strayMessage}
		}
		if fault == nil && s.ch.diverged {
			fault = &Violation{Kind: KindNondeterminism, Message: "replaying the procedure with the same lower-layer choices took a different course: the layer code is not deterministic" + nondeterminismHint}
		}
		r := Execution{Ret: ret, Fault: fault}
		for k := 0; k <= s.m.steps(); k++ {
			r.Snapshots = append(r.Snapshots, s.encLower(s.m.snapshot(k)))
		}
		out = append(out, r)
		if !s.ch.next() {
			return out
		}
	}
}

// call runs proc and turns a panic into a fault.
func (s *semantics[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) call(proc func() string) (ret string, fault *Violation) {
	defer func() {
		p := recover()
		s.m.end()
		repanicLimit(p)
		if p == nil {
			p = s.m.broken()
		}
		if kind, msg, ok := runFailure(p); ok {
			fault = &Violation{Kind: kind, Message: msg}
		} else if p != nil {
			fault = &Violation{Kind: KindPanic, Message: fmt.Sprintf("layer code panicked: %v", p)}
		}
	}()
	return proc(), nil
}

func (s *semantics[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) LowerCrash(c string) []string {
	return crashImages(&s.ch, s.lower(c), s.sys.Lower.Spec.Crash, s.encLower)
}

func (s *semantics[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) UpperCrash(a string) []string {
	return crashImages(&s.ch, s.upper(a), s.sys.Upper.Spec.Crash, s.encUpper)
}

// crashImages returns the encodings of every outcome of crash from start,
// enumerating its choices with ch.
func crashImages[S any](ch *choices, start S, crash func(*S, Chooser), enc func(*S) string) []string {
	var out []string
	ch.reset()
	for {
		st := start
		crash(&st, ch)
		ch.finish()
		out = append(out, enc(&st))
		if !ch.next() {
			return out
		}
	}
}

func (s *semantics[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) UpperStep(op int, a string) []Outcome {
	start := s.upper(a)
	var out []Outcome
	s.ch.reset()
	for {
		st := start
		r := s.sys.Upper.Spec.Step(&st, s.ops[op], &s.ch)
		s.ch.finish()
		out = append(out, Outcome{Ret: s.ret(r), State: s.encUpper(&st)})
		if !s.ch.next() {
			return out
		}
	}
}

func (s *semantics[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) Abs(c string) (string, bool) {
	st := s.lower(c)
	a, ok := s.sys.Abs(&st)
	if !ok {
		return "", false
	}
	return s.encUpper(&a), true
}

func (s *semantics[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) Invariant(c string) error {
	if s.sys.Invariant == nil {
		return nil
	}
	st := s.lower(c)
	return s.sys.Invariant(&st)
}

func (s *semantics[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) FormatLower(c string) string {
	st := s.lower(c)
	return s.sys.Lower.Spec.Format(&st)
}

func (s *semantics[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) FormatUpper(a string) string {
	st := s.upper(a)
	return s.sys.Upper.Spec.Format(&st)
}
