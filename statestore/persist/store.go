package persist

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
	"golang.org/x/sys/unix"

	"github.com/argocheck/argocheck/statestore"
)

// FormatVersion is the version of the records this package writes and
// reads. A store of another version is refused, never converted.
const FormatVersion = 1

// magic is badger's external magic number for argocheck stores, so that
// badger itself refuses another application's database.
const magic = 0xA7C5

// Chunking: a level's states are stored chunkStates to a record (the last
// record of a level may hold fewer), its frontier in records of at most
// chunkFrontierBytes of encodings. Both keep every record under badger's
// value threshold, so records live in the LSM tree (see badgerOptions).
// Part of format version 1.
const (
	chunkStates        = 1 << 15
	chunkFrontierBytes = 256 << 10
)

// Options configure a store. The zero value is valid: badger stays quiet.
type Options struct {
	// Log, when set, receives badger's messages (the --verbose flag).
	Log io.Writer
}

// badgerOptions are badger's options for this load: large values written
// once per level by one writer, read back only to resume or dump a path.
//
//   - SyncWrites off: a level is made durable by one explicit Sync after
//     its commit record, not one fsync per write.
//   - Value threshold at its maximum (1 MiB) and records kept below it:
//     every value stays in the LSM tree, so that the frontier records a
//     later level deletes are reclaimed by compaction, with no value-log
//     garbage collection to run.
//   - Level-0 compaction on close: a closed store keeps only the live
//     records (about 9 bytes per state, the fingerprint and a delta-coded
//     parent, plus the last frontier), not every frontier ever written.
//   - No compression: fingerprints are random and parents are already
//     delta-coded, so compression gains little and costs the CPU the
//     workers need; no block cache follows from that, and reads are rare.
//   - No conflict detection: one goroutine writes, in batches.
//   - Two compactors and small memtable count: exploration owns the CPUs
//     and memory; the store only has to keep up with one level at a time.
//   - Logger silenced unless Options.Log is set.
func badgerOptions(dir string, o Options) badger.Options {
	opt := badger.DefaultOptions(dir).
		WithSyncWrites(false).
		WithValueThreshold(1 << 20).
		WithCompression(options.None).
		WithBlockCacheSize(0).
		WithIndexCacheSize(0).
		WithDetectConflicts(false).
		WithNumCompactors(2).
		WithNumMemtables(2).
		WithMetricsEnabled(false).
		WithCompactL0OnClose(true).
		WithExternalMagic(magic).
		WithLogger(nil)
	if o.Log != nil {
		opt = opt.WithLogger(logger{o.Log})
	}
	return opt
}

// logger writes badger's messages to a writer.
type logger struct{ w io.Writer }

func (l logger) Errorf(f string, a ...any)   { l.printf("error", f, a...) }
func (l logger) Warningf(f string, a ...any) { l.printf("warning", f, a...) }
func (l logger) Infof(f string, a ...any)    { l.printf("info", f, a...) }
func (l logger) Debugf(f string, a ...any)   {}
func (l logger) printf(level, f string, a ...any) {
	fmt.Fprintf(l.w, "badger %s: %s\n", level, strings.TrimRight(fmt.Sprintf(f, a...), "\n"))
}

