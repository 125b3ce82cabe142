package shard

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/klauspost/compress/zstd"
	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"
	"golang.org/x/sync/errgroup"
)

// Open opens the bucket at a URL of any driver the program imports:
// file:///dir, s3://bucket?prefix=run/, gs://bucket?prefix=run/,
// azblob://container?prefix=run/. A file URL writes each object to a
// temporary file beside its final name and renames it there, so that a
// directory on a shared volume works, and keeps no attribute files,
// unless the URL says otherwise. A file URL that names a host other than
// localhost and the driver's "." (file://./dir, a relative directory) is
// refused: the driver would drop the host of file://tmp/run, meant as
// file:///tmp/run, and use the directory /run.
func Open(ctx context.Context, rawURL string) (*blob.Bucket, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	if err := checkScheme(u.Scheme, rawURL); err != nil {
		return nil, err
	}
	if u.Scheme == "file" {
		// "." is the driver's own form of a relative directory,
		// file://./dir.
		if u.Host != "" && u.Host != "localhost" && u.Host != "." {
			return nil, fmt.Errorf("a file URL takes no host, and %q would be dropped (the objects would go in %s): for the directory /%s write file:///%s",
				u.Host, cmp.Or(u.Path, "/"), u.Host+u.Path, u.Host+u.Path)
		}
		q := u.Query()
		if !q.Has("no_tmp_dir") {
			q.Set("no_tmp_dir", "1")
		}
		if !q.Has("metadata") {
			q.Set("metadata", "skip")
		}
		if !q.Has("create_dir") {
			q.Set("create_dir", "1")
		}
		u.RawQuery = q.Encode()
	}
	return blob.OpenBucket(ctx, u.String())
}

// cloudDrivers are the packages of the drivers of the object stores that
// cmd/argocheck built with the tag cloud knows, by URL scheme.
var cloudDrivers = map[string]string{
	"s3":     "gocloud.dev/blob/s3blob",
	"gs":     "gocloud.dev/blob/gcsblob",
	"azblob": "gocloud.dev/blob/azureblob",
}

// checkScheme refuses, in words that say what to do, a URL with no scheme
// (a path) and one whose driver the program does not import.
func checkScheme(scheme, rawURL string) error {
	mux := blob.DefaultURLMux()
	switch {
	case scheme == "":
		dir, err := filepath.Abs(rawURL)
		if err != nil {
			dir = rawURL
		}
		return fmt.Errorf("not a URL: for the directory %s write file://%s", dir, filepath.ToSlash(dir))
	case mux.ValidBucketScheme(scheme):
		return nil
	}
	known := mux.BucketSchemes()
	for i, k := range known {
		known[i] = k + "://"
	}
	if pkg, ok := cloudDrivers[scheme]; ok {
		return fmt.Errorf("this program knows %s URLs, not %s://: build argocheck with -tags cloud (go build -tags cloud ./cmd/argocheck), or import %s in a program of your own",
			strings.Join(known, ", "), scheme, pkg)
	}
	return fmt.Errorf("this program knows %s URLs, not %s://", strings.Join(known, ", "), scheme)
}

// exchange is a run's bucket, with the traffic counted. The binary
// objects travel compressed (zstd, at its fastest): about half the bytes.
type exchange struct {
	b                           *blob.Bucket
	written, read               atomic.Uint64 // bytes
	objectsWritten, objectsRead atomic.Uint64
	objectsDeleted              atomic.Uint64
}

var (
	compressor, _   = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	decompressor, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0))
)

// put writes a binary object whole, compressed: it exists under key with
// all of data, or, on an error, as it was before.
func (x *exchange) put(ctx context.Context, key string, data []byte) error {
	data = compressor.EncodeAll(data, nil)
	if err := x.b.WriteAll(ctx, key, data, &blob.WriterOptions{ContentType: "application/zstd"}); err != nil {
		return fmt.Errorf("writing %s: %w", key, err)
	}
	x.written.Add(uint64(len(data)))
	x.objectsWritten.Add(1)
	return nil
}

