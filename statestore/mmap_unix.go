//go:build unix

package statestore

import (
	"os"
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

// mapWords returns n zeroed words mapped from the operating system,
// outside Go's heap, or nil when the mapping fails.
func mapWords(n uint64) []uint64 {
	b, err := syscall.Mmap(-1, 0, int(n*8), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil
	}
	adviseHugePages(b)
	return unsafe.Slice((*uint64)(unsafe.Pointer(&b[0])), n)
}

// unmapWords gives back words that mapWords returned.
func unmapWords(w []uint64) {
	_ = syscall.Munmap(unsafe.Slice((*byte)(unsafe.Pointer(&w[0])), len(w)*8))
}
