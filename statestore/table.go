package statestore

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/argocheck/argocheck/internal/prefetch"
)

// Table is a set of nonzero 64-bit keys in open-addressing arrays, safe
// for concurrent Insert, InsertAll and Has: a new key is placed with an
// atomic compare-and-swap. A key's probe sequence starts at its home slot,
// visits the rest of the home cache line (8 slots) first, then the
// following lines. Reserve is not concurrent with anything; the explorer
// calls it at level barriers, to make room for the next level's keys.
//
// A small table is one array. A large one is split by the keys' mixed top
// bits into 16 segments, each its own array, so that Reserve grows one
// segment at a time: while the keys move, the memory held is the table
// and one new segment, not the table twice over.
//
// An array has a multiple of 8 slots, not a power of two, so that it can
// be sized close to a target load factor: Reserve keeps each segment's
// load between MinLoad and MaxLoad, which bounds the bytes per key to
// 8/MinLoad.
//
// Arrays of a MiB and more are mapped from the operating system outside
// Go's heap (where it can map memory), so that the collector does not let
// the heap grow by its margin over them and a replaced array goes back to
// the system at once: when Reserve or Clear replaces it, or when the table
// is collected.
type Table struct {
	segs  []segment // one, or segments
	shift uint      // a mixed key's segment is its bits from shift up
	n     atomic.Uint64
	mem   *mappings
}

// mappings are the arrays of a table mapped outside Go's heap.
type mappings struct {
	live map[*uint64][]uint64
}

// mapMinBytes is the size from which an array is mapped outside Go's
// heap.
const mapMinBytes = 1 << 20

// mapped counts the bytes of the arrays mapped in this process.
var mapped atomic.Uint64

// MappedBytes returns the bytes of the tables' arrays mapped outside Go's
// heap in this process: memory in use that the heap's figures leave out.
func MappedBytes() uint64 { return mapped.Load() }

// words returns n zeroed words, mapped when they are many.
func (m *mappings) words(n uint64) []uint64 {
	if n*8 >= mapMinBytes {
		if w := mapWords(n); w != nil {
			m.live[&w[0]] = w
			mapped.Add(n * 8)
			return w
		}
	}
	return make([]uint64, n)
}

// free gives back w if it was mapped; the collector takes the others.
func (m *mappings) free(w []uint64) {
	if len(w) == 0 {
		return
	}
	if _, ok := m.live[&w[0]]; ok {
		delete(m.live, &w[0])
		m.unmap(w)
	}
}

// unmap gives back a mapped array and uncounts it.
func (m *mappings) unmap(w []uint64) {
	unmapWords(w)
	mapped.Add(-uint64(len(w)) * 8)
}

// freeAll gives back every mapped array.
func (m *mappings) freeAll() {
	for _, w := range m.live {
		m.unmap(w)
	}
	clear(m.live)
}

// segment is one open-addressing array of a Table.
type segment struct {
	slots   []uint64 // aligned to a cache line; len is a multiple of lineSlots
	buf     []uint64 // the allocation slots lies in
	buckets uint64   // len(slots) / lineSlots
	n       atomic.Uint64
}

const lineSlots = 8 // 64-byte cache line of uint64 slots

const (
	// segments is the number of segments of a large table.
	segments = 16
	// segmentBits is log2(segments).
	segmentBits = 4
	// minSegmentSlots is the fewest slots of a segment: a table with fewer
	// than segments times as many is one array. At MaxLoad a segment then
	// holds 6,144 keys on average, and a segment filled past its slots
	// would be tens of standard deviations above that.
	minSegmentSlots = 1 << 13
)

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
	t := &Table{mem: &mappings{live: map[*uint64][]uint64{}}}
	runtime.AddCleanup(t, (*mappings).freeAll, t.mem)
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

// alloc makes t an empty table of about size slots, laid out as layout
// says.
func (t *Table) alloc(size uint64) {
	count, per := layout(size)
	t.segs, t.shift = make([]segment, count), 64
	if count > 1 {
		t.shift = 64 - segmentBits
	}
	for i := range t.segs {
		t.segs[i].alloc(per, t.mem)
	}
	t.n.Store(0)
}

// layout returns how a table of about size slots is laid out: as
// segments of size/segments slots each when that is at least
// minSegmentSlots, or else as one array of size slots.
func layout(size uint64) (count int, per uint64) {
	if per := slotsFor(size/segments, 1); per >= minSegmentSlots {
		return segments, per
	}
	return 1, size
}

