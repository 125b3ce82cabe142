package shard

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestRemoveAllSweepsTemporaryFiles: deleting the candidates under a
// prefix of a directory takes the temporary files killed writers left
// there too, and nothing outside the prefix.
func TestRemoveAllSweepsTemporaryFiles(t *testing.T) {
	x, dir := dirExchange(t)
	ctx := context.Background()
	for _, key := range []string{"level-000001/to-1/from-0-01", "level-000001/to-2/from-0-01", "level-000001/frontier-1"} {
		if err := x.put(ctx, key, []byte("candidates")); err != nil {
			t.Fatal(err)
		}
	}
	for _, tmp := range []string{"level-000001/to-1/.tmp-from-2-02-1", "level-000001/to-2/.tmp-from-2-02-2", "level-000001/.tmp-frontier-1-3"} {
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(tmp)), []byte("cut short"), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.removeAll(ctx, "level-000001/to-1/"); err != nil {
		t.Fatal(err)
	}
	var left []string
	err := filepath.WalkDir(dir, func(path string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			left = append(left, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(left)
	want := []string{"level-000001/.tmp-frontier-1-3", "level-000001/frontier-1", "level-000001/to-2/.tmp-from-2-02-2", "level-000001/to-2/from-0-01"}
	if !slices.Equal(left, want) {
		t.Errorf("left %q, want %q", left, want)
	}
	if n := x.objectsDeleted.Load(); n != 1 {
		t.Errorf("%d objects deleted, want 1 (temporary files are not objects)", n)
	}
}

// TestMarkersNamesOnly: a level's markers are the objects done-I for a
// shard I of the run, I written plainly; other names under the level
// (done-01, done-+2, done-x, a shard past the run's) are no shard's
// marker, and pass no barrier.
func TestMarkersNamesOnly(t *testing.T) {
	ctx := context.Background()
	x, _ := dirExchange(t)
	for _, name := range []string{"done-1", "done-01", "done-+2", "done-x", "done-3", "done-", "frontier-0"} {
		if err := x.put(ctx, levelPrefix(2)+name, []byte("m")); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.put(ctx, markerKey(1, 0), []byte("m")); err != nil {
		t.Fatal(err)
	}
	have, err := x.markers(ctx, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	if want := []bool{false, true, false}; !slices.Equal(have, want) {
		t.Errorf("markers %v, want %v", have, want)
	}
}

// goneBucket lists, besides its objects, one that another process has
// deleted meanwhile: deleting it finds none.
type goneBucket struct{ Bucket }

func (b goneBucket) List(ctx context.Context, prefix string, each func(string) error) error {
	if err := b.Bucket.List(ctx, prefix, each); err != nil {
		return err
	}
	return each(prefix + "gone")
}

// TestRemoveAllTakesGoneObjects: an object listed for deletion that
// another process of the shard deleted first is no failure: the rest
// are deleted, and the deletion of the level succeeds.
func TestRemoveAllTakesGoneObjects(t *testing.T) {
	ctx := context.Background()
	b, err := OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	x := &exchange{b: goneBucket{b}}
	if err := x.put(ctx, "level-000001/to-1/from-0-01", []byte("candidates")); err != nil {
		t.Fatal(err)
	}
	if err := x.removeAll(ctx, "level-000001/to-1/"); err != nil {
		t.Errorf("removeAll: %v", err)
	}
	if n := x.objectsDeleted.Load(); n != 1 {
		t.Errorf("%d objects deleted, want 1", n)
	}
}

// TestExchangeCountsTraffic: the exchange counts the objects it writes
// and reads and their bytes as stored (compressed for the binary ones);
// an object not found, or not written because it exists, counts nothing.
func TestExchangeCountsTraffic(t *testing.T) {
	ctx := context.Background()
	x, dir := dirExchange(t)
	data := slices.Repeat([]byte("state "), 100)
	if err := x.put(ctx, "level-000000/frontier-0", data); err != nil {
		t.Fatal(err)
	}
	if ok, err := x.create(ctx, manifestKey, []byte("{}")); !ok || err != nil {
		t.Fatalf("create: %v %v", ok, err)
	}
	if ok, err := x.create(ctx, manifestKey, []byte("{}")); ok || err != nil {
		t.Fatalf("create again: %v %v", ok, err)
	}
	info, err := os.Stat(filepath.Join(dir, "level-000000", "frontier-0"))
	if err != nil {
		t.Fatal(err)
	}
	stored := uint64(info.Size())
	if stored >= uint64(len(data)) {
		t.Errorf("the object takes %d bytes stored, not compressed from %d", stored, len(data))
	}
	if w, n := x.written.Load(), x.objectsWritten.Load(); w != stored+2 || n != 2 {
		t.Errorf("written %d bytes in %d objects, want %d in 2", w, n, stored+2)
	}
	got, err := x.mustGet(ctx, "level-000000/frontier-0")
	if err != nil || !slices.Equal(got, data) {
		t.Fatalf("read back %q, %v", got, err)
	}
	if _, found, err := x.get(ctx, "level-000000/frontier-1"); found || err != nil {
		t.Fatalf("a missing object: found %v, %v", found, err)
	}
	if r, n := x.read.Load(), x.objectsRead.Load(); r != stored || n != 1 {
		t.Errorf("read %d bytes in %d objects, want %d in 1", r, n, stored)
	}
}

// dirExchange returns an exchange over a directory bucket in a new
// directory, and the directory.
func dirExchange(t *testing.T) (*exchange, string) {
	t.Helper()
	dir := t.TempDir()
	b, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return &exchange{b: b}, dir
}
