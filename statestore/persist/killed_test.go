package persist

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/argocheck/argocheck/explorer"
)

// killedCopy returns a copy of the store open in dir as a process killed
// now would leave it: its files as they are, the memtable's log (mapped,
// shared) with the writes not yet in a table.
func killedCopy(t *testing.T, dir string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		in, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out, err := os.Create(filepath.Join(dst, e.Name()))
		if err == nil {
			_, err = io.Copy(out, in)
			if cerr := out.Close(); err == nil {
				err = cerr
			}
		}
		in.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// killedStore returns a store of testRun killed after a few levels.
func killedStore(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	st, err := Create(dir, testRun, Options{})
	if err != nil {
		t.Fatal(err)
	}
	explore(t, st, explorer.Config{Workers: 1, MaxStates: 300})
	st.wait()
	killed := killedCopy(t, dir)
	st.Close()
	return killed
}

// memLog returns the path of the one memtable's log in dir.
func memLog(t *testing.T, dir string) string {
	t.Helper()
	logs, _ := filepath.Glob(filepath.Join(dir, "*.mem"))
	if len(logs) != 1 {
		t.Fatalf("memtables' logs in a killed store: %v, want one", logs)
	}
	return logs[0]
}

// A store with no run is refused, by Open and OpenReadOnly alike, saying
// what its directory holds: a check killed before it recorded its run
// left a log of no record; a log removed, or damaged where the run's
// record starts it, is said to be so, not taken for a check stopped
// before it started.
func TestOpenRefusesAStoreWithNoRun(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T) string
		want  string
	}{
		{"killed before it recorded its run", func(t *testing.T) string {
			dir := t.TempDir()
			s, err := openDB(dir, Options{}, false)
			if err != nil {
				t.Fatal(err)
			}
			killed := killedCopy(t, dir)
			s.db.Close()
			return killed
		}, "holds no run: its check stopped before it recorded it; start it again with 'argocheck check ... --store "},
		// A writer's open (resume's) removes the logs that hold no record
		// it reads, and closes the store: opened again, the store has no
		// log, as one that lost it, but a value log cut to its header.
		{"killed before it recorded its run, opened since", func(t *testing.T) string {
			dir := t.TempDir()
			s, err := openDB(dir, Options{}, false)
			if err != nil {
				t.Fatal(err)
			}
			killed := killedCopy(t, dir)
			s.db.Close()
			if st, err := Open(killed, Options{}); err == nil {
				st.Close()
				t.Fatal("opened a store with no run")
			}
			return killed
		}, "holds no run: its check stopped before it recorded it; start it again with 'argocheck check ... --store "},
		{"log removed", func(t *testing.T) string {
			dir := killedStore(t)
			if err := os.Remove(memLog(t, dir)); err != nil {
				t.Fatal(err)
			}
			return dir
		}, "holds no run: its tables hold no record, and its log of its last writes (a .mem file) is missing; start it again with 'argocheck check ... --store "},
		{"log damaged at its start", func(t *testing.T) string {
			dir := killedStore(t)
			f, err := os.OpenFile(memLog(t, dir), os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.WriteAt([]byte{0xde, 0xad, 0xbe}, logHeader); err != nil {
				t.Fatal(err)
			}
			return dir
		}, "holds no run: its log of its last writes (00001.mem) is damaged at its start, where the run is recorded; start it again with 'argocheck check ... --store "},
	} {
		for _, open := range []struct {
			name string
			fn   func(string, Options) (*Store, error)
		}{{"Open", Open}, {"OpenReadOnly", OpenReadOnly}} {
			t.Run(tc.name+"/"+open.name, func(t *testing.T) {
				dir := tc.setup(t)
				st, err := open.fn(dir, Options{})
				refusedInOneLine(t, st, err, dir+" "+tc.want)
			})
		}
	}
}

// A store a kill left, which only a writer can recover, in a directory
// this process cannot write to, is refused by OpenReadOnly (trace) as
// such, not as a corrupt store; Open (resume) refuses it as a directory
// not writable, and a closed store opens read-only all the same.
func TestOpenReadOnlyKilledStoreNotWritable(t *testing.T) {
	for _, tc := range []struct {
		name   string
		killed bool
		open   func(string, Options) (*Store, error)
		want   string // "" for opened
	}{
		{"closed, read-only", false, OpenReadOnly, ""},
		{"killed, read-only", true, OpenReadOnly, "is not writable (permission denied): the run that wrote the store did not close it (it was killed, or could not write), and opening it, to read it too, first recovers it, which writes there: run the command again once the directory can be written"},
		{"killed", true, Open, "is not writable: permission denied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var dir string
			if tc.killed {
				dir = killedStore(t)
			} else {
				dir = t.TempDir()
				unfinishedStore(t, dir)
			}
			// As root, permission bits do not bite: the probe says what
			// a directory made read-only (chmod 555) makes it say.
			probe := probeWritable
			t.Cleanup(func() { probeWritable = probe })
			probeWritable = func(string) error { return syscall.EACCES }
			st, err := tc.open(dir, Options{})
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				st.Close()
				return
			}
			refusedInOneLine(t, st, err, "store directory "+dir+" "+tc.want)
			if strings.Contains(err.Error(), "corrupt") {
				t.Errorf("refused as corrupt: %v", err)
			}
		})
	}
}

// badger's failures to open a store are told apart: those the system
// refused (permissions, a full file system) say so, the rest are a
// corrupt store.
func TestOpenFailure(t *testing.T) {
	const dir = "/tmp/st"
	for _, tc := range []struct {
		name, badger string
		want         string
		input        bool
		is           error
	}{
		{"memtable not writable", "cannot create memtable err: newMemTable err: While opening memtable: /tmp/st/00004.mem err: while opening file: /tmp/st/00004.mem err: open /tmp/st/00004.mem: permission denied\nunable to open: /tmp/st/00004.mem",
			"store /tmp/st cannot be opened (permission denied): its files cannot be read or written by this process; run the command again as a user who can read and write them", true, nil},
		{"read-only file system", "cannot create memtable err: open /tmp/st/00004.mem: read-only file system",
			"store /tmp/st cannot be opened (read-only file system): its files cannot be read or written by this process; run the command again as a user who can read and write them", true, nil},
		{"no space", "cannot create memtable err: truncate /tmp/st/00004.mem: no space left on device",
			"store /tmp/st cannot be opened (no space left on device): make room on its file system, then run the command again", false, nil},
		{"damaged", "while opening memtables err: while opening fid: 3 err: while updating skiplist err: end offset: 20 < size: 33554432\nmore",
			"/tmp/st: corrupt or truncated store: while opening memtables err: while opening fid: 3 err: while updating skiplist err: end offset: 20 < size: 33554432", true, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := openFailure(dir, errors.New(tc.badger))
			if got := err.Error(); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
			if _, input := errors.AsType[*InputError](err); input != tc.input {
				t.Errorf("%q: an InputError: %v, want %v", err, input, tc.input)
			}
		})
	}
}
