package cloud

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/argocheck/argocheck/internal/buckettest"
	"github.com/argocheck/argocheck/shard"
)

// fakeS3 is an S3 server in the test's process, which s3blob, the driver
// of s3:// URLs, reaches over HTTP on localhost.
type fakeS3 struct {
	backend  *s3mem.Backend
	url      string       // the server's endpoint
	requests atomic.Int64 // how many requests it has served
	uploads  atomic.Int64 // how many multipart uploads it has begun
	// conflicts is how many more conditional writes (If-None-Match) it
	// answers with 409 ConditionalRequestConflict, as S3 answers one
	// that races another.
	conflicts atomic.Int64
}

// newFakeS3 starts an S3 server holding the given buckets, empty, and
// gives the AWS SDK fake credentials and a region through the environment,
// with none of the machine's own AWS configuration.
func newFakeS3(t *testing.T, buckets ...string) *fakeS3 {
	t.Helper()
	f := &fakeS3{backend: s3mem.New()}
	for _, name := range buckets {
		if err := f.backend.CreateBucket(name); err != nil {
			t.Fatal(err)
		}
	}
	h := gofakes3.New(f.backend, gofakes3.WithLogger(gofakes3.DiscardLog())).Server()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.requests.Add(1)
		if r.Method == http.MethodPost && r.URL.Query().Has("uploads") {
			f.uploads.Add(1)
		}
		if r.Method == http.MethodPost && r.URL.Query().Has("uploadId") && r.Header.Get("If-None-Match") == "*" {
			// S3 checks a multipart upload's condition as it joins the
			// parts; gofakes3 does not look at it there, so the server
			// does, as S3 would.
			bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
			if _, err := f.backend.HeadObject(bucket, key); err == nil {
				w.Header().Set("Content-Type", "application/xml")
				w.WriteHeader(http.StatusPreconditionFailed)
				fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>`)
				return
			}
		}
		if r.Header.Get("If-None-Match") != "" && f.conflicts.Add(-1) >= 0 {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusConflict)
			fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>ConditionalRequestConflict</Code><Message>A conflicting conditional operation is in progress against this resource.</Message></Error>`)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	f.url = srv.URL

	none := filepath.Join(t.TempDir(), "none")
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":           "argocheck",
		"AWS_SECRET_ACCESS_KEY":       "argocheck",
		"AWS_SESSION_TOKEN":           "",
		"AWS_REGION":                  "us-east-1",
		"AWS_PROFILE":                 "",
		"AWS_DEFAULT_PROFILE":         "",
		"AWS_CONFIG_FILE":             none,
		"AWS_SHARED_CREDENTIALS_FILE": none,
		"AWS_ENDPOINT_URL":            "",
		"AWS_ENDPOINT_URL_S3":         "",
		"AWS_EC2_METADATA_DISABLED":   "true",
	} {
		t.Setenv(k, v)
	}
	return f
}

