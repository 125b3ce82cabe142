package explorer

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/argocheck/argocheck/model"
	"github.com/argocheck/argocheck/statestore"
)

// path rebuilds the shortest path to the violation want, found at the
// edge whose key is edge, by following the parent records that parent
// returns back to an initial state, then replaying the edges forward
// through w. It is how a search builds Result.Trace, and how a stored
// violation is restored (Restore).
//
// The replay must reach want again: a step that does not reach a node the
// search reached, or a last step that does not fail as the search found,
// means the layer code is not deterministic. The path then ends at the
// step that diverged, with a nondeterminism violation saying how. The
// replay checks each node's runs as the search did: states is the number
// of states that parent knows, and the levels up to the one holding state
// model.CheckAllStates-1 (all of them when there is no such state yet)
// were checked whole.
func path(w model.Worker, parent func(state uint64) (uint64, error), states, edge uint64, want *model.Violation) (*model.Trace, error) {
	return newPaths(w, parent, states).path(edge, want)
}

// paths rebuilds paths, as path does, for several edges of one search. It
// keeps the nodes of the last path it replayed, so that a path sharing its
// beginning (violations found together are sorted by edge, so their states
// are often siblings or cousins) replays only the steps after it.
type paths struct {
	w          model.Worker
	parent     func(state uint64) (uint64, error)
	states     uint64
	checkedAll int // the depth of the last level checked whole, once known

	at     uint64       // the state whose path prefix holds, or rootParent
	prefix *model.Trace // the path to state at; it may end diverged
	trail  []uint64     // the states along prefix, by depth, as far as nodes
	nodes  [][]byte     // the node of each state in trail
	noEdge bool         // the prefix diverged on an edge its node does not have
}

// newPaths returns a builder of paths through w, whose parent records
// parent returns; states is the number of states that parent knows.
func newPaths(w model.Worker, parent func(state uint64) (uint64, error), states uint64) *paths {
	return &paths{w: w, parent: parent, states: states, checkedAll: -1, at: rootParent}
}

// path returns the path to the violation want, found at the edge edge.
func (p *paths) path(edge uint64, want *model.Violation) (*model.Trace, error) {
	state, last := splitEdge(edge)
	ts, err := p.pathsAt(state, []uint32{last}, []*model.Violation{want})
	if err != nil {
		return nil, err
	}
	return ts[0], nil
}

// pathsAt returns the paths to the violations wants[i], found at the
// edges of state's expansion whose ordinals are lasts[i], in increasing
// order: each the path that path returns for it. The path to state is
// replayed once, and, when the worker is a model.EdgesReplayer, so is
// state's expansion, up to the last of lasts, however many there are.
func (p *paths) pathsAt(state uint64, lasts []uint32, wants []*model.Violation) ([]*model.Trace, error) {
	w := p.w
	defer w.CheckAll(false)
	if p.checkedAll < 0 {
		p.checkedAll = maxPath
		if p.states >= model.CheckAllStates {
			d, err := depth(p.parent, model.CheckAllStates-1)
			if err != nil {
				return nil, err
			}
			p.checkedAll = d
		}
	}
	ts := make([]*model.Trace, len(lasts))
	if state == rootParent {
		for i, want := range wants {
			_, v := w.Initial()
			if v == nil {
				v = diverged(0, "the initial states relate to initial abstract states", want)
			}
			ts[i] = &model.Trace{Steps: []model.Step{{Kind: model.StepInit, Violation: v}}}
		}
		return ts, nil
	}
	if p.prefix == nil || p.at != state {
		if err := p.replayTo(state); err != nil {
			return nil, err
		}
	}
	n := len(p.prefix.Steps)
	for i := range ts {
		ts[i] = &model.Trace{Steps: slices.Clone(p.prefix.Steps)}
	}
	if p.noEdge {
		for i, t := range ts {
			t.Steps = append(t.Steps, model.Step{Violation: diverged(n, "it has no such edge", wants[i])})
		}
		return ts, nil
	}
	if len(p.nodes) < n { // the prefix diverged
		return ts, nil
	}
	node := p.nodes[n-1]
	w.CheckAll(n-1 <= p.checkedAll) // the node's depth is n-1
	steps := replayEdges(w, node, lasts)
	if n-1 > p.checkedAll {
		// A Recovering node whose recorded recovery failed a check is
		// expanded checking every run (see model's recoverMemo): the
		// edges whose violation the sample does not meet again are
		// replayed so.
		var again []int
		for i, want := range wants {
			if want != nil && !sameViolation(steps[i].Violation, want) {
				again = append(again, i)
			}
		}
		if len(again) > 0 {
			edges := make([]uint32, len(again))
			for j, i := range again {
				edges[j] = lasts[i]
			}
			w.CheckAll(true)
			whole := replayEdges(w, node, edges)
			for j, i := range again {
				if sameViolation(whole[j].Violation, wants[i]) {
					steps[i] = whole[j]
				}
			}
		}
	}
	for i, t := range ts {
		step, want := steps[i], wants[i]
		switch {
		case step.Kind == "":
			t.Steps = append(t.Steps, model.Step{Violation: diverged(n, "it has no such edge", want)})
			continue
		case step.Violation == nil:
			step.Violation = diverged(n, "it reached "+step.Node.String(), want)
		case !sameViolation(step.Violation, want):
			step.Violation = diverged(n, fmt.Sprintf("it failed with %s: %s", step.Violation.Kind, step.Violation.Message), want)
		}
		t.Steps = append(t.Steps, step)
	}
	return ts, nil
}

