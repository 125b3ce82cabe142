package persist

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/statestore"
)

var testRun = Header{System: "repdisk", Params: map[string]string{"blocks": "3", "values": "2", "oob": "false"}, Build: "0123456789abcdef"}

// explore runs (or resumes) repdisk at blocks 4, values 3 into st, and
// finishes the store unless the search stopped.
func explore(t *testing.T, st *Store, cfg explorer.Config) *explorer.Result {
	t.Helper()
	chk, err := layers.Build("repdisk", catalog.Params{layers.Blocks: 4, layers.Values: 3}, "")
	if err != nil {
		t.Fatal(err)
	}
	res := resume(t, chk, st, cfg)
	if res.Verdict != explorer.Incomplete {
		if err := st.Finish(&statestore.Outcome{Verdict: string(res.Verdict), States: res.States, Transitions: res.Transitions}); err != nil {
			t.Fatal(err)
		}
	}
	return res
}

// A run stopped by a bound, closed and reopened, resumes level by level to
// the counts of an uninterrupted run; the finished store says so.
func TestStoreResumes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	chk, _ := layers.Build("repdisk", catalog.Params{layers.Blocks: 4, layers.Values: 3}, "")
	want, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	st, err := Create(dir, testRun, Options{})
	if err != nil {
		t.Fatal(err)
	}
	stops := 0
	for bound := uint64(100); ; bound *= 3 {
		res := explore(t, st, explorer.Config{Workers: 2, MaxStates: bound})
		depth := st.Depth()
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		if st, err = Open(dir, Options{}); err != nil {
			t.Fatal(err)
		}
		if st.Depth() != depth {
			t.Fatalf("reopened at level %d, closed at %d", st.Depth(), depth)
		}
		if res.Verdict != explorer.Incomplete {
			if res.States != want.States || res.Transitions != want.Transitions || res.CrashPoints != want.CrashPoints || res.Depth != want.Depth {
				t.Fatalf("after %d stops: %+v, uninterrupted %+v", stops, res, want)
			}
			break
		}
		stops++
	}
	defer st.Close()
	if stops < 2 {
		t.Fatalf("only %d stops: the test needs a larger system", stops)
	}
	if o := st.Outcome(); o == nil || o.Verdict != "verified" || o.States != want.States {
		t.Fatalf("stored outcome %+v, want verified with %d states", o, want.States)
	}
	if !st.Header().Same(testRun) || st.Header().Format != FormatVersion {
		t.Fatalf("stored run %+v, want %+v", st.Header(), testRun)
	}
	// Every state's parent reads back; initial states name the root.
	for n := uint64(0); n < want.States; n++ {
		p, err := st.Parent(n)
		if err != nil {
			t.Fatal(err)
		}
		// An edge key is the parent's number above a 24-bit ordinal; the
		// largest number stands for the root.
		if parent := p >> 24; parent != 1<<40-1 && parent >= n {
			t.Fatalf("state %d has parent %d", n, parent)
		}
	}
	if _, err := st.Parent(want.States); err == nil {
		t.Fatalf("parent of state %d, beyond the last: no error", want.States)
	}
	// Only the frontier of the level a resumed search expands, and of the
	// next one, are kept.
	frontiers := 0
	st.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte("f/")})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			frontiers++
		}
		return nil
	})
	depth, _ := st.expanding()
	kept := 0
	for _, p := range st.parts {
		if p.Level >= depth {
			kept += p.FrontierChunks
		}
	}
	if frontiers != kept {
		t.Fatalf("%d frontier records kept, want level %d's and the next's, %d", frontiers, depth, kept)
	}
}

// dirSums returns every file under dir with a hash of its contents.
func dirSums(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	sums := map[string][32]byte{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			b, _ := os.ReadFile(p)
			sums[p] = sha256.Sum256(b)
		}
		return nil
	})
	return sums
}

