package persist

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
)

// fakeSpace makes freeSpace report free bytes, after the first ample
// calls, which report plenty; it returns how many calls came.
func fakeSpace(t *testing.T, ample int, free uint64) *int {
	t.Helper()
	calls := 0
	old := freeSpace
	freeSpace = func(string) (uint64, bool) {
		calls++
		if calls <= ample {
			return 1 << 40, true
		}
		return free, true
	}
	t.Cleanup(func() { freeSpace = old })
	return &calls
}

// A store on a file system short of its reserve is not created, a part
// that would take the free space below it is not written, and the search
// ends with an error instead of a write the system would answer with
// SIGBUS; once there is room, the store resumes to the counts of an
// uninterrupted run.
func TestStoreKeepsSpaceReserve(t *testing.T) {
	chk, err := layers.Build("repdisk", catalog.Params{layers.Blocks: 4, layers.Values: 3}, "")
	if err != nil {
		t.Fatal(err)
	}
	want, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}

	// As statfs, the fake tells nothing of a directory not made yet: the
	// store's is taken as its nearest existing parent's, and not made.
	top := t.TempDir()
	short := filepath.Join(top, "short", "deep")
	old := freeSpace
	t.Cleanup(func() { freeSpace = old })
	freeSpace = func(dir string) (uint64, bool) {
		if dir != top {
			return 0, false
		}
		return spaceReserve - 1, true
	}
	if st, err := Create(short, testRun, Options{}); err == nil {
		st.Close()
		t.Fatal("a store was created with less free space than its reserve")
	} else if !strings.Contains(err.Error(), "make room, then "+thenRetry) {
		t.Fatalf("refused with %q", err)
	}
	if _, err := os.Stat(filepath.Dir(short)); err == nil {
		t.Fatal("the refused store's directory was made all the same")
	}

	// Creation and the first three parts find room; the fourth part's
	// records do not fit above the reserve.
	dir := filepath.Join(t.TempDir(), "store")
	calls := fakeSpace(t, 4, spaceReserve+1)
	st, err := Create(dir, testRun, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := explorer.Config{Workers: 2, PartSize: 64, BatchSize: 16, Checkpoint: st}
	_, err = explorer.Run(context.Background(), chk, cfg)
	if err == nil || !strings.Contains(err.Error(), "make room, then "+thenResume) {
		t.Fatalf("search on a full disk ended with %v", err)
	}
	if *calls <= 4 {
		t.Fatalf("free space asked %d times", *calls)
	}
	committed := len(st.parts)
	if committed != 3 {
		t.Fatalf("%d parts committed, want the 3 written before the disk was full", committed)
	}
	st.Close()
	fakeSpace(t, 0, spaceReserve-1)
	if _, err := Open(dir, Options{}); err == nil || !strings.Contains(err.Error(), "make room, then "+thenResume) {
		t.Fatalf("opened a store to write with less free space than its reserve: %v", err)
	}

	fakeSpace(t, 1<<30, 0)
	st, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if len(st.parts) != committed {
		t.Fatalf("reopened with %d parts, %d were committed", len(st.parts), committed)
	}
	res := explore(t, st, explorer.Config{Workers: 2, PartSize: 64, BatchSize: 16})
	if res.Verdict != explorer.Verified || res.States != want.States || res.Transitions != want.Transitions || res.CrashPoints != want.CrashPoints {
		t.Fatalf("resumed after the disk was full: %+v, uninterrupted %+v", res, want)
	}
}

// statfsFree tells the free space of a real directory.
func TestStatfsFree(t *testing.T) {
	free, ok := statfsFree(t.TempDir())
	if !ok {
		t.Skip("this system cannot tell free space")
	}
	if free == 0 {
		t.Fatal("no free space in the test's temporary directory")
	}
	if _, ok := statfsFree(filepath.Join(t.TempDir(), "missing")); ok {
		t.Fatal("free space of a missing directory")
	}
}

// A store closed opens read-only (trace) with no free space at all; one
// that a kill left, with its memtable's log, only with the reserve free:
// badger replays the log through its mapping, where a file system out of
// space (tmpfs) faults even on a read, and a log mapped whole, with
// zeros after its records, is refused read-only and recovered by a
// writer.
func TestReadOnlyRecoveryKeepsSpaceReserve(t *testing.T) {
	for _, tc := range []struct {
		name     string
		log      int  // bytes of the log the kill left
		readOnly bool // badger opens it read-only
	}{
		{"log of no records", 20, true},
		{"log mapped whole", 4096, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			unfinishedStore(t, dir)
			fakeSpace(t, 0, 0)
			st, err := OpenReadOnly(dir, Options{})
			if err != nil {
				t.Fatalf("a store closed, with no free space: %v", err)
			}
			st.Close()

			if err := os.WriteFile(filepath.Join(dir, "99999.mem"), make([]byte, tc.log), 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := openDB(dir, Options{}, true)
			if err == nil {
				s.db.Close()
			}
			if (err == nil) != tc.readOnly {
				t.Fatalf("badger's read-only open: %v", err)
			}
			fakeSpace(t, 0, spaceReserve-1)
			if st, err := OpenReadOnly(dir, Options{}); err == nil {
				st.Close()
				t.Fatal("opened a killed store with less free space than its reserve")
			} else if !strings.Contains(err.Error(), "make room, then "+thenRetry) {
				t.Fatalf("refused with %q", err)
			}
			fakeSpace(t, 1<<30, 0)
			st, err = OpenReadOnly(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			st.Close()
		})
	}
}
