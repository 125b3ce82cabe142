package relations

import (
	"fmt"

	"github.com/argocheck/argocheck/model"
)

// Options configure an oracle check. The zero value is the full semantics.
type Options struct {
	// Crashes narrows where crashes strike, as the explorer's option does:
	// CrashNoNested drops the crash loop of recovery (exec_recover becomes
	// exec), CrashBetweenOps also drops crashes inside operations.
	Crashes model.CrashMode
	// Staged computes recovery as the composed recovery of a stack,
	// StackRecover over the recovery's stages, rather than as the whole
	// procedure; the two agree when the composition is Compose's.
	Staged bool
}

// Verdict is the oracle's decision.
type Verdict struct {
	// Verified is true when every obligation holds over the reachable
	// states; otherwise Violation says which failed first.
	Verified  bool
	Violation *model.Violation
	// States is the number of lower states reachable at operation
	// boundaries (after a completed operation or recovery).
	States int
}

// String renders the verdict as one line.
func (v Verdict) String() string {
	if v.Verified {
		return fmt.Sprintf("verified states=%d", v.States)
	}
	return fmt.Sprintf("violation states=%d %s", v.States, v.Violation.Kind+": "+v.Violation.Message)
}

// oracle holds the relations of one check.
type oracle struct {
	sem   model.Semantics
	opts  Options
	names []string
	fault *model.Violation

	crashC, crashA Rel
	ops            []Proc
	stepA          []Rel
	recover        Rel // exec_recover, as the crash mode allows
}

// Check decides recovery refinement of sem, defined as the inclusions
// below (rules 1 to 3 of "What is checked" in docs/semantics.md, written
// as relations), over the lower states reachable from the initial ones: with
// absr the abstraction relation from upper to reachable lower states, for
// every upper state related to a reachable one and every operation op,
//
//  1. absr ; exec op       ⊆ (v <- step op ; absr ; pure v)
//  2. absr ; rexec op rec  ⊆ (crashA ∪ step op ; crashA) ; absr
//  3. absr ; crashC ; exec_recover rec ⊆ crashA ; absr
//
// and every initial lower state relates to an initial upper state. A
// procedure that panics, exceeds the step limit or is not deterministic,
// and an invariant that fails on a reachable state, are violations too.
//
// The inclusions are decided one reachable lower state c at a time, with
// the left side's absr narrowed to c and the right side's absr over every
// state known so far, c's successors included; that is the same as
// deciding them over all reachable states at once, and it stops at the
// first failure instead of closing the state space of a broken system.
func Check(sem model.Semantics, opts Options) Verdict {
	o := &oracle{sem: sem, opts: opts, names: sem.Ops()}
	o.build()

	known := map[string]bool{}
	byAbs := map[string][]Out{}
	var queue []string
	add := func(c string) {
		if known[c] {
			return
		}
		known[c] = true
		queue = append(queue, c)
		if a, ok := sem.Abs(c); ok {
			byAbs[a] = append(byAbs[a], Out{Unit, c})
		}
	}
	for _, c := range sem.LowerInit() {
		a, ok := sem.Abs(c)
		if !ok || !containsString(sem.UpperInit(), a) {
			return o.violate(model.KindInitial, fmt.Sprintf("initial lower state %s relates to no initial abstract state", sem.FormatLower(c)), 0)
		}
		add(c)
	}
	absr := func(a string) []Out { return byAbs[a] }
	step := o.next()
	for n := 0; n < len(queue); n++ {
		c := queue[n]
		if err := sem.Invariant(c); err != nil {
			return o.violate(model.KindInvariant, fmt.Sprintf("invariant fails on %s: %v", sem.FormatLower(c), err), n)
		}
		for _, t := range step(c) {
			add(t.State)
		}
		if o.fault != nil {
			return o.faulted(n)
		}
		a, ok := sem.Abs(c)
		if !ok {
			// Only a successor that already failed a rule has no
			// abstraction; that failure was reported.
			panic("relations: reachable state without abstraction checked")
		}
		at := Table(map[string][]Out{a: {{Unit, c}}}) // absr narrowed to c
		domain := []string{a}
		for i := range o.ops {
			// Rule 1: normal execution.
			lhs := Then(at, o.ops[i].Exec)
			rhs := Seq(o.stepA[i], func(v string) Rel { return Then(absr, Pure(v)) })
			if ce := Included(lhs, rhs, domain); ce != nil {
				return o.refinement(i, c, ce, n)
			}
			// Rule 2: a crash during the operation, then recovery.
			if o.opts.Crashes != model.CrashBetweenOps {
				lhs = Then(at, Then(o.ops[i].ExecCrash, o.recover))
				rhs = Then(Or(o.crashA, Then(o.stepA[i], o.crashA)), absr)
				if ce := Included(lhs, rhs, domain); ce != nil {
					return o.recovery(fmt.Sprintf("a crash during %s", o.names[i]), ce, n)
				}
			}
		}
		// Rule 3: a crash between operations, then recovery.
		lhs := Then(at, Then(o.crashC, o.recover))
		rhs := Then(o.crashA, absr)
		if ce := Included(lhs, rhs, domain); ce != nil {
			return o.recovery("a crash between operations", ce, n)
		}
	}
	return Verdict{Verified: true, States: len(queue)}
}

