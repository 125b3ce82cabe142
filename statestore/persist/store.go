package persist

import (
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"github.com/argocheck/argocheck/statestore"
)

// Store is a persistent run: its configuration, every state committed
// with its parent, the frontier the search expands and the next one found
// so far, the totals, and the outcome once the run finishes. It
// implements statestore.Checkpoint; writes happen on a goroutine of its
// own, one part at a time.
type Store struct {
	dir     string
	db      *badger.DB
	run     Header
	parts   []*part // committed parts, in order
	outcome *statestore.Outcome

	jobs    chan *job
	results chan error
	pending bool
	job     job
	err     error // the first write error; the store accepts no more writes
	stall   *stall
	// abandoned: Close left badger's close running after a stall.
	abandoned bool
	logs      memLogs // what the directory held of the memtables' logs when opened

	cache struct { // the states record last read by parent
		key     string
		parents []uint64
	}
}

// InputError is an error in what a store was asked to use: a directory
// that is not a store, another run's store, a corrupt store. The command
// line reports it as bad input.
type InputError struct{ Err error }

// Error returns the underlying error's text.
func (e *InputError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *InputError) Unwrap() error { return e.Err }

func inputErr(format string, a ...any) error { return &InputError{fmt.Errorf(format, a...)} }

// Create starts a new store for run in dir, creating dir if needed. It
// refuses, changing nothing, a dir that is a file, is not writable, holds
// files that are not a store, or holds a store already (of this run or
// another, or made by another build than run.Build).
func Create(dir string, run Header, o Options) (*Store, error) {
	run.Format = FormatVersion
	if err := checkSpace(dir, 0, thenRetry); err != nil {
		return nil, err
	}
	if err := checkNewDir(dir); err != nil {
		return nil, err
	}
	if err := checkNewContents(dir, run, o); err != nil {
		return nil, err
	}
	if creating != nil {
		creating(dir)
	}
	s, err := openDB(dir, o, false)
	if err != nil {
		return nil, err
	}
	// The directory was looked at before badger's lock was taken: another
	// process may have made a store there since, and closed it (a whole
	// short run). Its records would be taken for this run's, under this
	// run's header: with the lock held, the database must still be empty.
	if err := s.refuse(run); err != nil {
		s.db.Close()
		return nil, err
	}
	return s.start(run)
}

// creating, when set, is called by Create once it has looked at dir and
// before it opens the database there: tests make a store there then.
var creating func(dir string)

// start records run in a new store and starts the writer.
func (s *Store) start(run Header) (*Store, error) {
	s.run = run
	err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(keyRun, encodeRun(run)) })
	if err == nil {
		err = s.db.Sync()
	}
	if err != nil {
		s.db.Close()
		return nil, &WriteError{Dir: s.dir, What: "its run", Cause: cause(err), Err: err, created: true}
	}
	s.startWriter()
	return s, nil
}

// Open opens the store in dir with its records up to the last complete
// level, to resume it. It refuses a dir that holds no store, a store in
// use by another process, a store of another format version or, when
// o.Build is set, of another build, a store with no run (saying whether
// its check stopped before it recorded it or its memtable's log is
// missing or damaged), and a corrupt or truncated store.
func Open(dir string, o Options) (*Store, error) { return openStore(dir, o, false) }

// OpenReadOnly opens the store in dir as Open does, to read it only
// (trace): it changes nothing in dir, unless the store needs recovery
// after a kill, which only a writer can do, and only with the reserve of
// free space a writer keeps (space.go): a store left by a kill in a
// directory this process cannot write to is refused, saying so.
func OpenReadOnly(dir string, o Options) (*Store, error) { return openStore(dir, o, true) }

func openStore(dir string, o Options, readOnly bool) (*Store, error) {
	if err := checkStoreDir(dir, readOnly); err != nil {
		return nil, err
	}
	if !readOnly {
		if err := checkSpace(dir, 0, thenResume); err != nil {
			return nil, err
		}
	} else if killed(dir) {
		// Recovery after a kill, which a read-only open falls back to
		// writing for, replays the memtable's log through its mapping,
		// where a file system out of space (tmpfs) faults even on a read.
		if err := checkSpace(dir, 0, thenRetry); err != nil {
			return nil, err
		}
	}
	logs := readLogs(dir)
	s, err := openDB(dir, o, readOnly)
	if err != nil && readOnly {
		// badger refuses read-only a store that needs recovery after a
		// kill (and Windows any read-only store). Recovery writes: it
		// needs a directory it can write to, and keeps the reserve too.
		if werr := probeWritable(dir); werr != nil {
			if killed(dir) {
				return nil, lockedOr(dir, inputErr("store directory %s is not writable (%v): the run that wrote the store did not close it (it was killed, or could not write), and opening it, to read it too, first recovers it, which writes there: run the command again once the directory can be written", dir, werr))
			}
			return nil, err
		}
		if serr := checkSpace(dir, 0, thenRetry); serr != nil {
			return nil, serr
		}
		s, err = openDB(dir, o, false)
	}
	if err != nil {
		return nil, err
	}
	s.logs = logs
	if err := s.load(o.Build); err != nil {
		s.db.Close()
		return nil, err
	}
	if !s.db.Opts().ReadOnly {
		s.startWriter()
	}
	return s, nil
}

// Dir returns the store's directory.
func (s *Store) Dir() string { return s.dir }

// Header returns the header of the run the store holds.
func (s *Store) Header() Header { return s.run }

// Outcome returns the finished run's outcome with its violations, or nil
// while it is not finished.
func (s *Store) Outcome() *statestore.Outcome { return s.outcome }

// Depth returns the number of the last complete level, or -1 when no
// level is complete, after the part being written, if any.
func (s *Store) Depth() int {
	s.wait()
	for i := len(s.parts) - 1; i >= 0; i-- {
		if p := s.parts[i]; p.Complete {
			return p.Level
		}
	}
	return -1
}
