// Package dirlock takes advisory locks on directories: a flock on the
// directory itself, where the system offers one. The system drops such a
// lock when its holder exits, even by kill -9, so a lock is never stale:
// a directory that can be locked is held by no running process.
package dirlock

// Lock is a lock held on a directory.
type Lock struct{ release func() error }

// Release drops the lock; on a nil Lock it does nothing.
func (l *Lock) Release() error {
	if l == nil {
		return nil
	}
	return l.release()
}
