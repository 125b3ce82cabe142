package explorer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/argocheck/argocheck/model"
	"github.com/argocheck/argocheck/statestore"
)

// Checkpoint receives the search's progress at every level barrier, so
// that a stopped search can be resumed (see Resume). A persistent store
// implements it; the explorer knows nothing of how it keeps the records.
type Checkpoint interface {
	// CommitLevel records a completed level: the states it discovered
	// with their discovering edges, which are also the next frontier,
	// and the totals so far. It is called from the search goroutine at
	// the barrier, before the level is expanded; l and everything it
	// refers to are valid only during the call, so an implementation that
	// writes in the background copies what it needs. An error stops the
	// search.
	CommitLevel(l *Level) error
}

// Level is one completed level of the search, as a Checkpoint sees it.
type Level struct {
	// Depth is the level's number: its states are Depth edges from an
	// initial state (initial states are level 0).
	Depth int
	// First is the number of the level's first state; states are
	// numbered consecutively, so the level holds First..First+len(Parents)-1.
	First uint64
	// Parents holds each state's discovering edge key (see EdgeKey).
	Parents []uint64
	// Frontier holds the encodings of the level's states, in number
	// order; they are the nodes the next level expands.
	Frontier Nodes
	// States, Transitions and CrashPoints are the totals up to and
	// including this level; Transitions counts the edges followed while
	// expanding the levels before it.
	States, Transitions, CrashPoints uint64
	// Elapsed is the search time so far, including that of the runs a
	// resumed search continues.
	Elapsed time.Duration
}

// Nodes is a read-only list of node encodings.
type Nodes interface {
	Len() int
	// At returns the i-th encoding; it must not be modified or kept past
	// the call that handed out the list.
	At(i int) []byte
}

// Saved is a checkpoint to resume from: everything about a search up to a
// completed level.
type Saved struct {
	// Depth is the number of the level whose states Frontier holds.
	Depth int
	// Keys and Parents hold, by state number, every state's fingerprint
	// and discovering edge key, the frontier's states last.
	Keys, Parents []uint64
	// Frontier holds the encodings of the last len(Frontier) states.
	Frontier [][]byte
	// Transitions and CrashPoints are the totals of the levels expanded
	// before Depth; Elapsed the time they took.
	Transitions, CrashPoints uint64
	Elapsed                  time.Duration
}

// Resume continues a search from a checkpoint taken by a search of the
// same checker. Its verdict, state and transition counts are those of a
// search that never stopped; Elapsed includes from.Elapsed. cfg must use
// fingerprint keys, those of the stored keys.
func Resume(ctx context.Context, chk model.Checker, cfg Config, from *Saved) (*Result, error) {
	if from == nil {
		return nil, errors.New("resume: no checkpoint")
	}
	if cfg.Exact {
		return nil, errors.New("resume: a checkpoint keys states by fingerprint, so it cannot be resumed with exact keys")
	}
	if len(from.Keys) != len(from.Parents) || len(from.Frontier) > len(from.Parents) {
		return nil, fmt.Errorf("resume: checkpoint has %d keys, %d parents and %d frontier states", len(from.Keys), len(from.Parents), len(from.Frontier))
	}
	cfg.from = from
	res, err := Run(ctx, chk, cfg)
	if err != nil {
		return nil, err
	}
	res.Elapsed += from.Elapsed
	if len(from.Frontier) == 0 {
		// The search had already closed: the deepest level is the one
		// before the empty one saved.
		res.Depth = max(from.Depth-1, 0)
	}
	return res, nil
}

// EdgeKey packs a state's number and an edge's ordinal in its expansion
// into the key by which parent records name a state's discovering edge.
func EdgeKey(state uint64, ordinal uint32) uint64 { return edgeKey(state, ordinal) }

// SplitEdge is the inverse of EdgeKey.
func SplitEdge(key uint64) (state uint64, ordinal uint32) { return splitEdge(key) }

// RootState is the state number that parent records give as the parent of
// an initial state, whose ordinal is its index among the initial nodes.
const RootState uint64 = rootParent

// checkpointState is the search's side of checkpoints.
type checkpointState struct {
	start   time.Time
	elapsed time.Duration // of the runs before this one
	level   Level
	nodes   nodeList
}

// nodeList presents a nodes buffer as Nodes.
type nodeList struct{ n *nodes }