// replayEdges describes the edges of node's expansion whose ordinals are
// edges, in increasing order: with one replay of the expansion when w is
// a model.EdgesReplayer, and otherwise with one replay up to each.
func replayEdges(w model.Worker, node []byte, edges []uint32) []model.Step {
	if r, ok := w.(model.EdgesReplayer); ok {
		return r.ReplayEdges(node, edges)
	}
	steps := make([]model.Step, len(edges))
	for i, e := range edges {
		steps[i], _ = w.Replay(node, e)
	}
	return steps
}

// replayTo replays the path to state into p.prefix, reusing the steps
// it shares with the path replayed before. A path whose replay diverges
// ends at the step that diverged, and holds no node for state; when it
// diverged on a missing edge, it ends before that step, and p.noEdge is
// set.
func (p *paths) replayTo(state uint64) error {
	w := p.w
	prefix := p.prefix
	p.at, p.prefix, p.noEdge = rootParent, nil, false
	inits, v := w.Initial()
	if v != nil {
		p.at, p.prefix = state, &model.Trace{Steps: []model.Step{{Kind: model.StepInit, Violation: diverged(0, "the initial states "+v.Message, nil)}}}
		p.trail, p.nodes = p.trail[:0], p.nodes[:0]
		return nil
	}
	// The path backwards: its states, and the ordinals of their edges,
	// ending with the initial index.
	states, ordinals := []uint64{state}, []uint32(nil)
	for s := state; s != rootParent; {
		e, err := p.parent(s)
		if err != nil {
			return err
		}
		var o uint32
		s, o = splitEdge(e)
		ordinals = append(ordinals, o)
		if s != rootParent {
			states = append(states, s)
		}
		if len(ordinals) > maxPath {
			return errors.New("parent records form a cycle")
		}
	}
	slices.Reverse(states) // by depth now
	root := ordinals[len(ordinals)-1]
	if int(root) >= len(inits) {
		return fmt.Errorf("parent records name initial state %d of %d", root, len(inits))
	}
	// Keep the steps and nodes shared with the last path.
	kept := 0
	for kept < len(states) && kept < len(p.trail) && p.trail[kept] == states[kept] {
		kept++
	}
	p.trail, p.nodes = p.trail[:kept], p.nodes[:kept]
	var t *model.Trace
	if kept == 0 {
		t = &model.Trace{Steps: []model.Step{{Kind: model.StepInit, Node: w.View(inits[root])}}}
		p.trail, p.nodes = append(p.trail, states[0]), append(p.nodes, slices.Clone(inits[root]))
		kept = 1
	} else {
		t = &model.Trace{Steps: prefix.Steps[:kept]} // path hands out copies only
	}
	p.at, p.prefix = state, t
	for d := kept; d < len(states); d++ {
		node := p.nodes[d-1]
		w.CheckAll(d-1 <= p.checkedAll) // the node's depth is d-1
		step, succ := w.Replay(node, ordinals[len(states)-1-d])
		switch {
		case step.Kind == "":
			p.noEdge = true
			return nil
		case step.Violation != nil:
			step.Violation = diverged(d, fmt.Sprintf("it failed (%s: %s) where the search went on", step.Violation.Kind, step.Violation.Message), nil)
			t.Steps = append(t.Steps, step)
			return nil
		}
		t.Steps = append(t.Steps, step)
		p.trail, p.nodes = append(p.trail, states[d]), append(p.nodes, slices.Clone(succ))
	}
	return nil
}

