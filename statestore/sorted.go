package statestore

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"os"
	"path/filepath"
	"slices"
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
// writing the merged set to a new file, which replaces the old.
func (f *SortedFile) Merge(keys []uint64) error {
	if len(keys) == 0 {
		return nil
	}
	name := filepath.Join(f.dir, fmt.Sprintf("visited-%d", f.gen+1))
	out, err := os.Create(name)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(out, 1<<20)
	var buf [8]byte
	put := func(k uint64) {
		binary.LittleEndian.PutUint64(buf[:], k)
		w.Write(buf[:])
	}
	i := uint64(0)
	for _, k := range keys {
		for ; i < f.n && f.key(i) < k; i++ {
			put(f.key(i))
		}
		put(k)
	}
	for ; i < f.n; i++ {
		put(f.key(i))
	}
	err = w.Flush()
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
