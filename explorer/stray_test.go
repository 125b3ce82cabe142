package explorer

import (
	"strings"
	"testing"

	"github.com/argocheck/argocheck/internal/graphtest"
	"github.com/argocheck/argocheck/model"
)

// verified search.
func TestStrayOfAnyWorker(t *testing.T) {
	for _, tc := range []struct{ workers, stray int32 }{{1, 1}, {2, 2}, {3, 2}, {3, 3}} {
		g := graphtest.Chain(0, 4)
		g.StrayWorker = tc.stray
		res := runGraph(t, g, Config{Workers: int(tc.workers)})
		if res.Verdict != Violated || res.Violation.Kind != model.KindPanic || !strings.Contains(res.Violation.Message, "left behind") {
			t.Errorf("%d workers, the call left behind by worker %d's layer code: %s (%v), want its violation", tc.workers, tc.stray, res.Verdict, res.Violation)
		}
	}
}