// open opens the bucket through shard.Open, as a user's s3:// URL does,
// with the query a store other than AWS's needs: its endpoint, and
// buckets named in the path rather than the host name.
func (f *fakeS3) open(t *testing.T, bucket string, query url.Values) shard.Bucket {
	t.Helper()
	q := url.Values{"endpoint": {f.url}, "use_path_style": {"true"}}
	for k, v := range query {
		q[k] = v
	}
	b, err := shard.Open(context.Background(), "s3://"+bucket+"?"+q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// The adapter keeps the contract over S3's driver: the fake server, like
// S3, writes with If-None-Match: * only an object that does not exist,
// and answers a refused create with 412 Precondition Failed.
func TestS3(t *testing.T) {
	f := newFakeS3(t, "run")
	buckettest.Run(t, f.open(t, "run", nil))
}

// A prefix keeps a run's objects apart from the rest of the bucket's.
func TestS3Prefix(t *testing.T) {
	f := newFakeS3(t, "runs")
	other := "other/manifest.json"
	if _, err := f.backend.PutObject("runs", other, nil, strings.NewReader("{}"), 2, nil); err != nil {
		t.Fatal(err)
	}
	b := f.open(t, "runs", url.Values{"prefix": {"this/"}})
	buckettest.Run(t, b) // which finds the bucket empty, and leaves it so

	if err := b.Write(context.Background(), "manifest.json", []byte("{}"), true); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{other, "this/manifest.json"} {
		if _, err := f.backend.HeadObject("runs", key); err != nil {
			t.Errorf("%s: %v", key, err)
		}
	}
}

// A listing of a bucket that does not exist fails, at once: it does not
// ask again and again, as it did when it took the driver's NotFound for
// an object that went away while listed. (A shard's first listing, of an
// empty bucket, is where a mistyped bucket name shows.)
func TestS3MissingBucket(t *testing.T) {
	f := newFakeS3(t)
	b := f.open(t, "nosuch", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := b.List(ctx, "", func(key string) error {
		t.Errorf("%s listed in a bucket that does not exist", key)
		return nil
	})
	if err == nil || ctx.Err() != nil {
		t.Fatalf("listing a bucket that does not exist: %v, after %d requests", err, f.requests.Load())
	}
	if n := f.requests.Load(); n > 3 {
		t.Errorf("listing a bucket that does not exist took %d requests", n)
	}
}

// A write to a bucket that does not exist fails with the driver's error,
// which wraps neither fs.ErrNotExist, as if an object were missing, nor
// fs.ErrExist, as if a create had lost.
func TestS3WriteMissingBucket(t *testing.T) {
	f := newFakeS3(t)
	b := f.open(t, "nosuch", nil)
	for _, onlyNew := range []bool{false, true} {
		err := b.Write(context.Background(), "manifest.json", []byte("{}"), onlyNew)
		if err == nil || errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrExist) {
			t.Errorf("writing (onlyNew %v) into a bucket that does not exist: %v", onlyNew, err)
		}
	}
}

// An object too big for one PutObject goes up in parts, which S3 joins
// whole at CompleteMultipartUpload; a create sends If-None-Match: * with
// that request, and S3 refuses it there, with 412, when the object exists.
// (gofakes3 joins the parts without looking at the condition: the test's
// server checks it, as S3 does.)
func TestS3Multipart(t *testing.T) {
	ctx := context.Background()
	f := newFakeS3(t, "run")
	b := f.open(t, "run", nil)
	a := bytes.Repeat([]byte("a"), 17<<20) // over the 16 MiB that s3blob puts in one request
	if err := b.Write(ctx, "level-000001/frontier-0", a, true); err != nil {
		t.Fatal(err)
	}
	if f.uploads.Load() == 0 {
		t.Fatal("no multipart upload")
	}
	got, err := b.Read(ctx, "level-000001/frontier-0")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, a) {
		t.Fatalf("read %d bytes, not the %d written", len(got), len(a))
	}

	err = b.Write(ctx, "level-000001/frontier-0", bytes.Repeat([]byte("b"), len(a)), true)
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("creating an existing big object: %v, want fs.ErrExist", err)
	}
	if got, _ := b.Read(ctx, "level-000001/frontier-0"); !bytes.Equal(got, a) {
		t.Fatal("a refused create of a big object wrote it")
	}
}

// A create that S3 answers with 409 ConditionalRequestConflict (another
// conditional write of the key was in progress) is sent again until the
// store decides it: created when the object is new, fs.ErrExist when it
// exists. A write that is not a create is never conditional, and S3
// never answers it so.
func TestS3ConditionalConflict(t *testing.T) {
	defer func(p time.Duration) { conflictPause = p }(conflictPause)
	conflictPause = time.Millisecond
	ctx := context.Background()
	f := newFakeS3(t, "run")
	b := f.open(t, "run", nil)

	f.conflicts.Store(3)
	if err := b.Write(ctx, "manifest.json", []byte("one"), true); err != nil {
		t.Fatalf("create after three conflicts: %v", err)
	}
	f.conflicts.Store(2)
	if err := b.Write(ctx, "manifest.json", []byte("two"), true); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("create of an existing object after two conflicts: %v, want fs.ErrExist", err)
	}
	if got, err := b.Read(ctx, "manifest.json"); err != nil || string(got) != "one" {
		t.Fatalf("read %q, %v; want the first create's", got, err)
	}
	f.conflicts.Store(1)
	if err := b.Write(ctx, "manifest.json", []byte("three"), false); err != nil || f.conflicts.Load() != 1 {
		t.Fatalf("overwrite: %v, conditional requests %d, want none", err, 1-f.conflicts.Load())
	}
	f.conflicts.Store(conflictTries)
	err := b.Write(ctx, "other.json", []byte("x"), true)
	if err == nil || errors.Is(err, fs.ErrExist) || errors.Is(err, fs.ErrNotExist) || !conflict(err) {
		t.Fatalf("create that meets a conflict every time: %v, want the conflict", err)
	}
	if f.conflicts.Load() != 0 {
		t.Errorf("%d conflicts left: the create was sent %d times, not %d", f.conflicts.Load(), conflictTries-int(f.conflicts.Load()), conflictTries)
	}
}
