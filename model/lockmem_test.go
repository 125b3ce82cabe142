package model_test

import (
	"context"
	"hash/crc32"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
)

// loggedOp is an operation of a loggedCell, which carries the logger its
// procedure logs to, as a request carries its context's.
type loggedOp struct {
	v   uint8
	log *slog.Logger
}

// loggedCell is a register of 0..n-2 whose operations carry a logger:
// v = 0 reads it, v > 0 writes v-1.
type loggedCell struct {
	model.Codec[uint8]
	n   uint8
	log *slog.Logger
}

func (loggedCell) Init() []uint8 { return []uint8{0} }
func (c loggedCell) Ops() []loggedOp {
	ops := make([]loggedOp, c.n)
	for v := range ops {
		ops[v] = loggedOp{uint8(v), c.log}
	}
	return ops
}
func (loggedCell) Crash(*uint8, model.Chooser) {}
func (loggedCell) Step(s *uint8, op loggedOp, _ model.Chooser) uint8 {
	if op.v > 0 {
		*s = op.v - 1
	}
	return *s
}

// loggedStore is the loggedCell on a slotDisk, which logs each call.
type loggedStore struct{ d model.Caller[uint8, uint8] }

func (s loggedStore) Call(op loggedOp) uint8 {
	op.log.Info("call", "v", op.v)
	return s.d.Call(op.v)
}

// Operations that carry a logger whose handler (log/slog's TextHandler)
// takes a lock for each record, searched by two workers, verify. Before
// the walks of memory waited for a lock held for a moment, a worker that
// compared the memory of an operation as its run began or ended while
// the other worker was writing a record saw the handler's lock held, and
// the search was a nondeterminism violation at
// Ops[..].log.handler.commonHandler.mu.mu.state (about 3 searches in 10
// of a register of 98 values here).
func TestOperationCarryingLogger(t *testing.T) {
	impl := func(d model.Caller[uint8, uint8]) model.Instance[model.Caller[loggedOp, uint8]] {
		return model.Instance[model.Caller[loggedOp, uint8]]{API: loggedStore{d: d}, Recover: func() {}}
	}
	for range 3 {
		sys := model.NewSystem(model.NewLayer[uint8, uint8, uint8]("slot", slotDisk{}),
			model.NewLayer[uint8, loggedOp, uint8]("cell", loggedCell{n: 100, log: slog.New(slog.NewTextHandler(io.Discard, nil))}),
			impl, func(c *uint8) (uint8, bool) { return *c, true })
		res, err := explorer.Run(context.Background(), sys, explorer.Config{Workers: 2, Determinism: model.DeterminismFull})
		if err != nil {
			t.Fatal(err)
		}
		if res.Verdict != explorer.Verified {
			t.Fatalf("%s, want verified: %v", res.Verdict, res.Violation)
		}
	}
}

// block is a block of data, checksummed under a lock.
var block [4096]byte

// Searches of one System at once (parallel tests of a System built
// once), whose instances share a sync.Mutex that each write takes,
// verify. Before, a search whose worker walked the shared memory as it
// was made, or as the search ended, while another search's worker held
// the lock, could be a nondeterminism violation at API.sh.mu.state (3
// searches in 80 in one trial; TestWalkOfLockHeldForAMoment shows it
// every time).
func TestSearchesOfOneSystemSharingALock(t *testing.T) {
	sys := usedSystem(func() any { return new(sync.Mutex) }, nil, func(sh, _ any, v uint8) uint8 {
		sh.(*sync.Mutex).Lock()
		defer sh.(*sync.Mutex).Unlock()
		if crc32.ChecksumIEEE(block[:]) == 0 { // work under the lock
			return 0
		}
		return v
	})
	for range 30 {
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				res, err := explorer.Run(context.Background(), sys, explorer.Config{Workers: 2, Determinism: model.DeterminismFull})
				if err != nil {
					t.Error(err)
					return
				}
				if res.Verdict != explorer.Verified {
					t.Errorf("%s, want verified: %v", res.Verdict, res.Violation)
				}
			})
		}
		wg.Wait()
	}
}

// A lock that layer code leaves held, as a flag (a write after the
// first that some instance made stores its value, the first stores 0,
// the flag a sync.Mutex that TryLock takes once for every instance), is
// still a nondeterminism violation that names the lock.
func TestLockLeftHeldAsAFlag(t *testing.T) {
	wantInEveryMode(t, func() model.Checker {
		return usedSystem(func() any { return new(sync.Mutex) }, nil, func(sh, _ any, v uint8) uint8 {
			if sh.(*sync.Mutex).TryLock() {
				return 0
			}
			return v
		})
	}, "API.sh.mu")
}
