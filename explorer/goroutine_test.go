//go:build !race

// The race detector would report the data race such layer code makes,
// which is the point of the test: it runs without it.

package explorer_test

import (
	"context"
	"testing"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/model"
)

// TestGoroutineIsNeverVerified: layer code that calls the lower layer
// from a goroutine it does not wait for is reported as nondeterminism,
// whenever the goroutine's call lands: between runs, inside another run,
// or after the last one.
func TestGoroutineIsNeverVerified(t *testing.T) {
	leftBehind := func(read func(disk.Addr), a disk.Addr) { go read(a) }
	for _, chk := range []func(fault) model.Checker{onOneDisk, onTwoDisk} {
		for _, workers := range []int{1, 2} {
			res, err := explorer.Run(context.Background(), chk(leftBehind), explorer.Config{Workers: workers})
			if err != nil {
				t.Fatal(err)
			}
			if res.Verdict != explorer.Violated || res.Violation.Kind != model.KindNondeterminism {
				t.Fatalf("%d workers: verdict %s %+v, want a nondeterminism violation", workers, res.Verdict, res.Violation)
			}
		}
	}
}