// sameViolation reports whether v is want: the same kind and message.
func sameViolation(v, want *model.Violation) bool {
	return v != nil && want != nil && v.Kind == want.Kind && v.Message == want.Message
}

// depth returns the depth of state, the number of parent records
// between it and an initial state.
func depth(parent func(state uint64) (uint64, error), state uint64) (int, error) {
	for d := 0; d <= maxPath; d++ {
		p, err := parent(state)
		if err != nil {
			return 0, err
		}
		if state, _ = splitEdge(p); state == rootParent {
			return d, nil
		}
	}
	return 0, errors.New("parent records form a cycle")
}

// diverged is the violation of a path whose replay took another course at
// step n than the search did; got says what the replay did, and want,
// when known, what the search found there, which the message says first.
func diverged(n int, got string, want *model.Violation) *model.Violation {
	msg := fmt.Sprintf("replaying the path, step %d took another course than in the search: %s", n, got)
	if want != nil {
		// What the search found first: the path cannot show it.
		msg = fmt.Sprintf("the search found %s: %s; replaying its path, step %d took another course: %s", want.Kind, want.Message, n, got)
	}
	if !strings.Contains(msg, "not deterministic") {
		msg += "; the layer code is not deterministic"
	}
	return &model.Violation{Kind: model.KindNondeterminism, Message: msg}
}

// maxPath bounds the paths path follows, against cyclic parent records.
const maxPath = 1 << 24

// Outcome returns the stored form of r, from which Restore rebuilds it.
func (r *Result) Outcome() *statestore.Outcome {
	o := &statestore.Outcome{
		Verdict: string(r.Verdict), Stopped: r.Stopped,
		States: r.States, Transitions: r.Transitions, CrashPoints: r.CrashPoints,
		Depth: r.Depth, Elapsed: r.Elapsed, MemoryBytes: r.MemoryBytes,
		LevelBytes: r.LevelBytes, Collision: r.Collision,
	}
	for _, ce := range r.Violations {
		v := ce.Violation
		o.Violations = append(o.Violations, statestore.ViolationRecord{Kind: v.Kind, Message: v.Message, Where: v.Where, Edge: ce.edge})
	}
	return o
}

// Restore rebuilds the result of a finished search of chk from its stored
// outcome: the figures as stored, and every violation's path rebuilt from
// the parent records that parent returns and replayed through chk's layer
// code, with cfg's crash mode and determinism checks, those of the search.
// It refuses an outcome whose verdict is none of the three, and a cfg
// whose Determinism is not one of model.DeterminismModes.
func Restore(chk model.Checker, cfg Config, o *statestore.Outcome, parent func(state uint64) (uint64, error)) (*Result, error) {
	if err := cfg.Determinism.Check(); err != nil {
		return nil, err
	}
	if err := chk.Validate(); err != nil {
		return nil, err
	}
	switch Verdict(o.Verdict) {
	case Verified, Violated, Incomplete:
	default:
		return nil, fmt.Errorf("the stored verdict %q is none of %s, %s and %s", o.Verdict, Verified, Violated, Incomplete)
	}
	res := &Result{
		Verdict: Verdict(o.Verdict), Stopped: o.Stopped,
		States: o.States, Transitions: o.Transitions, CrashPoints: o.CrashPoints,
		Depth: o.Depth, Elapsed: o.Elapsed, MemoryBytes: o.MemoryBytes,
		LevelBytes: o.LevelBytes, Collision: o.Collision,
	}
	w, err := model.NewWorker(chk, model.Options{Crashes: cfg.Crashes, Determinism: cfg.Determinism})
	if err != nil {
		return nil, err
	}
	for _, rec := range o.Violations {
		_, ordinal := splitEdge(rec.Edge)
		want := &model.Violation{Kind: rec.Kind, Message: rec.Message, Where: rec.Where, Edge: ordinal}
		t, err := path(w, parent, o.States, rec.Edge, want)
		if err != nil {
			return nil, fmt.Errorf("rebuilding the path to a stored violation: %w", err)
		}
		res.addCounterexample(newCounterexample(t, rec.Edge))
	}
	return res, nil
}