func (l nodeList) Len() int        { return l.n.len() }
func (l nodeList) At(i int) []byte { return l.n.at(i) }

func validateCheckpoint(c Config) error {
	if c.Checkpoint != nil && c.Exact {
		return errors.New("checkpoints key states by fingerprint: exact keys cannot be checkpointed")
	}
	return nil
}

// restore starts the search's level loop: from the checkpoint cfg.from
// when resuming, replacing the initial frontier, or else from the initial
// states, which it commits as level 0. It returns the number of the first
// frontier state and the frontier's depth.
func (s *search) restore(frontier *nodes) (base uint64, depth int, err error) {
	s.cp.start = time.Now()
	from := s.cfg.from
	if from == nil {
		return 0, 0, s.commitLevel(0, frontier)
	}
	s.cp.elapsed = from.Elapsed
	s.visited = statestore.NewSet(uint64(len(from.Keys)))
	for _, k := range from.Keys {
		s.visited.Add(k)
	}
	s.parents = from.Parents
	frontier.reset()
	for _, n := range from.Frontier {
		frontier.add(n)
	}
	w := s.workers[0]
	w.transitions, w.crashes = from.Transitions, from.CrashPoints
	return uint64(len(s.parents) - len(from.Frontier)), from.Depth, nil
}

// commitLevel hands the level just completed to the checkpoint, if any:
// its states are the last frontier.len() states.
func (s *search) commitLevel(depth int, frontier *nodes) error {
	c := s.cfg.Checkpoint
	if c == nil {
		return nil
	}
	n := uint64(len(s.parents))
	first := n - uint64(frontier.len())
	l := &s.cp.level
	*l = Level{Depth: depth, First: first, Parents: s.parents[first:], States: n}
	s.cp.nodes.n = frontier
	l.Frontier = s.cp.nodes
	for _, w := range s.workers {
		l.Transitions += w.transitions
		l.CrashPoints += w.crashes
	}
	l.Elapsed = s.cp.elapsed + time.Since(s.cp.start)
	if err := c.CommitLevel(l); err != nil {
		return fmt.Errorf("checkpoint of level %d: %w", depth, err)
	}
	return nil
}

// Path rebuilds the shortest path to the violating edge edge (an edge key:
// the violating state's number and the edge's ordinal) by following the
// parent records that parent returns back to an initial state, then
// replaying the edges forward through w. It is how a search builds
// Result.Trace, and how a stored violation is dumped after the search.
// When the violating state is RootState, the violation is one of the
// initial states.
func Path(w model.Worker, parent func(state uint64) (uint64, error), edge uint64) (*model.Trace, error) {
	inits, v := w.Initial()
	state, last := splitEdge(edge)
	if state == rootParent {
		if v == nil {
			return nil, errors.New("the initial states no longer violate: the layer code is not deterministic")
		}
		return &model.Trace{Steps: []model.Step{{Kind: model.StepInit, Violation: v}}}, nil
	}
	if v != nil {
		return nil, fmt.Errorf("the initial states violate (%v): the layer code is not deterministic", v)
	}
	ordinals := []uint32{last}
	for state != rootParent {
		p, err := parent(state)
		if err != nil {
			return nil, err
		}
		var o uint32
		state, o = splitEdge(p)
		ordinals = append(ordinals, o)
		if len(ordinals) > maxPath {
			return nil, errors.New("parent records form a cycle")
		}
	}
	// ordinals holds the path backwards, ending with the initial index.
	root := ordinals[len(ordinals)-1]
	if int(root) >= len(inits) {
		return nil, fmt.Errorf("parent records name initial state %d of %d", root, len(inits))
	}
	node := inits[root]
	t := &model.Trace{Steps: []model.Step{{Kind: model.StepInit, Node: w.View(node)}}}
	for i := len(ordinals) - 2; i >= 0; i-- {
		step, succ := w.Replay(node, ordinals[i])
		if step.Kind == "" || (i > 0 && succ == nil) {
			t.Steps = append(t.Steps, model.Step{Violation: &model.Violation{
				Kind:    model.KindNondeterminism,
				Message: "replaying the path did not reach the recorded state: the layer code is not deterministic",
			}})
			return t, nil
		}
		t.Steps = append(t.Steps, step)
		node = succ
	}
	return t, nil
}

// maxPath bounds the paths Path follows, against cyclic parent records.
const maxPath = 1 << 24
