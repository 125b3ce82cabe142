package explorer_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
)

// A register over a two-block disk: block 0 holds the value, block 1 a
// lock that a write sets before it writes block 0 and clears after. A read
// of a locked register returns 9, so the lock must never survive a
// completed write, or a recovery. The tests below break, one at a time,
// a rule the search relies on in the user's own definitions (states,
// encodings, relation, invariant, crash relation), each in a way that
// hides this register's bug from a search that trusts the rule.

// lockDisk is the two-block disk's state.
type lockDisk struct{ B [2]uint8 }

// diskOp reads or writes one block of the disk.
type diskOp struct {
	Write bool
	A, V  uint8
}

// lockDiskSpec is the disk: writes are synchronous, a crash changes
// nothing.
type lockDiskSpec struct{ model.Codec[lockDisk] }

func (lockDiskSpec) Init() []lockDisk { return []lockDisk{{}} }
func (lockDiskSpec) Ops() []diskOp {
	return []diskOp{{A: 0}, {A: 1}, {Write: true, A: 0, V: 1}, {Write: true, A: 1, V: 1}}
}
func (lockDiskSpec) Crash(*lockDisk, model.Chooser) {}
func (lockDiskSpec) Step(s *lockDisk, op diskOp, _ model.Chooser) uint8 {
	if op.Write {
		s.B[op.A] = op.V
		return 0
	}
	return s.B[op.A]
}

// regState is the upper layer's state, regOp its operation: read, or
// write V.
type regState struct {
	V uint8
	F uint8 // a flag that only flagOnCrash's crash relation sets
}

type regOp struct {
	Write bool
	V     uint8
}

func (o regOp) String() string {
	if o.Write {
		return fmt.Sprintf("write(%d)", o.V)
	}
	return "read()"
}

type registerSpec struct{ model.Codec[regState] }

func (registerSpec) Init() []regState               { return []regState{{}} }
func (registerSpec) Ops() []regOp                   { return []regOp{{}, {Write: true, V: 1}, {Write: true}} }
func (registerSpec) Crash(*regState, model.Chooser) {}
func (registerSpec) Step(s *regState, op regOp, _ model.Chooser) uint8 {
	if op.Write {
		s.V = op.V
		return 0
	}
	return s.V
}

type diskCaller = model.Caller[diskOp, uint8]

// lockRegister is the implementation; unlock says whether a write clears
// its lock (the bug when false).
type lockRegister struct {
	d      diskCaller
	unlock bool
}

func (r lockRegister) Call(op regOp) uint8 {
	if !op.Write {
		if r.d.Call(diskOp{A: 1}) != 0 {
			return 9
		}
		return r.d.Call(diskOp{A: 0})
	}
	r.d.Call(diskOp{Write: true, A: 1, V: 1})
	r.d.Call(diskOp{Write: true, A: 0, V: op.V})
	if r.unlock {
		r.d.Call(diskOp{Write: true, A: 1, V: 0})
	}
	return 0
}

// lockSystem is the register on a disk with spec lower; recovery clears
// the lock.
func lockSystem[S comparable](lower model.Spec[S, diskOp, uint8], unlock bool, abs model.Relation[regState, S]) *model.System[S, diskOp, uint8, diskCaller, regState, regOp, uint8, model.Caller[regOp, uint8]] {
	impl := lockImpl(unlock, func(d diskCaller) { d.Call(diskOp{Write: true, A: 1, V: 0}) })
	return model.NewSystem(model.NewLayer("disk", lower), model.NewLayer("register", model.Spec[regState, regOp, uint8](registerSpec{})), impl, abs)
}

// lockImpl is the register's implementation with recovery rec.
func lockImpl(unlock bool, rec func(diskCaller)) model.Impl[diskCaller, model.Caller[regOp, uint8]] {
	return func(d diskCaller) model.Instance[model.Caller[regOp, uint8]] {
		return model.Instance[model.Caller[regOp, uint8]]{API: lockRegister{d, unlock}, Recover: func() { rec(d) }}
	}
}

// markerRecovery marks the lock 2 while it recovers, and then clears it;
// its bug: a recovery that finds the mark (a crash during recovery)
// leaves it.
func markerRecovery(d diskCaller) {
	if d.Call(diskOp{A: 1}) == 2 {
		return
	}
	d.Call(diskOp{Write: true, A: 1, V: 2})
	d.Call(diskOp{Write: true, A: 1, V: 0})
}

