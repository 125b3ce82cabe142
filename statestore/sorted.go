package statestore

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"os"
	"path/filepath"
	"slices"
	"sort"
)

// SortedFile is a set of keys kept on disk in one file, sorted, eight
// bytes each, little endian: the part of a visited set that does not fit
// in memory. The file is mapped into memory where the system allows, so
// that a lookup costs a few memory accesses into the page cache; a
// sparse index of the first key of every page (512 keys), itself reached
// through buckets by the keys' top bits, leads a lookup to its page. Contains is safe for concurrent use; Merge is not
// concurrent with anything.
type SortedFile struct {
	dir   string
	gen   int    // generation of the current file's name
	n     uint64 // keys in the file
	data  []byte // the file's contents, mapped or read
	unmap func() error
	index []uint64 // first key of every page
	// The pages whose first keys' top bits (those above shift) are b are
	// index[buckets[b]:buckets[b+1]].
	buckets []uint32
	shift   uint
}

// pageKeys is the number of keys of a page of the sparse index.
const pageKeys = 512

// NewSortedFile returns an empty set whose files live in dir, which
// must exist.
func NewSortedFile(dir string) *SortedFile { return &SortedFile{dir: dir} }

// Len returns the number of keys.
func (f *SortedFile) Len() uint64 { return f.n }

// Bytes returns the memory the set holds itself: its sparse index and
// its buckets (the file's pages are the system's page cache).
func (f *SortedFile) Bytes() uint64 { return uint64(cap(f.index))*8 + uint64(cap(f.buckets))*4 }

// DiskBytes returns the size of the file.
func (f *SortedFile) DiskBytes() uint64 { return f.n * 8 }

func (f *SortedFile) key(i uint64) uint64 { return binary.LittleEndian.Uint64(f.data[8*i:]) }

// Contains reports whether key is in the set.
func (f *SortedFile) Contains(key uint64) bool {
	i, lo, last, found := f.guess(key)
	if found || i > last {
		return found
	}
	if f.key(i) < key {
		for i < last && f.key(i) < key {
			i++
		}
	} else {
		for i > lo && f.key(i) > key {
			i--
		}
	}
	return f.key(i) == key
}

// Touch loads the key where Contains would look for key first, and
// returns it: looking up a run of keys after touching each of them lets
// their cache misses overlap, where each Contains alone would wait for
// its own.
func (f *SortedFile) Touch(key uint64) uint64 {
	if i, _, last, _ := f.guess(key); i <= last {
		return f.key(i)
	}
	return 0
}

// guess returns where key would lie in the file, i, within the page
// lo..last that would hold it; found says the sparse index holds key,
// and i > last that no page would.
//
// Keys are fingerprints, spread evenly: key's place in its page is
// guessed from where it lies between the page's first key and the next
// page's. Contains walks to it from there (a few keys, where a binary
// search would wait for a cache miss at each of its nine steps).
func (f *SortedFile) guess(key uint64) (i, lo, last uint64, found bool) {
	// The last page whose first key is at most key: at most one before
	// the first page of key's bucket, or in the bucket.
	if f.n == 0 {
		return 1, 0, 0, false
	}
	b := key >> f.shift
	p, end := int(f.buckets[b]), int(f.buckets[b+1])
	for p < end && f.index[p] <= key {
		p++
	}
	if p == 0 || f.index[p-1] == key {
		return 1, 0, 0, p > 0
	}
	lo = uint64(p-1) * pageKeys
	last = min(lo+pageKeys, f.n) - 1
	first, next := f.index[p-1], uint64(math.MaxUint64)
	if p < len(f.index) {
		next = f.index[p]
	}
	i = min(lo+uint64(float64(key-first)/float64(next-first)*float64(last-lo+1)), last)
	return i, lo, last, false
}