func finishedStore(t *testing.T, dir string, run Header) {
	t.Helper()
	st, err := Create(dir, run, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Finish(&statestore.Outcome{Verdict: "verified"}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}

// unfinishedStore writes a store of testRun in dir, stopped after a few
// levels.
func unfinishedStore(t *testing.T, dir string) {
	t.Helper()
	st, err := Create(dir, testRun, Options{})
	if err != nil {
		t.Fatal(err)
	}
	explore(t, st, explorer.Config{Workers: 1, MaxStates: 300})
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}

// edit changes the records of the store in dir directly.
func edit(t *testing.T, dir string, fn func(txn *badger.Txn) error) {
	t.Helper()
	db, err := badger.Open(badgerOptions(dir, Options{}, nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
	db.Close()
}

// editPart changes part seq's record in the store in dir, keeping its
// checksum valid.
func editPart(t *testing.T, dir string, seq int, fn func(p *part)) {
	t.Helper()
	edit(t, dir, func(txn *badger.Txn) error {
		it, err := txn.Get(keyPart(seq))
		if err != nil {
			return err
		}
		rec, err := it.ValueCopy(nil)
		if err != nil {
			return err
		}
		p, err := decodePart(rec)
		if err != nil {
			return err
		}
		fn(p)
		return txn.Set(keyPart(seq), encodePart(p))
	})
}

// setFormat makes the store in dir one of another format version, as
// that version writes its run record: the version, then the header.
func setFormat(t *testing.T, dir string, format int) {
	t.Helper()
	r := testRun
	r.Format = format
	edit(t, dir, func(txn *badger.Txn) error { return txn.Set(keyRun, encodeRun(r)) })
}

// setBuild makes the store in dir one made by build ("": one made before
// builds were recorded).
func setBuild(t *testing.T, dir string, build string) {
	t.Helper()
	r := testRun
	r.Format, r.Build = FormatVersion, build
	edit(t, dir, func(txn *badger.Txn) error { return txn.Set(keyRun, encodeRun(r)) })
}

// Create refuses every directory it cannot start a new store in, with one
// line naming it, and changes nothing there.
func TestCreateRefuses(t *testing.T) {
	other := testRun
	other.Variant = "no-recovery"
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string) string // returns the DIR to use
		want  string
	}{
		{"file", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "f")
			os.WriteFile(p, []byte("x"), 0o644)
			return p
		}, "is a file, not a directory"},
		{"under a file", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "f")
			os.WriteFile(p, []byte("x"), 0o644)
			return filepath.Join(p, "store")
		}, "cannot create store directory"},
		{"not a store", func(t *testing.T, dir string) string {
			os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
			return dir
		}, "is not empty and holds no argocheck store"},
		{"another run", func(t *testing.T, dir string) string {
			finishedStore(t, dir, other)
			return dir
		}, "holds the store of another run (system=repdisk variant=no-recovery blocks=3 oob=false values=2), not of this check (system=repdisk variant=correct"},
		{"another determinism", func(t *testing.T, dir string) string {
			full := testRun
			full.Determinism = "full"
			finishedStore(t, dir, full)
			return dir
		}, "holds the store of another run (system=repdisk variant=correct blocks=3 oob=false values=2 determinism=full), not of this check"},
		{"this run", func(t *testing.T, dir string) string {
			finishedStore(t, dir, testRun)
			return dir
		}, "already holds the store of this run, finished: 'argocheck trace"},
		{"this run, unfinished", func(t *testing.T, dir string) string {
			unfinishedStore(t, dir)
			return dir
		}, "already holds the store of this run: continue it with 'argocheck resume"},
		{"format version 1", func(t *testing.T, dir string) string {
			finishedStore(t, dir, testRun)
			setFormat(t, dir, 1)
			return dir
		}, fmt.Sprintf("holds a store of format version 1; this argocheck writes version %d: choose another directory", FormatVersion)},
		{"another build, finished", func(t *testing.T, dir string) string {
			finishedStore(t, dir, testRun)
			setBuild(t, dir, "fedcba9876543210")
			return dir
		}, "holds a store made by another build of argocheck (build fedcba9876543210), not by this one (build 0123456789abcdef): a store belongs to the build that made it; give this run a new store directory"},
		{"another build, unfinished", func(t *testing.T, dir string) string {
			unfinishedStore(t, dir)
			setBuild(t, dir, "fedcba9876543210")
			return dir
		}, "(build fedcba9876543210), not by this one (build 0123456789abcdef)"},
		{"no build recorded", func(t *testing.T, dir string) string {
			unfinishedStore(t, dir)
			setBuild(t, dir, "")
			return dir
		}, "holds a store made by another build of argocheck (build none recorded), not by this one (build 0123456789abcdef)"},
		{"not writable", func(t *testing.T, dir string) string {
			if os.Geteuid() == 0 {
				t.Skip("root writes anywhere")
			}
			os.Chmod(dir, 0o555)
			t.Cleanup(func() { os.Chmod(dir, 0o755) })
			return dir
		}, "is not writable"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.setup(t, t.TempDir())
			before := dirSums(t, filepath.Dir(dir))
			st, err := Create(dir, testRun, Options{})
			refusedInOneLine(t, st, err, tc.want)
			after := dirSums(t, filepath.Dir(dir))
			for p, sum := range before {
				if after[p] != sum && !strings.HasSuffix(p, "LOCK") {
					t.Errorf("%s changed", p)
				}
			}
		})
	}
}

