package persist

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/argocheck/argocheck/statestore"
)

// Reading a store: its run, its parts and its outcome when it is opened
// (load), the checkpoint to resume from (Saved), and the parents a
// violation's path is rebuilt from (Parent). Whatever does not decode, or
// does not fit with the rest, is a corrupt store.

// load reads the run, the part records and the outcome, and checks that
// they fit together and that every record they name exists. A build that
// is set must be the run's.
func (s *Store) load(build string) error {
	run, err := s.readRun()
	if errors.Is(err, errNoRun) {
		if !s.empty() {
			return s.corrupt("run", errors.New("missing"))
		}
		return s.noRun()
	}
	if err != nil {
		return err
	}
	if run.Format != FormatVersion {
		return inputErr("%s holds a store of format version %d; this argocheck reads version %d", s.dir, run.Format, FormatVersion)
	}
	if build != "" && run.Build != build {
		return anotherBuild(s.dir, run.Build, build)
	}
	s.run = run
	head, err := s.get(keyHead)
	if err != nil {
		return s.corrupt("head", err)
	}
	if head != nil {
		h, err := decodePart(head)
		if err != nil {
			return s.corrupt("head", err)
		}
		for seq := 0; seq <= h.Seq; seq++ {
			rec, err := s.get(keyPart(seq))
			if err == nil && rec == nil {
				err = errors.New("missing")
			}
			var p *part
			if err == nil {
				p, err = decodePart(rec)
			}
			if err == nil && (p.Seq != seq || p.StateChunks != int((p.Count+chunkStates-1)/chunkStates) || s.follows(p.public()) != nil) {
				err = errors.New("does not follow the part before")
			}
			if err != nil {
				return s.corrupt(fmt.Sprintf("part %d", seq), err)
			}
			s.parts = append(s.parts, p)
		}
		if last := s.parts[len(s.parts)-1]; *last != *h {
			return s.corrupt("head", errors.New("differs from the last part"))
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

// noRun refuses a store with no run, saying what its directory held of
// the memtables' logs where badger keeps the last writes, the run's
// record the first of them: no log, a log whose first record badger could
// not read (it drops a log from a damaged record on), or only logs with
// no record, left by a check stopped before it recorded its run.
func (s *Store) noRun() error {
	again := fmt.Sprintf("start it again with 'argocheck check ... --store %s'", s.dir)
	switch {
	case s.logs.missing:
		return inputErr("%s holds no run: its tables hold no record, and its log of its last writes (a .mem file) is missing; %s", s.dir, again)
	case s.logs.written != "":
		return inputErr("%s holds no run: its log of its last writes (%s) is damaged at its start, where the run is recorded; %s", s.dir, s.logs.written, again)
	}
	return inputErr("%s holds no run: its check stopped before it recorded it; %s", s.dir, again)
}

// checkChunks checks that every states record of every part, and the
// frontier records of the levels a resumed search reads, exist.
func (s *Store) checkChunks() error {
	var keys [][]byte
	depth, _ := s.expanding()
	for _, p := range s.parts {
		for i := 0; i < p.StateChunks; i++ {
			keys = append(keys, keyChunk('s', p.Seq, i))
		}
		if p.Level >= depth {
			for i := 0; i < p.FrontierChunks; i++ {
				keys = append(keys, keyChunk('f', p.Seq, i))
			}
		}
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

// expanding returns the level a resumed search expands, and how many of
// its states the parts committed have expanded.
func (s *Store) expanding() (depth int, expanded uint64) {
	last := s.parts[len(s.parts)-1]
	if last.Complete {
		return last.Level, 0
	}
	return last.Level - 1, last.Expanded
}

// public returns the part as statestore.Part, without its states, for the
// checks of follows.
func (p *part) public() *statestore.Part {
	return &statestore.Part{Level: p.Level, First: p.First, Expanded: p.Expanded, Complete: p.Complete}
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

// Saved reads the checkpoint of the last part committed, to resume from,
// whole: every state's fingerprint and parent and every encoding of the
// frontiers, in slices; nil when no part is committed. A search resumes
// from Resumable's instead, which reads them a record at a time.
func (s *Store) Saved() (*statestore.Saved, error) {
	sv, err := s.Resumable()
	if sv == nil || err != nil {
		return sv, err
	}
	l := sv.Loader
	states, frontier, next := l.Counts()
	sv.Loader = nil
	sv.Keys, sv.Parents = make([]uint64, 0, states), make([]uint64, 0, states)
	sv.Frontier, sv.Next = make([][]byte, 0, frontier), make([][]byte, 0, next)
	if err := l.States(func(keys, parents []uint64) error {
		sv.Keys, sv.Parents = append(sv.Keys, keys...), append(sv.Parents, parents...)
		return nil
	}); err != nil {
		return nil, err
	}
	if err := l.Nodes(func(next bool, node []byte) error {
		if next {
			sv.Next = append(sv.Next, slices.Clone(node))
		} else {
			sv.Frontier = append(sv.Frontier, slices.Clone(node))
		}
		return nil
	}); err != nil {
		return nil, err
	}
	return sv, nil
}

// Resumable returns the checkpoint of the last part committed, to resume
// from, with a Loader that reads its states and encodings from the store
// a record at a time, checking them as it goes; nil when no part is
// committed. The Loader is valid until the store commits again or closes.
func (s *Store) Resumable() (*statestore.Saved, error) {
	if len(s.parts) == 0 {
		return nil, nil
	}
	last := s.parts[len(s.parts)-1]
	depth, expanded := s.expanding()
	l := &loader{s: s, parts: s.parts[:len(s.parts):len(s.parts)], depth: depth, states: last.First + last.Count}
	for _, p := range l.parts {
		switch p.Level {
		case depth:
			l.frontier += int(p.Count)
		case depth + 1:
			l.next += int(p.Count)
		}
	}
	if expanded > uint64(l.frontier) || uint64(l.frontier+l.next) > l.states {
		return nil, s.corrupt(fmt.Sprintf("level %d frontier", depth), errors.New("wrong number of states"))
	}
	return &statestore.Saved{
		Depth: depth, Expanded: int(expanded), Loader: l,
		Transitions: last.Transitions, CrashPoints: last.CrashPoints,
		Elapsed: time.Duration(last.ElapsedNanos),
	}, nil
}

// loader reads a store's checkpoint record by record
// (statestore.Loader). Its errors of records that are missing, do not
// decode or do not fit are the store's corrupt errors.
type loader struct {
	s      *Store
	parts  []*part
	depth  int    // of the frontier
	states uint64 // committed
	// States of the frontier and of the level after it.
	frontier, next int
}

func (l *loader) Counts() (states uint64, frontier, next int) {
	return l.states, l.frontier, l.next
}

func (l *loader) States(fn func(keys, parents []uint64) error) error {
	var keys, parents []uint64
	return l.s.db.View(func(txn *badger.Txn) error {
		n := uint64(0)
		for _, p := range l.parts {
			for i := 0; i < p.StateChunks; i++ {
				if err := value(txn, keyChunk('s', p.Seq, i), func(v []byte) (err error) {
					keys, parents, err = decodeStates(v, keys[:0], parents[:0])
					return err
				}); err != nil {
					return l.s.corrupt(fmt.Sprintf("part %d states", p.Seq), err)
				}
				if n += uint64(len(keys)); n > p.First+p.Count {
					return l.s.corrupt(fmt.Sprintf("part %d states", p.Seq), errors.New("wrong number of states"))
				}
				if err := fn(keys, parents); err != nil {
					return err
				}
			}
			if n != p.First+p.Count {
				return l.s.corrupt(fmt.Sprintf("part %d states", p.Seq), errors.New("wrong number of states"))
			}
		}
		return nil
	})
}

// Nodes checks every encoding against its state's fingerprint, read again
// from the part's states records, before it hands it to fn.
func (l *loader) Nodes(fn func(next bool, node []byte) error) error {
	var nodes [][]byte
	var keys, parents []uint64
	level := fmt.Sprintf("level %d", l.depth)
	return l.s.db.View(func(txn *badger.Txn) error {
		for _, p := range l.parts {
			if p.Level != l.depth && p.Level != l.depth+1 {
				continue
			}
			j, chunk := uint64(0), -1 // nodes of p so far, states record in keys
			for i := 0; i < p.FrontierChunks; i++ {
				if err := value(txn, keyChunk('f', p.Seq, i), func(v []byte) (err error) {
					nodes, err = decodeFrontier(v, nodes[:0])
					return err
				}); err != nil {
					return l.s.corrupt(fmt.Sprintf("part %d frontier", p.Seq), err)
				}
				for _, node := range nodes {
					if j >= p.Count {
						return l.s.corrupt(level+" frontier", errors.New("wrong number of states"))
					}
					if c := int(j / chunkStates); c != chunk {
						if err := value(txn, keyChunk('s', p.Seq, c), func(v []byte) (err error) {
							keys, parents, err = decodeStates(v, keys[:0], parents[:0])
							return err
						}); err != nil {
							return l.s.corrupt(fmt.Sprintf("part %d states", p.Seq), err)
						}
						chunk = c
					}
					// The fingerprints must be those of the encodings.
					if k := j % chunkStates; k >= uint64(len(keys)) || statestore.Fingerprint(node) != keys[k] {
						return l.s.corrupt(level, errors.New("frontier and fingerprints disagree"))
					}
					if err := fn(p.Level == l.depth+1, node); err != nil {
						return err
					}
					j++
				}
			}
			if j != p.Count {
				return l.s.corrupt(level+" frontier", errors.New("wrong number of states"))
			}
		}
		return nil
	})
}

// Parent returns the discovering edge key of state n, reading the states
// record that holds it: the parent records from which a violation's path
// is rebuilt (explorer.Path).
func (s *Store) Parent(n uint64) (uint64, error) {
	i := sort.Search(len(s.parts), func(i int) bool { return s.parts[i].First+s.parts[i].Count > n })
	if i == len(s.parts) || n < s.parts[i].First {
		return 0, s.corrupt("parents", fmt.Errorf("no state %d", n))
	}
	p := s.parts[i]
	off := n - p.First
	k := keyChunk('s', p.Seq, int(off/chunkStates))
	if s.cache.key != string(k) {
		var parents []uint64
		err := s.db.View(func(txn *badger.Txn) error {
			return value(txn, k, func(v []byte) (err error) {
				_, parents, err = decodeStates(v, nil, nil)
				return err
			})
		})
		if err != nil {
			return 0, s.corrupt(fmt.Sprintf("part %d states", p.Seq), err)
		}
		s.cache.key, s.cache.parents = string(k), parents
	}
	j := off % chunkStates
	if j >= uint64(len(s.cache.parents)) {
		return 0, s.corrupt(fmt.Sprintf("part %d states", p.Seq), fmt.Errorf("no state %d", n))
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
