package pair_test

import (
	"testing"

	"github.com/argocheck/argocheck/checktest"
	"github.com/argocheck/argocheck/examples/pair"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
)

func TestSpec(t *testing.T) {
	checktest.Spec(t, pair.Layer(2))
	checktest.Spec(t, pair.Layer(3))
}

// The pair verifies on one disk with a write cache and on the replicated
// disk below it. The counts are pinned: a count that changes means the
// state space changed (a relation that looks at more blocks, a put that
// writes more than it should).
func TestVerify(t *testing.T) {
	for _, tc := range []struct {
		name   string
		sys    model.Checker
		states uint64
	}{
		{"on-asyncdisk", pair.OnAsyncDisk(2, pair.Correct), 116},
		{"on-repdisk", pair.System(2, pair.Correct), 660},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if res := checktest.Verify(t, tc.sys); res.States != tc.states {
				t.Errorf("%d states, want %d", res.States, tc.states)
			}
		})
	}
}

func TestMutants(t *testing.T) {
	for _, tc := range []struct {
		variant pair.Variant
		length  int
	}{
		// put(1, 1) crashes after its commit record is written: a crash
		// keeps the record and loses one block of the shadow copy, which
		// recovery copies into the pair.
		{pair.NoFlushBeforeCommit, 2},
		// put(1, 1) crashes after the commit record and one block of the
		// shadow: recovery copies the other, old, block.
		{pair.CommitBeforeShadow, 2},
		// put(1, 1) crashes after its commit record; recovery clears the
		// record, copies one block and crashes; the next recovery finds
		// no record.
		{pair.RecoveryClearsFirst, 3},
		// put(0, 0) leaves its cleared record in the cache; put(1, 1)
		// writes the shadow and crashes: the record comes back, over a
		// shadow half new.
		{pair.NoFinalFlush, 3},
	} {
		t.Run(string(tc.variant), func(t *testing.T) {
			checktest.Violates(t, pair.OnAsyncDisk(2, tc.variant), model.KindRecovery, tc.length)
			checktest.Violates(t, pair.System(2, tc.variant), model.KindRecovery, tc.length)
		})
	}
}

// The path of the stack, with the replicated disk's recovery and the
// pair's in each recovery step.
func TestGolden(t *testing.T) {
	res := checktest.Violates(t, pair.System(2, pair.NoFinalFlush), model.KindRecovery, 3)
	checktest.Golden(t, "testdata/no-final-flush.txt", res)
}

// recovery-clears-first needs a crash during recovery to show.
func TestCrashModes(t *testing.T) {
	sys := pair.System(2, pair.RecoveryClearsFirst)
	checktest.Violates(t, sys, model.KindRecovery, 3, explorer.Config{Crashes: model.CrashAll})
	checktest.Verify(t, sys, explorer.Config{Crashes: model.CrashNoNested})
}

func TestNoPackageState(t *testing.T) {
	checktest.NoPackageState(t, ".")
}

func TestNoOutsideInput(t *testing.T) {
	checktest.NoOutsideInput(t, ".")
}
