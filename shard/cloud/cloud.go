// Package cloud lets sharded runs exchange their states through object
// storage: importing it makes shard.Open take s3://bucket?prefix=run/,
// gs://bucket?prefix=run/ and azblob://container?prefix=run/ URLs, with
// the credentials of the environment. cmd/argocheck built with the tag
// cloud imports it; so does a program of one's own that shards through
// object storage. It brings in the clients of the three stores, which
// the rest of argocheck does without.
package cloud

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"time"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/azureblob" // azblob:// URLs
	_ "gocloud.dev/blob/gcsblob"   // gs:// URLs
	_ "gocloud.dev/blob/s3blob"    // s3:// URLs
	"gocloud.dev/gcerrors"

	"github.com/argocheck/argocheck/shard"
)

func init() {
	for _, scheme := range []string{"s3", "gs", "azblob"} {
		shard.RegisterScheme(scheme, open)
	}
}

func open(ctx context.Context, u *url.URL) (shard.Bucket, error) {
	b, err := blob.OpenBucket(ctx, u.String())
	if err != nil {
		return nil, err
	}
	return &bucket{b}, nil
}

// bucket is a shard.Bucket over a gocloud.dev bucket.
type bucket struct{ b *blob.Bucket }

// wrap gives the errors of a missing object, read or deleted, and of an
// existing one, created, the forms shard.Bucket's methods promise. A
// write's NotFound is not the object's but the bucket's: it stays as it
// is, so that no caller takes it for a missing object.
func wrap(op string, err error, key string) error {
	switch code := gcerrors.Code(err); {
	case code == gcerrors.OK:
		return nil
	case code == gcerrors.NotFound && op != "write":
		return &fs.PathError{Op: op, Path: key, Err: errors.Join(fs.ErrNotExist, err)}
	case code == gcerrors.FailedPrecondition && op == "write":
		return &fs.PathError{Op: op, Path: key, Err: errors.Join(fs.ErrExist, err)}
	}
	return err
}

// Write writes data at key. S3 answers a create that races another
// conditional write of the same key with 409 ConditionalRequestConflict,
// which decides nothing: the create is sent again, after a pause, until
// the store answers it (created, or 412 when the object exists).
func (b *bucket) Write(ctx context.Context, key string, data []byte, onlyNew bool) error {
	pause := conflictPause
	for try := 1; ; try++ {
		err := b.b.WriteAll(ctx, key, data, &blob.WriterOptions{IfNotExist: onlyNew})
		if !onlyNew || !conflict(err) || try == conflictTries {
			return wrap("write", err, key)
		}
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-time.After(pause):
		}
		pause *= 2
	}
}

// conflictTries is how many times Write sends a create that meets
// conflicts, with pauses from conflictPause up, doubling (about 13 s in
// all).
const conflictTries = 8

// conflictPause is the first pause after a conflict; tests shorten it.
var conflictPause = 100 * time.Millisecond

// conflict reports whether err is S3's answer to a conditional write that
// raced another: 409 ConditionalRequestConflict.
func conflict(err error) bool {
	var api interface{ ErrorCode() string }
	return errors.As(err, &api) && api.ErrorCode() == "ConditionalRequestConflict"
}

func (b *bucket) Read(ctx context.Context, key string) ([]byte, error) {
	data, err := b.b.ReadAll(ctx, key)
	return data, wrap("read", err, key)
}

func (b *bucket) Exists(ctx context.Context, key string) (bool, error) {
	return b.b.Exists(ctx, key)
}

func (b *bucket) List(ctx context.Context, prefix string, each func(key string) error) error {
	it := b.b.List(&blob.ListOptions{Prefix: prefix})
	for {
		obj, err := it.Next(ctx)
		// An error is the listing's, not an object's: a NotFound is the
		// bucket's, and Next would only ask for the same page again.
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return fmt.Errorf("listing %s: %w", prefix, err)
		}
		if obj.IsDir {
			continue
		}
		if err := each(obj.Key); err != nil {
			return err
		}
	}
}

func (b *bucket) Delete(ctx context.Context, key string) error {
	return wrap("delete", b.b.Delete(ctx, key), key)
}

func (b *bucket) Close() error { return b.b.Close() }