// Reachable returns the lower states reachable at operation boundaries
// under opts, sorted: the domain Check decides its inclusions over, and a
// domain for comparing a system's relations with Equal.
func Reachable(sem model.Semantics, opts Options) []string {
	o := &oracle{sem: sem, opts: opts, names: sem.Ops()}
	o.build()
	var outs []Out
	for _, c := range sem.LowerInit() {
		outs = append(outs, Star(o.next())(c)...)
	}
	var reach []string
	for _, t := range set(outs) {
		reach = append(reach, t.State)
	}
	return reach
}

// build makes the check's relations from the semantics.
func (o *oracle) build() {
	sem := o.sem
	o.crashC = Memo(func(c string) []Out { return unitSet(sem.LowerCrash(c)) })
	o.crashA = Memo(func(a string) []Out { return unitSet(sem.UpperCrash(a)) })
	fault := func(_ string, v *model.Violation) {
		if o.fault == nil {
			o.fault = v
		}
	}
	for i := range o.names {
		o.ops = append(o.ops, RunsOf(func(c string) []model.Execution { return sem.Exec(i, c) }, o.crashC, fault))
		o.stepA = append(o.stepA, Memo(func(a string) []Out {
			var out []Out
			for _, s := range sem.UpperStep(i, a) {
				out = append(out, Out{s.Ret, s.State})
			}
			return set(out)
		}))
	}
	stage := func(k int) Proc {
		return RunsOf(func(c string) []model.Execution { return sem.Recover(k, c) }, o.crashC, fault)
	}
	var rec Proc
	if o.opts.Staged {
		stages := make([]Proc, sem.RecoveryStages())
		for k := range stages {
			stages[k] = stage(k)
		}
		rec = stages[0]
		for _, st := range stages[1:] {
			rec = SeqProc(rec, st)
		}
	} else {
		rec = stage(-1)
	}
	if o.opts.Crashes == model.CrashAll {
		o.recover = Memo(ExecRecover(rec))
	} else {
		o.recover = rec.Exec
	}
}

// next is one step between operation boundaries: a completed operation,
// an operation interrupted by a crash then recovery, or a crash between
// operations then recovery, as the crash mode allows.
func (o *oracle) next() Rel {
	next := []Rel{Then(o.crashC, o.recover)}
	for i := range o.ops {
		next = append(next, o.ops[i].Exec)
		if o.opts.Crashes != model.CrashBetweenOps {
			next = append(next, Then(o.ops[i].ExecCrash, o.recover))
		}
	}
	return Or(next...)
}

func (o *oracle) violate(kind, msg string, states int) Verdict {
	return Verdict{Violation: &model.Violation{Kind: kind, Message: msg}, States: states}
}

func (o *oracle) faulted(states int) Verdict {
	return Verdict{Violation: o.fault, States: states}
}

// refinement describes a failure of rule 1 for operation i from c.
func (o *oracle) refinement(i int, c string, ce *Counterexample, states int) Verdict {
	sem := o.sem
	from := sem.FormatLower(c)
	msg := fmt.Sprintf("%s from lower state %s (abstract %s) returned %s and left lower state %s",
		o.names[i], from, sem.FormatUpper(ce.State), ce.Out.Val, sem.FormatLower(ce.Out.State))
	if a, ok := sem.Abs(ce.Out.State); ok {
		msg += fmt.Sprintf(" (abstract %s), which the specification does not allow", sem.FormatUpper(a))
	} else {
		msg += ", which relates to no abstract state"
	}
	return o.violate(model.KindRefinement, msg, states)
}

// recovery describes a failure of rule 2 or 3.
func (o *oracle) recovery(what string, ce *Counterexample, states int) Verdict {
	sem := o.sem
	msg := fmt.Sprintf("after %s from abstract state %s, recovery ended in lower state %s",
		what, sem.FormatUpper(ce.State), sem.FormatLower(ce.Out.State))
	if a, ok := sem.Abs(ce.Out.State); ok {
		msg += fmt.Sprintf(" (abstract %s), which is not among the states allowed after the crash", sem.FormatUpper(a))
	} else {
		msg += ", which relates to no abstract state"
	}
	return o.violate(model.KindRecovery, msg, states)
}

func unitSet(states []string) []Out {
	out := make([]Out, len(states))
	for i, s := range states {
		out[i] = Out{Unit, s}
	}
	return set(out)
}

func containsString(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}