// markedSystem is the register on lower with markerRecovery.
func markedSystem(lower model.Spec[lockDisk, diskOp, uint8]) model.Checker {
	sys := lockSystem(lower, true, blockZero)
	sys.Impl = lockImpl(true, markerRecovery)
	return sys
}

// flaggedSystem is the correct register with upper as its specification.
func flaggedSystem(upper model.Spec[regState, regOp, uint8]) model.Checker {
	sys := lockSystem[lockDisk](lockDiskSpec{}, true, blockZero)
	sys.Upper.Spec = upper
	return sys
}

// forgetsMark encodes recovery's mark as no lock: a state that only a
// crash during recovery reaches loses what tells it apart.
type forgetsMark struct{ lockDiskSpec }

func (forgetsMark) AppendEncode(dst []byte, s *lockDisk) []byte {
	return append(dst, s.B[0], s.B[1]%2)
}

// flagsOnCrash is the register whose crash sets F, which no
// implementation's state relates to: a crash, recovered, is a recovery
// violation.
type flagsOnCrash struct{ registerSpec }

func (flagsOnCrash) Crash(s *regState, _ model.Chooser) { s.F = 1 }

// flagOnCrash is flagsOnCrash encoded without F: the states a crash
// allows lose their flag.
type flagOnCrash struct{ flagsOnCrash }

func (flagOnCrash) AppendEncode(dst []byte, s *regState) []byte {
	return append(dst, s.V)
}
func (flagOnCrash) Decode(src []byte, s *regState) (int, error) {
	if len(src) < 1 {
		return 0, errors.New("short")
	}
	*s = regState{V: src[0]}
	return 1, nil
}

func blockZero(c *lockDisk) (regState, bool) { return regState{V: c.B[0]}, true }

// forgetsLock encodes block 0 alone: two disks, one encoding.
type forgetsLock struct{ lockDiskSpec }

func (forgetsLock) AppendEncode(dst []byte, s *lockDisk) []byte { return append(dst, s.B[0], 0) }

// decodesNoLock decodes both blocks but drops the lock.
type decodesNoLock struct{ lockDiskSpec }

func (decodesNoLock) Decode(src []byte, s *lockDisk) (int, error) {
	if len(src) < 2 {
		return 0, errors.New("short")
	}
	*s = lockDisk{B: [2]uint8{src[0], 0}}
	return 2, nil
}

// encodeClearsLock "normalizes" the state it encodes.
type encodeClearsLock struct{ lockDiskSpec }

func (encodeClearsLock) AppendEncode(dst []byte, s *lockDisk) []byte {
	s.B[1] = 0
	return append(dst, s.B[0], s.B[1])
}

// crashFlips is a disk with a write cache for the lock whose crash keeps
// or loses the lock by a global's turn, not by the Chooser.
type crashFlips struct {
	lockDiskSpec
	turn *atomic.Int64
}

func (c crashFlips) Crash(s *lockDisk, _ model.Chooser) {
	if c.turn.Add(1)%2 == 0 {
		s.B[1] = 0
	}
}

// laxCrashTurns is the register whose crash keeps its value, but, on
// every third call (a global's turn, not the Chooser), may lose it.
type laxCrashTurns struct {
	registerSpec
	turn *atomic.Int64
}

func (c laxCrashTurns) Crash(s *regState, ch model.Chooser) {
	if c.turn.Add(1)%3 == 0 {
		s.V = uint8(ch.Choose(2))
	}
}

// laxReadTurns is the register whose read, on every third call,
// returns 9.
type laxReadTurns struct {
	registerSpec
	turn *atomic.Int64
}

func (r laxReadTurns) Step(s *regState, op regOp, ch model.Chooser) uint8 {
	if !op.Write && r.turn.Add(1)%3 == 0 {
		return 9
	}
	return r.registerSpec.Step(s, op, ch)
}

