package persist

import (
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/dgraph-io/badger/v4"

	"github.com/argocheck/argocheck/statestore"
)

// job is one part handed to the writer: what the explorer's Part holds,
// its frontier already in records, in buffers reused from part to part.
type job struct {
	part    part
	parents []uint64
	keys    []uint64 // the fingerprint of each state's encoding
	// frontier holds the part's frontier records, each a new allocation
	// (a write batch keeps its values until it commits). The compressors
	// fill it in, under mu.
	frontier [][]byte
	mu       sync.Mutex
	// free holds the chunks not being filled or compressed.
	free chan *frontierChunk
}

// compressors is how many frontier records Commit compresses at once.
var compressors = runtime.GOMAXPROCS(0)

// frontierChunk is a run of consecutive frontier states on its way to a
// frontier record: their encodings end to end in raw, ends the end of
// each; nodes and scratch are encodeFrontier's input and scratch.
type frontierChunk struct {
	first  int // the index in the part of the first state
	record int // the index of its record in job.frontier
	raw    []byte
	ends   []uint32
	nodes  [][]byte
	sc     frontierScratch
}

// addFrontier turns the part's frontier into records and fills j.keys in.
// It reads the states in order, which the explorer's frontier requires,
// and compresses each record, and fingerprints its states, on a goroutine
// of its own, at most compressors at once: the search waits for Commit.
func (j *job) addFrontier(f statestore.Nodes) {
	if j.free == nil {
		j.free = make(chan *frontierChunk, compressors+1)
		for range cap(j.free) {
			j.free <- &frontierChunk{}
		}
	}
	var wg sync.WaitGroup
	c := <-j.free
	c.first = 0
	for i := range f.Len() {
		node := f.At(i)
		if len(c.ends) > 0 && len(c.raw)+len(node) > chunkFrontierBytes {
			j.compress(&wg, c)
			c = <-j.free
			c.first = i
		}
		c.raw = append(c.raw, node...)
		c.ends = append(c.ends, uint32(len(c.raw)))
	}
	if len(c.ends) > 0 {
		j.compress(&wg, c)
	} else {
		j.free <- c
	}
	wg.Wait()
}

