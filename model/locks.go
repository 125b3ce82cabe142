package model

import (
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Locks in the memory the walks of shared.go compare. Memory that the
// instances share, or that the upper operations point to, is read by one
// worker while others may be running (the workers of its search, or of
// another search of the same System): a sync.Mutex in it that layer code
// locks around its work (a lock of its own, or a log/slog handler's,
// which every record takes) is held for a moment by whichever worker is
// in that code, and its words (held, waiters, a semaphore) change as the
// workers come and go. What layer code can observe of a lock is whether
// it is held once no code is in it: a lock left held by a procedure that
// returned (mu.TryLock as a flag) is state like any other. So the walks
// record that alone of a sync.Mutex, a sync.RWMutex and a sync.WaitGroup,
// after waiting a moment for a lock held by running code to be released.

// lockKind says which of the kinds of lock a type is: lockMutex for the
// words of a sync.Mutex (which a sync.Once holds too), lockRW for a
// sync.RWMutex, lockGroup for a sync.WaitGroup, or lockNone.
type lockKind int

const (
	lockNone lockKind = iota
	lockMutex
	lockRW
	lockGroup
)

// The lock types, and the indices of the fields that say whether they are
// held, found by name: these are the standard library's unexported
// layouts, which a release of Go may change (where a field is not found,
// the type is walked as any struct is).
var (
	mutexType        = innerMutex()
	mutexState       = fieldIndex(mutexType, "state")
	syncMutexInner   = fieldIndex(reflect.TypeFor[sync.Mutex](), "mu") // -1 where sync.Mutex holds its words itself
	rwMutexType      = reflect.TypeFor[sync.RWMutex]()
	rwMutexWriter    = fieldIndex(rwMutexType, "w")
	rwMutexReaders   = fieldIndex(rwMutexType, "readerCount")
	waitGroupType    = reflect.TypeFor[sync.WaitGroup]()
	waitGroupCounter = fieldIndex(waitGroupType, "state")
	atomicInt32Type  = reflect.TypeFor[atomic.Int32]()
	atomicInt32V     = fieldIndex(atomicInt32Type, "v")
	atomicUint64Type = reflect.TypeFor[atomic.Uint64]()
	atomicUint64V    = fieldIndex(atomicUint64Type, "v")
)

// innerMutex returns the struct type that holds a sync.Mutex's words:
// the type of its field mu where it has one (internal/sync.Mutex), else
// sync.Mutex itself.
func innerMutex() reflect.Type {
	t := reflect.TypeFor[sync.Mutex]()
	if f, ok := t.FieldByName("mu"); ok && f.Type.Kind() == reflect.Struct {
		return f.Type
	}
	return t
}

// lockOf returns the kind of lock t is.
func lockOf(t reflect.Type) lockKind {
	switch {
	case t == mutexType && mutexState >= 0:
		return lockMutex
	case t == rwMutexType && rwMutexWriter >= 0 && rwMutexReaders >= 0 && mutexState >= 0 && atomicInt32V >= 0:
		return lockRW
	case t == waitGroupType && waitGroupCounter >= 0 && atomicUint64V >= 0:
		return lockGroup
	}
	return lockNone
}

// lockSettle bounds the wait for a lock held by running code: locks are
// held for a part of a call, far shorter, but the goroutine holding one
// may wait that long for a processor on a loaded machine.
const lockSettle = 200 * time.Millisecond

// lockHeld reports whether the lock v, of kind k, is held once the code
// holding it for a moment has gone on: it reads v until it is free, for
// at most lockSettle.
func lockHeld(v reflect.Value, k lockKind) bool {
	held := func() bool {
		switch k {
		case lockMutex:
			return word(v.Field(mutexState))&1 != 0 // locked
		case lockRW:
			w := v.Field(rwMutexWriter)
			if syncMutexInner >= 0 {
				w = w.Field(syncMutexInner)
			}
			return word(w.Field(mutexState))&1 != 0 || word(v.Field(rwMutexReaders)) != 0
		case lockGroup:
			return word(v.Field(waitGroupCounter))>>32 != 0 // its count
		}
		return false
	}
	if !held() {
		return false
	}
	deadline := time.Now().Add(lockSettle)
	for time.Now().Before(deadline) {
		runtime.Gosched()
		if !held() {
			return false
		}
	}
	return true
}

// word returns the integer that v, an int32, a uint32, a uint64 or a
// sync/atomic type holding one in its field v, holds, loaded atomically
// where v is addressable (other goroutines change it atomically).
func word(v reflect.Value) int64 {
	switch v.Type() {
	case atomicInt32Type:
		v = v.Field(atomicInt32V)
	case atomicUint64Type:
		v = v.Field(atomicUint64V)
	}
	switch v.Kind() {
	case reflect.Int32:
		if v.CanAddr() {
			return int64(atomic.LoadInt32((*int32)(unsafe.Pointer(v.UnsafeAddr()))))
		}
		return v.Int()
	case reflect.Uint32:
		if v.CanAddr() {
			return int64(atomic.LoadUint32((*uint32)(unsafe.Pointer(v.UnsafeAddr()))))
		}
		return int64(v.Uint())
	case reflect.Uint64:
		if v.CanAddr() {
			return int64(atomic.LoadUint64((*uint64)(unsafe.Pointer(v.UnsafeAddr()))))
		}
		return int64(v.Uint())
	}
	return 0
}
