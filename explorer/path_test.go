package explorer_test

import (
	"context"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/model"
)

// panicWhen says which writes of the panicking layer panic: those that
// replace old by new. It is package-level state, so a test can change the
// layer code's behaviour between the search and the rebuilding of its
// path, as nondeterministic code would.
var panicWhen = func(old, new disk.Block) bool { return false }

// panicking is OneDisk on OneDisk that reads each block before writing it,
// and panics on the writes panicWhen names.
type panicking struct{ d onedisk.API }

func (p panicking) Read(a disk.Addr) disk.Block { return p.d.Read(a) }
func (p panicking) Size() int                   { return p.d.Size() }
func (p panicking) Write(a disk.Addr, b disk.Block) {
	if panicWhen(p.d.Read(a), b) {
		panic("write of a value it may not")
	}
	p.d.Write(a, b)
}

func panickingSystem() model.Checker {
	sizes := disk.Sizes{Blocks: 2, Values: 3}
	impl := func(d onedisk.API) model.Instance[onedisk.API] {
		return model.Instance[onedisk.API]{API: panicking{d}, Recover: func() {}}
	}
	return model.NewSystem(onedisk.Layer(sizes), onedisk.Layer(sizes), impl, sameDisk)
}

// restoreWith searches the system with panicWhen set to search, then
// rebuilds the violation's path with it set to replay; crashes are as
// mode says.
func restoreWith(t *testing.T, mode model.CrashMode, search, replay func(old, new disk.Block) bool) (*explorer.Result, *explorer.Result) {
	t.Helper()
	defer func(f func(old, new disk.Block) bool) { panicWhen = f }(panicWhen)
	panicWhen = search
	chk := panickingSystem()
	cp := &memCheckpoint{}
	res, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 1, Checkpoint: cp, Crashes: mode})
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != explorer.Violated || res.Violation.Kind != model.KindPanic {
		t.Fatalf("search: verdict %s %+v, want a panic", res.Verdict, res.Violation)
	}
	panicWhen = replay
	parents := cp.saved().Parents
	got, err := explorer.Restore(chk, explorer.Config{Crashes: mode}, res.Outcome(), func(n uint64) (uint64, error) { return parents[n], nil })
	if err != nil {
		t.Fatal(err)
	}
	return res, got
}

// TestPathThatDoesNotFail: a rebuilt path whose last step no longer fails
// ends in a nondeterminism violation at that step, saying what the search
// found there; it never ends in a node with no violation.
func TestPathThatDoesNotFail(t *testing.T) {
	res, got := restoreWith(t, model.CrashAll, func(_, new disk.Block) bool { return new == 1 }, func(_, _ disk.Block) bool { return false })
	n := len(got.Trace.Steps) - 1
	last := got.Trace.Steps[n]
	if n != res.Trace.Len() || last.Violation == nil || last.Violation.Kind != model.KindNondeterminism {
		t.Fatalf("rebuilt path:\n%s\nwant %d steps ending in nondeterminism", got.Trace, res.Trace.Len())
	}
	for _, want := range []string{"step 1 took another course", "it reached ", "the search found panic: layer code panicked"} {
		if !strings.Contains(last.Violation.Message, want) {
			t.Errorf("message %q lacks %q", last.Violation.Message, want)
		}
	}
	// What the search found comes first: the path cannot show it.
	if !strings.HasPrefix(last.Violation.Message, "the search found panic: ") {
		t.Errorf("message %q does not begin with what the search found", last.Violation.Message)
	}
	if got.Violation != last.Violation {
		t.Errorf("result's violation %+v is not the path's last %+v", got.Violation, last.Violation)
	}
}

// TestPathThatFailsEarly: a rebuilt path that fails before its last step
// stops there, with a nondeterminism violation naming that step.
func TestPathThatFailsEarly(t *testing.T) {
	// The search fails on a write of 2 over a 1, after the write of that 1;
	// the replay fails on the write of 1. With crashes between operations
	// only, each run is one edge, failed or not, so the replay's edges keep
	// the search's ordinals.
	res, got := restoreWith(t, model.CrashBetweenOps,
		func(old, new disk.Block) bool { return old == 1 && new == 2 },
		func(_, new disk.Block) bool { return new == 1 })
	if res.Trace.Len() < 2 {
		t.Fatalf("the search's path has %d steps, want 2 or more:\n%s", res.Trace.Len(), res.Trace)
	}
	last := got.Trace.Steps[len(got.Trace.Steps)-1]
	if got.Trace.Len() != 1 || last.Violation == nil || last.Violation.Kind != model.KindNondeterminism ||
		!strings.Contains(last.Violation.Message, "step 1 took another course") || !strings.Contains(last.Violation.Message, "it failed (panic: ") {
		t.Fatalf("rebuilt path:\n%s\nwant one step failing with nondeterminism at step 1", got.Trace)
	}
}

// TestEveryPathEndsInItsViolation: whatever the layer code does, the path
// reported with a violation ends in that violation. A package-level cache
// makes reads return what another node's run left in it; the search finds
// the wrong result or the difference between two runs, and the path shows
// it, or the replay's divergence.
func TestEveryPathEndsInItsViolation(t *testing.T) {
	cache := map[disk.Addr]disk.Block{}
	impl := func(d onedisk.API) model.Instance[onedisk.API] {
		return model.Instance[onedisk.API]{API: cached{d, cache}, Recover: func() {}}
	}
	for _, mode := range model.DeterminismModes {
		clear(cache)
		chk := model.NewSystem(onedisk.Layer(disk.Sizes{Blocks: 3, Values: 2}), onedisk.Layer(disk.Sizes{Blocks: 3, Values: 2}), impl, sameDisk)
		res, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 2, Determinism: mode})
		if err != nil {
			t.Fatal(err)
		}
		if res.Verdict != explorer.Violated {
			t.Fatalf("%s: verdict %s, want a violation", mode, res.Verdict)
		}
		last := res.Trace.Steps[len(res.Trace.Steps)-1]
		if last.Violation == nil || last.Violation != res.Violation {
			t.Fatalf("%s: the path does not end in the violation %+v:\n%s", mode, res.Violation, res.Trace)
		}
	}
}

// cached is OneDisk on OneDisk that keeps the blocks it has seen in a
// cache shared by every run: state outside the lower layer.
type cached struct {
	d     onedisk.API
	cache map[disk.Addr]disk.Block
}

func (c cached) Read(a disk.Addr) disk.Block {
	if b, ok := c.cache[a]; ok {
		return b
	}
	b := c.d.Read(a)
	c.cache[a] = b
	return b
}

func (c cached) Write(a disk.Addr, b disk.Block) { c.d.Write(a, b); c.cache[a] = b }
func (c cached) Size() int                       { return c.d.Size() }
