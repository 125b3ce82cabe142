//go:build unix

package statestore

import (
	"os"
	"syscall"
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