func (s *segment) alloc(size uint64, m *mappings) {
	s.buf = m.words(size + lineSlots)
	off := uint64(0)
	if r := uintptr(unsafe.Pointer(&s.buf[0])) % 64; r != 0 {
		off = uint64(64-r) / 8
	}
	s.slots = s.buf[off : off+size : off+size]
	s.buckets = size / lineSlots
	s.n.Store(0)
}

// home returns the segment of key (and its index) and the line and the
// offset in it where key's probe sequence starts. Keys are mixed first, as
// ExactKeys hands out small numbers.
func (t *Table) home(key uint64) (s *segment, i int, line, off uint64) {
	h := key * 0x9E3779B97F4A7C15
	i = int(h >> t.shift) // shift 64: segment 0
	s = &t.segs[i]
	line, _ = bits.Mul64(h<<(64-t.shift), s.buckets)
	return s, i, line, h & (lineSlots - 1)
}

// Len returns the number of keys.
func (t *Table) Len() uint64 { return t.n.Load() }

// Cap returns the number of slots.
func (t *Table) Cap() uint64 {
	var c uint64
	for i := range t.segs {
		c += uint64(len(t.segs[i].slots))
	}
	return c
}

// Bytes returns the memory the table holds.
func (t *Table) Bytes() uint64 {
	var b uint64
	for i := range t.segs {
		b += uint64(len(t.segs[i].buf)) * 8
	}
	return b
}

// AppendKeys appends the table's keys to dst, in no order. Not
// concurrent with Insert.
func (t *Table) AppendKeys(dst []uint64) []uint64 {
	for i := range t.segs {
		for _, k := range t.segs[i].slots {
			if k != 0 {
				dst = append(dst, k)
			}
		}
	}
	runtime.KeepAlive(t)
	return dst
}

// Clear empties the table and gives back its memory. Not concurrent with
// anything.
func (t *Table) Clear() {
	old := t.segs
	t.alloc(slotsFor(0, MaxLoad))
	for i := range old {
		t.mem.free(old[i].buf)
	}
}

// Has reports whether key is in the table.
func (t *Table) Has(key uint64) bool {
	s, _, line, off := t.home(key)
	found := s.has(key, line, off)
	runtime.KeepAlive(t) // t's mapped arrays stay while s's is read
	return found
}

// has reports whether key, whose probe sequence starts at line and off,
// is in the segment.
func (s *segment) has(key, line, off uint64) bool {
	for j := range uint64(len(s.slots)) {
		switch atomic.LoadUint64(&s.slots[line*lineSlots+(off+j)&(lineSlots-1)]) {
		case key:
			return true
		case 0:
			return false
		}
		if (j+1)%lineSlots == 0 {
			if line++; line == s.buckets {
				line = 0
			}
		}
	}
	return false
}

// Line returns the address of key's home line, for prefetch: asking for
// it a while before looking key up lets the cache miss overlap other work,
// where Has alone would wait for it. The address is only a hint, stale
// once the table grows.
func (t *Table) Line(key uint64) uintptr {
	s, _, line, _ := t.home(key)
	return uintptr(unsafe.Pointer(&s.slots[line*lineSlots]))
}

// touchRun is the keys whose home lines insertAll asks for before
// inserting them.
const touchRun = 32

// Insert adds key and reports whether it was new. It fails with
// ErrFull when no slot is free; Reserve first to keep that from happening.
func (t *Table) Insert(key uint64) (bool, error) {
	s, _, line, off := t.home(key)
	added, err := s.insert(key, line, off)
	if added {
		s.n.Add(1)
		t.n.Add(1)
	}
	runtime.KeepAlive(t)
	return added, err
}

// InsertAll adds keys and returns how many were new, counting them once.
func (t *Table) InsertAll(keys []uint64) (uint64, error) {
	return t.insertAll(keys, false)
}

// insertAll adds keys, passing over zeros if skipZero, and counts the new
// ones. It asks for the home lines of a run of keys before inserting them,
// so that their cache misses overlap.
func (t *Table) insertAll(keys []uint64, skipZero bool) (uint64, error) {
	var added [segments]uint64
	var err error
	for len(keys) > 0 && err == nil {
		run := keys[:min(len(keys), touchRun)]
		keys = keys[len(run):]
		var lines [touchRun]uintptr
		for i, k := range run {
			lines[i] = t.Line(k)
		}
		prefetch.Lines(lines[:len(run)])
		for _, k := range run {
			if k == 0 && skipZero {
				continue
			}
			s, i, line, off := t.home(k)
			var a bool
			if a, err = s.insert(k, line, off); err != nil {
				break
			}
			if a {
				added[i]++
			}
		}
	}
	var total uint64
	for i, a := range added[:len(t.segs)] {
		t.segs[i].n.Add(a)
		total += a
	}
	t.n.Add(total)
	return total, err
}

