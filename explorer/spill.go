package explorer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/argocheck/argocheck/internal/dirlock"
	"github.com/argocheck/argocheck/statestore"
)

// Spilling: a search whose visited set outgrows Config.MemoryBytes moves
// it to disk, in Config.Spill, instead of stopping. The fingerprints move
// into one sorted file (statestore.SortedFile) and the parent records
// into another, and the in-memory table starts again empty. A successor
// is looked up in the in-memory table while a part is expanded; those it
// does not hold are looked up in the sorted file at the part's barrier,
// before they are numbered. Counts and paths are those of a search in
// memory.

// badSpill is the error of a spill directory that cannot be made: an
// ErrInvalid, in words that name the directory's problem alone.
type badSpill struct {
	dir string // the directory asked for
	err error
}

func (e badSpill) Error() string {
	return fmt.Sprintf("cannot make the spill directory %s: %v", e.dir, e.err)
}
func (e badSpill) Unwrap() []error { return []error{ErrInvalid, e.err} }

// CheckSpill checks, leaving nothing behind, that dir could be made as
// Config.Spill: the nearest of dir and its parents that exists is a
// directory in which a directory can be made. Run checks it before the
// search starts, and makes it at the search's first spill only. Its error
// is an ErrInvalid.
func CheckSpill(dir string) error {
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if errors.Is(err, fs.ErrNotExist) && filepath.Dir(d) != d {
			continue
		}
		if err != nil {
			return badSpill{dir, cause(err)}
		}
		if !fi.IsDir() {
			return badSpill{dir, fmt.Errorf("%s is not a directory", d)}
		}
		tmp, err := os.MkdirTemp(d, probePrefix)
		if err != nil {
			return badSpill{dir, fmt.Errorf("cannot make a directory in %s: %v", d, cause(err))}
		}
		if spillProbed != nil {
			spillProbed(d)
		}
		return os.Remove(tmp)
	}
}

// startSpill makes the directory of a search's spill files, a fresh one
// in Config.Spill (made too if need be), at the search's first spill; later
// calls do nothing. The search holds a lock on it (see internal/dirlock)
// until endSpill, and first removes the spill directories in Config.Spill
// that no running search holds: those of killed searches.
func (s *search) startSpill() error {
	if s.disk != nil {
		return nil
	}
	if err := os.MkdirAll(s.cfg.Spill, 0o755); err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	sweepSpills(s.cfg.Spill)
	var err error
	for range 3 { // a search sweeping at the same moment may take it
		var dir string
		var lock *dirlock.Lock
		var f *os.File
		if dir, err = os.MkdirTemp(s.cfg.Spill, SpillPrefix); err != nil {
			break
		}
		lock, err = tryLock(dir)
		switch {
		case lock == nil && err == nil: // taken by a search sweeping
			continue
		case err != nil && errors.Is(err, fs.ErrNotExist): // swept already
			continue
		case err != nil:
			// A file system without the locks: the directory goes
			// unlocked, and a sweep, which cannot lock it either,
			// leaves it alone.
			lock, err = nil, nil
		}
		if f, err = os.Create(filepath.Join(dir, "parents")); err != nil {
			lock.Release()
			os.RemoveAll(dir)
			continue
		}
		s.spillDir, s.spillLock, s.disk, s.parents.file = dir, lock, statestore.NewSortedFile(dir), f
		return nil
	}
	if err == nil {
		err = errors.New("a new spill directory was taken three times by another search")
	}
	return fmt.Errorf("spill: %w", err)
}

// tryLock locks a new spill directory; tests replace it.
var tryLock = dirlock.TryLock

// SpillPrefix starts the name of every spill directory a search makes in
// Config.Spill: the only files of that directory argocheck writes and
// removes.
const SpillPrefix = "argocheck-spill-"

// probePrefix starts the name of the directory CheckSpill makes and
// removes: not SpillPrefix, so that a search sweeping the spill
// directories of dead searches at that moment leaves it alone.
const probePrefix = "argocheck-probe-"

// spillProbed, when set, is called by CheckSpill with the directory it
// made its probe in, while the probe is there: tests sweep then.
var spillProbed func(dir string)

