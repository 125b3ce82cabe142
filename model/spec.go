package model

import "fmt"

// Result is what an operation returns: comparable, so that a run's result
// can be matched against the specification's, and printable for paths.
type Result interface {
	comparable
	fmt.Stringer
}

// Operation is an operation of a layer: comparable, so that a replay can
// be checked against the run it repeats, and printable for paths.
type Operation interface {
	comparable
	fmt.Stringer
}

// Spec is a layer specification: states of type S, operations Op with a
// nondeterministic step relation, a crash relation and initial states.
//
// States are comparable values (arrays and small structs) copied by
// assignment. Their encoding is canonical: two states are equal exactly when
// their encodings are equal.
type Spec[S comparable, Op Operation, Ret Result] interface {
	// Init returns the initial states.
	Init() []S
	// Ops returns the operation alphabet explored when this layer is the
	// upper layer of a check: every operation with every argument in range.
	Ops() []Op
	// Step applies op to *s, asking c to resolve nondeterminism, and returns
	// the operation's result. Every sequence of answers is one element of the
	// step relation.
	Step(s *S, op Op, c Chooser) Ret
	// Crash applies the crash relation to *s, asking c to resolve
	// nondeterminism.
	Crash(s *S, c Chooser)
	// AppendEncode appends the canonical encoding of *s to dst.
	AppendEncode(dst []byte, s *S) []byte
	// Decode reads one encoded state from the front of src into *s and
	// returns the number of bytes read.
	Decode(src []byte, s *S) (int, error)
	// Format renders *s for a person.
	Format(s *S) string
}

// Caller is the executor's side of a handle: one primitive operation on the
// lower layer. Layer packages wrap a Caller into their typed Go interface.
type Caller[Op any, Ret any] interface {
	Call(op Op) Ret
}

// Layer is a specification with its Go interface API: Handle turns a Caller
// into an API (each method one Call), and Dispatch invokes an operation on
// any API, implementation or handle.
type Layer[S comparable, Op Operation, Ret Result, API any] struct {
	// Name names the layer in paths and listings.
	Name string
	// Spec is the layer's specification.
	Spec Spec[S, Op, Ret]
	// Handle builds the API on a Caller.
	Handle func(Caller[Op, Ret]) API
	// Dispatch runs op through api and returns its result.
	Dispatch func(api API, op Op) Ret
}

// Instance is an implementation bound to its lower layer: the upper layer's
// API and the recovery procedure.
type Instance[U any] struct {
	// API is the upper layer's interface, implemented on the lower layer.
	API U
	// Recover is the recovery procedure, run after every crash.
	Recover func()
	// Stages, when set, are the parts of a composed recovery in the order
	// Recover runs them, the bottom layer's first (see Compose); nil means
	// one stage, Recover itself. Only the relation oracle looks at them.
	Stages []func()
}

// RecoveryStages returns the parts of in's recovery in order: in.Stages, or
// in.Recover alone.
func (in Instance[U]) RecoveryStages() []func() {
	if in.Stages != nil {
		return in.Stages
	}
	return []func(){in.Recover}
}

// Impl is an implementation of an upper layer (interface U) on a lower layer
// (interface L). Implementation code keeps no state of its own between
// calls: everything it needs after a crash lives in the lower layer. It
// must be deterministic: no globals, time, randomness or map iteration.
type Impl[L, U any] func(lower L) Instance[U]

// Compose stacks upper (A on B) on lower (B on C) into an implementation of
// A on C. Its recovery runs lower's recovery, then upper's recovery through
// lower; a crash anywhere in it restarts it from the beginning.
func Compose[C, B, A any](lower Impl[C, B], upper Impl[B, A]) Impl[C, A] {
	return func(c C) Instance[A] {
		b := lower(c)
		a := upper(b.API)
		return Instance[A]{
			API: a.API,
			Recover: func() {
				b.Recover()
				a.Recover()
			},
			Stages: append(append([]func(){}, b.RecoveryStages()...), a.RecoveryStages()...),
		}
	}
}

// Relation is an abstraction relation between upper states A and lower
// states C, given as a partial function: R(a, c) holds exactly when
// Abs(c) returns (a, true). Both relations of Argosy's example are of this
// form, and composition stays a function (ComposeRelations).
type Relation[A, C any] func(c *C) (A, bool)

// ComposeRelations returns R2 ;; R1: R(a, c) holds when some b has
// R2(a, b) and R1(b, c).
func ComposeRelations[A, B, C any](upper Relation[A, B], lower Relation[B, C]) Relation[A, C] {
	return func(c *C) (A, bool) {
		b, ok := lower(c)
		if !ok {
			var zero A
			return zero, false
		}
		return upper(&b)
	}
}
