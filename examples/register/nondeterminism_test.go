package register_test

import (
	"sync/atomic"
	"testing"

	"github.com/argocheck/argocheck/checktest"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/model"
)

// A recovery that clears the register every other time it runs keeps a
// count of its own between runs: the check runs each recovery twice from
// the same disk and catches the difference. Such a path is rebuilt by
// running the same code, so its length is not pinned.
func TestRecoveryCountsItsRuns(t *testing.T) {
	var runs atomic.Int64 // the check's workers run recoveries in parallel
	clearsEveryOther := func(d onedisk.API) {
		if runs.Add(1)%2 == 0 {
			d.Write(0, 0)
		}
	}
	checktest.Violates(t, system(clearsEveryOther), model.KindNondeterminism, checktest.AnyLength)
}
