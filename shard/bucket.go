package shard

import (
	"cmp"
	"context"
	"fmt"
	"io/fs"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// Bucket is the object store through which the shards of a run exchange
// their states. Keys are slash-separated names of letters, digits, '-',
// '.' and '_'; objects are written and read whole. The shards of a run
// may be separate processes on separate machines, so each method must be
// safe for concurrent use by them.
type Bucket interface {
	// Write writes the object key whole: afterwards the object holds
	// data, or, on an error, what it held before. With onlyNew, it writes
	// nothing and returns an error wrapping fs.ErrExist when key exists
	// (a store that cannot tell may write anyway).
	Write(ctx context.Context, key string, data []byte, onlyNew bool) error
	// Read returns the object key whole, or an error wrapping
	// fs.ErrNotExist when there is none.
	Read(ctx context.Context, key string) ([]byte, error)
	// Exists reports whether the object key exists.
	Exists(ctx context.Context, key string) (bool, error)
	// List calls each with the key of every object whose key begins with
	// prefix, in no set order, until each returns an error, which List
	// returns.
	// An object written or deleted while List runs may be listed or not.
	List(ctx context.Context, prefix string, each func(key string) error) error
	// Delete deletes the object key, or returns an error wrapping
	// fs.ErrNotExist when there is none.
	Delete(ctx context.Context, key string) error
	// Close releases the bucket's resources.
	Close() error
}

// Opener opens the bucket at a URL of its scheme.
type Opener func(ctx context.Context, u *url.URL) (Bucket, error)

var (
	openersMu sync.Mutex
	openers   = map[string]Opener{"file": openDir}
)

// RegisterScheme makes Open open URLs of scheme with open. Package
// shard/cloud registers s3, gs and azblob; file URLs are built in.
func RegisterScheme(scheme string, open Opener) {
	openersMu.Lock()
	defer openersMu.Unlock()
	openers[scheme] = open
}

func opener(scheme string) (Opener, []string) {
	openersMu.Lock()
	defer openersMu.Unlock()
	var known []string
	for s := range openers {
		known = append(known, s+"://")
	}
	slices.Sort(known)
	return openers[scheme], known
}

// cloudSchemes are the URL schemes of the object stores that package
// shard/cloud registers.
var cloudSchemes = []string{"s3", "gs", "azblob"}

// Open opens the bucket at a URL: file:///dir (a directory, made if
// missing), or, in a program that imports package shard/cloud (as
// cmd/argocheck built with the tag cloud does), s3://bucket?prefix=run/,
// gs://bucket?prefix=run/ or azblob://container?prefix=run/. A file URL
// takes no query, and no host other than localhost and "." (file://./dir
// names the relative directory dir): file://tmp/run, meant as
// file:///tmp/run, is refused.
func Open(ctx context.Context, rawURL string) (Bucket, error) {
	u, err := url.Parse(rawURL)
	if e, ok := err.(*url.Error); ok {
		return nil, e.Err // what is wrong, without the URL its caller names
	}
	if err != nil {
		return nil, err
	}
	if u.Scheme == "" {
		dir, err := filepath.Abs(rawURL)
		if err != nil {
			dir = rawURL
		}
		return nil, fmt.Errorf("not a URL: for the directory %s write file://%s", dir, filepath.ToSlash(dir))
	}
	open, known := opener(u.Scheme)
	if open != nil {
		return open(ctx, u)
	}
	if slices.Contains(cloudSchemes, u.Scheme) {
		return nil, fmt.Errorf("this program knows %s URLs, not %s://: build argocheck with -tags cloud (go build -tags cloud ./cmd/argocheck), or import github.com/argocheck/argocheck/shard/cloud in a program of your own",
			strings.Join(known, ", "), u.Scheme)
	}
	return nil, fmt.Errorf("this program knows %s URLs, not %s://", strings.Join(known, ", "), u.Scheme)
}

// openDir opens a file URL's directory as a bucket.
func openDir(_ context.Context, u *url.URL) (Bucket, error) {
	dir, err := fileDir(u)
	if err != nil {
		return nil, err
	}
	return OpenDir(dir)
}

// LocalDir returns the directory on this machine that Open keeps the
// objects of rawURL in: that of a file URL (file:///dir,
// file://localhost/dir, file://./dir), and "" for any other URL, or a
// file URL that Open refuses.
func LocalDir(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "file" {
		return ""
	}
	dir, err := fileDir(u)
	if err != nil {
		return ""
	}
	return dir
}

// fileDir returns the directory of file URL u.
func fileDir(u *url.URL) (string, error) {
	if u.Host != "" && u.Host != "localhost" && u.Host != "." {
		return "", fmt.Errorf("a file URL takes no host, and %q would be dropped (the objects would go in %s): for the directory /%s write file:///%s",
			u.Host, cmp.Or(u.Path, "/"), u.Host+u.Path, u.Host+u.Path)
	}
	if u.RawQuery != "" {
		return "", fmt.Errorf("a file URL takes no query (%q)", u.RawQuery)
	}
	dir := u.Path
	if u.Host == "." {
		dir = "." + dir
	}
	if dir == "" {
		return "", fmt.Errorf("a file URL needs a directory: file:///dir")
	}
	return filepath.FromSlash(windowsDrive(dir)), nil
}

// windowsDrive turns /C:/dir, a file URL's path on Windows, into C:/dir.
func windowsDrive(p string) string {
	if len(p) >= 3 && p[0] == '/' && p[2] == ':' && filepath.VolumeName(p[1:]) != "" {
		return p[1:]
	}
	return p
}

// notExist wraps fs.ErrNotExist with the key.
func notExist(key string) error { return &fs.PathError{Op: "read", Path: key, Err: fs.ErrNotExist} }