// A store that another process makes in the directory, and closes, after
// Create looked at it and before Create opens it, is refused as one there
// from the start would be, and left as it is: its levels and its verdict
// are not taken over under the new run's header.
func TestCreateRefusesAStoreMadeMeanwhile(t *testing.T) {
	bigger := testRun
	bigger.Params = map[string]string{"blocks": "3", "values": "3", "oob": "false"}
	cases := []struct {
		name string
		make func(t *testing.T, dir string) // the other process's store
		want string
	}{
		{"another run, finished", func(t *testing.T, dir string) { finishedStore(t, dir, testRun) },
			"holds the store of another run (system=repdisk variant=correct blocks=3 oob=false values=2), not of this check (system=repdisk variant=correct blocks=3 oob=false values=3)"},
		{"another run, unfinished", func(t *testing.T, dir string) { unfinishedStore(t, dir) },
			"holds the store of another run (system=repdisk variant=correct blocks=3 oob=false values=2)"},
		{"this run, finished", func(t *testing.T, dir string) { finishedStore(t, dir, bigger) },
			"already holds the store of this run, finished"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "store")
			made := false
			creating = func(d string) {
				creating = nil // the other process's own Create
				tc.make(t, d)
				made = true
			}
			t.Cleanup(func() { creating = nil })
			st, err := Create(dir, bigger, Options{})
			if !made {
				t.Fatal("the other store was not made meanwhile")
			}
			refusedInOneLine(t, st, err, tc.want)
			// The other store is as it was made: its header, its outcome.
			other, err := Open(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			h := other.Header()
			if tc.name != "this run, finished" && !h.Same(testRun) {
				t.Errorf("the other store's header is now %v, want %v", h, testRun)
			}
			if finished := strings.HasSuffix(tc.name, ", finished"); (other.Outcome() != nil) != finished {
				t.Errorf("the other store's outcome is %+v; finished %t", other.Outcome(), finished)
			}
		})
	}
}