// sweepSpills removes the spill directories in dir that no running search
// holds. Where the system has no directory locks it removes nothing.
func sweepSpills(dir string) {
	if !dirlock.Supported {
		return
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), SpillPrefix) {
			continue
		}
		d := filepath.Join(dir, e.Name())
		if l, _ := dirlock.TryLock(d); l != nil {
			os.RemoveAll(d)
			l.Release()
		}
	}
}

// endSpill removes the spill files.
func (s *search) endSpill() {
	if s.spillDir == "" {
		return
	}
	s.disk.Close()
	s.parents.file.Close()
	os.RemoveAll(s.spillDir)
	s.spillLock.Release()
}

// spill moves the in-memory visited set and parent records to disk.
func (s *search) spill() error {
	if err := s.startSpill(); err != nil {
		return err
	}
	keys := s.visited.AppendKeys(s.spillKeys[:0])
	statestore.SortKeys(keys, len(s.workers))
	s.spillKeys = keys
	if err := s.disk.Merge(keys, len(s.workers)); err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	s.visited.Clear()
	// The emptied table lets through successors it held: parts are sized
	// afresh, from the first part's overestimate.
	s.lastPart = 0
	if err := s.parents.spill(); err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	s.spills++
	return nil
}

// known reports whether a key missing from the in-memory table is visited
// all the same: in the sorted file of a spilled search.
func (s *search) known(key uint64) bool { return s.disk != nil && s.disk.Contains(key) }

// knownRun is how many keys the barrier touches in the sorted file before
// it looks them up.
const knownRun = 16

// touchKnown touches where known will look for each of keys in the sorted
// file, if any, and returns what it loaded.
func (s *search) touchKnown(keys []uint64) (touched uint64) {
	if s.disk == nil {
		return 0
	}
	for _, k := range keys {
		touched += s.disk.Touch(k)
	}
	return touched
}

// restoreStates loads a checkpoint's n states, a record at a time: their
// fingerprints into the in-memory table and their parent records into
// memory or, for a spilling search whose budget they would not fit, both
// to disk, sorted and merged into the sorted file in batches of half the
// budget, each counted as a spill.
func (s *search) restoreStates(load statestore.Loader, n uint64) error {
	s.parents = records{file: s.parents.file}
	if s.cfg.Spill == "" || 16*n <= s.cfg.MemoryBytes/2 {
		s.visited = statestore.NewTable(n)
		return load.States(func(keys, parents []uint64) error {
			if _, err := s.visited.InsertAll(keys); err != nil {
				return err
			}
			first := s.parents.extend(uint64(len(parents)))
			for i, p := range parents {
				s.parents.set(first+uint64(i), p)
			}
			return nil
		})
	}
	if err := s.startSpill(); err != nil {
		return err
	}
	s.visited = statestore.NewTable(1024)
	batch := int(max(s.cfg.MemoryBytes/2/8, restoreBatchMin))
	keys := slices.Grow(s.spillKeys[:0], batch)
	flush := func() error {
		if len(keys) == 0 {
			return nil
		}
		s.spills++
		statestore.SortKeys(keys, len(s.workers))
		if err := s.disk.Merge(keys, len(s.workers)); err != nil {
			return fmt.Errorf("spill: %w", err)
		}
		keys = keys[:0]
		if err := s.parents.spill(); err != nil {
			return fmt.Errorf("spill: %w", err)
		}
		return nil
	}
	err := load.States(func(ks, ps []uint64) error {
		for len(ks) > 0 {
			m := min(len(ks), batch-len(keys))
			keys = append(keys, ks[:m]...)
			first := s.parents.extend(uint64(m))
			for i, p := range ps[:m] {
				s.parents.set(first+uint64(i), p)
			}
			ks, ps = ks[m:], ps[m:]
			if len(keys) == batch {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	s.spillKeys = keys[:0]
	return err
}

// restoreBatchMin is the fewest keys restoreStates merges into the sorted
// file at once. Tests lower it.
var restoreBatchMin uint64 = 1 << 16

// validateSpill checks the spill settings.
func validateSpill(c Config) error {
	if c.Spill != "" && c.Exact {
		return errors.New("exact keys hold every encoding in memory: they cannot spill")
	}
	return nil
}

// cause is err without the path an *fs.PathError repeats.
func cause(err error) error {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return pe.Err
	}
	return err
}
