// Package buckettest checks that a shard.Bucket keeps the contract the
// shards rely on: whole objects, a create that only one writer wins,
// listings by prefix, and the errors of missing and existing objects.
package buckettest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sync"
	"testing"

	"github.com/argocheck/argocheck/shard"
)

// Run checks the contract on b, which must be empty.
func Run(t *testing.T, b shard.Bucket) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	if _, err := b.Read(ctx, "level-000001/frontier-0"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("reading a missing object: %v, want fs.ErrNotExist", err)
	}
	if err := b.Delete(ctx, "level-000001/frontier-0"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("deleting a missing object: %v, want fs.ErrNotExist", err)
	}
	if ok, err := b.Exists(ctx, "manifest.json"); ok || err != nil {
		t.Fatalf("a missing object exists: %v, %v", ok, err)
	}

	objects := map[string]string{
		"manifest.json":                             "{}",
		"level-000001/frontier-0":                   "a",
		"level-000001/done-0":                       "",
		"level-000001/done-1":                       "b",
		"level-000001/to-1/from-0-00000000000000ff": "c",
		"level-000010/done-0":                       "d",
		"level-00001x":                              "e",
	}
	for k, v := range objects {
		must(b.Write(ctx, k, []byte(v), false))
	}
	for k, v := range objects {
		got, err := b.Read(ctx, k)
		must(err)
		if string(got) != v {
			t.Fatalf("%s holds %q, want %q", k, got, v)
		}
		if ok, err := b.Exists(ctx, k); !ok || err != nil {
			t.Fatalf("%s does not exist: %v", k, err)
		}
	}
	must(b.Write(ctx, "level-000001/frontier-0", []byte("a2"), false))
	if got, _ := b.Read(ctx, "level-000001/frontier-0"); string(got) != "a2" {
		t.Fatalf("written over: %q, want a2", got)
	}

	for _, tc := range []struct {
		prefix string
		want   []string
	}{
		{"level-000001/done-", []string{"level-000001/done-0", "level-000001/done-1"}},
		{"level-000001/", []string{"level-000001/done-0", "level-000001/done-1", "level-000001/frontier-0", "level-000001/to-1/from-0-00000000000000ff"}},
		{"level-000001/to-1/", []string{"level-000001/to-1/from-0-00000000000000ff"}},
		{"level-00001", []string{"level-000010/done-0", "level-00001x"}},
		{"level-000002/", nil},
		{"nosuch/deeper/", nil},
		{"", sortedKeys(objects)},
	} {
		var got []string
		must(b.List(ctx, tc.prefix, func(key string) error {
			got = append(got, key)
			return nil
		}))
		slices.Sort(got)
		if !slices.Equal(got, tc.want) {
			t.Errorf("List(%q) = %q, want %q", tc.prefix, got, tc.want)
		}
	}
	stop := errors.New("stop")
	calls := 0
	if err := b.List(ctx, "", func(string) error { calls++; return stop }); !errors.Is(err, stop) || calls != 1 {
		t.Errorf("a listing stopped by its function: %v after %d calls", err, calls)
	}

	// A create wins once, whoever races for it.
	if err := b.Write(ctx, "manifest.json", []byte("other"), true); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("creating an existing object: %v, want fs.ErrExist", err)
	}
	if got, _ := b.Read(ctx, "manifest.json"); string(got) != "{}" {
		t.Fatalf("a refused create wrote %q", got)
	}
	var wins sync.WaitGroup
	var mu sync.Mutex
	won := []string{}
	for i := range 16 {
		wins.Add(1)
		go func() {
			defer wins.Done()
			v := fmt.Sprint(i)
			err := b.Write(ctx, "level-000002/manifest", []byte(v), true)
			switch {
			case err == nil:
				mu.Lock()
				won = append(won, v)
				mu.Unlock()
			case !errors.Is(err, fs.ErrExist):
				t.Error(err)
			}
		}()
	}
	wins.Wait()
	if len(won) != 1 {
		t.Fatalf("%d creates of one object won, want 1: %q", len(won), won)
	}
	if got, _ := b.Read(ctx, "level-000002/manifest"); string(got) != won[0] {
		t.Fatalf("the object holds %q, not the winner's %q", got, won[0])
	}

	for k := range objects {
		must(b.Delete(ctx, k))
		if ok, _ := b.Exists(ctx, k); ok {
			t.Fatalf("%s exists after its deletion", k)
		}
	}
	must(b.Delete(ctx, "level-000002/manifest"))
	if err := b.List(ctx, "", func(key string) error { return fmt.Errorf("%s is listed after every object was deleted", key) }); err != nil {
		t.Fatal(err)
	}
}

func sortedKeys(m map[string]string) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
