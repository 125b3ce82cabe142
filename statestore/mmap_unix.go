//go:build unix

package statestore

import (
	"os"
	"sync"
	"syscall"
	"unsafe"
)

// mapFile maps the size bytes of the file name into memory, read only.
func mapFile(name string, size int) ([]byte, func() error, error) {
	fd, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	defer fd.Close()
	data, err := syscall.Mmap(int(fd.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	return data, func() error { return syscall.Munmap(data) }, nil
}

// hugePage is the size of a transparent huge page on Linux with 4 KiB
// pages (amd64, and arm64 as usually built), and the alignment mapWords
// gives the arrays it maps; elsewhere the alignment is harmless.
const hugePage = 2 << 20

// spans holds, by the address of an array mapWords returned, the whole
// mapping it lies in, for unmapWords.
var spans struct {
	sync.Mutex
	by map[*uint64][]byte
}

// mapWords returns n zeroed words mapped from the operating system,
// outside Go's heap, or nil when the mapping fails. An array of a huge
// page or more starts on a huge page's boundary: the kernel backs only a
// whole, aligned range of a huge page's size with one, so an array
// starting mid-range would keep its first and last ranges on small pages
// (and where arrays lie side by side in one mapping, more). The slack
// mapped for the alignment is never touched and takes no memory.
func mapWords(n uint64) []uint64 {
	size := int(n * 8)
	slack := 0
	if size >= hugePage {
		slack = hugePage
	}
	b, err := syscall.Mmap(-1, 0, size+slack, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil
	}
	lead := 0
	if slack > 0 {
		lead = (hugePage - int(uintptr(unsafe.Pointer(&b[0]))%hugePage)) % hugePage
	}
	a := b[lead : lead+size]
	adviseHugePages(a)
	w := unsafe.Slice((*uint64)(unsafe.Pointer(&a[0])), n)
	spans.Lock()
	if spans.by == nil {
		spans.by = make(map[*uint64][]byte)
	}
	spans.by[&w[0]] = b
	spans.Unlock()
	return w
}

// unmapWords gives back words that mapWords returned.
func unmapWords(w []uint64) {
	spans.Lock()
	b := spans.by[&w[0]]
	delete(spans.by, &w[0])
	spans.Unlock()
	_ = syscall.Munmap(b)
}
