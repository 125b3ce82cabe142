package persist

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// A store's directory is checked before anything in it changes: every
// directory a store cannot be created in, or opened from, is refused with
// one line that says why (an InputError).

// checkNewDir refuses a dir to create a store in that is a file, lies
// under a file or is not writable; a dir that does not exist is created,
// with its parents.
func checkNewDir(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return inputErr("cannot create store directory %s: %v", dir, unwrapPath(err))
		}
	case errors.Is(err, syscall.ENOTDIR):
		return inputErr("cannot create store directory %s: a parent is a file", dir)
	case err != nil:
		return inputErr("store directory %s: %v", dir, unwrapPath(err))
	case !fi.IsDir():
		return inputErr("store directory %s is a file, not a directory", dir)
	}
	return checkWritable(dir)
}

// checkNewContents refuses a dir to create a store in that holds files
// other than a store, or a store that is not empty, saying whose it is
// (this run's or another's). It removes the files badger writes before its
// manifest: they are left by a check killed as it created its store, and
// hold no record.
func checkNewContents(dir string, run Header, o Options) error {
	entries, err := os.ReadDir(dir)
	switch {
	case err != nil:
		return inputErr("store directory %s: %v", dir, unwrapPath(err))
	case len(entries) == 0:
		return nil
	case startedOnly(entries):
		if inUse(dir) {
			return inputErr("%s is in use by another argocheck process", dir)
		}
		for _, e := range entries {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return inputErr("store directory %s: %v", dir, unwrapPath(err))
			}
		}
		return nil
	case !isStore(dir):
		return inputErr("%s is not empty and holds no argocheck store: choose an empty or new directory", dir)
	}
	return refuseStore(dir, run, o)
}

// refuseStore refuses the store in dir, unless its database is empty: a
// check stopped before it recorded its run.
func refuseStore(dir string, run Header, o Options) error {
	// Read-only, so that a refusal changes nothing; badger refuses
	// read-only a store that needs recovery after a kill (and Windows any
	// read-only store), which only a writer can open.
	s, err := openDB(dir, o, true)
	if err != nil {
		if s, err = openDB(dir, o, false); err != nil {
			return err
		}
	}
	defer s.db.Close()
	return s.refuse(run)
}

// refuse refuses to start run in the open store s, unless its database
// is empty, saying whose store it holds (this run's or another's).
func (s *Store) refuse(run Header) error {
	dir := s.dir
	old, err := s.readRun()
	switch {
	case errors.Is(err, errNoRun) && s.empty():
		return nil
	case errors.Is(err, errNoRun):
		return s.corrupt("run", errors.New("missing"))
	case err != nil:
		return err
	case old.Format != FormatVersion:
		return inputErr("%s holds a store of format version %d; this argocheck writes version %d: choose another directory", dir, old.Format, FormatVersion)
	case old.Build != run.Build:
		return anotherBuild(dir, old.Build, run.Build)
	case !old.Same(run):
		return inputErr("%s holds the store of another run (%s), not of this check (%s): choose another directory", dir, old, run)
	}
	if done, err := s.get(keyDone); err == nil && done != nil {
		return inputErr("%s already holds the store of this run, finished: 'argocheck trace %s' shows its result; or choose another directory", dir, dir)
	}
	return inputErr("%s already holds the store of this run: continue it with 'argocheck resume %s', or choose another directory", dir, dir)
}

// anotherBuild refuses the store in dir, made by build found, to a
// program of build want: its states came from the other build's layer
// code, which may differ from this one's.
func anotherBuild(dir, found, want string) error {
	return inputErr("%s holds a store made by another build of argocheck (build %s), not by this one (build %s): a store belongs to the build that made it; give this run a new store directory ('argocheck --version' shows a program's build)", dir, buildName(found), buildName(want))
}

// buildName names a build in messages.
func buildName(build string) string {
	if build == "" {
		return "none recorded"
	}
	return build
}

