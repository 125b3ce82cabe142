package shard

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// dirBucket is a bucket in a directory: the object key is the file
// dir/key. A write goes to a temporary file beside the object and is
// renamed over it, so that a reader, on this machine or on another that
// shares the volume, finds the old object or the new one, never a part.
type dirBucket struct{ root string }

// tmpPrefix begins the names of the temporary files of writes, which
// are not objects.
const tmpPrefix = ".tmp-"

// OpenDir opens the directory dir as a bucket, making it if it is
// missing; Open opens file URLs with it.
func OpenDir(dir string) (Bucket, error) {
	if err := os.MkdirAll(dir, 0o777); err != nil {
		if fi, serr := os.Stat(dir); serr == nil && !fi.IsDir() {
			return nil, fmt.Errorf("%s is a file, not a directory", dir)
		}
		if e, ok := errors.AsType[*fs.PathError](err); ok {
			return nil, fmt.Errorf("cannot make the directory %s: %v", dir, e.Err)
		}
		return nil, err
	}
	return &dirBucket{root: dir}, nil
}

// path returns the file of key, refusing a key that is not a plain
// relative name.
func (d *dirBucket) path(key string) (string, error) {
	for _, elem := range strings.Split(key, "/") {
		if elem == "" || elem == "." || elem == ".." || strings.HasPrefix(elem, tmpPrefix) || strings.ContainsRune(elem, '\\') {
			return "", fmt.Errorf("%q is not an object key", key)
		}
	}
	return filepath.Join(d.root, filepath.FromSlash(key)), nil
}

func (d *dirBucket) Write(ctx context.Context, key string, data []byte, onlyNew bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	path, err := d.path(key)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return err
	}
	tmp := filepath.Join(dir, tmpPrefix+filepath.Base(path)+"-"+strconv.FormatUint(rand.Uint64(), 16))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if err != nil {
		return err
	}
	defer os.Remove(tmp) // once renamed or linked, there is nothing to remove
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if !onlyNew {
		return os.Rename(tmp, path)
	}
	// A hard link fails when the object exists, whoever wrote it. Where
	// the volume has no hard links, look first, then rename.
	err = os.Link(tmp, path)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		if _, serr := os.Stat(path); serr == nil {
			err = fs.ErrExist
		} else {
			err = os.Rename(tmp, path)
		}
	}
	if errors.Is(err, fs.ErrExist) {
		return &fs.PathError{Op: "write", Path: key, Err: fs.ErrExist}
	}
	return err
}

func (d *dirBucket) Read(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	path, err := d.path(key)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, notExist(key)
	}
	return data, err
}

func (d *dirBucket) Exists(ctx context.Context, key string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	path, err := d.path(key)
	if err != nil {
		return false, err
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, err
	}
	return fi.Mode().IsRegular(), nil
}

func (d *dirBucket) List(ctx context.Context, prefix string, each func(key string) error) error {
	return d.walk(ctx, prefix, func(_, key string, temporary bool) error {
		if temporary {
			return nil
		}
		return each(key)
	})
}

// walk calls fn with the file and the key of every regular file whose key
// begins with prefix, and whether it is a write's temporary file.
func (d *dirBucket) walk(ctx context.Context, prefix string, fn func(path, key string, temporary bool) error) error {
	// Every key with the prefix lies under the directory of its part up
	// to the last slash.
	base := prefix[:strings.LastIndexByte(prefix, '/')+1]
	top := filepath.Join(d.root, filepath.FromSlash(base))
	return filepath.WalkDir(top, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // no such directory, or one that went away
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(d.root, path)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if e.IsDir() {
			if path != top && !strings.HasPrefix(key+"/", prefix) && !strings.HasPrefix(prefix, key+"/") {
				return filepath.SkipDir
			}
			return nil
		}
		if !e.Type().IsRegular() || !strings.HasPrefix(key, prefix) {
			return nil
		}
		return fn(path, key, strings.HasPrefix(e.Name(), tmpPrefix))
	})
}

// removeTemporary removes the temporary files of writes under prefix,
// which List leaves out: those a killed writer left, and those of a
// write under way, which then fails.
func (d *dirBucket) removeTemporary(ctx context.Context, prefix string) error {
	return d.walk(ctx, prefix, func(path, _ string, temporary bool) error {
		if !temporary {
			return nil
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	})
}

func (d *dirBucket) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	path, err := d.path(key)
	if err != nil {
		return err
	}
	err = os.Remove(path)
	if errors.Is(err, fs.ErrNotExist) {
		return notExist(key)
	}
	return err
}

func (d *dirBucket) Close() error { return nil }