// compress makes chunk c the part's next frontier record, on a goroutine
// of its own, and gives c back to j.free once done.
func (j *job) compress(wg *sync.WaitGroup, c *frontierChunk) {
	j.mu.Lock()
	c.record = len(j.frontier)
	j.frontier = append(j.frontier, nil)
	j.mu.Unlock()
	wg.Go(func() {
		c.nodes = c.nodes[:0]
		start := uint32(0)
		for k, end := range c.ends {
			node := c.raw[start:end]
			c.nodes = append(c.nodes, node)
			j.keys[c.first+k] = statestore.Fingerprint(node)
			start = end
		}
		rec := encodeFrontier(&c.sc, c.nodes)
		j.mu.Lock()
		j.frontier[c.record] = rec
		j.mu.Unlock()
		c.raw, c.ends = c.raw[:0], c.ends[:0]
		j.free <- c
	})
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

// wait waits for the part being written, if any, and returns the first
// write error. A memtable that cannot be flushed is one (stall.go): the
// part is not waited for.
func (s *Store) wait() error {
	if s.pending {
		select {
		case err := <-s.results:
			s.pending = false
			if err != nil && s.err == nil {
				s.err = err
			}
		case <-s.stall.ch:
			s.pending = false // the writer may never return
		}
	}
	if s.err == nil {
		s.err = s.stall.failed()
	}
	return s.err
}

// Commit implements statestore.Checkpoint: it waits for the previous
// part's write, copies p and hands it to the writer goroutine, which
// writes the part's records in a batch and then its commit record, and
// syncs. The part is committed once that sync returns; a stop before
// loses this part and nothing else. Write errors are returned by the next
// call, Finish or Close.
func (s *Store) Commit(p *statestore.Part) error {
	if err := s.wait(); err != nil {
		return err
	}
	if s.jobs == nil {
		return errors.New("the store is open read-only or closed")
	}
	if s.outcome != nil {
		return errors.New("the run is already finished")
	}
	n := p.Frontier.Len()
	if n != p.Parents.Len() {
		return fmt.Errorf("part of level %d: %d states but %d parents", p.Level, n, p.Parents.Len())
	}
	if err := s.follows(p); err != nil {
		return err
	}
	j := &s.job
	j.part = part{
		Seq: len(s.parts), Level: p.Level, Expanded: p.Expanded, Complete: p.Complete,
		First: p.First, Count: uint64(n),
		StateChunks: (n + chunkStates - 1) / chunkStates,
		Transitions: p.Transitions, CrashPoints: p.CrashPoints, ElapsedNanos: uint64(p.Elapsed),
	}
	j.parents = resize(j.parents, n)
	for i := range n {
		j.parents[i] = p.Parents.At(i)
	}
	// The frontier is kept compressed, in its records, not as the
	// encodings themselves: a part can be a whole level.
	clear(j.frontier) // the last part's records are written: let them go
	j.frontier = j.frontier[:0]
	j.keys = resize(j.keys, n)
	j.addFrontier(p.Frontier)
	j.part.FrontierChunks = len(j.frontier)
	s.pending = true
	s.jobs <- j
	return nil
}

// resize returns s with length n, its elements not set. It reallocates
// half as much again as needed: the parts of a search grow level by level,
// and a new array costs its pages' first touches too.
func resize(s []uint64, n int) []uint64 {
	if cap(s) < n {
		return make([]uint64, n, n+n/2)
	}
	return s[:n]
}

// follows checks that p continues the parts committed: its states follow
// theirs, and its level is theirs, or the next once the last part
// completed one.
func (s *Store) follows(p *statestore.Part) error {
	first, level := uint64(0), 0
	if len(s.parts) > 0 {
		last := s.parts[len(s.parts)-1]
		first, level = last.First+last.Count, last.Level
		if last.Complete {
			level++
		}
	}
	if p.First != first || p.Level != level {
		return fmt.Errorf("a part of level %d from state %d committed where level %d goes on from state %d", p.Level, p.First, level, first)
	}
	return nil
}

// write writes one part: states and frontier records in a write batch,
// then, once they are written, the part's commit record and head in one
// transaction that also deletes the frontier of the level the part's
// completion leaves behind, then a sync. badger's errors are returned as
// WriteErrors.
func (s *Store) write(j *job) error {
	size := 10 * j.part.Count // a state's fingerprint and parent, at most
	for _, rec := range j.frontier {
		size += uint64(len(rec))
	}
	if err := checkSpace(s.dir, size, thenResume); err != nil {
		return err
	}
	return writeErr(s.dir, "its records", s.writeRecords(j))
}

// writeRecords writes j's records for write, its errors badger's.
func (s *Store) writeRecords(j *job) error {
	p := &j.part
	n := int(p.Count)
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	for c := 0; c < p.StateChunks; c++ {
		lo, hi := c*chunkStates, min((c+1)*chunkStates, n)
		// The batch keeps each value until it commits: one allocation per
		// record, not per state.
		rec := encodeStates(make([]byte, 0, 1+10*(hi-lo)+14), j.keys[lo:hi], j.parents[lo:hi])
		if err := wb.Set(keyChunk('s', p.Seq, c), rec); err != nil {
			return err
		}
	}
	for c, rec := range j.frontier {
		if err := wb.Set(keyChunk('f', p.Seq, c), rec); err != nil {
			return err
		}
	}
	if err := wb.Flush(); err != nil {
		return err
	}
	rec := encodePart(p)
	err := s.db.Update(func(txn *badger.Txn) error {
		if err := txn.Set(keyPart(p.Seq), rec); err != nil {
			return err
		}
		if err := txn.Set(keyHead, rec); err != nil {
			return err
		}
		if !p.Complete {
			return nil
		}
		// Level Level-1 is expanded: its states' encodings are no more
		// needed.
		for _, q := range s.parts {
			if q.Level != p.Level-1 {
				continue
			}
			for i := 0; i < q.FrontierChunks; i++ {
				if err := txn.Delete(keyChunk('f', q.Seq, i)); err != nil {
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
	c := *p
	s.parts = append(s.parts, &c)
	return nil
}

// Finish records a finished run's outcome with its violations (each naming
// its violating edge), after the part still being written. A run stopped
// before its verdict is not finished and is not to be recorded: the store
// stays as its last committed part left it, ready to resume.
func (s *Store) Finish(o *statestore.Outcome) error {
	if err := s.wait(); err != nil {
		return err
	}
	if err := checkSpace(s.dir, 0, thenResume); err != nil {
		return err
	}
	err := s.unlessStalled(func() error {
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
		return err
	})
	if err != nil {
		return writeErr(s.dir, "its verdict", err)
	}
	s.outcome = o
	return nil
}

// Close waits for the part being written and closes the store. After a
// memtable could not be flushed (stall.go) it returns that error without
// waiting for badger, and leaves badger's close running on a goroutine of
// its own: the store stays at its last committed part, and badger's
// goroutines, its memtables and its lock on the directory are held until
// badger's flush, which it tries again every second, succeeds (once the
// directory can be written again), and the close completes, or until the
// process exits. Until then the store cannot be opened, by this process
// or another: it is in use.
func (s *Store) Close() error {
	err := s.wait()
	if s.jobs != nil {
		close(s.jobs)
		s.jobs = nil
	}
	if s.stall.failed() != nil {
		if !s.abandoned {
			// badger's close wakes a write waiting for room in the
			// memtables (the writer's), and waits for the flush.
			s.abandoned = true
			go s.db.Close()
		}
		return err
	}
	if cerr := s.unlessStalled(s.db.Close); err == nil && cerr != nil {
		err = writeErr(s.dir, "its tables as it closes", cerr)
	}
	return err
}