// Store is a persistent run: its configuration, the states of every
// completed level with their parents, the last frontier, the totals, and
// the outcome once the run finishes. It implements statestore.Checkpoint;
// writes happen on a goroutine of its own, one level at a time.
type Store struct {
	dir     string
	db      *badger.DB
	run     Header
	levels  []*level // complete levels, by depth
	outcome *statestore.Outcome

	jobs    chan *job
	results chan error
	pending bool
	job     job
	err     error // the first write error; the store accepts no more writes

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
// another).
func Create(dir string, run Header, o Options) (*Store, error) {
	run.Format = FormatVersion
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, inputErr("cannot create store directory %s: %v", dir, unwrapPath(err))
		}
	case errors.Is(err, unix.ENOTDIR):
		return nil, inputErr("cannot create store directory %s: a parent is a file", dir)
	case err != nil:
		return nil, inputErr("store directory %s: %v", dir, unwrapPath(err))
	case !fi.IsDir():
		return nil, inputErr("store directory %s is a file, not a directory", dir)
	}
	if err := unix.Access(dir, unix.W_OK|unix.X_OK); err != nil {
		return nil, inputErr("store directory %s is not writable", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, inputErr("store directory %s: %v", dir, unwrapPath(err))
	}
	if len(entries) > 0 && !startedOnly(entries) {
		if !isStore(dir) {
			return nil, inputErr("%s is not empty and holds no argocheck store: choose an empty or new directory", dir)
		}
		// Read-only, so that a refusal changes nothing; badger refuses
		// read-only a store that needs recovery after a kill.
		s, err := openDB(dir, o, true)
		if err != nil {
			if s, err = openDB(dir, o, false); err != nil {
				return nil, err
			}
		}
		old, err := s.readRun()
		if err == nil {
			s.db.Close()
			if old.Format != FormatVersion {
				return nil, inputErr("%s holds a store of format version %d; this argocheck writes version %d: choose another directory", dir, old.Format, FormatVersion)
			}
			if !old.Same(run) {
				return nil, inputErr("%s holds the store of another run (%s), not of this check (%s): choose another directory", dir, old, run)
			}
			return nil, inputErr("%s already holds the store of this run: continue it with 'argocheck resume %s', or choose another directory", dir, dir)
		}
		if !errors.Is(err, errNoRun) || !s.empty() {
			s.db.Close()
			return nil, err
		}
		// An empty database: a check stopped before it wrote anything.
		s.db.Close()
		if s, err = openDB(dir, o, false); err != nil {
			return nil, err
		}
		return s.start(run)
	}
	if len(entries) > 0 {
		// badger's files from a store killed before its manifest: no
		// record was written yet.
		for _, e := range entries {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return nil, inputErr("store directory %s: %v", dir, unwrapPath(err))
			}
		}
	}
	s, err := openDB(dir, o, false)
	if err != nil {
		return nil, err
	}
	return s.start(run)
}

// start records run in a new store and starts the writer.
func (s *Store) start(run Header) (*Store, error) {
	s.run = run
	err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(keyRun, encodeRun(run)) })
	if err == nil {
		err = s.db.Sync()
	}
	if err != nil {
		s.db.Close()
		return nil, fmt.Errorf("store %s: %w", s.dir, err)
	}
	s.startWriter()
	return s, nil
}

// Open opens the store in dir with its records up to the last complete
// level, to resume it. It refuses a dir that holds no store, a store of
// another format version, and a corrupt or truncated store.
func Open(dir string, o Options) (*Store, error) { return openStore(dir, o, false) }

// OpenReadOnly opens the store in dir as Open does, to read it only
// (trace): it changes nothing in dir, unless the store needs recovery
// after a kill, which only a writer can do.
func OpenReadOnly(dir string, o Options) (*Store, error) { return openStore(dir, o, true) }

func openStore(dir string, o Options, readOnly bool) (*Store, error) {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, inputErr("no store at %s: the directory does not exist", dir)
	case err != nil:
		return nil, inputErr("store directory %s: %v", dir, unwrapPath(err))
	case !fi.IsDir():
		return nil, inputErr("store directory %s is a file, not a directory", dir)
	}
	if !isStore(dir) {
		return nil, inputErr("%s holds no argocheck store", dir)
	}
	if err := unix.Access(dir, unix.W_OK|unix.X_OK); err != nil && !readOnly {
		return nil, inputErr("store directory %s is not writable", dir)
	}
	s, err := openDB(dir, o, readOnly)
	if err != nil && readOnly {
		s, err = openDB(dir, o, false)
	}
	if err != nil {
		return nil, err
	}
	if err := s.load(); err != nil {
		s.db.Close()
		return nil, err
	}
	if !s.db.Opts().ReadOnly {
		s.startWriter()
	}
	return s, nil
}

