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
	"strings"
	"testing"

	"github.com/fsouza/fake-gcs-server/fakestorage"

	"github.com/argocheck/argocheck/internal/buckettest"
	"github.com/argocheck/argocheck/shard"
)

// newFakeGCS starts a Cloud Storage server in the test's process holding
// the given buckets, empty, and points gcsblob, the driver of gs:// URLs,
// at it through STORAGE_EMULATOR_HOST, without credentials.
func newFakeGCS(t *testing.T, buckets ...string) {
	t.Helper()
	var fake *fakestorage.Server
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Cloud Storage holds a resumable upload to the condition it was
		// begun on (ifGenerationMatch=0: no object of that name); the
		// fake (v1.52.3) checks the condition of a one-request upload
		// only, so the test's server refuses, as the store does, to
		// begin a create of an object that exists.
		q := r.URL.Query()
		if r.Method == http.MethodPost && q.Get("uploadType") == "resumable" && q.Get("ifGenerationMatch") == "0" {
			bucket := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/upload/storage/v1/b/"), "/o")
			if _, err := fake.GetObject(bucket, q.Get("name")); err == nil {
				w.WriteHeader(http.StatusPreconditionFailed)
				fmt.Fprint(w, `{"error":{"code":412,"message":"At least one of the pre-conditions you specified did not hold."}}`)
				return
			}
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	fake, err := fakestorage.NewServerWithOptions(fakestorage.Options{NoListener: true, PublicHost: "127.0.0.1", ExternalURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range buckets {
		fake.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: name})
	}
	h = fake.HTTPHandler()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("STORAGE_EMULATOR_HOST", u.Host)
}

// openGCS opens a gs:// bucket through shard.Open, as a user's URL does.
func openGCS(t *testing.T, rawURL string) shard.Bucket {
	t.Helper()
	b, err := shard.Open(context.Background(), rawURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// The adapter keeps the contract over Cloud Storage's driver: a create is
// an upload on the condition that no generation of the object exists,
// which the store refuses with 412 when one does.
func TestGCS(t *testing.T) {
	newFakeGCS(t, "run")
	buckettest.Run(t, openGCS(t, "gs://run?anonymous=true"))
}

// A prefix keeps a run's objects apart from the rest of the bucket's.
func TestGCSPrefix(t *testing.T) {
	newFakeGCS(t, "runs")
	other := openGCS(t, "gs://runs?anonymous=true&prefix=other/")
	if err := other.Write(context.Background(), "manifest.json", []byte("{}"), true); err != nil {
		t.Fatal(err)
	}
	buckettest.Run(t, openGCS(t, "gs://runs?anonymous=true&prefix=this/"))
	if ok, err := other.Exists(context.Background(), "manifest.json"); !ok || err != nil {
		t.Errorf("the other prefix's manifest: %v, %v", ok, err)
	}
}

// An object bigger than one request of the driver goes up as a resumable
// upload, on the same condition: a create of an existing big object is
// refused and leaves the object as it was.
func TestGCSBigObject(t *testing.T) {
	ctx := context.Background()
	newFakeGCS(t, "run")
	b := openGCS(t, "gs://run?anonymous=true")
	a := bytes.Repeat([]byte("a"), 17<<20) // over the 16 MiB that gcsblob sends in one request
	if err := b.Write(ctx, "level-000001/frontier-0", a, true); err != nil {
		t.Fatal(err)
	}
	if got, err := b.Read(ctx, "level-000001/frontier-0"); err != nil || !bytes.Equal(got, a) {
		t.Fatalf("read %d bytes (%v), not the %d written", len(got), err, len(a))
	}
	err := b.Write(ctx, "level-000001/frontier-0", bytes.Repeat([]byte("b"), len(a)), true)
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("creating an existing big object: %v, want fs.ErrExist", err)
	}
	if got, _ := b.Read(ctx, "level-000001/frontier-0"); !bytes.Equal(got, a) {
		t.Fatal("a refused create of a big object wrote it")
	}
}
