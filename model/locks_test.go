package model

import (
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"
)

// lockHolder is memory holding each kind of lock the walks know.
type lockHolder struct {
	mu   sync.Mutex
	rw   sync.RWMutex
	wg   sync.WaitGroup
	once sync.Once
	n    int
}

// leaves returns the leaves of a walk of h.
func (h *lockHolder) leaves() []uint64 {
	return sharedWalk(reflect.ValueOf(h).Elem(), "API", nil, -1).vals
}

// A lock that running code holds for a moment as memory is walked (a
// worker in a procedure that locks it, while another worker walks the
// memory they share) is walked as the free lock it is once that code has
// gone on; before, its words were walked as they stood, and the walk
// differed from one of the free lock, which the checks took for state
// that layer code keeps. A lock left held (mu.TryLock as a flag, a
// WaitGroup's count left up) still differs from a free one, and so does
// the memory beside it.
func TestWalkOfLockHeldForAMoment(t *testing.T) {
	h := &lockHolder{}
	h.once.Do(func() {})
	free := h.leaves()
	for _, tc := range []struct {
		name          string
		lock, release func()
	}{
		{"Mutex", h.mu.Lock, h.mu.Unlock},
		{"RWMutex", h.rw.Lock, h.rw.Unlock},
		{"RWMutex read", h.rw.RLock, h.rw.RUnlock},
		{"WaitGroup", func() { h.wg.Add(1) }, h.wg.Done},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.lock()
			go func() {
				time.Sleep(10 * time.Millisecond)
				tc.release()
			}()
			if got := h.leaves(); !slices.Equal(got, free) {
				t.Fatalf("a walk while the lock is held for a moment: %v, the free lock's %v", got, free)
			}
			tc.lock() // held for good
			defer tc.release()
			if got := h.leaves(); slices.Equal(got, free) {
				t.Fatal("a lock left held walks as a free one")
			}
		})
	}
	h.n = 1
	if got := h.leaves(); slices.Equal(got, free) {
		t.Fatal("the memory beside the locks is not walked")
	}
	if got := walkChanged(reflect.ValueOf(h).Elem(), "API", nil, free); got != "API.n" {
		t.Fatalf("located at %q, want API.n", got)
	}
}