// losingSystem is the register with upper as its specification and a
// recovery that clears the value with the lock: a bug unless a crash
// may lose the value.
func losingSystem(upper model.Spec[regState, regOp, uint8]) model.Checker {
	sys := flaggedSystem(upper).(*model.System[lockDisk, diskOp, uint8, diskCaller, regState, regOp, uint8, model.Caller[regOp, uint8]])
	sys.Impl = lockImpl(true, func(d diskCaller) {
		d.Call(diskOp{Write: true, A: 1, V: 0})
		d.Call(diskOp{Write: true, A: 0, V: 0})
	})
	return sys
}

// overReadsMark decodes recovery's mark, a state that only a crash
// during recovery reaches, reading a byte past its encoding.
type overReadsMark struct{ lockDiskSpec }

func (overReadsMark) Decode(src []byte, s *lockDisk) (int, error) {
	n, err := lockDiskSpec{}.Decode(src, s)
	if err == nil && s.B[1] == 2 && len(src) > n {
		n++
	}
	return n, err
}

// valueOnly is the register encoded in one byte, its value (its flag is
// always 0).
type valueOnly struct{ registerSpec }

func (valueOnly) AppendEncode(dst []byte, s *regState) []byte { return append(dst, s.V) }
func (valueOnly) Decode(src []byte, s *regState) (int, error) {
	if len(src) < 1 {
		return 0, errors.New("short")
	}
	*s = regState{V: src[0]}
	return 1, nil
}

// marksSystem is the correct register with lower as its disk's
// specification and valueOnly as its own, whose recovery marks the lock
// 2 and then clears it.
func marksSystem(lower model.Spec[lockDisk, diskOp, uint8]) model.Checker {
	sys := lockSystem(lower, true, blockZero)
	sys.Upper.Spec = valueOnly{}
	sys.Impl = lockImpl(true, func(d diskCaller) {
		d.Call(diskOp{Write: true, A: 1, V: 2})
		d.Call(diskOp{Write: true, A: 1, V: 0})
	})
	return sys
}

// mapOps is the register whose operations are a map's keys: another
// order at every call.
type mapOps struct{ registerSpec }

func (mapOps) Ops() []regOp {
	var ops []regOp
	for op := range map[regOp]bool{{}: true, {Write: true, V: 1}: true, {Write: true}: true} {
		ops = append(ops, op)
	}
	return ops
}

// mapInits is the disk whose initial states, both blocks 0 or block 1
// locked (a read of the register returns 9), are a map's keys.
type mapInits struct{ lockDiskSpec }

func (mapInits) Init() []lockDisk {
	var inits []lockDisk
	for c := range map[lockDisk]bool{{}: true, {B: [2]uint8{0, 1}}: true} {
		inits = append(inits, c)
	}
	return inits
}

// fiveDisk is the two-block disk whose register starts at 5.
type fiveDisk struct{ lockDiskSpec }

func (fiveDisk) Init() []lockDisk { return []lockDisk{{B: [2]uint8{5, 0}}} }

// mayFailSpec is the register from 5 whose write may fail (returning 1)
// and change nothing, and which writes 1 or 2.
type mayFailSpec struct{ registerSpec }

func (mayFailSpec) Init() []regState { return []regState{{V: 5}} }
func (mayFailSpec) Ops() []regOp {
	return []regOp{{}, {Write: true, V: 1}, {Write: true, V: 2}}
}
func (mayFailSpec) Step(s *regState, op regOp, c model.Chooser) uint8 {
	if op.Write && c.Choose(2) == 1 {
		return 1
	}
	return registerSpec{}.Step(s, op, c)
}

// readsToEnd is mayFailSpec whose Decode reads every byte it is handed,
// and decodes a state that has none as the zero state: alone, or last
// in an Idle node, an encoding decodes as it should. (Its encoding puts
// larger values first.)
type readsToEnd struct{ mayFailSpec }

func (readsToEnd) AppendEncode(dst []byte, s *regState) []byte { return append(dst, 255-s.V, s.F) }
func (readsToEnd) Decode(src []byte, s *regState) (int, error) {
	*s = regState{}
	if len(src) >= 2 {
		*s = regState{V: 255 - src[0], F: src[1]}
	}
	return len(src), nil
}

