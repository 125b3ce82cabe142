//go:build unix && !aix && !solaris

package persist

import "github.com/argocheck/argocheck/internal/dirlock"

// inUse reports whether another process holds the lock badger takes on the
// store in dir: a flock on the directory, exclusive for a writer, shared
// for a reader. The system drops a flock when its holder exits, even by
// kill -9, so unlike a lock file it is never stale: a killed check's store
// resumes. inUse tries the lock exclusively, without waiting, and drops it
// at once.
func inUse(dir string) bool {
	l, err := dirlock.TryLock(dir)
	if l != nil {
		l.Release()
	}
	return l == nil && err == nil
}

// unused runs fn while it holds badger's lock on the store in dir, and
// reports whether it did: not when another process holds the lock.
func unused(dir string, fn func()) bool {
	l, err := dirlock.TryLock(dir)
	if l == nil || err != nil {
		return false
	}
	defer l.Release()
	fn()
	return true
}
