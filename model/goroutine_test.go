package model

import "testing"

// TestGoroutineID: goroutineID names the calling goroutine as the runtime
// does, the same on every call, and differs between goroutines.
func TestGoroutineID(t *testing.T) {
	if err := goroutineIDs(); err != nil {
		t.Fatal(err)
	}
	ids := make(chan [2]int64)
	for range 4 {
		go func() { ids <- [2]int64{goroutineID(), stackID()} }()
	}
	seen := map[int64]bool{goroutineID(): true}
	for range 4 {
		id := <-ids
		if id[0] != id[1] || seen[id[0]] {
			t.Fatalf("goroutine ID %d (the runtime says %d), seen before: %v", id[0], id[1], seen[id[0]])
		}
		seen[id[0]] = true
	}
}