// Merge adds keys, sorted and distinct, none of them in the set yet, by
// writing the merged set to a new file, which replaces the old. Up to
// goroutines goroutines write it side by side, each a run of the new
// keys merged with the old keys between them.
func (f *SortedFile) Merge(keys []uint64, goroutines int) error {
	if len(keys) == 0 {
		return nil
	}
	name := filepath.Join(f.dir, fmt.Sprintf("visited-%d", f.gen+1))
	out, err := os.Create(name)
	if err != nil {
		return err
	}
	runs := max(min(goroutines, len(keys)/mergeRunMin), 1)
	errs := make([]error, runs)
	parallel(runs, runs, func(r int) {
		errs[r] = f.mergeRun(out, keys, len(keys)*r/runs, len(keys)*(r+1)/runs, r == runs-1)
	})
	// The runs write one file: a full disk fails them all alike, and the
	// first error tells it once.
	err = cmp.Or(errs...)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return err
	}
	if err := f.release(); err != nil {
		return err
	}
	f.gen++
	f.n += uint64(len(keys))
	if f.data, f.unmap, err = mapFile(name, int(f.n*8)); err != nil {
		return err
	}
	f.index = f.index[:0]
	for p := uint64(0); p < f.n; p += pageKeys {
		f.index = append(f.index, f.key(p))
	}
	// About four pages a bucket.
	k := bits.Len(uint(len(f.index) / 4))
	f.shift = 64 - uint(k)
	f.buckets = slices.Grow(f.buckets[:0], 1<<k+1)[:1<<k+1]
	p := 0
	for b := range f.buckets {
		for p < len(f.index) && f.index[p]>>f.shift < uint64(b) {
			p++
		}
		f.buckets[b] = uint32(p)
	}
	return nil
}

// mergeRunMin is the fewest new keys a goroutine of Merge merges. Tests
// lower it.
var mergeRunMin = 1 << 16

// mergeBytes is the size of the buffer each goroutine of Merge writes
// from.
const mergeBytes = 1 << 20

// lowerBound returns the number of keys in the file below key.
func (f *SortedFile) lowerBound(key uint64) uint64 {
	return uint64(sort.Search(int(f.n), func(i int) bool { return f.key(uint64(i)) >= key }))
}

// mergeRun writes to out new keys keys[lo:hi], merged with the old keys
// from the first at least keys[lo] (from the first old key when lo is 0)
// to the first at least keys[hi] (to the last old key when last), at
// their places in the merged file.
func (f *SortedFile) mergeRun(out *os.File, keys []uint64, lo, hi int, last bool) error {
	i, end := uint64(0), f.n
	if lo > 0 {
		i = f.lowerBound(keys[lo])
	}
	if !last {
		end = f.lowerBound(keys[hi])
	}
	at := int64(8 * (i + uint64(lo)))
	buf := make([]byte, 0, mergeBytes)
	put := func(b []byte) error {
		for len(b) > 0 {
			n := copy(buf[len(buf):cap(buf)], b)
			buf, b = buf[:len(buf)+n], b[n:]
			if len(buf) == cap(buf) {
				if _, err := out.WriteAt(buf, at); err != nil {
					return err
				}
				at += int64(len(buf))
				buf = buf[:0]
			}
		}
		return nil
	}
	var enc [8]byte
	for _, k := range keys[lo:hi] {
		// The old keys below k go as they lie in the file.
		j := i
		for j < end && f.key(j) < k {
			j++
		}
		binary.LittleEndian.PutUint64(enc[:], k)
		if err := put(f.data[8*i : 8*j]); err != nil {
			return err
		}
		if err := put(enc[:]); err != nil {
			return err
		}
		i = j
	}
	if err := put(f.data[8*i : 8*end]); err != nil {
		return err
	}
	_, err := out.WriteAt(buf, at)
	return err
}

// release unmaps and removes the current file.
func (f *SortedFile) release() error {
	if f.gen == 0 {
		return nil
	}
	if f.unmap != nil {
		if err := f.unmap(); err != nil {
			return err
		}
	}
	f.data, f.unmap = nil, nil
	return os.Remove(filepath.Join(f.dir, fmt.Sprintf("visited-%d", f.gen)))
}

// Close releases the set and removes its file.
func (f *SortedFile) Close() error {
	err := f.release()
	f.gen, f.n, f.index, f.buckets = 0, 0, nil, nil
	return err
}
