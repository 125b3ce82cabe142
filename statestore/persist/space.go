package persist

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Free space. badger writes its memtables' logs and its tables through
// memory-mapped files whose pages the file system allocates as they are
// first written: on a full disk such a write cannot fail with an error,
// the system ends the process with SIGBUS instead, and the run's verdict
// is lost with it. A store therefore keeps a reserve: it refuses to
// start, to resume, to recover after a kill (for a read-only open too)
// or to write a part when its file system has less free
// space than the reserve and, for a part, four times the part's records
// (a memtable's log, the table it is flushed into, and compactions
// rewriting it). The search then ends with an I/O error, the store left
// as its last committed part left it, to be resumed once there is room.
// A disk that other programs fill between two checks can still end the
// process.

// spaceReserve is the free space a store keeps beyond what a write needs:
// two memtables' logs and a table of their size.
const spaceReserve = 64 << 20

// freeSpace returns the bytes free to this process on the file system
// holding dir, and false where it cannot tell. Tests replace it.
var freeSpace = statfsFree

// checkSpace returns an error when the file system of dir (of its nearest
// existing parent, for a dir not made yet) has less free space than
// writing bytes need with the reserve; then says what to do once there is
// room.
func checkSpace(dir string, writing uint64, then string) error {
	free, ok := freeSpace(dir)
	for d := dir; !ok; {
		if _, err := os.Stat(d); err == nil || filepath.Dir(d) == d {
			return nil // there, free space cannot be told
		}
		d = filepath.Dir(d)
		free, ok = freeSpace(d)
	}
	if need := spaceReserve + 4*writing; free < need {
		return fmt.Errorf("store %s: its file system has %s free, less than the %s the store needs to write safely (%s reserve): make room, then %s", dir, mib(free), mib(need), mib(spaceReserve), then)
	}
	return nil
}

// What to do once there is room: a new store is made again, a store
// that holds a run resumes from its last committed part.
const (
	thenRetry  = "run the command again"
	thenResume = "resume the store"
)

// mib formats a number of bytes in MiB.
func mib(n uint64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// killed says whether the store in dir was left by a process that did not
// close it: its memtable's log (a .mem file), which a store closed
// removes, is there, mapped whole, to be replayed.
func killed(dir string) bool {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".mem") {
			return true
		}
	}
	return false
}
