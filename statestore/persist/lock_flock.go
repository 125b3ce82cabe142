//go:build unix && !aix && !solaris

package persist

import (
	"errors"
	"os"
	"syscall"
)

// inUse reports whether another process holds the lock badger takes on the
// store in dir: a flock on the directory, exclusive for a writer, shared
// for a reader. The system drops a flock when its holder exits, even by
// kill -9, so unlike a lock file it is never stale: a killed check's store
// resumes. inUse tries the lock exclusively, without waiting, and drops it
// at once.
func inUse(dir string) bool {
	f, err := os.Open(dir)
	if err != nil {
		return false
	}
	defer f.Close() // releases the lock, if taken
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	return errors.Is(err, syscall.EWOULDBLOCK)
}

// unused runs fn while it holds badger's lock on the store in dir, and
// reports whether it did: not when another process holds the lock.
func unused(dir string, fn func()) bool {
	f, err := os.Open(dir)
	if err != nil {
		return false
	}
	defer f.Close() // releases the lock
	if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		return false
	}
	fn()
	return true
}
