package persist

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/fb"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/badger/v4/y"
	"google.golang.org/protobuf/proto"
)

// magic is badger's external magic number for argocheck stores, so that
// badger itself refuses another application's database.
const magic = 0xA7C5

// Options configure a store. The zero value is valid: badger stays quiet.
type Options struct {
	// Log, when set, receives badger's messages (the --verbose flag).
	Log io.Writer
	// Build, when set, names the build of the program opening a store:
	// Open and OpenReadOnly refuse a store whose header names another
	// build, or none. Create compares the new run's Header.Build instead.
	Build string
}

// badgerOptions are badger's options for this load: large values written
// once per level by one writer, read back only to resume or dump a path.
//
//   - SyncWrites off: a level is made durable by one explicit Sync after
//     its commit record, not one fsync per write.
//   - Value threshold at its maximum (1 MiB) and records kept below it:
//     every value stays in the LSM tree, so that the frontier records a
//     later level deletes are reclaimed by compaction, with no value-log
//     garbage collection to run.
//   - Level-0 compaction on close: a closed store keeps only the live
//     records (about 9 bytes per state, the fingerprint and a delta-coded
//     parent, plus the last frontier), not every frontier ever written.
//   - No compression: fingerprints are random and parents are already
//     delta-coded, so compression gains little and costs the CPU the
//     workers need; no block cache follows from that, and reads are rare.
//   - No conflict detection: one goroutine writes, in batches.
//   - Two compactors and small memtable count: exploration owns the CPUs
//     and memory; the store only has to keep up with one level at a time.
//   - Memtables of 16 MiB, not 64: badger holds each in an arena of its
//     size, and flushes it through a table builder of its size too. The
//     records are small (about 9 bytes a state, frontiers compressed), and
//     at repdisk 8x4 this cut a stored run's peak memory from 685 to about
//     515 MB at the same speed (8 MiB was slower).
//   - Logger silenced unless Options.Log is set; st, when set, records
//     the failures to flush a memtable (stall.go).
func badgerOptions(dir string, o Options, st *stall) badger.Options {
	opt := badger.DefaultOptions(dir).
		WithSyncWrites(false).
		WithValueThreshold(1 << 20).
		WithCompression(options.None).
		WithBlockCacheSize(0).
		WithIndexCacheSize(0).
		WithDetectConflicts(false).
		WithNumCompactors(2).
		WithNumMemtables(2).
		WithMemTableSize(16 << 20).
		WithMetricsEnabled(false).
		WithCompactL0OnClose(true).
		WithExternalMagic(magic).
		WithLogger(nil)
	w := watcher{dir: dir, st: st}
	if o.Log != nil {
		w.log = &logger{o.Log}
	}
	if st != nil {
		return opt.WithLogger(w)
	}
	if w.log != nil {
		return opt.WithLogger(w.log)
	}
	return opt
}

// logger writes badger's messages to a writer.
type logger struct{ w io.Writer }

func (l logger) Errorf(f string, a ...any)   { l.printf("error", f, a...) }
func (l logger) Warningf(f string, a ...any) { l.printf("warning", f, a...) }
func (l logger) Infof(f string, a ...any)    { l.printf("info", f, a...) }
func (l logger) Debugf(f string, a ...any)   {}
func (l logger) printf(level, f string, a ...any) {
	fmt.Fprintf(l.w, "badger %s: %s\n", level, strings.TrimRight(fmt.Sprintf(f, a...), "\n"))
}

// openDB opens the badger database in dir. It refuses a database in use by
// another process, another application's database and a damaged one.
//
// badger reports a directory locked by another process, and another
// application's magic number, in errors of its own words that wrap no
// sentinel error and no errno. So the magic number is read from the
// manifest before badger opens it (checkManifest), and when badger fails,
// its lock is probed (inUse) to tell a store in use from a damaged one.
func openDB(dir string, o Options, readOnly bool) (s *Store, err error) {
	defer func() {
		// badger panics on some damaged files instead of failing.
		if r := recover(); r != nil {
			s, err = nil, inputErr("%s: corrupt or truncated store: %v", dir, r)
		}
	}()
	if err := checkManifest(dir); err != nil {
		return nil, lockedOr(dir, err)
	}
	if !readOnly {
		unused(dir, func() { dropUnstartedLogs(dir) })
	}
	st := newStall()
	db, err := badger.Open(badgerOptions(dir, o, st).WithReadOnly(readOnly))
	if err != nil {
		return nil, lockedOr(dir, openFailure(dir, err))
	}
	return &Store{dir: dir, db: db, stall: st}, nil
}

// openFailure returns the error for badger's failure, err, to open the
// store in dir: a file or directory this process may not read or write,
// or a full file system, is said to be so (the first bad input, the
// second an I/O failure); anything else is a corrupt store.
func openFailure(dir string, err error) error {
	switch c := cause(err); {
	case notWritable(c):
		return inputErr("store %s cannot be opened (%v): its files cannot be read or written by this process; run the command again as a user who can read and write them", dir, c)
	case noRoom(c):
		return fmt.Errorf("store %s cannot be opened (%v): make room on its file system, then %s", dir, c, thenRetry)
	}
	return inputErr("%s: corrupt or truncated store: %s", dir, firstLine(err.Error()))
}

