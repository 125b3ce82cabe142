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
	blockTables(t, dir)
	if err := commitUntilStalled(t, st); err == nil || !strings.Contains(err.Error(), "cannot write its tables") || !strings.Contains(err.Error(), dir) {
		t.Fatalf("committed 40 parts that memtables not flushed cannot hold, error %v; want the store's failure to write its tables", err)
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

// commitUntilStalled commits levels of 4 MB to st, whose tables cannot be
// written, and returns the error that ends them, or nil once 40 levels
// are committed; it fails t if a commit waits 30 s.
func commitUntilStalled(t *testing.T, st *Store) error {
	t.Helper()
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
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("a commit waited 30 s for memtables that cannot be flushed")
	}
	return nil
}

// Close after a failed flush leaves badger's close running: once the
// tables can be written again, badger's flush, tried again every second,
// succeeds, the close completes, and the store's lock is released, so
// that this process opens the store again, at its last committed part.
// Before, badger was left as it was, the store in use until the process
// exited.
func TestCloseAfterFlushFailureReleasesStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	st, err := Create(dir, testRun, Options{})
	if err != nil {
		t.Fatal(err)
	}
	blockTables(t, dir)
	if err := commitUntilStalled(t, st); err == nil || !strings.Contains(err.Error(), "cannot write its tables") {
		t.Fatalf("error %v; want the store's failure to write its tables", err)
	}
	if err := st.Close(); err == nil || !strings.Contains(err.Error(), "cannot write its tables") {
		t.Fatalf("Close: %v; want the store's failure to write its tables", err)
	}
	if st, err := Open(dir, Options{}); err == nil || !strings.Contains(err.Error(), "in use") {
		if err == nil {
			st.Close()
		}
		t.Fatalf("opened while badger still tries to flush: %v; want the store in use", err)
	}
	unblockTables(dir)
	st, err = reopen(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if st.Depth() < 0 {
		t.Errorf("reopened with no complete level")
	}
}

// blockTables makes the names of the first 100 tables of the new store
// in dir directories, so that badger cannot flush a memtable into a
// table, and, once t ends, names again and waits for badger's close
// that the store's Close left running to complete: it writes the
// directory until then.
func blockTables(t *testing.T, dir string) {
	t.Helper()
	for id := 1; id <= 100; id++ {
		if err := os.Mkdir(filepath.Join(dir, fmt.Sprintf("%06d.sst", id)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		unblockTables(dir)
		if st, err := reopen(dir); err != nil {
			t.Error(err)
		} else {
			st.Close()
		}
	})
}

// unblockTables removes blockTables's directories, not the tables badger
// wrote since.
func unblockTables(dir string) {
	for id := 1; id <= 100; id++ {
		p := filepath.Join(dir, fmt.Sprintf("%06d.sst", id))
		if fi, err := os.Lstat(p); err == nil && fi.IsDir() {
			os.Remove(p)
		}
	}
}

// reopen opens the store in dir once it is no more in use, waiting 30 s
// at most.
func reopen(dir string) (*Store, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		st, err := Open(dir, Options{})
		if err == nil || !strings.Contains(err.Error(), "in use") {
			return st, err
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("the store is still in use 30 s after its tables can be written again: %w", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
