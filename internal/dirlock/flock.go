//go:build unix && !aix && !solaris

package dirlock

import (
	"errors"
	"os"
	"syscall"
)

// Supported reports whether this system has the locks: where it does not,
// TryLock always takes one, and a lock tells nothing.
const Supported = true

// TryLock takes the exclusive lock on dir without waiting. It returns nil
// and no error when the lock is held, by another process or by another
// Lock of this one.
func TryLock(dir string) (*Lock, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, nil
		}
		return nil, err
	}
	return &Lock{release: f.Close}, nil // closing drops the lock
}
