package statestore

import (
	"fmt"
	"math/bits"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Table is a set of nonzero 64-bit keys in one flat open-addressing array,
// safe for concurrent Insert, InsertAll and Has: a new key is placed with
// an atomic compare-and-swap. A key's probe sequence starts at its home
// slot, visits the rest of the home cache line (8 slots) first, then the
// following lines. Reserve is not concurrent with anything; the explorer
// calls it at level barriers, to make room for the next level's keys.
//
// The array has a multiple of 8 slots, not a power of two, so that it can
// be sized close to a target load factor: Reserve keeps the load between
// MinLoad and MaxLoad, which bounds the bytes per key to 8/MinLoad.
type Table struct {
	slots   []uint64 // aligned to a cache line; len is a multiple of lineSlots
	buf     []uint64 // the allocation slots lies in
	buckets uint64   // len(slots) / lineSlots
	n       atomic.Uint64
}

const lineSlots = 8 // 64-byte cache line of uint64 slots

// Load factors kept by Reserve.
const (
	// MaxLoad is the load above which Reserve grows the table.
	MaxLoad = 0.75
	// MinLoad is the load of a table grown by Reserve(n) once it holds
	// the n keys.
	MinLoad = 0.5
)

// NewTable returns an empty table with room for n keys at MaxLoad.
func NewTable(n uint64) *Table {
	t := &Table{}
	t.alloc(slotsFor(n, MaxLoad))
	return t
}

// slotsFor returns the slots that hold n keys at the given load, rounded
// up to whole cache lines (at least 8 lines).
func slotsFor(n uint64, load float64) uint64 {
	s := uint64(float64(n)/load) + 1
	s = (s + lineSlots - 1) / lineSlots * lineSlots
	return max(s, 8*lineSlots)
}

func (t *Table) alloc(size uint64) {
	t.buf = make([]uint64, size+lineSlots)
	off := uint64(0)
	if r := uintptr(unsafe.Pointer(&t.buf[0])) % 64; r != 0 {
		off = uint64(64-r) / 8
	}
	t.slots = t.buf[off : off+size : off+size]
	t.buckets = size / lineSlots
	t.n.Store(0)
}

// home returns the line and the offset in it where key's probe sequence
// starts. Keys are mixed first, as ExactKeys hands out small numbers.
func (t *Table) home(key uint64) (line, off uint64) {
	h := key * 0x9E3779B97F4A7C15
	line, _ = bits.Mul64(h, t.buckets)
	return line, h & (lineSlots - 1)
}

// Len returns the number of keys.
func (t *Table) Len() uint64 { return t.n.Load() }

// Cap returns the number of slots.
func (t *Table) Cap() uint64 { return uint64(len(t.slots)) }

// Bytes returns the memory the table holds.
func (t *Table) Bytes() uint64 { return uint64(len(t.buf)) * 8 }

// AppendKeys appends the table's keys to dst, in no order. Not
// concurrent with Insert.
func (t *Table) AppendKeys(dst []uint64) []uint64 {
	for _, k := range t.slots {
		if k != 0 {
			dst = append(dst, k)
		}
	}
	return dst
}

// Clear empties the table and gives back its memory. Not concurrent with
// anything.
func (t *Table) Clear() { t.alloc(slotsFor(0, MaxLoad)) }

// Has reports whether key is in the table.
func (t *Table) Has(key uint64) bool {
	line, off := t.home(key)
	for j := range uint64(len(t.slots)) {
		switch atomic.LoadUint64(&t.slots[line*lineSlots+(off+j)&(lineSlots-1)]) {
		case key:
			return true
		case 0:
			return false
		}
		if (j+1)%lineSlots == 0 {
			if line++; line == t.buckets {
				line = 0
			}
		}
	}
	return false
}

// Insert adds key and reports whether it was new. It fails with
// ErrFull when no slot is free; Reserve first to keep that from happening.
func (t *Table) Insert(key uint64) (bool, error) {
	added, err := t.insert(key)
	if added {
		t.n.Add(1)
	}
	return added, err
}

// InsertAll adds keys and returns how many were new, counting them once.
func (t *Table) InsertAll(keys []uint64) (uint64, error) {
	var added uint64
	for _, k := range keys {
		a, err := t.insert(k)
		if err != nil {
			t.n.Add(added)
			return added, err
		}
		if a {
			added++
		}
	}
	t.n.Add(added)
	return added, nil
}

// ErrFull is returned by an insert into a table with no free slot.
var ErrFull = fmt.Errorf("statestore: table full")

func (t *Table) insert(key uint64) (bool, error) {
	if key == 0 {
		panic("statestore: zero key")
	}
	line, off := t.home(key)
	for j := range uint64(len(t.slots)) {
		p := &t.slots[line*lineSlots+(off+j)&(lineSlots-1)]
		switch atomic.LoadUint64(p) {
		case key:
			return false, nil
		case 0:
			if atomic.CompareAndSwapUint64(p, 0, key) {
				return true, nil
			}
			if atomic.LoadUint64(p) == key {
				return false, nil
			}
		}
		if (j+1)%lineSlots == 0 {
			if line++; line == t.buckets {
				line = 0
			}
		}
	}
	return false, ErrFull
}

// Reserve makes room for n keys in all: when n keys would load the table
// above MaxLoad, it is rebuilt at MinLoad for n keys, with the existing
// keys spread over the given number of goroutines. It returns the bytes
// the table will hold, without growing, when that is more than limit
// (zero: no limit).
func (t *Table) Reserve(n uint64, goroutines int, limit uint64) (grown bool, bytes uint64, err error) {
	if n <= uint64(float64(len(t.slots))*MaxLoad) {
		return false, t.Bytes(), nil
	}
	size := slotsFor(n, MinLoad)
	bytes = (size + lineSlots) * 8
	if limit > 0 && bytes > limit {
		return false, bytes, nil
	}
	old := t.slots
	t.alloc(size)
	goroutines = max(goroutines, 1)
	chunk := (uint64(len(old)) + uint64(goroutines) - 1) / uint64(goroutines)
	var wg sync.WaitGroup
	errs := make([]error, goroutines)
	for g := range goroutines {
		lo := min(uint64(g)*chunk, uint64(len(old)))
		hi := min(lo+chunk, uint64(len(old)))
		wg.Go(func() {
			var added uint64
			for _, k := range old[lo:hi] {
				if k == 0 {
					continue
				}
				a, err := t.insert(k)
				if err != nil {
					errs[g] = err
					return
				}
				if a {
					added++
				}
			}
			t.n.Add(added)
		})
	}
	wg.Wait()
	for _, e := range errs {
		if e != nil {
			return true, t.Bytes(), e
		}
	}
	return true, t.Bytes(), nil
}