// startedOnly reports whether a directory's entries are only those badger
// creates before its manifest: a store killed as it was being created.
func startedOnly(entries []fs.DirEntry) bool {
	for _, e := range entries {
		switch name := e.Name(); {
		case name == "LOCK" || name == "KEYREGISTRY" || name == "DISCARD":
		case strings.HasSuffix(name, ".vlog") || strings.HasSuffix(name, ".mem"):
		default:
			return false
		}
	}
	return true
}

// isStore reports whether dir holds a badger database.
func isStore(dir string) bool {
	fi, err := os.Stat(filepath.Join(dir, "MANIFEST"))
	return err == nil && fi.Mode().IsRegular()
}

func openDB(dir string, o Options, readOnly bool) (s *Store, err error) {
	defer func() {
		// badger panics on some damaged files instead of failing.
		if r := recover(); r != nil {
			s, err = nil, inputErr("%s: corrupt or truncated store: %v", dir, r)
		}
	}()
	if err := checkManifest(dir); err != nil {
		return nil, err
	}
	db, err := badger.Open(badgerOptions(dir, o).WithReadOnly(readOnly))
	if err != nil {
		msg := err.Error()
		switch {
		case strings.Contains(msg, "Cannot acquire directory lock"):
			return nil, inputErr("%s is in use by another argocheck process", dir)
		case strings.Contains(msg, "external magic number"):
			return nil, inputErr("%s holds a badger database that is not an argocheck store", dir)
		}
		return nil, inputErr("%s: corrupt or truncated store: %s", dir, firstLine(msg))
	}
	return &Store{dir: dir, db: db}, nil
}