// Open refuses every directory that holds no usable store, with one line
// naming it.
func TestOpenRefuses(t *testing.T) {
	stored := unfinishedStore
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string) string
		want  string
	}{
		{"missing", func(t *testing.T, dir string) string { return filepath.Join(dir, "none") }, "the directory does not exist"},
		{"file", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "f")
			os.WriteFile(p, []byte("x"), 0o644)
			return p
		}, "is a file, not a directory"},
		{"empty", func(t *testing.T, dir string) string { return dir }, "holds no argocheck store (it is empty, or holds what a check killed as it created its store leaves): start a check there with 'argocheck check ... --store " + "%DIR%'"},
		{"badger's first files", func(t *testing.T, dir string) string {
			for _, f := range []string{"LOCK", "MANIFEST-REWRITE", "000001.vlog"} {
				os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o644)
			}
			return dir
		}, "holds no argocheck store (it is empty, or holds what a check killed as it created its store leaves): start a check there with 'argocheck check ... --store " + "%DIR%'"},
		{"other files", func(t *testing.T, dir string) string {
			os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
			return dir
		}, "holds no argocheck store%END%"},
		{"foreign badger", func(t *testing.T, dir string) string {
			db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
			if err != nil {
				t.Fatal(err)
			}
			db.Close()
			return dir
		}, "holds a badger database that is not an argocheck store"},
		{"format version 1", func(t *testing.T, dir string) string {
			stored(t, dir)
			setFormat(t, dir, 1)
			return dir
		}, fmt.Sprintf("holds a store of format version 1; this argocheck reads version %d", FormatVersion)},
		{"next format version", func(t *testing.T, dir string) string {
			stored(t, dir)
			setFormat(t, dir, FormatVersion+1)
			return dir
		}, fmt.Sprintf("holds a store of format version %d; this argocheck reads version %d", FormatVersion+1, FormatVersion)},
		{"no run", func(t *testing.T, dir string) string {
			stored(t, dir)
			edit(t, dir, func(txn *badger.Txn) error { return txn.Delete(keyRun) })
			return dir
		}, "corrupt or truncated store: run: missing"},
		{"damaged head", func(t *testing.T, dir string) string {
			stored(t, dir)
			edit(t, dir, func(txn *badger.Txn) error { return txn.Set(keyHead, []byte("garbage")) })
			return dir
		}, "corrupt or truncated store: head"},
		{"damaged run", func(t *testing.T, dir string) string {
			stored(t, dir)
			edit(t, dir, func(txn *badger.Txn) error {
				rec := encodeRun(testRun)
				rec[len(rec)/2] ^= 1
				return txn.Set(keyRun, rec)
			})
			return dir
		}, "corrupt or truncated store: run"},
		{"missing part", func(t *testing.T, dir string) string {
			stored(t, dir)
			edit(t, dir, func(txn *badger.Txn) error { return txn.Delete(keyPart(1)) })
			return dir
		}, "corrupt or truncated store: part 1"},
		// Part records that decode, with their checksums, but do not
		// fit with the rest of the store.
		{"part out of place", func(t *testing.T, dir string) string {
			stored(t, dir)
			editPart(t, dir, 1, func(p *part) { p.First++ })
			return dir
		}, "corrupt or truncated store: part 1"},
		{"part with a states record too many", func(t *testing.T, dir string) string {
			stored(t, dir)
			editPart(t, dir, 1, func(p *part) { p.StateChunks++ })
			return dir
		}, "corrupt or truncated store: part 1"},
		{"missing states", func(t *testing.T, dir string) string {
			stored(t, dir)
			edit(t, dir, func(txn *badger.Txn) error { return txn.Delete(keyChunk('s', 0, 0)) })
			return dir
		}, "corrupt or truncated store: record"},
		{"missing frontier", func(t *testing.T, dir string) string {
			stored(t, dir)
			st, _ := Open(dir, Options{})
			depth, _ := st.expanding()
			seq := -1
			for _, p := range st.parts {
				if p.Level >= depth && p.FrontierChunks > 0 {
					seq = p.Seq
				}
			}
			st.Close()
			edit(t, dir, func(txn *badger.Txn) error { return txn.Delete(keyChunk('f', seq, 0)) })
			return dir
		}, "corrupt or truncated store: record"},
		{"truncated files", func(t *testing.T, dir string) string {
			stored(t, dir)
			filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
				if err == nil && d.Type().IsRegular() && (strings.HasSuffix(p, ".sst") || p == filepath.Join(dir, "MANIFEST")) {
					fi, _ := d.Info()
					os.Truncate(p, fi.Size()/2)
				}
				return nil
			})
			return dir
		}, "corrupt or truncated store"},
	}
	// Tables damaged alone, the manifest intact: badger would panic
	// opening them, on goroutines of its own.
	for _, d := range []struct {
		name   string
		damage func(p string, size int64)
	}{
		{"table cut to 100 bytes", func(p string, _ int64) { os.Truncate(p, 100) }},
		{"table cut to 1000 bytes", func(p string, _ int64) { os.Truncate(p, 1000) }},
		{"table missing its last byte", func(p string, size int64) { os.Truncate(p, size-1) }},
		{"table's index changed", func(p string, size int64) {
			f, _ := os.OpenFile(p, os.O_RDWR, 0)
			b := make([]byte, 1)
			f.ReadAt(b, size-40)
			b[0] ^= 0x55
			f.WriteAt(b, size-40)
			f.Close()
		}},
	} {
		cases = append(cases, struct {
			name  string
			setup func(t *testing.T, dir string) string
			want  string
		}{d.name, func(t *testing.T, dir string) string {
			stored(t, dir)
			tables, _ := filepath.Glob(filepath.Join(dir, "*.sst"))
			if len(tables) == 0 {
				t.Fatal("the store has no table to damage")
			}
			for _, p := range tables {
				fi, _ := os.Stat(p)
				d.damage(p, fi.Size())
			}
			return dir
		}, "corrupt or truncated store: table"})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.setup(t, t.TempDir())
			st, err := Open(dir, Options{})
			// %DIR% stands for dir, and %END% for the message's end.
			want, end := strings.CutSuffix(strings.ReplaceAll(tc.want, "%DIR%", dir), "%END%")
			refusedInOneLine(t, st, err, want)
			if end && !strings.HasSuffix(err.Error(), want) {
				t.Errorf("error %q, want it to end with %q", err, want)
			}
		})
	}
}