// failingSystem is the register on the disk from 5 whose every write
// fails, as mayFailSpec allows, after setting and clearing the lock; its
// bug is its recovery, which clears the value with a lock it finds.
func failingSystem(upper model.Spec[regState, regOp, uint8]) model.Checker {
	impl := func(d diskCaller) model.Instance[model.Caller[regOp, uint8]] {
		return model.Instance[model.Caller[regOp, uint8]]{API: failingWrites{d}, Recover: func() {
			if d.Call(diskOp{A: 1}) != 0 {
				d.Call(diskOp{Write: true, A: 0, V: 0})
				d.Call(diskOp{Write: true, A: 1, V: 0})
			}
		}}
	}
	return model.NewSystem(model.NewLayer("disk", model.Spec[lockDisk, diskOp, uint8](fiveDisk{})), model.NewLayer("register", upper), impl, blockZero)
}

// failingWrites is failingSystem's register.
type failingWrites struct{ d diskCaller }

func (r failingWrites) Call(op regOp) uint8 {
	if !op.Write {
		return r.d.Call(diskOp{A: 0})
	}
	r.d.Call(diskOp{Write: true, A: 1, V: 1})
	r.d.Call(diskOp{Write: true, A: 1, V: 0})
	return 1
}

// anySpec is a one-state disk of any state type, for types a check
// refuses before it runs.
type anySpec[S comparable] struct{}

func (anySpec[S]) Init() []S                            { var s S; return []S{s} }
func (anySpec[S]) Ops() []diskOp                        { return []diskOp{{}} }
func (anySpec[S]) Crash(*S, model.Chooser)              {}
func (anySpec[S]) Step(*S, diskOp, model.Chooser) uint8 { return 0 }
func (anySpec[S]) AppendEncode(dst []byte, _ *S) []byte { return append(dst, 0) }
func (anySpec[S]) Decode(src []byte, _ *S) (int, error) { return 1, nil }
func (anySpec[S]) Format(*S) string                     { return "s" }
func relatedToZero[S any](*S) (regState, bool)          { return regState{}, true }

// pointerDisk holds its lock behind a pointer, which copies share.
type pointerDisk struct {
	Data uint8
	Lock *uint8
}

// floatDisk holds a float.
type floatDisk struct{ B [2]float64 }