// ErrFull is returned by an insert into a table with no free slot.
var ErrFull = fmt.Errorf("statestore: table full")

// insert adds key, whose probe sequence starts at line and off, and
// reports whether it was new. The caller counts it.
func (s *segment) insert(key, line, off uint64) (bool, error) {
	if key == 0 {
		panic("statestore: zero key")
	}
	for j := range uint64(len(s.slots)) {
		p := &s.slots[line*lineSlots+(off+j)&(lineSlots-1)]
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
			if line++; line == s.buckets {
				line = 0
			}
		}
	}
	return false, ErrFull
}

// Reserve makes room for n keys in all, rebuilding at MinLoad each array
// that the new keys would load above MaxLoad: a one-array table as a
// whole, a segmented table segment by segment, each segment counted as
// receiving its share of the new keys and a margin. The keys that move
// are spread over the given number of goroutines. When the table would
// then hold more than limit bytes (zero: no limit), it returns those bytes
// without growing.
func (t *Table) Reserve(n uint64, goroutines int, limit uint64) (grown bool, bytes uint64, err error) {
	goroutines = max(goroutines, 1)
	if len(t.segs) == 1 {
		if n <= uint64(float64(len(t.segs[0].slots))*MaxLoad) {
			return false, t.Bytes(), nil
		}
		size := slotsFor(n, MinLoad)
		count, per := layout(size)
		if bytes = uint64(count) * (per + lineSlots) * 8; limit > 0 && bytes > limit {
			return false, bytes, nil
		}
		old, oldSlots := t.segs[0].buf, t.segs[0].slots
		t.alloc(size)
		for i := range t.segs {
			t.segs[i].fault(goroutines)
		}
		err := t.rehash(oldSlots, goroutines)
		t.mem.free(old)
		return true, t.Bytes(), err
	}
	// Each segment's share of the new keys, and a margin of four
	// standard deviations and a line's worth.
	share := float64(n-min(n, t.Len())) / segments
	margin := 4*math.Sqrt(share) + 64
	var sizes [segments]uint64
	for i := range t.segs {
		s := &t.segs[i]
		if need := float64(s.n.Load()) + share + margin; need > float64(len(s.slots))*MaxLoad {
			sizes[i] = slotsFor(uint64(need), MinLoad)
			bytes += (sizes[i] + lineSlots) * 8
		} else {
			bytes += uint64(len(s.buf)) * 8
		}
	}
	if limit > 0 && bytes > limit {
		return false, bytes, nil
	}
	for i, size := range sizes {
		if size == 0 {
			continue
		}
		s := &t.segs[i]
		old := s.buf
		oldSlots := s.slots
		t.n.Store(t.n.Load() - s.n.Load())
		s.alloc(size, t.mem)
		s.fault(goroutines)
		err := t.rehash(oldSlots, goroutines)
		t.mem.free(old)
		if err != nil {
			return true, t.Bytes(), err
		}
		grown = true
	}
	return grown, t.Bytes(), nil
}

// fault writes a zero to every page of the segment's new, empty array,
// spread over goroutines, each its own contiguous range. The keys that
// rehash moves land anywhere in the array: without this, goroutines
// inserting together fault in the same fresh pages at once, which costs
// the kernel far more than faulting each page in once (measured on Linux
// with transparent huge pages: a grown table's keys moved in three times
// the time with two goroutines).
func (s *segment) fault(goroutines int) {
	if !faultGrown {
		return
	}
	words := uint64(os.Getpagesize() / 8)
	per := (uint64(len(s.slots)) + uint64(goroutines) - 1) / uint64(goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		lo := min(uint64(g)*per, uint64(len(s.slots)))
		hi := min(lo+per, uint64(len(s.slots)))
		wg.Go(func() {
			for i := lo; i < hi; i += words {
				s.slots[i] = 0
			}
		})
	}
	wg.Wait()
}

// faultGrown turns fault on; a benchmark turns it off to compare.
var faultGrown = true

// rehash inserts the nonzero keys of old into t, spread over goroutines,
// and counts them.
func (t *Table) rehash(old []uint64, goroutines int) error {
	chunk := (uint64(len(old)) + uint64(goroutines) - 1) / uint64(goroutines)
	var wg sync.WaitGroup
	errs := make([]error, goroutines)
	for g := range goroutines {
		lo := min(uint64(g)*chunk, uint64(len(old)))
		hi := min(lo+chunk, uint64(len(old)))
		wg.Go(func() {
			_, errs[g] = t.insertAll(old[lo:hi], true)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