// Open and OpenReadOnly refuse, with one line naming both builds, a store
// made by another build than Options.Build, or by one that recorded none;
// without Options.Build they open a store of any build.
func TestOpenRefusesAnotherBuild(t *testing.T) {
	opens := []struct {
		name string
		open func(dir string, o Options) (*Store, error)
	}{{"Open", Open}, {"OpenReadOnly", OpenReadOnly}}
	cases := []struct {
		name           string
		stored, opener string
		want           string // "" when it opens
	}{
		{"same build", "0123456789abcdef", "0123456789abcdef", ""},
		{"no build asked", "fedcba9876543210", "", ""},
		{"another build", "fedcba9876543210", "0123456789abcdef",
			"holds a store made by another build of argocheck (build fedcba9876543210), not by this one (build 0123456789abcdef): a store belongs to the build that made it; give this run a new store directory ('argocheck --version' shows a program's build)"},
		{"no build recorded", "", "0123456789abcdef", "(build none recorded), not by this one (build 0123456789abcdef)"},
	}
	for _, finished := range []bool{false, true} {
		for _, tc := range cases {
			for _, o := range opens {
				t.Run(fmt.Sprintf("%s/finished=%v/%s", tc.name, finished, o.name), func(t *testing.T) {
					dir := t.TempDir()
					if finished {
						finishedStore(t, dir, testRun)
					} else {
						unfinishedStore(t, dir)
					}
					setBuild(t, dir, tc.stored)
					st, err := o.open(dir, Options{Build: tc.opener})
					if tc.want == "" {
						if err != nil {
							t.Fatal(err)
						}
						if got := st.Header().Build; got != tc.stored {
							t.Errorf("header's build %q, want %q", got, tc.stored)
						}
						st.Close()
						return
					}
					refusedInOneLine(t, st, err, tc.want)
				})
			}
		}
	}
}

