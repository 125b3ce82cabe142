// Package refsem is an interpreter of recovery refinement as argocheck's
// documentation defines it, for tests: a breadth-first search of the
// graph of Idle(c, a) and Recovering(c, S) nodes that drives the
// implementation's Go code itself. It shares nothing with package model's
// expansion: it keeps no memo, records no recoveries, takes no snapshots
// and joins no runs. It re-executes every procedure from the start, on an
// instance built anew, for every sequence of lower-layer choices and for
// every crash point, and applies the crash relations over all their
// choices.
package refsem

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/argocheck/argocheck/model"
)

// Result is what a search found: its figures, or the first violation in
// breadth-first order with the length of its path and the figures up to
// it.
type Result struct {
	// States counts the distinct nodes of levels 0 to Depth.
	States uint64
	// Transitions counts the edges followed, repeats included: one per
	// completed run, one per outcome of the lower crash relation at each
	// crash point, and one per outcome of a crash between operations.
	// Crashes counts the crash edges among them. Both are complete only
	// for a verified search.
	Transitions, Crashes uint64
	// Depth is the level of the deepest node, or of the node whose
	// expansion found the violation; initial nodes are level 0.
	Depth int
	// Violation is the first violation found, nil when verified.
	Violation *model.Violation
	// Kinds are the kinds of every violation of the level that holds
	// the first one, sorted and distinct: a search that orders a node's
	// edges otherwise may find any of them first.
	Kinds []string
	// TraceLen is the number of edges of the shortest path to the
	// violation (0 for an initial state that violates).
	TraceLen int
	// Path describes the edges of that path, the violating one last.
	Path []string
}

// ErrBudget is returned by a search that ran more procedure runs than its
// budget allows.
var ErrBudget = errors.New("refsem: run budget exhausted")

// Options narrow and bound a search.
type Options struct {
	// Crashes says where crashes strike, as model.CrashMode defines it;
	// the zero value, model.CrashAll, is the full semantics.
	Crashes model.CrashMode
	// MaxRuns bounds the procedure runs (complete and cut short by a
	// crash) of the search; zero means no bound.
	MaxRuns int
}

// Search checks sys by recovery refinement, under the full crash
// semantics unless o narrows it: crashes at every point of every
// procedure, recovery included, nested to any depth, and between
// operations. It returns an error for a system it cannot interpret (a
// field missing) or a crash mode it does not know, and ErrBudget when
// o.MaxRuns runs do not finish it.
func Search[CS, COp, CRet comparable, CAPI any, AS, AOp, ARet comparable, AAPI any](
	sys *model.System[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI], o Options) (Result, error) {
	s, err := newSearch(sys, o)
	if err != nil {
		return Result{}, err
	}
	return s.run()
}

// newSearch returns the search of sys.
func newSearch[CS, COp, CRet comparable, CAPI any, AS, AOp, ARet comparable, AAPI any](
	sys *model.System[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI], o Options) (*search[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI], error) {
	if sys == nil || sys.Lower.Spec == nil || sys.Lower.Handle == nil || sys.Upper.Spec == nil ||
		sys.Upper.Dispatch == nil || sys.Impl == nil || sys.Abs == nil {
		return nil, errors.New("refsem: the system lacks a field")
	}
	if err := o.Crashes.Check(); err != nil {
		return nil, err
	}
	limit := sys.StepLimit
	if limit <= 0 {
		limit = model.DefaultStepLimit
	}
	return &search[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]{
		sys: sys, ops: sys.Upper.Spec.Ops(), limit: limit, maxRuns: o.MaxRuns, crashes: o.Crashes,
		cIDs: map[CS]int{}, aIDs: map[AS]int{}, nodes: map[key]int{},
	}, nil
}

