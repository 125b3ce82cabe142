package persist

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
)

// errSharingViolation is Windows' ERROR_SHARING_VIOLATION, which the
// syscall package does not name.
const errSharingViolation = syscall.Errno(32)

// inUse reports whether another process holds the lock badger takes on the
// store in dir: on Windows, its LOCK file, held open with no sharing and
// deleted when closed, which the system does when its holder exits, even
// when killed. So the lock is never stale: a killed check's store resumes.
func inUse(dir string) bool {
	f, err := os.Open(filepath.Join(dir, "LOCK"))
	if err != nil {
		return errors.Is(err, errSharingViolation)
	}
	f.Close()
	return false
}

// unused runs fn unless another process holds badger's lock on the store
// in dir, and reports whether it did.
func unused(dir string, fn func()) bool {
	if inUse(dir) {
		return false
	}
	fn()
	return true
}
