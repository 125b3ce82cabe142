package statestore

import "time"

// Checkpoint receives the search's progress, so that a stopped search can
// be resumed (see explorer.Resume). A persistent store implements it; the
// explorer knows nothing of how it keeps the records.
type Checkpoint interface {
	// Commit records a part of the search: the states it discovered with
	// their discovering edges, how far the expansion of the level before
	// them has got, and the totals so far. It is called from the search
	// goroutine between parts of a level, at most about every
	// explorer.Config.CheckpointInterval; p and everything it refers to
	// are valid only during the call, so an implementation that writes in
	// the background copies what it needs. An error stops the search.
	Commit(p *Part) error
}

// Part is a part of the search as a Checkpoint sees it: the new states
// that expanding some more states of level Level-1 discovered. The
// initial states are the part of level 0 that expands nothing.
type Part struct {
	// Level is the level of the part's new states: they are Level edges
	// from an initial state (initial states are level 0).
	Level int
	// Expanded is the number of level Level-1's states expanded so far,
	// those of this part included, and Complete says whether they are all
	// of them: then level Level holds no more states than those committed.
	Expanded uint64
	Complete bool
	// First is the number of the part's first new state; states are
	// numbered consecutively, so the part holds First..First+Parents.Len()-1.
	First uint64
	// Parents holds each new state's discovering edge key (parent number
	// << 24 | edge ordinal).
	Parents Edges
	// Frontier holds the encodings of the new states, in number order: the
	// nodes the next level expands.
	Frontier Nodes
	// States, Transitions and CrashPoints are the totals so far.
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

// Edges is a read-only list of edge keys.
type Edges interface {
	Len() int
	At(i int) uint64
}

// Saved is a checkpoint to resume from: everything about a search up to
// its last committed part.
type Saved struct {
	// Depth is the level being expanded: Frontier holds its states'
	// encodings, and the first Expanded of them are expanded.
	Depth    int
	Frontier [][]byte
	Expanded int
	// Next holds the encodings of the states of level Depth+1 found so
	// far, in number order.
	Next [][]byte
	// Keys and Parents hold, by state number, every state's fingerprint
	// and discovering edge key: the frontier's states, then Next's, last.
	Keys, Parents []uint64
	// Loader, when set, reads the states and the encodings a part at a
	// time, for a search that keeps them within its memory budget; Keys,
	// Parents, Frontier and Next are then nil.
	Loader Loader
	// Transitions and CrashPoints are the totals so far; Elapsed the time
	// they took.
	Transitions, CrashPoints uint64
	Elapsed                  time.Duration
}

// Loader reads a checkpoint's states and encodings in order, a record at
// a time, so that its reader never holds them all. The slices it hands
// out are valid only during the call they are handed to.
type Loader interface {
	// Counts returns the number of states, of the frontier's states and
	// of Next's.
	Counts() (states uint64, frontier, next int)
	// States calls fn with the fingerprints and discovering edge keys of
	// consecutive states, from state 0 to the last.
	States(fn func(keys, parents []uint64) error) error
	// Nodes calls fn with the encoding of every state of the frontier,
	// then of Next (next true), in number order.
	Nodes(fn func(next bool, node []byte) error) error
}

// EachNode calls fn with the encoding of every state of Frontier, then of
// Next (next true), in number order, as a Loader's Nodes does; it stops
// at fn's first error.
func (s *Saved) EachNode(fn func(next bool, node []byte) error) error {
	for _, n := range s.Frontier {
		if err := fn(false, n); err != nil {
			return err
		}
	}
	for _, n := range s.Next {
		if err := fn(true, n); err != nil {
			return err
		}
	}
	return nil
}

// Outcome is the stored form of a finished search: its verdict, figures
// and violations, from which explorer.Restore rebuilds the search's
// result.
type Outcome struct {
	Verdict, Stopped                 string
	States, Transitions, CrashPoints uint64
	Depth                            int
	Elapsed                          time.Duration
	MemoryBytes, LevelBytes          uint64
	Collision                        float64
	Violations                       []ViolationRecord
}

// ViolationRecord is a stored violation: the failed check and the key of
// its violating edge, in the parent records' terms (an opaque number
// outside the explorer).
type ViolationRecord struct {
	Kind, Message, Where string
	Edge                 uint64
}