// Follow checks that t is a path of sys's graph as refsem interprets it,
// and returns an error naming the first step that is not: its first node
// must read as an initial node does, each later step must be an edge of
// the node before it with the step's kind, operation, result (of a
// completed operation) and crash point, reaching a node that reads as
// the step's node, and the last step a violating edge of the step's
// violation kind. A node reads as a model.NodeView: the lower state and
// the abstract state, or the allowed set, as the specifications' Format
// render them. A path of one step is an initial state that violates.
// The graph is the one Search with o searches.
func Follow[CS, COp, CRet comparable, CAPI any, AS, AOp, ARet comparable, AAPI any](
	sys *model.System[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI], t *model.Trace, o Options) error {
	s, err := newSearch(sys, o)
	if err != nil {
		return err
	}
	if t == nil || len(t.Steps) == 0 {
		return errors.New("refsem: an empty path")
	}
	if v := t.Steps[0].Violation; v != nil {
		res, err := s.run()
		if err != nil {
			return err
		}
		if len(t.Steps) != 1 || res.Violation == nil || res.TraceLen != 0 || !slices.Contains(res.Kinds, v.Kind) {
			return fmt.Errorf("refsem: the path starts with a violation (%s) of %d steps; refsem finds %v (kinds %v) at %d steps", v.Kind, len(t.Steps)-1, res.Violation, res.Kinds, res.TraceLen)
		}
		return nil
	}
	var cands []int
	for _, c := range sys.Lower.Spec.Init() {
		if a, ok := sys.Abs(&c); ok {
			n := node[CS, AS]{c: c, a: a, parent: -1, via: label{kind: model.StepInit}}
			if s.reads(&n, t.Steps[0].Node) {
				id, _ := s.add(n)
				cands = append(cands, id)
			}
		}
	}
	if len(cands) == 0 {
		return fmt.Errorf("refsem: no initial node reads as %s", t.Steps[0].Node)
	}
	for i := 1; i < len(t.Steps); i++ {
		st := &t.Steps[i]
		var next []int
		violated := false
		s.follow = func(l label, to *node[CS, AS], v *model.Violation) {
			if !l.matches(st) {
				return
			}
			if st.Violation != nil {
				violated = violated || v != nil && v.Kind == st.Violation.Kind
				return
			}
			if v == nil && s.reads(to, st.Node) {
				to.parent = -1
				if id, _ := s.add(*to); !slices.Contains(next, id) {
					next = append(next, id)
				}
			}
		}
		for _, n := range cands {
			s.cur = n
			s.expand()
		}
		switch {
		case st.Violation != nil && !violated:
			return fmt.Errorf("refsem: step %d (%s): no such edge violates (%s) from %s", i, st.Kind, st.Violation.Kind, s.describe(&s.all[cands[0]]))
		case st.Violation != nil && i != len(t.Steps)-1:
			return fmt.Errorf("refsem: step %d of %d violates", i, len(t.Steps)-1)
		case st.Violation != nil:
			return nil
		case len(next) == 0:
			return fmt.Errorf("refsem: step %d (%s %s, crash after %d): no such edge from %s reaches %s", i, st.Kind, st.Op, st.CrashAfter, s.describe(&s.all[cands[0]]), st.Node)
		}
		cands = next
	}
	return errors.New("refsem: the path ends in no violation")
}

// matches reports whether an edge labelled l is of the kind, operation,
// result and crash point of st; a violating step's result is not
// compared.
func (l label) matches(st *model.Step) bool {
	if l.kind != st.Kind || l.op != st.Op {
		return false
	}
	switch l.kind {
	case model.StepOp:
		return st.Violation != nil || l.ret == st.Ret
	case model.StepCrashInOp, model.StepCrashInRecovery:
		return l.crashAfter == st.CrashAfter
	}
	return true
}

