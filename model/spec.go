package model

import (
	"fmt"
	"unsafe"
)

// Spec is a layer specification: states of type S, operations Op with a
// nondeterministic step relation, a crash relation and initial states.
//
// States are comparable values (arrays and small structs) copied by
// assignment: System.Validate refuses a state type that holds a pointer,
// channel, interface or float (PlainValue). Step and Crash depend on the
// state and the Chooser's answers alone, and AppendEncode and Format only
// read the state. The encoding is canonical: two states are equal exactly
// when their encodings are equal. Operations and results are comparable
// too, so that a run can be compared with its replay and a result with
// the specification's; paths print them with their String method when
// they have one, and with fmt's %+v otherwise (a struct's fields by name).
type Spec[S, Op, Ret comparable] interface {
	// Init returns the initial states, the same list in the same order at
	// every call (System.Validate refuses a lower layer's that is seen to
	// differ).
	Init() []S
	// Ops returns the operation alphabet explored when this layer is the
	// upper layer of a check: every operation with every argument in range,
	// the same list in the same order at every call (not a map's keys),
	// since each worker, and the path rebuilt after a search, numbers a
	// state's edges by it; System.Validate refuses one seen to differ.
	// Operations that point to buffers are the same when what they
	// point to holds the same values: Ops may make the buffers at each
	// call. What an operation points to (a buffer it carries) is the
	// client's: layer code that changes it is a KindNondeterminism
	// violation, seen as a run of the operation's procedure begins or
	// ends, or when the search ends. A layer used only below another
	// needs none.
	Ops() []Op
	// Step applies op to *s, asking c to resolve nondeterminism, and returns
	// the operation's result. Every sequence of answers is one element of the
	// step relation. The result must not point into *s (&s.Blocks, a slice
	// of it): layer code could change the lower state through it outside a
	// step, and a check reports a lower step whose result does as a
	// KindSpec violation. Results compare with ==, except that floats in
	// them (in an interface too) compare by identity: -0 is not 0, and NaN
	// is NaN.
	Step(s *S, op Op, c Chooser) Ret
	// Crash applies the crash relation to *s, asking c to resolve
	// nondeterminism.
	Crash(s *S, c Chooser)
	// AppendEncode appends the canonical encoding of *s to dst.
	AppendEncode(dst []byte, s *S) []byte
	// Decode reads one encoded state from the front of src into *s and
	// returns the number of bytes read: exactly those AppendEncode wrote.
	Decode(src []byte, s *S) (int, error)
	// Format renders *s for a person.
	Format(s *S) string
}

// EncodingTested is implemented by a Spec whose own tests show that its
// encoding is canonical for every state it can hold: Decode inverts
// AppendEncode, and two states are equal exactly when their encodings
// are (a test over every state, or a fuzz test, as the catalogue's
// layers have; checktest.Spec over the states a layer reaches).
//
// A search checks that every state it reaches decodes from its encoding
// back to itself: an encoding that gives two states one encoding makes
// them one node, and the search never expands the one that does not
// decode, nor the bugs only it leads to. It checks this on every run,
// in every mode, for a Spec that is not an EncodingTested; for one that
// is, only on the runs it runs twice (every run in DeterminismFull, a
// sample past the first levels in DeterminismSample), which saves a
// decode per state reached.
type EncodingTested interface {
	// EncodingTested marks the Spec; a search never calls it.
	EncodingTested()
}

// Caller is the executor's side of a handle: one primitive operation on the
// lower layer. Layer packages wrap a Caller into their typed Go interface.
// A layer made with NewLayer has Caller itself as its Go interface: an
// implementation of that layer is any value with a method Call(op Op) Ret.
type Caller[Op, Ret any] interface {
	Call(op Op) Ret
}

// Layer is a specification with its Go interface API.
//
// A layer plays one or both of two roles in a check. Below an
// implementation (System.Lower) it needs Handle, which turns the
// executor's Caller into the API the implementation calls; its Spec's Ops
// are not used. Above an implementation (System.Upper) it needs Dispatch,
// which runs each operation of its Spec's Ops through the implementation's
// API. System.Validate says which is missing.
type Layer[S, Op, Ret comparable, API any] struct {
	// Name names the layer in paths and listings.
	Name string
	// Spec is the layer's specification.
	Spec Spec[S, Op, Ret]
	// Handle builds the API on a Caller (needed below an implementation).
	Handle func(Caller[Op, Ret]) API
	// Dispatch runs op through api and returns its result (needed above an
	// implementation).
	Dispatch func(api API, op Op) Ret
}

// NewLayer returns spec as a layer whose Go interface is the Caller
// itself: implementations below it call lower.Call(op), and an
// implementation of it is any value with a method Call(op Op) Ret. Handle
// and Dispatch need no code.
func NewLayer[S, Op, Ret comparable](name string, spec Spec[S, Op, Ret]) Layer[S, Op, Ret, Caller[Op, Ret]] {
	return Layer[S, Op, Ret, Caller[Op, Ret]]{
		Name:     name,
		Spec:     spec,
		Handle:   func(c Caller[Op, Ret]) Caller[Op, Ret] { return c },
		Dispatch: func(api Caller[Op, Ret], op Op) Ret { return api.Call(op) },
	}
}

