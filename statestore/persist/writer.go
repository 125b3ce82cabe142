package persist

import (
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"github.com/argocheck/argocheck/statestore"
)

// job is one level handed to the writer: a copy of what the explorer's
// Level holds, in buffers reused from level to level.
type job struct {
	level   level
	parents []uint64
	data    []byte   // the frontier's encodings end to end
	ends    []uint32 // end offset of each encoding in data
	keys    []uint64
	nodes   [][]byte
	buf     []byte
}

func (j *job) node(i int) []byte {
	start := uint32(0)
	if i > 0 {
		start = j.ends[i-1]
	}
	return j.data[start:j.ends[i]]
}

func (s *Store) startWriter() {
	jobs, results := make(chan *job), make(chan error, 1)
	s.jobs, s.results = jobs, results
	go func() {
		for j := range jobs {
			results <- s.write(j)
		}
	}()
}

// wait waits for the level being written, if any, and returns the first
// write error.
func (s *Store) wait() error {
	if s.pending {
		s.pending = false
		if err := <-s.results; err != nil && s.err == nil {
			s.err = err
		}
	}
	return s.err
}

// CommitLevel implements statestore.Checkpoint: it waits for the previous
// level's write, copies l and hands it to the writer goroutine, which
// writes the level's records in a batch and then its commit record, and
// syncs. The level is complete once that sync returns; a stop before
// loses this level and nothing else. Write errors are returned by the
// next call, Finish or Close.
func (s *Store) CommitLevel(l *statestore.Level) error {
	if err := s.wait(); err != nil {
		return err
	}
	if s.jobs == nil {
		return errors.New("the store is open read-only or closed")
	}
	if s.outcome != nil {
		return errors.New("the run is already finished")
	}
	if want := len(s.levels); l.Depth != want {
		return fmt.Errorf("level %d committed after level %d", l.Depth, want-1)
	}
	j := &s.job
	n := l.Frontier.Len()
	if n != l.Parents.Len() {
		return fmt.Errorf("level %d: %d states but %d parents", l.Depth, n, l.Parents.Len())
	}
	j.level = level{
		Depth: l.Depth, First: l.First, Count: uint64(n),
		StateChunks: (n + chunkStates - 1) / chunkStates,
		Transitions: l.Transitions, CrashPoints: l.CrashPoints, ElapsedNanos: uint64(l.Elapsed),
	}
	j.parents = j.parents[:0]
	for i := 0; i < n; i++ {
		j.parents = append(j.parents, l.Parents.At(i))
	}
	j.data, j.ends = j.data[:0], j.ends[:0]
	for i := 0; i < n; i++ {
		j.data = append(j.data, l.Frontier.At(i)...)
		j.ends = append(j.ends, uint32(len(j.data)))
	}
	s.pending = true
	s.jobs <- j
	return nil
}

// write writes one level: states and frontier records in a write batch,
// then, once they are written, the level's commit record and head in one
// transaction that also deletes the previous level's frontier, then a
// sync.
func (s *Store) write(j *job) error {
	l := &j.level
	n := int(l.Count)
	j.keys = j.keys[:0]
	for i := 0; i < n; i++ {
		j.keys = append(j.keys, statestore.Fingerprint(j.node(i)))
	}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	for c := 0; c < l.StateChunks; c++ {
		lo, hi := c*chunkStates, min((c+1)*chunkStates, n)
		// The batch keeps each value until it commits: one allocation per
		// record, not per state.
		rec := encodeStates(make([]byte, 0, 1+10*(hi-lo)+14), j.keys[lo:hi], j.parents[lo:hi])
		if err := wb.Set(keyChunk('s', l.Depth, c), rec); err != nil {
			return err
		}
	}
	l.FrontierChunks = 0
	for lo := 0; lo < n; {
		size, hi := 0, lo
		j.nodes = j.nodes[:0]
		for hi < n && (hi == lo || size+len(j.node(hi)) <= chunkFrontierBytes) {
			size += len(j.node(hi))
			j.nodes = append(j.nodes, j.node(hi))
			hi++
		}
		rec := encodeFrontier(make([]byte, 0, 1+size+3*(hi-lo)+14), j.nodes)
		if err := wb.Set(keyChunk('f', l.Depth, l.FrontierChunks), rec); err != nil {
			return err
		}
		l.FrontierChunks++
		lo = hi
	}
	if err := wb.Flush(); err != nil {
		return err
	}
	rec := encodeLevel(l)
	err := s.db.Update(func(txn *badger.Txn) error {
		if err := txn.Set(keyLevel(l.Depth), rec); err != nil {
			return err
		}
		if err := txn.Set(keyHead, rec); err != nil {
			return err
		}
		if len(s.levels) > 0 {
			prev := s.levels[len(s.levels)-1]
			for i := 0; i < prev.FrontierChunks; i++ {
				if err := txn.Delete(keyChunk('f', prev.Depth, i)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := s.db.Sync(); err != nil {
		return err
	}
	c := *l
	s.levels = append(s.levels, &c)
	return nil
}

// Finish records a finished run's outcome with its violations (each naming
// its violating edge), after the levels still being written. A run stopped
// before its verdict is not finished and is not to be recorded: the store
// stays as its last complete level left it, ready to resume.
func (s *Store) Finish(o *statestore.Outcome) error {
	if err := s.wait(); err != nil {
		return err
	}
	err := s.db.Update(func(txn *badger.Txn) error {
		for i := range o.Violations {
			if err := txn.Set(keyViolation(i), encodeViolation(&o.Violations[i])); err != nil {
				return err
			}
		}
		return txn.Set(keyDone, encodeOutcome(o))
	})
	if err == nil {
		err = s.db.Sync()
	}
	if err != nil {
		return fmt.Errorf("store %s: %w", s.dir, err)
	}
	s.outcome = o
	return nil
}

// Close waits for the level being written and closes the store.
func (s *Store) Close() error {
	err := s.wait()
	if s.jobs != nil {
		close(s.jobs)
		s.jobs = nil
	}
	if cerr := s.db.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("closing store %s: %w", s.dir, cerr)
	}
	return err
}