// reads reports whether n reads as v.
func (s *search[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) reads(n *node[CS, AS], v model.NodeView) bool {
	if n.recovering != v.Recovering || s.sys.Lower.Spec.Format(&n.c) != v.Lower {
		return false
	}
	if !n.recovering {
		return s.sys.Upper.Spec.Format(&n.a) == v.Abstract
	}
	set := make([]string, len(n.allowed))
	for i := range n.allowed {
		set[i] = s.sys.Upper.Spec.Format(&n.allowed[i])
	}
	slices.Sort(set)
	return slices.Equal(set, slices.Sorted(slices.Values(v.Allowed)))
}

// key identifies a node: Idle(c, a) or Recovering(c, S), the states
// numbered by first sight and S its members' numbers, sorted.
type key struct {
	recovering bool
	c, a       int
	set        string
}

// node is a visited node with the edge that first reached it.
type node[CS, AS comparable] struct {
	recovering bool
	c          CS
	a          AS   // Idle
	allowed    []AS // Recovering: S, in the order of its members' numbers
	parent     int  // -1 for an initial node
	via        label
}

// label describes an edge as a path's step does: its kind, the operation
// (none for a recovery or a crash between operations), the result of a
// completed operation, the crash point of a crash during a procedure,
// and the lower layer's choices of the run.
type label struct {
	kind       model.StepKind
	op, ret    string
	crashAfter int
	choices    []int
}

func (l label) String() string {
	switch l.kind {
	case model.StepInit:
		return "start"
	case model.StepCrash:
		return "crash between operations"
	case model.StepOp:
		return fmt.Sprintf("%s with lower choices %v returns %s", l.op, l.choices, l.ret)
	case model.StepCrashInOp:
		return fmt.Sprintf("%s with lower choices %v, crash after %d steps", l.op, l.choices, l.crashAfter)
	case model.StepRecover:
		return fmt.Sprintf("recovery with lower choices %v", l.choices)
	}
	return fmt.Sprintf("recovery with lower choices %v, crash after %d steps", l.choices, l.crashAfter)
}

// search is the state of one Search.
type search[CS, COp, CRet comparable, CAPI any, AS, AOp, ARet comparable, AAPI any] struct {
	sys     *model.System[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]
	ops     []AOp
	limit   int
	maxRuns int
	crashes model.CrashMode
	runs    int

	cIDs  map[CS]int
	aIDs  map[AS]int
	aList []AS
	nodes map[key]int
	all   []node[CS, AS]

	res Result
	// follow, when set, receives the edges of the node being expanded
	// in place of the search (see Follow).
	follow func(l label, to *node[CS, AS], v *model.Violation)
	// The node being expanded and the violations of its level.
	cur    int
	found  []*model.Violation
	paths  [][]string
	budget bool
}

// run checks the initial states, then expands the graph level by level
// until a level holds violations or no new node is found.
func (s *search[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) run() (Result, error) {
	var frontier []int
	inits := s.sys.Upper.Spec.Init()
	for _, c := range s.sys.Lower.Spec.Init() {
		a, ok := s.sys.Abs(&c)
		if !ok || !slices.Contains(inits, a) {
			s.initialFail(model.KindInitial, fmt.Sprintf("initial lower state %s relates to no initial abstract state", s.sys.Lower.Spec.Format(&c)))
			continue
		}
		if err := s.invariant(&c); err != nil {
			s.initialFail(model.KindInvariant, fmt.Sprintf("invariant fails on initial lower state %s: %v", s.sys.Lower.Spec.Format(&c), err))
			continue
		}
		if n, isNew := s.add(node[CS, AS]{c: c, a: a, parent: -1, via: label{kind: model.StepInit}}); isNew {
			frontier = append(frontier, n)
		}
	}
	if len(s.found) > 0 {
		return s.finish(0, 0), nil
	}
	s.res.States = uint64(len(frontier))
	for depth := 0; len(frontier) > 0; depth++ {
		s.res.Depth = depth
		first := len(s.all)
		for _, n := range frontier {
			s.cur = n
			s.expand()
			if s.budget {
				return Result{}, ErrBudget
			}
		}
		if len(s.found) > 0 {
			return s.finish(depth, depth+1), nil
		}
		frontier = frontier[:0]
		for n := first; n < len(s.all); n++ {
			frontier = append(frontier, n)
		}
		s.res.States += uint64(len(frontier))
	}
	return s.res, nil
}

// finish returns the result of a search whose level depth holds
// violations, with paths of traceLen edges.
func (s *search[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) finish(depth, traceLen int) Result {
	r := s.res
	r.Depth, r.TraceLen = depth, traceLen
	r.Violation, r.Path = s.found[0], s.paths[0]
	for _, v := range s.found {
		if !slices.Contains(r.Kinds, v.Kind) {
			r.Kinds = append(r.Kinds, v.Kind)
		}
	}
	slices.Sort(r.Kinds)
	return r
}

// initialFail records a violation of an initial state.
func (s *search[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) initialFail(kind, msg string) {
	s.found = append(s.found, &model.Violation{Kind: kind, Message: msg})
	s.paths = append(s.paths, []string{msg})
}

// fail records a violation at an edge of the node being expanded.
func (s *search[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) fail(kind string, l label, msg string) {
	v := &model.Violation{Kind: kind, Message: msg}
	if s.follow != nil {
		s.follow(l, nil, v)
		return
	}
	s.found = append(s.found, v)
	s.paths = append(s.paths, append(s.path(s.cur), l.String()+": VIOLATION ("+kind+"): "+msg))
}

// path describes the edges from an initial node to node n, and the nodes.
func (s *search[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) path(n int) []string {
	var out []string
	for ; n >= 0; n = s.all[n].parent {
		out = append(out, s.all[n].via.String()+" -> "+s.describe(&s.all[n]))
	}
	slices.Reverse(out)
	return out
}

// describe renders node n for a path.
func (s *search[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) describe(n *node[CS, AS]) string {
	lower, upper := s.sys.Lower.Spec, s.sys.Upper.Spec
	if !n.recovering {
		return fmt.Sprintf("idle lower %s abstract %s", lower.Format(&n.c), upper.Format(&n.a))
	}
	return fmt.Sprintf("recovering lower %s allowed %s", lower.Format(&n.c), s.formatSet(n.allowed))
}

// formatSet renders a set of upper states.
func (s *search[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) formatSet(set []AS) string {
	m := make([]string, len(set))
	for i := range set {
		m[i] = s.sys.Upper.Spec.Format(&set[i])
	}
	return "{" + strings.Join(m, ", ") + "}"
}

// invariant checks the system's invariant, if any, on c.
func (s *search[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) invariant(c *CS) error {
	if s.sys.Invariant == nil {
		return nil
	}
	return s.sys.Invariant(c)
}

// cID and aID number the states by first sight.
func (s *search[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) cID(c CS) int {
	id, ok := s.cIDs[c]
	if !ok {
		id = len(s.cIDs)
		s.cIDs[c] = id
	}
	return id
}

func (s *search[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) aID(a AS) int {
	id, ok := s.aIDs[a]
	if !ok {
		id = len(s.aList)
		s.aIDs[a] = id
		s.aList = append(s.aList, a)
	}
	return id
}

// canonical returns the set of states in set, sorted by their numbers and
// without repeats, and its key.
func (s *search[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) canonical(set []AS) ([]AS, string) {
	ids := make([]int, 0, len(set))
	for _, a := range set {
		ids = append(ids, s.aID(a))
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	out := make([]AS, len(ids))
	for i, id := range ids {
		out[i] = s.aList[id]
	}
	return out, fmt.Sprint(ids)
}

// add visits n and reports its number and whether it is new.
func (s *search[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) add(n node[CS, AS]) (int, bool) {
	k := key{recovering: n.recovering, c: s.cID(n.c)}
	if n.recovering {
		n.allowed, k.set = s.canonical(n.allowed)
	} else {
		k.a = s.aID(n.a)
	}
	if id, ok := s.nodes[k]; ok {
		return id, false
	}
	id := len(s.all)
	s.nodes[k] = id
	s.all = append(s.all, n)
	return id, true
}

// successor follows an edge of the node being expanded, l, to n.
func (s *search[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) successor(n node[CS, AS], l label) {
	if s.follow != nil {
		n.allowed, _ = s.canonical(n.allowed)
		s.follow(l, &n, nil)
		return
	}
	s.res.Transitions++
	switch l.kind {
	case model.StepCrash, model.StepCrashInOp, model.StepCrashInRecovery:
		s.res.Crashes++
	}
	n.parent, n.via = s.cur, l
	s.add(n)
}

// expand follows every edge of the node being expanded. A panic outside
// a procedure (a specification, the relation, the invariant) is a
// violation of the node.
func (s *search[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) expand() {
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(budgetExhausted); ok {
				s.budget = true
				return
			}
			s.fail(model.KindPanic, label{kind: "expansion"}, fmt.Sprintf("panic outside a procedure: %v", p))
		}
	}()
	n := s.all[s.cur]
	if n.recovering {
		s.expandRecovering(n.c, n.allowed)
		return
	}
	for i := range s.ops {
		s.expandOp(n.c, n.a, s.ops[i])
	}
	// A crash between operations (rule 3).
	allowed := s.upperCrash(n.a)
	for _, c2 := range s.lowerCrash(n.c) {
		s.successor(node[CS, AS]{recovering: true, c: c2, allowed: allowed}, label{kind: model.StepCrash})
	}
}

// expandOp follows the edges of op's procedure from Idle(c, a): its
// completed runs (rule 1) and its crash points (rule 2).
func (s *search[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) expandOp(c CS, a AS, op AOp) {
	outcomes := s.upperStep(a, op)
	name := fmt.Sprintf("%+v", op)
	proc := func(in model.Instance[AAPI]) ARet { return s.sys.Upper.Dispatch(in.API, op) }
	for _, r := range s.runsOf(c, -1, proc) {
		edge := label{kind: model.StepOp, op: name, ret: fmt.Sprintf("%+v", r.ret), choices: r.choices}
		if r.fault != nil {
			s.fail(r.fault.kind, edge, r.fault.msg)
			continue
		}
		a2, ok := s.sys.Abs(&r.state)
		if !ok || !slices.Contains(outcomes, outcome[ARet, AS]{r.ret, a2}) {
			s.fail(model.KindRefinement, edge, fmt.Sprintf("%s returned %v and left lower state %s (related %v to %s), not allowed from %s",
				name, r.ret, s.sys.Lower.Spec.Format(&r.state), ok, s.sys.Upper.Spec.Format(&a2), s.sys.Upper.Spec.Format(&a)))
			continue
		}
		if err := s.invariant(&r.state); err != nil {
			s.fail(model.KindInvariant, edge, fmt.Sprintf("invariant fails on %s: %v", s.sys.Lower.Spec.Format(&r.state), err))
			continue
		}
		s.successor(node[CS, AS]{c: r.state, a: a2}, edge)
	}
	// The states a crash during op allows: crashA(a), and crashA(a')
	// for every (a', _) in stepA(a, op).
	allowed := s.upperCrash(a)
	for _, o := range outcomes {
		allowed = append(allowed, s.upperCrash(o.a)...)
	}
	if s.crashes != model.CrashBetweenOps {
		s.crashPoints(c, label{kind: model.StepCrashInOp, op: name}, proc, allowed)
	}
}

// expandRecovering follows the edges of recovery from Recovering(c, S):
// its completed runs (rules 2 and 3) and its crash points (nested
// recovery, with the same S).
func (s *search[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) expandRecovering(c CS, allowed []AS) {
	proc := func(in model.Instance[AAPI]) ARet {
		in.Recover()
		var none ARet
		return none
	}
	for _, r := range s.runsOf(c, -1, proc) {
		edge := label{kind: model.StepRecover, choices: r.choices}
		if r.fault != nil {
			s.fail(r.fault.kind, edge, r.fault.msg)
			continue
		}
		a2, ok := s.sys.Abs(&r.state)
		if !ok || !slices.Contains(allowed, a2) {
			s.fail(model.KindRecovery, edge, fmt.Sprintf("recovery ended in lower state %s (related %v to %s); allowed %s",
				s.sys.Lower.Spec.Format(&r.state), ok, s.sys.Upper.Spec.Format(&a2), s.formatSet(allowed)))
			continue
		}
		if err := s.invariant(&r.state); err != nil {
			s.fail(model.KindInvariant, edge, fmt.Sprintf("invariant fails on %s: %v", s.sys.Lower.Spec.Format(&r.state), err))
			continue
		}
		s.successor(node[CS, AS]{c: r.state, a: a2}, edge)
	}
	if s.crashes == model.CrashAll {
		s.crashPoints(c, label{kind: model.StepCrashInRecovery}, proc, allowed)
	}
}

// crashPoints follows the crash points of a procedure from c: for every
// k, every run cut short before its step k+1 (or completed in k steps),
// every outcome of the lower crash relation from the state after its k
// steps, to Recovering with allowed. The edges are labelled l with the
// crash point and the run's choices.
func (s *search[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) crashPoints(c CS, l label, proc func(model.Instance[AAPI]) ARet, allowed []AS) {
	for k := 0; ; k++ {
		reached := false
		for _, r := range s.runsOf(c, k, proc) {
			if r.fault != nil || r.steps != k {
				continue // failed or completed before step k: no crash point k
			}
			reached = true
			for _, c2 := range s.lowerCrash(r.state) {
				l.crashAfter, l.choices = k, r.choices
				s.successor(node[CS, AS]{recovering: true, c: c2, allowed: allowed}, l)
			}
		}
		if !reached {
			return
		}
	}
}

// outcome is one element of the upper step relation.
type outcome[ARet, AS comparable] struct {
	ret ARet
	a   AS
}

// upperStep returns stepA(a, op), over every choice.
func (s *search[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) upperStep(a AS, op AOp) []outcome[ARet, AS] {
	var out []outcome[ARet, AS]
	var o odometer
	for {
		a2 := a
		r := s.sys.Upper.Spec.Step(&a2, op, &o)
		out = append(out, outcome[ARet, AS]{r, a2})
		if !o.next() {
			return out
		}
	}
}

// upperCrash returns crashA(a), over every choice.
func (s *search[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) upperCrash(a AS) []AS {
	return everyChoice(a, s.sys.Upper.Spec.Crash)
}

// lowerCrash returns crashC(c), one element per sequence of choices
// (repeats included: each is an edge).
func (s *search[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) lowerCrash(c CS) []CS {
	return everyChoice(c, s.sys.Lower.Spec.Crash)
}

// everyChoice applies crash to a copy of x once for every sequence of
// choices, and returns the states it leaves, in order.
func everyChoice[S any](x S, crash func(*S, model.Chooser)) []S {
	var out []S
	var o odometer
	for {
		y := x
		crash(&y, &o)
		out = append(out, y)
		if !o.next() {
			return out
		}
	}
}