// create writes an object that must not exist yet; it reports false,
// and writes nothing, when one does (on stores that check this).
func (x *exchange) create(ctx context.Context, key string, data []byte) (bool, error) {
	err := x.b.WriteAll(ctx, key, data, &blob.WriterOptions{ContentType: "application/json", IfNotExist: true})
	switch gcerrors.Code(err) {
	case gcerrors.OK:
		x.written.Add(uint64(len(data)))
		x.objectsWritten.Add(1)
		return true, nil
	case gcerrors.FailedPrecondition:
		return false, nil
	}
	return false, fmt.Errorf("writing %s: %w", key, err)
}

// get reads a binary object whole; found is false when there is none.
func (x *exchange) get(ctx context.Context, key string) (data []byte, found bool, err error) {
	data, found, err = x.getRaw(ctx, key)
	if !found || err != nil {
		return nil, found, err
	}
	if data, err = decompressor.DecodeAll(data, nil); err != nil {
		return nil, false, fmt.Errorf("reading %s: %w", key, err)
	}
	return data, true, nil
}

// getRaw reads an object whole, as stored.
func (x *exchange) getRaw(ctx context.Context, key string) (data []byte, found bool, err error) {
	data, err = x.b.ReadAll(ctx, key)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading %s: %w", key, err)
	}
	x.read.Add(uint64(len(data)))
	x.objectsRead.Add(1)
	return data, true, nil
}

// mustGet reads an object that must exist.
func (x *exchange) mustGet(ctx context.Context, key string) ([]byte, error) {
	data, found, err := x.get(ctx, key)
	if err == nil && !found {
		err = fmt.Errorf("reading %s: no such object", key)
	}
	return data, err
}

// exists reports whether an object exists.
func (x *exchange) exists(ctx context.Context, key string) (bool, error) {
	ok, err := x.b.Exists(ctx, key)
	if err != nil {
		return false, fmt.Errorf("looking for %s: %w", key, err)
	}
	return ok, nil
}

// markers returns which shards' markers for a level exist, with one
// listing.
func (x *exchange) markers(ctx context.Context, depth, shards int) ([]bool, error) {
	prefix := markerPrefix(depth)
	have := make([]bool, shards)
	it := x.b.List(&blob.ListOptions{Prefix: prefix})
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			return have, nil
		}
		if gcerrors.Code(err) == gcerrors.NotFound {
			// An object went away while listed (a directory's temporary
			// file, renamed): the next look sees the rest.
			return have, nil
		}
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", prefix, err)
		}
		// Names other than done-I (a store's temporary files) are not
		// markers.
		s := strings.TrimPrefix(obj.Key, prefix)
		if i, err := strconv.Atoi(s); err == nil && i >= 0 && i < shards && strconv.Itoa(i) == s {
			have[i] = true
		}
	}
}

// removeAll deletes every object under prefix, 16 at a time. An object
// that is gone already (another process deleted it) is not an error.
func (x *exchange) removeAll(ctx context.Context, prefix string) error {
	var keys []string
	it := x.b.List(&blob.ListOptions{Prefix: prefix})
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if gcerrors.Code(err) == gcerrors.NotFound {
			continue // went away while listed
		}
		if err != nil {
			return fmt.Errorf("listing %s: %w", prefix, err)
		}
		if !obj.IsDir {
			keys = append(keys, obj.Key)
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for _, key := range keys {
		g.Go(func() error {
			err := x.b.Delete(gctx, key)
			switch gcerrors.Code(err) {
			case gcerrors.OK:
				x.objectsDeleted.Add(1)
			case gcerrors.NotFound:
			default:
				return fmt.Errorf("deleting %s: %w", key, err)
			}
			return nil
		})
	}
	return g.Wait()
}

// empty reports whether the bucket holds no object at all.
func (x *exchange) empty(ctx context.Context) (bool, error) {
	objs, _, err := x.b.ListPage(ctx, blob.FirstPageToken, 1, nil)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return false, nil // an object went away while listed: there was one
	}
	if err != nil {
		return false, fmt.Errorf("listing the bucket: %w", err)
	}
	return len(objs) == 0, nil
}