// Instance is an implementation bound to its lower layer: the upper layer's
// API and the recovery procedure.
type Instance[U any] struct {
	// API is the upper layer's interface, implemented on the lower layer.
	API U
	// Recover is the recovery procedure, run after every crash.
	Recover func()
	// stages are the parts of a composed recovery in the order Recover
	// runs them, the bottom layer's first, and composed the Recover that
	// Compose made to run them. They stand for Recover only while Recover
	// is still composed: code that replaces or wraps a composed
	// instance's Recover makes its recovery one stage again.
	stages   []func()
	composed func()
}

// staged reports whether in's recovery is run stage by stage.
func (in *Instance[U]) staged() bool {
	return in.stages != nil && sameFunc(in.Recover, in.composed)
}

// sameFunc reports whether f and g are the same function value: the same
// closure, not only the same code. (composed keeps its closure alive, so
// its address is not reused while an Instance holds it.)
func sameFunc(f, g func()) bool {
	return *(*unsafe.Pointer)(unsafe.Pointer(&f)) == *(*unsafe.Pointer)(unsafe.Pointer(&g))
}

// recoveryStages returns the parts of in's recovery in order.
func (in Instance[U]) recoveryStages() []func() {
	if in.staged() {
		return in.stages
	}
	return []func(){in.Recover}
}

// stageCount returns the number of parts of in's recovery.
func (in *Instance[U]) stageCount() int {
	if in.staged() {
		return len(in.stages)
	}
	return 1
}

// stage returns stage s of in's recovery (see recoveryStages).
func (in *Instance[U]) stage(s int) func() {
	if in.staged() {
		return in.stages[s]
	}
	return in.Recover
}

// Impl is an implementation of an upper layer (interface U) on a lower layer
// (interface L). Implementation code keeps no state of its own between
// calls: everything it needs after a crash lives in the lower layer. It
// must be deterministic: no globals, time, randomness, map iteration or
// goroutines that call the lower layer (see Determinism). A check calls
// Impl more than once: recoveries run on an instance that no operation
// runs on, the first of two compared runs on one built anew, an instance
// that ran a recovery or an operation must hold the values a new one
// holds (reflection compares what its API reaches), and operations one
// after the other after a recovery run on the instance that recovered
// and each on one built anew, compared.
// Package-level variables are not seen, and variables captured by
// closures only as far as the operations run after a recovery show them;
// memory every instance reaches from its API through one pointer, slice
// or map (a variable of the function that builds the System) must hold
// when the search ends what it held before, a KindNondeterminism
// violation otherwise.
type Impl[L, U any] func(lower L) Instance[U]

// Compose stacks upper (A on B) on lower (B on C) into an implementation of
// A on C. Its recovery runs lower's recovery, then upper's recovery through
// lower; a crash anywhere in it restarts it from the beginning. A check
// runs the two recoveries as stages of their own while the instance's
// Recover is the one Compose made, and a path marks where each stage
// begins (Step.Stages); code that replaces or wraps it is checked with
// its own Recover, one stage. Compose of a nil Impl is nil, which a
// check refuses (System.Validate), as it refuses a System with no Impl.
func Compose[C, B, A any](lower Impl[C, B], upper Impl[B, A]) Impl[C, A] {
	if lower == nil || upper == nil {
		return nil
	}
	return func(c C) Instance[A] {
		b := lower(c)
		a := upper(b.API)
		run := func() {
			b.Recover()
			a.Recover()
		}
		return Instance[A]{
			API:      a.API,
			Recover:  run,
			stages:   append(append(make([]func(), 0, b.stageCount()+a.stageCount()), b.recoveryStages()...), a.recoveryStages()...),
			composed: run,
		}
	}
}

// Relation is an abstraction relation between upper states A and lower
// states C, given as a partial function: R(a, c) holds exactly when
// Abs(c) returns (a, true). It reads *c only, and depends on nothing
// else: a relation that changes *c is a KindSpec violation. Both
// relations of the built-in stack (the replicated disk's and the log's)
// are of this form, and composition stays a function (ComposeRelations).
// A relation that is not a function (several abstract states for one
// lower state) cannot be written this way.
type Relation[A, C any] func(c *C) (A, bool)

// ComposeRelations returns R2 ;; R1: R(a, c) holds when some b has
// R2(a, b) and R1(b, c). The composition of a nil Relation is nil, which
// a check refuses (System.Validate), as it refuses a System with no Abs.
func ComposeRelations[A, B, C any](upper Relation[A, B], lower Relation[B, C]) Relation[A, C] {
	if upper == nil || lower == nil {
		return nil
	}
	return func(c *C) (A, bool) {
		b, ok := lower(c)
		if !ok {
			var zero A
			return zero, false
		}
		return upper(&b)
	}
}

// show renders an operation or a result for a path: its String method when
// it has one, fmt's %+v otherwise.
func show(x any) string {
	if s, ok := x.(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprintf("%+v", x)
}
