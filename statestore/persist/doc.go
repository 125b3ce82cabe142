// Package persist is the explorer's persistent store: a badger database
// in one directory that holds a run's configuration, every committed
// part's new states with their fingerprints and discovering edges, the
// encodings of the frontier being expanded and of the next one found so
// far, the totals, and, once the run finishes, its outcome and
// violations. It implements statestore.Checkpoint, so a run stopped by a
// signal, a bound or a kill resumes from its last committed part
// (explorer.Resume), and a violation's path is rebuilt from the stored
// parents (Store.Parent, explorer.Path) and replayed long after the run.
//
// The in-memory set stays the explorer's hot path: the store receives each
// part at its commit, copies it (the frontier compressed, in its records),
// and writes it on a goroutine of its own while the search goes on. A part
// counts once its commit record is synced; records of a part not committed
// are ignored, so a kill at any moment loses at most the work since the
// last commit.
//
// A store keeps a reserve of free space on its file system, and ends a
// search with an error rather than write into it (space.go): badger's
// files are mapped into memory, where a full disk ends the process. It
// ends the search with an error too once badger cannot write a table,
// which badger would try again for ever (stall.go).
//
// A store is used by one process at a time: badger locks its directory,
// and the system releases the lock when that process exits, even when it
// is killed, so a killed run's store is never left locked.
//
// A store belongs to the build of the program that made it (Header.Build):
// its states come from that build's layer code, so a store is refused to
// another build (Options.Build), which starts a store of its own.
//
// Layout, by key: "run" (format version and configuration), "p/S" and
// "head" (the commit record of part S, and of the last part), "s/S/I"
// (fingerprints and parents of part S's states, 32768 to a record),
// "f/S/I" (part S's encodings, zstd-compressed, at most 256 KiB of them to
// a record, deleted once their level is expanded), "outcome" and "v/I"
// (a finished run's verdict and violations). Each value is a tagged record
// ending in a CRC-32C (records.go).
package persist
