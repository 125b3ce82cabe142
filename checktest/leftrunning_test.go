//go:build !race

// Under the race detector a level of these searches lasts longer than the
// goroutine left running sleeps: it has ended, unseen, when the level
// ends and the workers look for it.

package checktest_test

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/argocheck/argocheck/checktest"
	"github.com/argocheck/argocheck/layers/asyncdisk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/layers/replicated"
	"github.com/argocheck/argocheck/layers/twoasyncdisk"
	"github.com/argocheck/argocheck/layers/twodisk"
	"github.com/argocheck/argocheck/model"
)

// scrubbing wraps impl's recovery: it starts a goroutine that wakes a
// minute later (after any search here, however loaded the machine) and
// marks the instance scrubbed, and returns without waiting for it. What
// such a goroutine writes no run of the search sees.
func scrubbing[L, U any](impl model.Impl[L, U]) model.Impl[L, U] {
	return func(lower L) model.Instance[U] {
		in := impl(lower)
		var scrubbed atomic.Bool
		rec := in.Recover
		in.Recover = func() {
			rec()
			go func() {
				time.Sleep(time.Minute)
				scrubbed.Store(true)
			}()
		}
		return in
	}
}

// TestVerifyGoroutineLeftRunning: Verify fails, and Violates finds a
// nondeterminism violation, for the correct replicated disk whose
// recovery leaves a goroutine running, on synchronous disks and on disks
// with a write cache (each verified before, the search being over
// before the goroutine woke).
func TestVerifyGoroutineLeftRunning(t *testing.T) {
	for name, sys := range map[string]model.Checker{
		"repdisk":       model.NewSystem(twodisk.Layer(sizes), onedisk.Layer(sizes), scrubbing(replicated.Impl(replicated.Correct)), replicated.Abs),
		"repdisk/async": model.NewSystem(twoasyncdisk.Layer(sizes), asyncdisk.Layer(sizes), scrubbing(replicated.AsyncImpl(replicated.Correct)), replicated.AsyncAbs),
	} {
		t.Run(name, func(t *testing.T) {
			checktest.Violates(t, sys, model.KindNondeterminism, checktest.AnyLength)
			got := failure(t, func(tb testing.TB) { checktest.Verify(tb, sys) })
			if want := "a goroutine that recovery started"; !strings.Contains(got, want) {
				t.Errorf("Verify failed with %q, which lacks %q", got, want)
			}
		})
	}
}
