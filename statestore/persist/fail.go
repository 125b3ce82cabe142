package persist

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
)

// Failures to write. badger's errors are several lines long (a file's
// error joined with "unable to open: FILE"), name badger's files rather
// than the store, and flatten the error they wrap into text (y.Wrap), so
// that errors.Is cannot find the system's error in them. A store's
// failure to write is a WriteError instead: one line that names the
// store, the system's error found in badger's (its cause) and what to
// do.

// WriteError is a store's failure to write its records, its tables or
// the memtable's log they go through first: the store is left at its
// last committed part, to be resumed once it can be written. Error
// returns one line; Unwrap returns the cause, when one was found, and
// the original error, so that errors.Is(err, fs.ErrPermission) and
// errors.Is(err, syscall.ENOSPC) hold where the cause says so.
type WriteError struct {
	// Dir is the store's directory.
	Dir string
	// What is what could not be written: "its records", "its tables".
	What string
	// Cause is the system's error found in Err (a syscall.Errno), or
	// nil when none was.
	Cause error
	// Err is the original error, badger's most often.
	Err error
	// created: the store was being created, and holds no run to resume.
	created bool
}

// Error returns the failure in one line: the store, what it could not
// write, the cause (or the first line of the original error when no
// cause was found) and what to do: resume the store, or, for a store
// that could not record its run as it was created, run the command
// again.
func (e *WriteError) Error() string {
	why := firstLine(e.Err.Error())
	if e.Cause != nil {
		why = e.Cause.Error()
	}
	if e.created {
		return fmt.Sprintf("store %s cannot write %s (%s): run the command again once %s", e.Dir, e.What, why, once(e.Cause))
	}
	return fmt.Sprintf("store %s cannot write %s (%s): it stays at its last committed part; resume it with 'argocheck resume %s' once %s", e.Dir, e.What, why, e.Dir, once(e.Cause))
}

// Unwrap returns the cause, when one was found, and the original error.
func (e *WriteError) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Err}
	}
	return []error{e.Cause, e.Err}
}

// writeErr returns err, a failure to write what in the store in dir, as a
// WriteError; a WriteError already, or nil, is returned as it is.
func writeErr(dir, what string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errors.AsType[*WriteError](err); ok {
		return err
	}
	return &WriteError{Dir: dir, What: what, Cause: cause(err), Err: err}
}

// once says when a store that failed with cause can be written again.
func once(cause error) string {
	if noRoom(cause) {
		return "its file system has room"
	}
	return "its directory can be written"
}

// noRoom reports whether cause is a full file system or quota.
func noRoom(cause error) bool {
	return errors.Is(cause, syscall.ENOSPC) || errors.Is(cause, syscall.EDQUOT)
}

// notWritable reports whether cause is a directory or file system this
// process may not write to.
func notWritable(cause error) bool {
	return errors.Is(cause, syscall.EACCES) || errors.Is(cause, syscall.EPERM) || errors.Is(cause, syscall.EROFS)
}

// causes are the system's errors that cause looks for in badger's text,
// the likeliest first.
var causes = []syscall.Errno{
	syscall.EACCES, syscall.EPERM, syscall.EROFS, syscall.ENOSPC, syscall.EDQUOT,
	syscall.EIO, syscall.EISDIR, syscall.ENOTDIR, syscall.ENOENT, syscall.EMFILE,
	syscall.ENFILE, syscall.ENOMEM,
}

// cause returns the system's error that err wraps or, as badger flattens
// the errors it wraps into text, that its text ends a line or a clause
// with ("open DIR/00003.mem: permission denied"), or nil.
func cause(err error) error {
	if errno, ok := errors.AsType[syscall.Errno](err); ok {
		return errno
	}
	msg := err.Error()
	for _, errno := range causes {
		text := errno.Error()
		for i := 0; ; {
			j := strings.Index(msg[i:], ": "+text)
			if j < 0 {
				break
			}
			end := i + j + 2 + len(text)
			if end == len(msg) || strings.ContainsRune("\n,;)", rune(msg[end])) {
				return errno
			}
			i = end
		}
	}
	return nil
}
