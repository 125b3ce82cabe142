//go:build unix

package prefetch

import (
	"syscall"
	"testing"
	"unsafe"
)

// TestUnmappedLines asks for lines of a mapping given back before the
// request, as a table's lines are once it has grown.
func TestUnmappedLines(t *testing.T) {
	page := syscall.Getpagesize()
	b, err := syscall.Mmap(-1, 0, 4*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skip("no anonymous mapping:", err)
	}
	gone := uintptr(unsafe.Pointer(&b[page]))
	if err := syscall.Munmap(b); err != nil {
		t.Fatal(err)
	}
	One(gone)
	One(gone + 64)
	Lines([]uintptr{gone, gone + 64, gone + uintptr(page)})
}
