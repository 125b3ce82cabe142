package explorer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/argocheck/argocheck/model"
	"github.com/argocheck/argocheck/statestore"
)

// Resume continues a search from a checkpoint taken by a search of the
// same checker. Its verdict, state and transition counts are those of a
// search that never stopped; Elapsed includes from.Elapsed. cfg must use
// fingerprint keys, those of the stored keys.
func Resume(ctx context.Context, chk model.Checker, cfg Config, from *statestore.Saved) (*Result, error) {
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

// checkpointState is the search's side of checkpoints.
type checkpointState struct {
	start   time.Time
	elapsed time.Duration // of the runs before this one
	level   statestore.Level
	nodes   nodeList
	edges   edgeList
}

// edgeList presents the parent records of a level as statestore.Edges.
type edgeList struct {
	r     *records
	first uint64
	n     int
}

func (l edgeList) Len() int        { return l.n }
func (l edgeList) At(i int) uint64 { return l.r.get(l.first + uint64(i)) }

// nodeList presents a nodes buffer as statestore.Nodes.
type nodeList struct{ n *nodes }

func (l nodeList) Len() int        { return l.n.len() }
func (l nodeList) At(i int) []byte { return l.n.at(i) }

func validateCheckpoint(c Config) error {
	if c.Checkpoint == nil && c.from == nil {
		return nil
	}
	if c.Exact {
		return errors.New("checkpoints key states by fingerprint: exact keys cannot be checkpointed")
	}
	if c.Continue > 1 {
		return errors.New("a checkpoint keeps no violations: a search that continues past violations cannot be checkpointed")
	}
	return nil
}

// restore starts the search's level loop: from the checkpoint cfg.from
// when resuming, replacing the initial frontier, or else from the initial
// states, which it commits as level 0. It returns the number of the first
// frontier state and the frontier's depth.
func (s *search) restore() (base uint64, depth int, err error) {
	s.cp.start = time.Now()
	from := s.cfg.from
	if from == nil {
		return 0, 0, s.commitLevel(0)
	}
	s.cp.elapsed = from.Elapsed
	s.visited = statestore.NewTable(uint64(len(from.Keys)))
	if _, err := s.visited.InsertAll(from.Keys); err != nil {
		return 0, 0, err
	}
	s.parents = records{}
	first := s.parents.extend(uint64(len(from.Parents)))
	for i, p := range from.Parents {
		s.parents.set(first+uint64(i), p)
	}
	s.frontier.reset()
	for _, n := range from.Frontier {
		s.frontier.add(n)
	}
	w := s.workers[0]
	w.transitions, w.crashes = from.Transitions, from.CrashPoints
	return uint64(len(from.Parents) - len(from.Frontier)), from.Depth, nil
}

// commitLevel hands the level just completed to the checkpoint, if any:
// its states are the frontier's, the last s.frontier.len() states.
func (s *search) commitLevel(depth int) error {
	c := s.cfg.Checkpoint
	if c == nil {
		return nil
	}
	n := s.parents.len()
	first := n - uint64(s.frontier.len())
	l := &s.cp.level
	*l = statestore.Level{Depth: depth, First: first, States: n}
	s.cp.nodes.n = &s.frontier
	s.cp.edges.r, s.cp.edges.first, s.cp.edges.n = &s.parents, first, s.frontier.len()
	l.Frontier, l.Parents = s.cp.nodes, s.cp.edges
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
