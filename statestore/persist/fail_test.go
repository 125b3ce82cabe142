package persist

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/argocheck/argocheck/statestore"
)

// A store that cannot make its next memtable's log (here its name is
// taken by a directory; a directory made read-only does the same, with
// "permission denied") fails its commit with one line that names the
// store, the cause and what to do, not badger's two lines naming its
// file, and the cause stays reachable with errors.Is. The parts committed
// before are those the store resumes from.
func TestWriteFailureIsOneLine(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	st, err := Create(dir, testRun, Options{})
	if err != nil {
		t.Fatal(err)
	}
	last := 0
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		var id int
		if _, err := fmt.Sscanf(e.Name(), "%05d.mem", &id); err == nil {
			last = max(last, id)
		}
	}
	if last == 0 {
		t.Fatalf("no memtable log in a new store: %v", entries)
	}
	for id := last + 1; id <= last+10; id++ {
		if err := os.Mkdir(filepath.Join(dir, fmt.Sprintf("%05d.mem", id)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// Levels of 1 MB of incompressible encodings, each written in one
	// batch, fill the memtable of 16 MiB in about 16 parts.
	r := rand.New(rand.NewPCG(7, 8))
	const perLevel, size = 1000, 1000
	first, committed := uint64(0), 0
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
		if err = st.Commit(&p); err != nil {
			break
		}
		first += perLevel
		committed++
	}
	if err == nil {
		err = st.Close()
	} else {
		st.Close()
	}
	if err == nil {
		t.Fatal("40 parts of 1 MB committed with no memtable's log to follow the first")
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || !strings.Contains(msg, "store "+dir+" cannot write its records (is a directory)") ||
		!strings.Contains(msg, "resume it with 'argocheck resume "+dir+"' once its directory can be written") || strings.Contains(msg, ".mem") {
		t.Errorf("error %q; want one line naming the store, the cause and what to do, not badger's file", msg)
	}
	if !errors.Is(err, syscall.EISDIR) {
		t.Errorf("error %q: errors.Is(err, syscall.EISDIR) is false", msg)
	}
	if we, ok := errors.AsType[*WriteError](err); !ok || we.Err == nil || !strings.Contains(we.Err.Error(), ".mem") {
		t.Errorf("error %q: want a WriteError that keeps badger's error", msg)
	}
	for id := last + 1; id <= last+10; id++ {
		os.Remove(filepath.Join(dir, fmt.Sprintf("%05d.mem", id)))
	}
	st, err = Open(dir, Options{Build: testRun.Build})
	if err != nil {
		t.Fatalf("the store, writable again: %v", err)
	}
	defer st.Close()
	// Commit hands a part to the writer: the last one it took is the
	// one whose write failed.
	if got := st.Depth(); got != committed-2 {
		t.Errorf("the store resumes after level %d, want %d (the last of the %d parts handed over failed)", got, committed-2, committed)
	}
}

// The error of a failure to write is one line whose cause is the
// system's error found in badger's text, which wraps it in words only.
func TestWriteErrorCause(t *testing.T) {
	const dir = "/tmp/st"
	for _, c := range []struct {
		name, badger string
		created      bool
		want         string
		is           error
	}{
		{"permission", "writeRequests err: cannot create new mem table err: open /tmp/st/00003.mem: permission denied\nunable to open: /tmp/st/00003.mem", false,
			"store /tmp/st cannot write its records (permission denied): it stays at its last committed part; resume it with 'argocheck resume /tmp/st' once its directory can be written", fs.ErrPermission},
		{"no space", "while creating table err: sync /tmp/st/000004.sst: no space left on device, retrying", false,
			"store /tmp/st cannot write its records (no space left on device): it stays at its last committed part; resume it with 'argocheck resume /tmp/st' once its file system has room", syscall.ENOSPC},
		{"read-only", "DB.Close err: write /tmp/st/MANIFEST: read-only file system", false,
			"store /tmp/st cannot write its records (read-only file system): it stays at its last committed part; resume it with 'argocheck resume /tmp/st' once its directory can be written", syscall.EROFS},
		{"wrapped", "", false,
			"store /tmp/st cannot write its records (permission denied): it stays at its last committed part; resume it with 'argocheck resume /tmp/st' once its directory can be written", fs.ErrPermission},
		{"no cause", "Txn is too big to fit into one request\nmore", false,
			"store /tmp/st cannot write its records (Txn is too big to fit into one request): it stays at its last committed part; resume it with 'argocheck resume /tmp/st' once its directory can be written", nil},
		{"in words", "permission denied by the policy: of the day", false,
			"store /tmp/st cannot write its records (permission denied by the policy: of the day): it stays at its last committed part; resume it with 'argocheck resume /tmp/st' once its directory can be written", nil},
		{"created", "open /tmp/st/00001.mem: permission denied", true,
			"store /tmp/st cannot write its records (permission denied): run the command again once its directory can be written", fs.ErrPermission},
	} {
		t.Run(c.name, func(t *testing.T) {
			orig := errors.New(c.badger)
			if c.badger == "" {
				orig = fmt.Errorf("sync: %w", &fs.PathError{Op: "open", Path: "/tmp/st/00001.mem", Err: syscall.EACCES})
			}
			err := writeErr(dir, "its records", orig)
			if c.created {
				err.(*WriteError).created = true
			}
			if got := err.Error(); got != c.want {
				t.Errorf("got  %q\nwant %q", got, c.want)
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Errorf("errors.Is(%q, %v) is false", err, c.is)
			}
			if !errors.Is(err, orig) {
				t.Errorf("the original error is not reachable from %q", err)
			}
			if again := writeErr(dir, "its tables", err); again != err {
				t.Errorf("a WriteError wrapped again: %q", again)
			}
		})
	}
}
