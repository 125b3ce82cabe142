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
	states, frontier, next := loaderOf(from).Counts()
	if (from.Loader == nil && len(from.Keys) != len(from.Parents)) || uint64(frontier+next) > states || from.Expanded < 0 || from.Expanded > frontier {
		return nil, fmt.Errorf("resume: checkpoint has %d keys, %d parents, %d frontier states of which %d expanded, and %d next",
			len(from.Keys), states, frontier, from.Expanded, next)
	}
	cfg.from = from
	res, err := Run(ctx, chk, cfg)
	if err != nil {
		return nil, err
	}
	res.Elapsed += from.Elapsed
	if frontier == 0 && next == 0 {
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
	last    time.Time     // of the last commit
	// The first state, and its place in s.next, not committed yet.
	first     uint64
	nextFirst int
	part      statestore.Part
	reader    reader // of s.next
	nodes     nodeList
	edges     edgeList
}

// edgeList presents the parent records of a level as statestore.Edges.
type edgeList struct {
	r     *records
	first uint64
	n     int
}

func (l edgeList) Len() int        { return l.n }
func (l edgeList) At(i int) uint64 { return l.r.get(l.first + uint64(i)) }

// nodeList presents the nodes from first on of a frontier as
// statestore.Nodes.
type nodeList struct {
	r     *reader
	first int
}

func (l nodeList) Len() int        { return l.r.f.len() - l.first }
func (l nodeList) At(i int) []byte { return l.r.at(l.first + i) }

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
	s.cp.start, s.cp.last = time.Now(), time.Now()
	from := s.cfg.from
	if from == nil {
		// The initial states, in s.next, are level 0.
		err := s.commit(0, true)
		s.frontier, s.next = s.next, s.frontier
		s.next.reset()
		return 0, 0, err
	}
	s.cp.elapsed = from.Elapsed
	load := loaderOf(from)
	states, frontier, next := load.Counts()
	if err := s.restoreStates(load, states); err != nil {
		return 0, 0, fmt.Errorf("resume: %w", err)
	}
	s.frontier.reset()
	s.next.reset()
	if err := load.Nodes(func(next bool, n []byte) error {
		if next {
			s.next.add(n)
		} else {
			s.frontier.add(n)
		}
		return nil
	}); err != nil {
		return 0, 0, fmt.Errorf("resume: %w", err)
	}
	if s.parents.len() != states || s.frontier.len() != frontier || s.next.len() != next {
		return 0, 0, fmt.Errorf("resume: checkpoint loaded %d states, %d frontier states and %d next, not the %d, %d and %d it counts",
			s.parents.len(), s.frontier.len(), s.next.len(), states, frontier, next)
	}
	s.expanded = from.Expanded
	s.cp.first, s.cp.nextFirst = s.parents.len(), s.next.len()
	w := s.workers[0]
	w.transitions, w.crashes = from.Transitions, from.CrashPoints
	return states - uint64(frontier+next), from.Depth, nil
}

// loaderOf returns from's Loader, or one over its slices.
func loaderOf(from *statestore.Saved) statestore.Loader {
	if from.Loader != nil {
		return from.Loader
	}
	return savedSlices{from}
}

// savedSlices presents a checkpoint's slices as a statestore.Loader.
type savedSlices struct{ sv *statestore.Saved }

func (l savedSlices) Counts() (states uint64, frontier, next int) {
	return uint64(len(l.sv.Parents)), len(l.sv.Frontier), len(l.sv.Next)
}

func (l savedSlices) States(fn func(keys, parents []uint64) error) error {
	return fn(l.sv.Keys, l.sv.Parents)
}

func (l savedSlices) Nodes(fn func(next bool, node []byte) error) error {
	return l.sv.EachNode(fn)
}

// commit hands the new states found since the last commit, the states of
// level, to the checkpoint, if any: when the level before them is
// expanded completely, when force says so (the search stops), or when
// the checkpoint interval has passed since the last commit.
func (s *search) commit(level int, force bool) error {
	c := s.cfg.Checkpoint
	complete := s.expanded >= s.frontier.len()
	if c == nil || !(complete || force || time.Since(s.cp.last) >= s.cfg.CheckpointInterval) {
		return nil
	}
	// A violation that only the workers' Stray sees (a call left behind,
	// memory the instances share changed) comes from the runs since the
	// last commit or before it: committed past, it would be lost to a
	// search resumed in a new process, whose workers never ran them. The
	// checkpoint stays before them; the search reports it at the level's
	// end, and one stopped first is resumed from before them.
	if s.pendingStray() != nil {
		return nil
	}
	n := s.parents.len()
	p := &s.cp.part
	*p = statestore.Part{Level: level, Expanded: uint64(s.expanded), Complete: complete, First: s.cp.first, States: n}
	s.cp.reader = reading(&s.next)
	s.cp.nodes = nodeList{&s.cp.reader, s.cp.nextFirst}
	s.cp.edges.r, s.cp.edges.first, s.cp.edges.n = &s.parents, s.cp.first, int(n-s.cp.first)
	p.Frontier, p.Parents = s.cp.nodes, s.cp.edges
	for _, w := range s.workers {
		p.Transitions += w.transitions
		p.CrashPoints += w.crashes
	}
	p.Elapsed = s.cp.elapsed + time.Since(s.cp.start)
	// A spilled record that cannot be read would be handed over as 0: the
	// records are read once before the commit, which is refused if one
	// cannot be, and the commit's own reads are checked after it.
	for i := s.cp.first; i < min(n, s.parents.spilled); i = i&^(1<<chunkBits-1) + 1<<chunkBits {
		s.parents.get(i)
	}
	if s.parents.err != nil {
		return fmt.Errorf("checkpoint of level %d: %w", level, s.parents.err)
	}
	if err := c.Commit(p); err != nil {
		return fmt.Errorf("checkpoint of level %d: %w", level, err)
	}
	if s.parents.err != nil {
		return fmt.Errorf("checkpoint of level %d, committed with parent records that could not be read: %w", level, s.parents.err)
	}
	s.cp.last = time.Now()
	s.cp.first, s.cp.nextFirst = n, s.next.len()
	if complete {
		s.cp.nextFirst = 0 // the next frontier starts empty
	}
	return nil
}