// checkManifest refuses a store whose manifest is damaged or names
// tables that are missing, before badger opens it: badger would delete
// the tables a damaged manifest does not name. Tables on disk that the
// manifest does not name yet are normal after a kill during a compaction.
func checkManifest(dir string) error {
	f, err := os.Open(filepath.Join(dir, "MANIFEST"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil // a new store
	}
	if err != nil {
		return inputErr("%s: cannot read the store's manifest: %v", dir, unwrapPath(err))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return inputErr("%s: cannot read the store's manifest: %v", dir, unwrapPath(err))
	}
	m, end, err := badger.ReplayManifestFile(f, magic, badger.DefaultOptions(dir))
	if err != nil {
		if strings.Contains(err.Error(), "external magic number") {
			return inputErr("%s holds a badger database that is not an argocheck store", dir)
		}
		return inputErr("%s: corrupt or truncated store: manifest: %s", dir, firstLine(err.Error()))
	}
	if end != fi.Size() {
		return inputErr("%s: corrupt or truncated store: manifest damaged after byte %d of %d", dir, end, fi.Size())
	}
	for id := range m.Tables {
		if _, err := os.Stat(filepath.Join(dir, fmt.Sprintf("%06d.sst", id))); err != nil {
			return inputErr("%s: corrupt or truncated store: table %06d.sst is missing", dir, id)
		}
	}
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

var errNoRun = errors.New("no run record")

// get reads one value, or returns nil when key is absent.
func (s *Store) get(key []byte) ([]byte, error) {
	var v []byte
	err := s.db.View(func(txn *badger.Txn) error {
		it, err := txn.Get(key)
		if err != nil {
			return err
		}
		v, err = it.ValueCopy(nil)
		return err
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	return v, err
}

func (s *Store) empty() bool {
	empty := true
	s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{})
		defer it.Close()
		it.Rewind()
		empty = !it.Valid()
		return nil
	})
	return empty
}

func (s *Store) corrupt(what string, err error) error {
	return inputErr("%s: corrupt or truncated store: %s: %v", s.dir, what, err)
}

func (s *Store) readRun() (Header, error) {
	rec, err := s.get(keyRun)
	if err != nil {
		return Header{}, s.corrupt("run", err)
	}
	if rec == nil {
		return Header{}, errNoRun
	}
	r, err := decodeRun(rec)
	if err != nil {
		return Header{}, s.corrupt("run", err)
	}
	return r, nil
}

// load reads the run, the level records and the outcome, and checks that
// they fit together and that every record a complete level names exists.
func (s *Store) load() error {
	run, err := s.readRun()
	if errors.Is(err, errNoRun) {
		return inputErr("%s holds no run: its check stopped before it started; start it again with 'argocheck check ... --store' in an empty directory", s.dir)
	}
	if err != nil {
		return err
	}
	if run.Format != FormatVersion {
		return inputErr("%s holds a store of format version %d; this argocheck reads version %d", s.dir, run.Format, FormatVersion)
	}
	s.run = run
	head, err := s.get(keyHead)
	if err != nil {
		return s.corrupt("head", err)
	}
	if head != nil {
		h, err := decodeLevel(head)
		if err != nil {
			return s.corrupt("head", err)
		}
		next := uint64(0)
		for d := 0; d <= h.Depth; d++ {
			rec, err := s.get(keyLevel(d))
			if err == nil && rec == nil {
				err = errors.New("missing")
			}
			var l *level
			if err == nil {
				l, err = decodeLevel(rec)
			}
			if err == nil && (l.Depth != d || l.First != next || l.StateChunks != int((l.Count+chunkStates-1)/chunkStates)) {
				err = errors.New("does not follow the level before")
			}
			if err != nil {
				return s.corrupt(fmt.Sprintf("level %d", d), err)
			}
			next = l.First + l.Count
			s.levels = append(s.levels, l)
		}
		if last := s.levels[len(s.levels)-1]; *last != *h {
			return s.corrupt("head", errors.New("differs from the last level"))
		}
		if err := s.checkChunks(); err != nil {
			return err
		}
	}
	rec, err := s.get(keyDone)
	if err != nil {
		return s.corrupt("outcome", err)
	}
	if rec != nil {
		if s.outcome, err = decodeOutcome(rec); err != nil {
			return s.corrupt("outcome", err)
		}
		for i := 0; ; i++ {
			rec, err := s.get(keyViolation(i))
			if err != nil {
				return s.corrupt("violation", err)
			}
			if rec == nil {
				break
			}
			v, err := decodeViolation(rec)
			if err != nil {
				return s.corrupt("violation", err)
			}
			s.outcome.Violations = append(s.outcome.Violations, v)
		}
	}
	return nil
}

// checkChunks checks that every states record of every complete level, and
// the last level's frontier records, exist.
func (s *Store) checkChunks() error {
	var keys [][]byte
	for _, l := range s.levels {
		for i := 0; i < l.StateChunks; i++ {
			keys = append(keys, keyChunk('s', l.Depth, i))
		}
	}
	last := s.levels[len(s.levels)-1]
	for i := 0; i < last.FrontierChunks; i++ {
		keys = append(keys, keyChunk('f', last.Depth, i))
	}
	return s.db.View(func(txn *badger.Txn) error {
		for _, k := range keys {
			if _, err := txn.Get(k); err != nil {
				return s.corrupt(fmt.Sprintf("record %q", k), err)
			}
		}
		return nil
	})
}

// Dir returns the store's directory.
func (s *Store) Dir() string { return s.dir }

// Header returns the header of the run the store holds.
func (s *Store) Header() Header { return s.run }

// Outcome returns the finished run's outcome with its violations, or nil
// while it is not finished.
func (s *Store) Outcome() *statestore.Outcome { return s.outcome }

// Depth returns the number of the last complete level, or -1 when no
// level is complete, after the level being written, if any.
func (s *Store) Depth() int {
	s.wait()
	return len(s.levels) - 1
}

// Saved reads the checkpoint of the last complete level, to resume from;
// nil when no level is complete.
func (s *Store) Saved() (*statestore.Saved, error) {
	if len(s.levels) == 0 {
		return nil, nil
	}
	last := s.levels[len(s.levels)-1]
	n := last.First + last.Count
	sv := &statestore.Saved{
		Depth: last.Depth, Keys: make([]uint64, 0, n), Parents: make([]uint64, 0, n),
		Transitions: last.Transitions, CrashPoints: last.CrashPoints,
		Elapsed: time.Duration(last.ElapsedNanos),
	}
	err := s.db.View(func(txn *badger.Txn) error {
		for _, l := range s.levels {
			for i := 0; i < l.StateChunks; i++ {
				k := keyChunk('s', l.Depth, i)
				if err := value(txn, k, func(v []byte) (err error) {
					sv.Keys, sv.Parents, err = decodeStates(v, sv.Keys, sv.Parents)
					return err
				}); err != nil {
					return s.corrupt(fmt.Sprintf("level %d states", l.Depth), err)
				}
			}
			if uint64(len(sv.Keys)) != l.First+l.Count {
				return s.corrupt(fmt.Sprintf("level %d states", l.Depth), errors.New("wrong number of states"))
			}
		}
		for i := 0; i < last.FrontierChunks; i++ {
			k := keyChunk('f', last.Depth, i)
			if err := value(txn, k, func(v []byte) (err error) {
				sv.Frontier, err = decodeFrontier(append([]byte(nil), v...), sv.Frontier)
				return err
			}); err != nil {
				return s.corrupt(fmt.Sprintf("level %d frontier", last.Depth), err)
			}
		}
		if uint64(len(sv.Frontier)) != last.Count {
			return s.corrupt(fmt.Sprintf("level %d frontier", last.Depth), errors.New("wrong number of states"))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The fingerprints must be those of the frontier's encodings.
	first := len(sv.Keys) - len(sv.Frontier)
	for i, n := range sv.Frontier {
		if statestore.Fingerprint(n) != sv.Keys[first+i] {
			return nil, s.corrupt(fmt.Sprintf("level %d", last.Depth), errors.New("frontier and fingerprints disagree"))
		}
	}
	return sv, nil
}

func value(txn *badger.Txn, key []byte, fn func([]byte) error) error {
	it, err := txn.Get(key)
	if err != nil {
		return err
	}
	return it.Value(fn)
}

// Parent returns the discovering edge key of state n, reading the states
// record that holds it: the parent records from which a violation's path
// is rebuilt (explorer.Path).
func (s *Store) Parent(n uint64) (uint64, error) {
	i := sort.Search(len(s.levels), func(i int) bool { return s.levels[i].First+s.levels[i].Count > n })
	if i == len(s.levels) || n < s.levels[i].First {
		return 0, s.corrupt("parents", fmt.Errorf("no state %d", n))
	}
	l := s.levels[i]
	off := n - l.First
	k := keyChunk('s', l.Depth, int(off/chunkStates))
	if s.cache.key != string(k) {
		var parents []uint64
		err := s.db.View(func(txn *badger.Txn) error {
			return value(txn, k, func(v []byte) (err error) {
				_, parents, err = decodeStates(v, nil, nil)
				return err
			})
		})
		if err != nil {
			return 0, s.corrupt(fmt.Sprintf("level %d states", l.Depth), err)
		}
		s.cache.key, s.cache.parents = string(k), parents
	}
	j := off % chunkStates
	if j >= uint64(len(s.cache.parents)) {
		return 0, s.corrupt(fmt.Sprintf("level %d states", l.Depth), fmt.Errorf("no state %d", n))
	}
	return s.cache.parents[j], nil
}

// DiskBytes returns the disk space the store's files take (allocated
// blocks, not their lengths: badger preallocates its logs).
func (s *Store) DiskBytes() (uint64, error) {
	return DiskBytes(s.dir)
}

// DiskBytes returns the disk space the files under dir take.
func DiskBytes(dir string) (uint64, error) {
	var n uint64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			fi, err := d.Info()
			if err != nil {
				return err
			}
			if st, ok := fi.Sys().(*syscall.Stat_t); ok {
				n += uint64(st.Blocks) * 512
			} else {
				n += uint64(fi.Size())
			}
		}
		return nil
	})
	return n, err
}
