package model

import "testing"

// The standard library's layouts that the walks of memory pass over parts
// of are found in this release of Go: where one is not, the walks pass
// over nothing of it, and the false alarms its part gave come back.
func TestPassedOverFindsItsFields(t *testing.T) {
	for _, c := range []struct {
		name  string
		found bool
	}{
		{"context's cancelCtx", cancelCtxType != nil},
		{"cancelCtx.done", cancelCtxDone >= 0},
		{"cancelCtx.children", cancelCtxKids >= 0},
		{"slog's commonHandler", slogHandlerType != nil},
		{"commonHandler.w", slogHandlerOut >= 0},
		{"os.File's poll.FD", fileFDType != nil},
		{"poll.FD.fdmu", fileFDLock >= 0},
		{"sync.Cond.checker", condChecker >= 0},
	} {
		if !c.found {
			t.Errorf("%s: not found", c.name)
		}
	}
}