// checkStoreDir refuses a dir to open a store from that does not exist,
// is a file or holds no store, or, unless readOnly, is not writable.
func checkStoreDir(dir string, readOnly bool) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return inputErr("no store at %s: the directory does not exist", dir)
	case err != nil:
		return inputErr("store directory %s: %v", dir, unwrapPath(err))
	case !fi.IsDir():
		return inputErr("store directory %s is a file, not a directory", dir)
	case !isStore(dir):
		if entries, err := os.ReadDir(dir); err == nil && startedOnly(entries) {
			// Empty, or the files badger writes before its manifest: a
			// check killed as it created its store leaves them, and
			// takes the directory again.
			return inputErr("%s holds no argocheck store (it is empty, or holds what a check killed as it created its store leaves): start a check there with 'argocheck check ... --store %s'", dir, dir)
		}
		return inputErr("%s holds no argocheck store", dir)
	case readOnly:
		return nil
	}
	return checkWritable(dir)
}

// probePrefix starts the name of the file checkWritable creates.
const probePrefix = ".argocheck-probe-"

// checkWritable refuses a directory this process cannot create files in.
func checkWritable(dir string) error {
	if err := probeWritable(dir); err != nil {
		return inputErr("store directory %s is not writable: %v", dir, err)
	}
	return nil
}

// probeWritable returns why this process cannot create files in dir (the
// cause of the system's error, the path left out), or nil. It creates and
// removes a file there: permission bits do not tell everything (access
// lists, read-only mounts), and this works alike on every system. Tests
// replace it: as root, permission bits do not bite.
var probeWritable = func(dir string) error {
	f, err := os.CreateTemp(dir, probePrefix+"*")
	if err != nil {
		return unwrapPath(err)
	}
	name := f.Name()
	f.Close()
	return unwrapPath(os.Remove(name))
}

// startedOnly reports whether a directory's entries are only those badger
// creates before its manifest (the first manifest too, written under
// another name and then renamed), and checkWritable's probe: a store
// killed as it was being created.
func startedOnly(entries []fs.DirEntry) bool {
	for _, e := range entries {
		switch name := e.Name(); {
		case name == "LOCK" || name == "KEYREGISTRY" || name == "DISCARD" || name == "MANIFEST-REWRITE":
		case strings.HasSuffix(name, ".vlog") || strings.HasSuffix(name, ".mem"):
		case strings.HasPrefix(name, probePrefix):
		default:
			return false
		}
	}
	return true
}

// isStore reports whether dir holds a badger database.
func isStore(dir string) bool {
	fi, err := os.Stat(filepath.Join(dir, "MANIFEST"))
	return err == nil && fi.Mode().IsRegular()
}

// unwrapPath returns the cause of a path error, whose path the message
// names already.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// memLogs is what a store's directory holds of its memtables' logs (the
// .mem files, where badger keeps a store's last writes until they go into
// its tables), looked at before badger opens the store: badger removes
// the logs that hold no record as it opens it. A store with no run tells
// by them whether its check stopped before it recorded its run or the
// store lost its log.
type memLogs struct {
	// missing: no log, though the value log (a .vlog file), which badger
	// makes after the memtable's and cuts to what it holds as it closes
	// the store, is longer than its header: the store was not closed,
	// and badger had made its log.
	missing bool
	// written names a log with bytes past its header, which the first
	// record, the run's, follows.
	written string
}

// logHeader is the length of the header of a memtable's or value log
// (badger's vlogHeaderSize); records follow it, and a memtable's log is
// zeros after the last one.
const logHeader = 20

// readLogs returns what dir holds of its memtables' logs.
func readLogs(dir string) memLogs {
	var l memLogs
	entries, _ := os.ReadDir(dir)
	mem, vlog := false, false
	for _, e := range entries {
		name := e.Name()
		if strings.HasSuffix(name, ".vlog") {
			fi, err := e.Info()
			vlog = vlog || err == nil && fi.Size() > logHeader
		}
		if !strings.HasSuffix(name, ".mem") {
			continue
		}
		mem = true
		if l.written == "" && written(filepath.Join(dir, name)) {
			l.written = name
		}
	}
	l.missing = !mem && vlog
	return l
}

// written reports whether the log at path holds bytes other than zeros
// in the first 64 KiB past its header.
func written(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, 64<<10)
	n, _ := f.ReadAt(b, logHeader)
	return slices.ContainsFunc(b[:n], func(c byte) bool { return c != 0 })
}
