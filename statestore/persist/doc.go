// Package persist is the explorer's persistent store: a badger database
// in one directory that holds a run's configuration, the states of every
// completed level with their fingerprints and discovering edges, the last
// level's frontier, the totals, and, once the run finishes, its outcome and
// violations. It implements statestore.Checkpoint, so a run stopped by a
// signal, a bound or a kill resumes from its last complete level
// (explorer.Resume), and a violation's path is rebuilt from the stored
// parents (Store.Parent, explorer.Path) and replayed long after the run.
//
// The in-memory set stays the explorer's hot path: the store only receives
// each level at the barrier, copies it, and writes it on a goroutine of its
// own while the next level is explored. A level is complete once its
// commit record is synced; records of a level in progress are ignored, so
// a kill at any moment loses at most that level.
//
// A store is used by one process at a time: badger locks its directory,
// and the system releases the lock when that process exits, even when it
// is killed, so a killed run's store is never left locked.
//
// Layout, by key: "run" (format version and configuration), "l/D" and
// "head" (the commit record of level D, and of the last level), "s/D/I"
// (fingerprints and parents of level D's states, 32768 to a record),
// "f/D/I" (level D's encodings, kept for the last level only),
// "outcome" and "v/I" (a finished run's verdict and violations). Each value
// is a tagged record ending in a CRC-32C (records.go).
package persist
