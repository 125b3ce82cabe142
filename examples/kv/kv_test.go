package kv_test

import (
	"testing"

	"github.com/argocheck/argocheck/checktest"
	"github.com/argocheck/argocheck/examples/kv"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
)

var sizes = kv.Sizes{Keys: 2, Values: 2, Records: 3}

func TestSpec(t *testing.T) {
	checktest.Spec(t, kv.Layer(sizes))
	checktest.Spec(t, kv.Layer(kv.Sizes{Keys: kv.MaxKeys, Values: kv.MaxValues, Records: 1}))
}

// The store keeps its state on its disk: no package-level variable
// changes after the package is initialized, which the search could not
// see.
func TestNoPackageState(t *testing.T) {
	checktest.NoPackageState(t, ".")
}

// The store decides only by what the search chooses: no clock, timer,
// random draw or environment variable, whose other values the search
// would not explore.
func TestNoOutsideInput(t *testing.T) {
	checktest.NoOutsideInput(t, ".")
}

// The correct store verifies, with as many states as its design
// predicts. With N = keys*values distinct records, the disk between
// operations holds n committed records (n = 0..records, any of N each)
// and, when n < records, in the block after them the record of a put
// that crashed before its pointer write (any of N, a zero block being
// record(0, 0)): I = N + N^2 + ... + N^records + N^records lower states,
// each one Idle node. A crash adds to each 1 + keys*(values-1)
// Recovering nodes: a crash between operations, during a get or during a
// put that changes nothing allows the state itself; a crash during a put
// that would change a key (found full or not) allows the states before
// and after it. A crash after the pointer write reaches one of those
// nodes: its allowed set is the state reached and that state with the
// put undone. So the count is I * (2 + keys*(values-1)).
func TestVerify(t *testing.T) {
	for _, tc := range []struct {
		sizes  kv.Sizes
		states uint64
	}{
		{kv.Sizes{Keys: 2, Values: 2, Records: 2}, 144},  // I = 4+16+16 = 36, times 4
		{kv.Sizes{Keys: 2, Values: 3, Records: 3}, 2844}, // I = 6+36+216+216 = 474, times 6
	} {
		res := checktest.Verify(t, model.Rebuilt(func() model.Checker { return kv.System(tc.sizes, kv.Correct) }))
		if res.States != tc.states {
			t.Errorf("%+v: %d states, want %d", tc.sizes, res.States, tc.states)
		}
		if f := formula(tc.sizes); f != tc.states {
			t.Errorf("%+v: the formula gives %d states, the test pins %d", tc.sizes, f, tc.states)
		}
	}
}

// formula is the state count of the correct store (see TestVerify).
func formula(sz kv.Sizes) uint64 {
	n := uint64(sz.Keys * sz.Values)
	idle, pow := uint64(0), uint64(1)
	for range sz.Records {
		pow *= n
		idle += pow
	}
	idle += pow
	return idle * uint64(2+sz.Keys*(sz.Values-1))
}

// Every mutant is caught, by the bug it was made to have, with its
// shortest path.
func TestMutants(t *testing.T) {
	for _, tc := range []struct {
		variant kv.Variant
		sizes   kv.Sizes
		kind    string
		length  int
	}{
		// put(0, 1); put(0, 1) again, crashing after its pointer write:
		// the empty block 2 is committed as record(0, 0), and key 0 reads
		// 0 again after recovery.
		{kv.PointerBeforeRecord, sizes, model.KindRecovery, 3},
		// put(0, 0); put(0, 1); get(0) returns the older 0.
		{kv.OldestWins, sizes, model.KindRefinement, 3},
		// records puts fill the store; the next one commits a record that
		// is not on the disk.
		{kv.NoFullCheck, sizes, model.KindRefinement, sizes.Records + 1},
		{kv.NoFullCheck, kv.Sizes{Keys: 1, Values: 2, Records: 5}, model.KindRefinement, 6},
	} {
		t.Run(string(tc.variant), func(t *testing.T) {
			checktest.Violates(t, kv.System(tc.sizes, tc.variant), tc.kind, tc.length)
		})
	}
}

// The crash modes: pointer-before-record is caught only with crashes
// inside operations, and only when the store has room for two puts.
func TestCrashModes(t *testing.T) {
	for _, tc := range []struct {
		crashes model.CrashMode
		sizes   kv.Sizes
		caught  bool
	}{
		{model.CrashAll, sizes, true},
		{model.CrashNoNested, sizes, true},
		{model.CrashBetweenOps, sizes, false},
		{model.CrashAll, kv.Sizes{Keys: 2, Values: 2, Records: 1}, false},
	} {
		sys := kv.System(tc.sizes, kv.PointerBeforeRecord)
		cfg := explorer.Config{Crashes: tc.crashes}
		if tc.caught {
			checktest.Violates(t, sys, model.KindRecovery, 3, cfg)
		} else {
			checktest.Verify(t, sys, cfg)
		}
	}
}

// The path of pointer-before-record, as docs/tutorial.md explains it.
func TestGolden(t *testing.T) {
	res := checktest.Violates(t, kv.System(sizes, kv.PointerBeforeRecord), model.KindRecovery, 3)
	checktest.Golden(t, "testdata/pointer-before-record.txt", res)
}