// dropUnstartedLogs removes the empty value log and memtable files in
// dir: badger creates one of each every time it opens a store, and a kill
// before it sized the file and wrote its header leaves it empty, which
// badger then refuses to open ("Create a new file"). An empty file holds
// no record.
func dropUnstartedLogs(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return // badger says why
	}
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !(strings.HasSuffix(name, ".vlog") || strings.HasSuffix(name, ".mem")) {
			continue
		}
		if fi, err := e.Info(); err == nil && fi.Size() == 0 {
			os.Remove(filepath.Join(dir, name))
		}
	}
}

// lockedOr returns the error that says dir is in use when another process
// holds its lock, and err otherwise.
func lockedOr(dir string, err error) error {
	if inUse(dir) {
		return inputErr("%s is in use by another argocheck process", dir)
	}
	return err
}

// Badger's manifest starts with "Bdgr", then the external magic number and
// badger's own version, two bytes each, big endian.
const (
	manifestMagic     = "Bdgr"
	manifestHeaderLen = 8
)

// checkManifest refuses a store whose manifest is another application's,
// is damaged or names tables that are missing, before badger opens it:
// badger would delete the tables a damaged manifest does not name. Tables
// on disk that the manifest does not name yet are normal after a kill
// during a compaction. A directory with no manifest is a new store.
func checkManifest(dir string) error {
	f, err := os.Open(filepath.Join(dir, "MANIFEST"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return inputErr("%s: cannot read the store's manifest: %v", dir, unwrapPath(err))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return inputErr("%s: cannot read the store's manifest: %v", dir, unwrapPath(err))
	}
	var head [manifestHeaderLen]byte
	if _, err := f.ReadAt(head[:], 0); err == nil && string(head[:4]) == manifestMagic && binary.BigEndian.Uint16(head[4:6]) != magic {
		return inputErr("%s holds a badger database that is not an argocheck store", dir)
	}
	m, end, err := badger.ReplayManifestFile(f, magic, badger.DefaultOptions(dir))
	if err != nil {
		return inputErr("%s: corrupt or truncated store: manifest: %s", dir, firstLine(err.Error()))
	}
	if end != fi.Size() {
		return inputErr("%s: corrupt or truncated store: manifest damaged after byte %d of %d", dir, end, fi.Size())
	}
	for id := range m.Tables {
		name := fmt.Sprintf("%06d.sst", id)
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return inputErr("%s: corrupt or truncated store: table %s is missing", dir, name)
		}
		if err := checkTable(filepath.Join(dir, name)); err != nil {
			return inputErr("%s: corrupt or truncated store: table %s: %v", dir, name, err)
		}
	}
	return nil
}

// checkTable checks the end of a badger table file, which badger reads
// when it opens the store, on goroutines of its own where a panic on a
// damaged file cannot be recovered: the lengths of the checksum and the
// index fit in the file, the index matches its checksum, and the blocks
// it lists lie before it.
//
// A table ends with its index, the index's length (4 bytes), a checksum
// of the index (a protocol buffer) and the checksum's length (4 bytes),
// the lengths big endian.
func checkTable(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return unwrapPath(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return unwrapPath(err)
	}
	size := fi.Size()
	read := func(off, n int64) ([]byte, error) {
		if off < 0 || n < 0 || off+n > size {
			return nil, errors.New("lengths past the file's size")
		}
		b := make([]byte, n)
		_, err := f.ReadAt(b, off)
		return b, err
	}
	b, err := read(size-4, 4)
	if err != nil {
		return err
	}
	chkLen := int64(binary.BigEndian.Uint32(b))
	chkStart := size - 4 - chkLen
	b, err = read(chkStart, chkLen)
	if err != nil {
		return err
	}
	var chk pb.Checksum
	if err := proto.Unmarshal(b, &chk); err != nil {
		return errors.New("the index's checksum does not decode")
	}
	b, err = read(chkStart-4, 4)
	if err != nil {
		return err
	}
	indexStart := chkStart - 4 - int64(binary.BigEndian.Uint32(b))
	index, err := read(indexStart, chkStart-4-indexStart)
	if err != nil {
		return err
	}
	if err := y.VerifyChecksum(index, &chk); err != nil {
		return errors.New("the index does not match its checksum")
	}
	idx := fb.GetRootAsTableIndex(index, 0)
	var bo fb.BlockOffset
	for i := range idx.OffsetsLength() {
		if !idx.Offsets(&bo, i) || int64(bo.Offset())+int64(bo.Len()) > indexStart {
			return errors.New("a block lies past the index")
		}
	}
	return nil
}

// firstLine returns the first line of badger's message, so that every
// refusal is one line.
func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
