package statestore

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// SortedFile is a set of keys kept on disk in one file, sorted, eight
// bytes each, little endian: the part of a visited set that does not fit
// in memory. The file is mapped into memory where the system allows, so
// that a lookup costs a few memory accesses into the page cache; a
// sparse index of the first key of every page (512 keys) leads a lookup
// to its page. Contains is safe for concurrent use; Merge is not
// concurrent with anything.
type SortedFile struct {
	dir   string
	gen   int    // generation of the current file's name
	n     uint64 // keys in the file
	data  []byte // the file's contents, mapped or read
	unmap func() error
	index []uint64 // first key of every page
}

// pageKeys is the number of keys of a page of the sparse index.
const pageKeys = 512

// NewSortedFile returns an empty set whose files live in dir, which
// must exist.
func NewSortedFile(dir string) *SortedFile { return &SortedFile{dir: dir} }

// Len returns the number of keys.
func (f *SortedFile) Len() uint64 { return f.n }

// Bytes returns the memory the set holds itself: its sparse index (the
// file's pages are the system's page cache).
func (f *SortedFile) Bytes() uint64 { return uint64(cap(f.index)) * 8 }

// DiskBytes returns the size of the file.
func (f *SortedFile) DiskBytes() uint64 { return f.n * 8 }

func (f *SortedFile) key(i uint64) uint64 { return binary.LittleEndian.Uint64(f.data[8*i:]) }

// Contains reports whether key is in the set.
func (f *SortedFile) Contains(key uint64) bool {
	if f.n == 0 {
		return false
	}
	// The last page whose first key is at most key.
	p, found := slices.BinarySearch(f.index, key)
	if found {
		return true
	}
	if p == 0 {
		return false
	}
	lo := uint64(p-1) * pageKeys
	hi := min(lo+pageKeys, f.n)
	for lo < hi {
		mid := (lo + hi) / 2
		switch k := f.key(mid); {
		case k == key:
			return true
		case k < key:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return false
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
	f.gen, f.n, f.index = 0, 0, nil
	return err
}
