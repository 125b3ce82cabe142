package shard_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/internal/buckettest"
	"github.com/argocheck/argocheck/shard"
)

func TestDirBucket(t *testing.T) {
	b, err := shard.OpenDir(filepath.Join(t.TempDir(), "exchange"))
	if err != nil {
		t.Fatal(err)
	}
	buckettest.Run(t, b)
}

// A write's temporary file, as a killed writer leaves it, is no object.
func TestDirBucketHidesTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	b, err := shard.OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := b.Write(ctx, "level-000001/done-0", nil, false); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "level-000001", ".tmp-done-1-1234"), []byte("x"), 0o666); err != nil {
		t.Fatal(err)
	}
	var keys []string
	if err := b.List(ctx, "level-000001/", func(key string) error {
		keys = append(keys, key)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0] != "level-000001/done-0" {
		t.Fatalf("listed %q, want only level-000001/done-0", keys)
	}
	entries, err := os.ReadDir(filepath.Join(dir, "level-000001"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Fatalf("a write left %d files beside the killed writer's, want the object alone", len(entries)-1)
	}
	for _, key := range []string{"", "/abs", "a//b", "../up", "a/../b", "a/.tmp-x", `a\b`} {
		if err := b.Write(ctx, key, nil, false); err == nil || !strings.Contains(err.Error(), "is not an object key") {
			t.Errorf("writing key %q: %v, want a refusal", key, err)
		}
	}
}

// TestOpenFileURLs: Open takes a file URL's directory, made if missing,
// and LocalDir names it; its errors begin with what is wrong, the URL
// named by the caller.
func TestOpenFileURLs(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o666); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		url, made, err string
	}{
		{url: "file://" + filepath.ToSlash(filepath.Join(dir, "abs")), made: "abs"},
		{url: "file://localhost" + filepath.ToSlash(filepath.Join(dir, "local")), made: "local"},
		{url: "file://./rel/run", made: "rel/run"},
		{url: "file://tmp/run", err: `a file URL takes no host, and "tmp" would be dropped`},
		{url: "file:///tmp/run?metadata=skip", err: "a file URL takes no query"},
		{url: "file://", err: "a file URL needs a directory"},
		{url: "/tmp/run", err: "not a URL: for the directory /tmp/run write file:///tmp/run"},
		{url: "s3://bucket", err: "this program knows file:// URLs, not s3://: build argocheck with -tags cloud"},
		{url: "ftp://host/x", err: "this program knows file:// URLs, not ftp://"},
		{url: "file:///tmp/%zz", err: `invalid URL escape "%zz"`},
		// A URL of a directory that cannot be made: LocalDir names it.
		{url: "file://" + filepath.ToSlash(file), made: "file", err: file + " is a file, not a directory"},
		{url: "file://" + filepath.ToSlash(filepath.Join(file, "run")), made: "file/run", err: "cannot make the directory " + filepath.Join(file, "run") + ": "},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			// LocalDir names the directory the objects go in, and none
			// for a URL that Open refuses as a URL.
			local := shard.LocalDir(tc.url)
			if abs, _ := filepath.Abs(local); (tc.made != "" && abs != filepath.Join(dir, filepath.FromSlash(tc.made))) || (tc.made == "" && local != "") {
				t.Errorf("LocalDir: %q", local)
			}
			b, err := shard.Open(context.Background(), tc.url)
			if tc.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
					t.Fatalf("Open: %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			if err := b.Write(context.Background(), "manifest.json", []byte("{}"), true); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(tc.made), "manifest.json")); err != nil {
				t.Fatalf("the object is not in %s: %v", tc.made, err)
			}
		})
	}
}
