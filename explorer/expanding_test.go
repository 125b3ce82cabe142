package explorer

import (
	"testing"
	"time"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/layers"
)

// TestExpandingShare: a search counts the time its workers spend
// expanding states, summed over them, and that is never more than their
// whole time, with one worker or several; a search of no time has no
// share.
func TestExpandingShare(t *testing.T) {
	p := catalog.Params{layers.Blocks: 4, layers.Values: 3}
	for _, workers := range []int{1, 3} {
		res := check(t, "repdisk", p, "", Config{Workers: workers})
		if share := res.ExpandingShare(workers); res.Expanding <= 0 || share <= 0 || share > 1 {
			t.Errorf("%d workers: expanding %v of %v elapsed, a share of %.3f; want above 0 and at most 1",
				workers, res.Expanding, res.Elapsed, share)
		}
	}
	if got := (&Result{}).ExpandingShare(2); got != 0 {
		t.Errorf("a search of no time: share %v, want 0", got)
	}
	// Of a resumed search, the share is of its own run, not of the
	// runs before it that Elapsed holds too.
	resumed := Result{Elapsed: time.Hour + 2*time.Second, Ran: 2 * time.Second, Expanding: 3 * time.Second}
	if got := resumed.ExpandingShare(2); got != 0.75 {
		t.Errorf("a resumed search that ran 2s with 2 workers, 3s expanding: share %v, want 0.75", got)
	}
}
