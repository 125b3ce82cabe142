package shard

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/klauspost/compress/zstd"
	"golang.org/x/sync/errgroup"
)

// exchange is a run's bucket, with the traffic counted. The binary
// objects travel compressed (zstd, at its fastest): about half the bytes.
type exchange struct {
	b                           Bucket
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
	if err := x.b.Write(ctx, key, data, false); err != nil {
		return fmt.Errorf("writing %s: %w", key, err)
	}
	x.written.Add(uint64(len(data)))
	x.objectsWritten.Add(1)
	return nil
}

// putNew writes a binary object as put does, but only where there is
// none: it reports false, and writes nothing, when one is there (on
// stores that check this; on another it writes, as put).
func (x *exchange) putNew(ctx context.Context, key string, data []byte) (bool, error) {
	return x.create(ctx, key, compressor.EncodeAll(data, nil))
}

// create writes an object that must not exist yet; it reports false,
// and writes nothing, when one does (on stores that check this).
func (x *exchange) create(ctx context.Context, key string, data []byte) (bool, error) {
	err := x.b.Write(ctx, key, data, true)
	switch {
	case err == nil:
		x.written.Add(uint64(len(data)))
		x.objectsWritten.Add(1)
		return true, nil
	case errors.Is(err, fs.ErrExist):
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
	data, err = x.b.Read(ctx, key)
	if errors.Is(err, fs.ErrNotExist) {
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
	err := x.b.List(ctx, prefix, func(key string) error {
		// Names other than done-I are not markers.
		s := strings.TrimPrefix(key, prefix)
		if i, err := strconv.Atoi(s); err == nil && i >= 0 && i < shards && strconv.Itoa(i) == s {
			have[i] = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", prefix, err)
	}
	return have, nil
}

// removeAll deletes every object under prefix, 16 at a time, and in a
// directory the temporary files that killed writers left there. An object
// that is gone already (another process deleted it) is not an error.
func (x *exchange) removeAll(ctx context.Context, prefix string) error {
	var keys []string
	err := x.b.List(ctx, prefix, func(key string) error {
		keys = append(keys, key)
		return nil
	})
	if err != nil {
		return fmt.Errorf("listing %s: %w", prefix, err)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for _, key := range keys {
		g.Go(func() error {
			err := x.b.Delete(gctx, key)
			switch {
			case err == nil:
				x.objectsDeleted.Add(1)
			case errors.Is(err, fs.ErrNotExist):
			default:
				return fmt.Errorf("deleting %s: %w", key, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if d, ok := x.b.(*dirBucket); ok {
		return d.removeTemporary(ctx, prefix)
	}
	return nil
}

// errFound stops a listing at its first object.
var errFound = errors.New("found")

// empty reports whether the bucket holds no object at all.
func (x *exchange) empty(ctx context.Context) (bool, error) {
	err := x.b.List(ctx, "", func(string) error { return errFound })
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, errFound):
		return false, nil
	}
	return false, fmt.Errorf("listing the bucket: %w", err)
}
