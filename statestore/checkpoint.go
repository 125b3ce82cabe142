package statestore

import "time"

// Checkpoint receives the search's progress at every level barrier, so
// that a stopped search can be resumed (see explorer.Resume). A persistent store
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
	// numbered consecutively, so the level holds First..First+Parents.Len()-1.
	First uint64
	// Parents holds each state's discovering edge key (parent number << 24
	// | edge ordinal, as explorer.EdgeKey packs it).
	Parents Edges
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

// Edges is a read-only list of edge keys.
type Edges interface {
	Len() int
	At(i int) uint64
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