// A store in use by another process (here, another open of it) is refused
// by every way in, while a lock file left by a killed process blocks
// nothing: badger's lock on the directory is released by the system.
func TestStoreInUse(t *testing.T) {
	opens := []struct {
		name string
		open func(dir string) (*Store, error)
	}{
		{"Open", func(dir string) (*Store, error) { return Open(dir, Options{}) }},
		{"OpenReadOnly", func(dir string) (*Store, error) { return OpenReadOnly(dir, Options{}) }},
		{"Create", func(dir string) (*Store, error) { return Create(dir, testRun, Options{}) }},
	}
	dir := t.TempDir()
	st, err := Create(dir, testRun, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range opens {
		if s2, err := o.open(dir); err == nil || !strings.Contains(err.Error(), "is in use by another argocheck process") {
			if err == nil {
				s2.Close()
			}
			t.Errorf("%s of a store in use: error %v, want in use", o.name, err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "LOCK"), []byte("999999\n"), 0o644)
	st, err = Open(dir, Options{})
	if err != nil {
		t.Fatalf("Open with a stale lock file: %v", err)
	}
	st.Close()
}

// A corrupt states record is found when the checkpoint is read: a valid
// record with fewer states than its part, or with one more; and the parent
// of a state the record lacks is an error, not a panic.
func TestSavedDetectsDamage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(keys, parents []uint64) ([]uint64, []uint64)
		lacks  bool // the record lacks the part's second state
	}{
		{"one state", func([]uint64, []uint64) ([]uint64, []uint64) { return []uint64{1}, []uint64{0} }, true},
		{"a state more", func(keys, parents []uint64) ([]uint64, []uint64) {
			return append(keys, 1), append(parents, parents[len(parents)-1])
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			st, err := Create(dir, testRun, Options{})
			if err != nil {
				t.Fatal(err)
			}
			explore(t, st, explorer.Config{Workers: 1, MaxStates: 300})
			st.Close()
			edit(t, dir, func(txn *badger.Txn) error {
				it, err := txn.Get(keyChunk('s', 1, 0))
				if err != nil {
					return err
				}
				rec, err := it.ValueCopy(nil)
				if err != nil {
					return err
				}
				keys, parents, err := decodeStates(rec, nil, nil)
				if err != nil {
					return err
				}
				keys, parents = tc.damage(keys, parents)
				return txn.Set(keyChunk('s', 1, 0), encodeStates(nil, keys, parents))
			})
			st, err = Open(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if _, err := st.Saved(); err == nil || !strings.Contains(err.Error(), "corrupt or truncated store") {
				t.Fatalf("error %v, want corrupt", err)
			}
			if n := st.parts[1].First + 1; tc.lacks {
				if _, err := st.Parent(n); err == nil || !strings.Contains(err.Error(), "corrupt or truncated store") {
					t.Fatalf("parent of state %d, which the record lacks: %v, want corrupt", n, err)
				}
			}
		})
	}
}

// A store killed while badger was creating it, before its manifest or
// while it wrote its first manifest, or while its directory's writability
// was probed, is started again by Create.
func TestCreateAfterKillAtStart(t *testing.T) {
	cases := []struct {
		name  string
		files []string
	}{
		{"before the manifest", []string{"LOCK", "KEYREGISTRY", "000001.vlog", probePrefix + "123"}},
		{"writing the manifest", []string{"LOCK", "MANIFEST-REWRITE"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, name := range tc.files {
				os.WriteFile(filepath.Join(dir, name), nil, 0o644)
			}
			st, err := Create(dir, testRun, Options{})
			if err != nil {
				t.Fatal(err)
			}
			st.Close()
			if st, err = Open(dir, Options{}); err != nil || !st.Header().Same(testRun) {
				t.Fatalf("reopened: %v", err)
			}
			st.Close()
		})
	}
}

// Header.Same tells runs apart by every field but the format version, and
// String names every field of the check that tells them apart (a build
// has a message of its own, anotherBuild).
func TestHeaderSame(t *testing.T) {
	base := Header{Format: FormatVersion, System: "log", Variant: "", Params: map[string]string{"blocks": "2", "log": "3"}}
	cases := []struct {
		name   string
		change func(h *Header)
		same   bool
		str    string
	}{
		{"itself", func(h *Header) {}, true, "system=log variant=correct blocks=2 log=3"},
		{"format", func(h *Header) { h.Format = 1 }, true, "system=log variant=correct blocks=2 log=3"},
		{"system", func(h *Header) { h.System = "repdisk" }, false, "system=repdisk variant=correct blocks=2 log=3"},
		{"variant", func(h *Header) { h.Variant = "no-commit" }, false, "system=log variant=no-commit blocks=2 log=3"},
		{"param value", func(h *Header) { h.Params = map[string]string{"blocks": "2", "log": "4"} }, false, "system=log variant=correct blocks=2 log=4"},
		{"param more", func(h *Header) { h.Params = map[string]string{"blocks": "2", "log": "3", "oob": "true"} }, false, "system=log variant=correct blocks=2 log=3 oob=true"},
		{"crash", func(h *Header) { h.Crash = "ops" }, false, "system=log variant=correct blocks=2 log=3 crash=ops"},
		{"determinism", func(h *Header) { h.Determinism = "full" }, false, "system=log variant=correct blocks=2 log=3 determinism=full"},
		{"build", func(h *Header) { h.Build = "0123456789abcdef" }, false, "system=log variant=correct blocks=2 log=3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := base
			h.Params = maps.Clone(base.Params)
			tc.change(&h)
			if h.Same(base) != tc.same || base.Same(h) != tc.same {
				t.Errorf("%s.Same(%s) = %v, want %v", h, base, h.Same(base), tc.same)
			}
			if h.String() != tc.str {
				t.Errorf("String() = %q, want %q", h.String(), tc.str)
			}
		})
	}
}

