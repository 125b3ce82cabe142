package persist

import (
	"errors"
	"fmt"
	"strings"
	"sync"
)

// Stalls. badger moves a full memtable into a table file on a goroutine
// of its own, and when that fails (a directory made read-only, a file
// system remounted read-only after an I/O error) it logs the error and
// tries again every second, for ever: a write that waits for room in the
// memtables, and Close, which waits for the flush, then never return, and
// the run hangs. A store watches badger's log for that failure: from the
// first one on it accepts no more writes, and whatever waits for badger
// (the part being written, Finish, Close) returns its error instead of
// waiting. Everything committed is synced in the memtables' logs already,
// so the store stays at its last committed part, to be resumed once its
// directory can be written again.

// flushFailure starts the message badger logs when a memtable cannot be
// flushed into a table (db.go, flushMemtable).
const flushFailure = "error flushing memtable to disk"

// stall records the first failure of a memtable's flush.
type stall struct {
	once sync.Once
	err  error         // set before ch is closed
	ch   chan struct{} // closed at the first failure
}

func newStall() *stall { return &stall{ch: make(chan struct{})} }

// fail records the failure logged as msg.
func (st *stall) fail(dir, msg string) {
	st.once.Do(func() {
		msg = strings.TrimSuffix(strings.TrimSpace(msg), ", retrying")
		err := errors.New(strings.TrimPrefix(msg, flushFailure+": "))
		st.err = writeErr(dir, "its tables", err)
		close(st.ch)
	})
}

// failed returns the failure recorded, or nil.
func (st *stall) failed() error {
	select {
	case <-st.ch:
		return st.err
	default:
		return nil
	}
}

// watcher is badger's logger: it records flush failures in st and
// passes every message but debug ones on to log, when set.
type watcher struct {
	dir string
	st  *stall
	log *logger
}

func (w watcher) Errorf(f string, a ...any) {
	if strings.HasPrefix(f, flushFailure) {
		w.st.fail(w.dir, fmt.Sprintf(f, a...))
	}
	if w.log != nil {
		w.log.Errorf(f, a...)
	}
}

func (w watcher) Warningf(f string, a ...any) {
	if w.log != nil {
		w.log.Warningf(f, a...)
	}
}

func (w watcher) Infof(f string, a ...any) {
	if w.log != nil {
		w.log.Infof(f, a...)
	}
}

func (w watcher) Debugf(string, ...any) {}

// unlessStalled calls f on a goroutine of its own and returns its error,
// or the stall's as soon as a flush fails, leaving f waiting: after a
// failure, a call into badger that waits for room or for the flush never
// returns.
func (s *Store) unlessStalled(f func() error) error {
	if err := s.stall.failed(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-s.stall.ch:
		return s.stall.err
	}
}
