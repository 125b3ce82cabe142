package prefetch

import (
	"testing"
	"unsafe"
)

// TestHintsNeverFault asks for lines at addresses no load could read: nil
// and the top of the address space. A prefetch that loaded would crash
// the test.
func TestHintsNeverFault(t *testing.T) {
	bad := []uintptr{0, 8, ^uintptr(0) &^ 63}
	for _, a := range bad {
		One(a)
	}
	Lines(bad)
	Lines(nil)
}

// TestLinesLeavesMemory passes lines of every length up to 40 over live
// memory, whose contents must be left as they were.
func TestLinesLeavesMemory(t *testing.T) {
	want := func(i int) uint64 { return uint64(i) * 0x9E3779B97F4A7C15 }
	words := make([]uint64, 8*40)
	for i := range words {
		words[i] = want(i)
	}
	for n := 0; n <= 40; n++ {
		addrs := make([]uintptr, n)
		for i := range addrs {
			addrs[i] = uintptr(unsafe.Pointer(&words[i*8]))
		}
		Lines(addrs)
		if n >= 1 {
			One(addrs[n-1])
		}
	}
	for i := range words {
		if words[i] != want(i) {
			t.Fatalf("word %d changed", i)
		}
	}
}
