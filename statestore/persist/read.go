package persist

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/argocheck/argocheck/statestore"
)

// Reading a store: its run, its complete levels and its outcome when it is
// opened (load), the checkpoint to resume from (Saved), and the parents a
// violation's path is rebuilt from (Parent). Whatever does not decode, or
// does not fit with the rest, is a corrupt store.

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

// errNoRun is the error of readRun for a store with no run record.
var errNoRun = errors.New("no run record")

// readRun reads the run record.
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

// empty reports whether the database holds no record.
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

// corrupt returns the error for a store whose record what is damaged.
func (s *Store) corrupt(what string, err error) error {
	return inputErr("%s: corrupt or truncated store: %s: %v", s.dir, what, err)
}

// value calls fn with the value of key, valid only during the call.
func value(txn *badger.Txn, key []byte, fn func([]byte) error) error {
	it, err := txn.Get(key)
	if err != nil {
		return err
	}
	return it.Value(fn)
}