// TestBrokenDefinitionsAreNeverVerified: definitions that break a rule the
// search relies on are refused or reported, never verified, for any
// number of workers and in both determinism modes; the same register with
// correct definitions is verified, and its bug is caught. The encodings
// and the crash relation are checked on the runs that are run twice,
// which in DeterminismSample is every run of a system this small
// (model.CheckAllStates): a sample could pick none of the runs that show
// a fault.
func TestBrokenDefinitionsAreNeverVerified(t *testing.T) {
	var turn atomic.Int64
	for _, tc := range []struct {
		name string
		sys  model.Checker
		want string // a violation kind, "any" kind, "error: " and what the error says, or "" for verified
	}{
		{"correct", lockSystem[lockDisk](lockDiskSpec{}, true, blockZero), ""},
		{"a write that keeps its lock", lockSystem[lockDisk](lockDiskSpec{}, false, blockZero), model.KindRefinement},
		{"a state with a pointer", lockSystem[pointerDisk](anySpec[pointerDisk]{}, false, relatedToZero), "error: states are not plain values: explorer_test.pointerDisk.Lock is a ptr"},
		{"a state with a float", lockSystem[floatDisk](anySpec[floatDisk]{}, false, relatedToZero), "error: states are not plain values: explorer_test.floatDisk.B[i] is a float64"},
		{"an encoding that forgets the lock", lockSystem[lockDisk](forgetsLock{}, false, blockZero), model.KindSpec},
		{"a Decode that drops the lock", lockSystem[lockDisk](decodesNoLock{}, false, blockZero), model.KindSpec},
		{"an encoding that clears the lock", lockSystem[lockDisk](encodeClearsLock{}, false, blockZero), model.KindSpec},
		{"a relation that clears the lock", lockSystem[lockDisk](lockDiskSpec{}, false, func(c *lockDisk) (regState, bool) {
			c.B[1] = 0
			return regState{V: c.B[0]}, true
		}), model.KindSpec},
		{"an invariant that clears the lock", func() model.Checker {
			sys := lockSystem[lockDisk](lockDiskSpec{}, false, blockZero)
			sys.Invariant = func(c *lockDisk) error {
				c.B[1] = 0
				return nil
			}
			return sys
		}(), model.KindSpec},
		{"a recovery that leaves its mark", markedSystem(lockDiskSpec{}), model.KindRefinement},
		{"a crash that sets a flag", flaggedSystem(flagsOnCrash{}), model.KindRecovery},
		{"an encoding that forgets recovery's mark", markedSystem(forgetsMark{}), model.KindSpec},
		{"an upper encoding that forgets a crash's flag", flaggedSystem(flagOnCrash{}), model.KindSpec},
		{"a recovery that clears the value with the lock", failingSystem(mayFailSpec{}), model.KindRecovery},
		// The set of two states a crash during a write allows decodes
		// as the larger and the zero state, to which the bug's recovery
		// leads.
		{"an upper Decode that reads past its encoding", failingSystem(readsToEnd{}), model.KindSpec},
		// Workers, and the path rebuilt, would number a state's edges
		// each their own way: the write that keeps its lock is caught at
		// another edge than the path takes.
		{"operations in map order", func() model.Checker {
			sys := lockSystem[lockDisk](lockDiskSpec{}, false, blockZero)
			sys.Upper.Spec = mapOps{}
			return sys
		}(), "error: Upper.Spec.Ops returns other operations, or its operations in another order"},
		{"initial states in map order", lockSystem[lockDisk](mapInits{}, true, blockZero), "error: Lower.Spec.Init returns other states, or its states in another order"},
		// Composed, the missing recovery would be layer code that
		// panics.
		{"a composed layer without a recovery", func() model.Checker {
			sys := lockSystem[lockDisk](lockDiskSpec{}, true, blockZero)
			sys.Impl = model.Compose(func(d diskCaller) model.Instance[diskCaller] {
				return model.Instance[diskCaller]{API: d}
			}, sys.Impl)
			return sys
		}(), "error: Impl composes an implementation whose Instance has no Recover, stage 1 of the 2"},
		{"a recovery that marks the lock", marksSystem(lockDiskSpec{}), ""},
		// The byte read past the mark is the count of the allowed set
		// that follows it in a Recovering node: {0} is read as the
		// empty set, which no recovery can end in.
		{"a lower Decode that reads past the mark", marksSystem(overReadsMark{}), model.KindSpec},
		// Rebuilding the path applies the relation again, so the
		// difference may come back as nondeterminism.
		{"a relation that takes turns", lockSystem[lockDisk](lockDiskSpec{}, true, func(c *lockDisk) (regState, bool) {
			if turn.Add(1)%2 == 0 && c.B[0] == 1 {
				return regState{}, true
			}
			return regState{V: c.B[0]}, true
		}), "any"},
		{"a crash that takes turns", lockSystem[lockDisk](crashFlips{turn: &turn}, true, blockZero), model.KindSpec},
		{"a recovery that loses the value", losingSystem(registerSpec{}), model.KindRecovery},
		{"an upper crash that takes turns", losingSystem(laxCrashTurns{turn: &turn}), "any"},
		{"an upper read that takes turns", func() model.Checker {
			sys := lockSystem[lockDisk](lockDiskSpec{}, false, blockZero)
			sys.Upper.Spec = laxReadTurns{turn: &turn}
			return sys
		}(), "any"},
	} {
		for _, mode := range model.DeterminismModes {
			for _, workers := range []int{1, 2} {
				name := fmt.Sprintf("%s, %s, %d workers", tc.name, mode, workers)
				res, err := explorer.Run(context.Background(), tc.sys, explorer.Config{Workers: workers, Determinism: mode})
				if want, ok := strings.CutPrefix(tc.want, "error: "); ok {
					if !errors.Is(err, explorer.ErrInvalid) || !strings.Contains(err.Error(), want) {
						t.Errorf("%s: error %v, want an invalid search saying %q", name, err, want)
					}
					continue
				}
				switch {
				case err != nil:
					t.Errorf("%s: %v", name, err)
				case tc.want == "" && res.Verdict != explorer.Verified:
					t.Errorf("%s: verdict %s %+v, want verified", name, res.Verdict, res.Violation)
				case tc.want != "" && (res.Verdict != explorer.Violated || tc.want != "any" && res.Violation.Kind != tc.want):
					t.Errorf("%s: verdict %s %+v, want a %s violation", name, res.Verdict, res.Violation, tc.want)
				}
			}
		}
	}
}
