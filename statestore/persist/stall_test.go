package persist

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/argocheck/argocheck/statestore"
)

// A store whose memtables cannot be flushed into tables (here every table
// name is taken; a directory made read-only or an I/O error does the same),
// which badger tries again every second for ever, ends the run's writes
// with an error naming the store, and Close returns: the part waiting for
// room in the memtables, and Close waiting for the flush, would otherwise
// never return, and the run would hang. The parts committed before the
// failure are those a resumed run reads.
func TestFlushFailureEndsWrites(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	st, err := Create(dir, testRun, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for id := 1; id <= 100; id++ {
		if err := os.Mkdir(filepath.Join(dir, fmt.Sprintf("%06d.sst", id)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// Levels of 4 MB of incompressible encodings fill the two memtables of
	// 16 MiB in a few parts.
	r := rand.New(rand.NewPCG(5, 6))
	const perLevel, size = 4000, 1000
	commits := make(chan error, 1)
	go func() {
		first := uint64(0)
		for level := range 40 {
			nodes := make(nodeSlice, perLevel)
			parents := make(edgeSlice, perLevel)
			for i := range nodes {
				nodes[i] = make([]byte, size)
				for k := 0; k < size; k += 8 {
					v := r.Uint64()
					for b := range 8 {
						nodes[i][k+b] = byte(v >> (8 * b))
					}
				}
				parents[i] = first + uint64(i)
			}
			p := statestore.Part{Level: level, Complete: true, First: first, Parents: parents, Frontier: nodes, States: first + perLevel}
			if err := st.Commit(&p); err != nil {
				commits <- err
				return
			}
			first += perLevel
		}
		commits <- nil
	}()
	select {
	case err := <-commits:
		if err == nil || !strings.Contains(err.Error(), "cannot write its tables") || !strings.Contains(err.Error(), dir) {
			t.Fatalf("committed 40 parts that memtables not flushed cannot hold, error %v; want the store's failure to write its tables", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a commit waited 30 s for memtables that cannot be flushed")
	}
	closed := make(chan error, 1)
	go func() { closed <- st.Close() }()
	select {
	case err := <-closed:
		if err == nil || !strings.Contains(err.Error(), "cannot write its tables") {
			t.Fatalf("Close: %v; want the store's failure to write its tables", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Close waited 30 s for memtables that cannot be flushed")
	}
}
