package cloud

import (
	"testing"

	"gocloud.dev/blob/memblob"

	"github.com/argocheck/argocheck/internal/buckettest"
)

// The adapter keeps the contract over a gocloud.dev bucket (here one in
// memory, with the same error codes as the clouds' drivers).
func TestBucket(t *testing.T) {
	buckettest.Run(t, &bucket{memblob.OpenBucket(nil)})
}