// A finished run's outcome and violations, the panic site included, read
// back from the reopened store.
func TestFinishKeepsViolations(t *testing.T) {
	dir := t.TempDir()
	st, err := Create(dir, testRun, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := &statestore.Outcome{
		Verdict: "violation", States: 12, Transitions: 40, CrashPoints: 9, Depth: 3,
		Violations: []statestore.ViolationRecord{
			{Kind: "panic", Message: "layer code panicked: boom (at layers/x/x.go:7)", Where: "layers/x/x.go:7", Edge: 5<<24 | 2},
			{Kind: "recovery", Message: "recovered to an unrelated state", Edge: 7 << 24},
		},
	}
	if err := st.Finish(want); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if st, err = OpenReadOnly(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if got := st.Outcome(); !reflect.DeepEqual(got, want) {
		t.Fatalf("stored outcome %+v, want %+v", got, want)
	}
}

// refusedInOneLine fails t unless err, the error of a call that returned
// st, is an InputError of one line that says want.
func refusedInOneLine(t *testing.T, st *Store, err error, want string) {
	t.Helper()
	if err == nil {
		st.Close()
		t.Fatal("no error")
	}
	var ie *InputError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("error %q, want one line with %q", err, want)
	}
}

// A store killed while badger was creating a value log or memtable file,
// before it wrote the file's header, opens for resuming with the records
// it had, as every killed store does: the empty file held none.
func TestOpenAfterKillCreatingAFile(t *testing.T) {
	cases := []struct {
		name  string
		files func(vlogs, mems []int) []string
	}{
		{"value log after the last", func(vlogs, _ []int) []string { return []string{fmt.Sprintf("%06d.vlog", slicesMax(vlogs)+1)} }},
		{"value log before the last", func(vlogs, _ []int) []string {
			return []string{fmt.Sprintf("%06d.vlog", slicesMax(vlogs)+1), fmt.Sprintf("%06d.vlog", slicesMax(vlogs)+2)}
		}},
		{"memtable", func(_, mems []int) []string { return []string{fmt.Sprintf("%05d.mem", slicesMax(mems)+1)} }},
		{"value log and memtable", func(vlogs, mems []int) []string {
			return []string{fmt.Sprintf("%05d.mem", slicesMax(mems)+1), fmt.Sprintf("%06d.vlog", slicesMax(vlogs)+1)}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			unfinishedStore(t, dir)
			st, err := Open(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			want, err := st.Saved()
			if err != nil {
				t.Fatal(err)
			}
			st.Close()
			var vlogs, mems []int
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				var n int
				if _, err := fmt.Sscanf(e.Name(), "%d.vlog", &n); err == nil && strings.HasSuffix(e.Name(), ".vlog") {
					vlogs = append(vlogs, n)
				} else if _, err := fmt.Sscanf(e.Name(), "%d.mem", &n); err == nil && strings.HasSuffix(e.Name(), ".mem") {
					mems = append(mems, n)
				}
			}
			names := tc.files(vlogs, mems)
			for i, name := range names {
				var b []byte
				if i > 0 {
					// A later open made the next file whole: badger's
					// newest value log, as it left it.
					b, _ = os.ReadFile(filepath.Join(dir, fmt.Sprintf("%06d.vlog", slicesMax(vlogs))))
				}
				if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for _, open := range []func(string, Options) (*Store, error){OpenReadOnly, Open} {
				st, err := open(dir, Options{})
				if err != nil {
					t.Fatal(err)
				}
				got, err := st.Saved()
				st.Close()
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatal("the reopened store's checkpoint differs")
				}
			}
		})
	}
}

func slicesMax(s []int) int {
	m := 0
	for _, v := range s {
		m = max(m, v)
	}
	return m
}
