package model_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/internal/refsem"
	"github.com/argocheck/argocheck/model"
)

// randSystem is the type of a drawn system's check (randSys.system).
type randSystem = model.System[rState, rOp, uint8, model.Caller[rOp, uint8], kState, kOp, uint8, model.Caller[kOp, uint8]]

// refsemRuns bounds the procedure runs of one interpretation: refsem runs
// every procedure again for every crash point, and a system past the
// bound is drawn again.
const refsemRuns = 200_000

// refsemBatches is the number of rapid checks TestRefinementSemantics
// runs, each of -rapid.checks systems: rapid draws each from a seed of
// its own.
const refsemBatches = 6

// TestRefinementSemantics requires the explorer to agree with refsem, an
// interpreter of recovery refinement written from the definitions that
// shares none of the model's expansion (no recorded recoveries, memo,
// joined runs, skipped steps or crash snapshots), on the random systems
// of TestRandomSystems, correct and mutated, some with crash relations
// that give more outcomes when applied twice (see incrementing), in
// every crash mode. The explorer runs as a user runs it (one worker, determinism
// sampled, every run of the first levels checked twice) and with every
// optimisation on and nothing checked twice. Both must give the same
// verdict, number of states and depth; a violated system the same
// shortest path length, and a violation of a kind that refsem finds on
// the same level (the two order a node's edges differently, so either
// may meet another violation of that level first), on a path that refsem
// follows to a violation of that kind (refsem.Follow); a verified one the
// same transitions and crash points. A node is the same in both: Idle(c,
// a) with a the abstraction of c, or Recovering(c, S) with S a set,
// identified by the states (the canonical encoding is equal exactly when
// the states are). Systems whose implementation keeps state of its own
// are left out: refsem builds an instance for every run, and does not
// look for nondeterminism. It checks refsemBatches batches of
// -rapid.checks systems each (one with -short).
func TestRefinementSemantics(t *testing.T) {
	checked, violated, skipped := 0, 0, 0
	var mostStates uint64
	kinds := map[string]int{}
	prop := func(rt *rapid.T) {
		s := drawSystem(rt)
		s.stateful = 0
		chk := s.checker()
		sys, ok := chk.(*randSystem)
		if !ok {
			rt.Fatalf("the check is a %T", chk)
		}
		inc := ""
		if r := rapid.IntRange(-2, regs-1).Draw(rt, "crash increments"); r >= 0 {
			inc = incrementing(sys, s, uint8(r))
		}
		for _, mode := range model.CrashModes {
			o := refsem.Options{Crashes: mode, MaxRuns: refsemRuns}
			ref, err := refsem.Search(sys, o)
			if errors.Is(err, refsem.ErrBudget) {
				skipped++
				rt.Skip("past refsem's run budget") // under CrashAll, the first mode, which has the most runs
			}
			if err != nil {
				rt.Fatalf("refsem: %v\n%s", err, s)
			}
			if mode == model.CrashAll {
				checked++
				if ref.Violation != nil {
					violated++
					kinds[ref.Violation.Kind]++
				} else {
					mostStates = max(mostStates, ref.States)
				}
			}
			for _, c := range []searchConfig{
				{name: "one worker", cfg: explorer.Config{Workers: 1}},
				{name: "unchecked, joined", cfg: explorer.Config{Workers: 1, Determinism: model.DeterminismOff}, sampled: true},
			} {
				c.name += ", crashes=" + mode.String()
				c.cfg.Crashes = mode
				got, err := c.run(chk)
				if err != nil {
					rt.Fatalf("%s: %v\n%s", c.name, err, s)
				}
				compareRefsem(rt, c.name, got, ref, s, inc)
				if got.Trace != nil {
					if err := refsem.Follow(sys, got.Trace, o); err != nil {
						rt.Fatalf("%s: the path is not one of refsem's: %v\n%s\n%s%s", c.name, err, got.Trace, s, inc)
					}
				}
			}
		}
	}
	batches := refsemBatches
	if testing.Short() {
		batches = 1
	}
	for i := range batches {
		t.Run(fmt.Sprintf("batch-%d", i), func(t *testing.T) { rapid.Check(t, prop) })
	}
	t.Logf("%d systems interpreted (%d more left out past the run budget), %d violated %v, the largest verified of %d states", checked, skipped, violated, kinds, mostStates)
}

// compareRefsem fails rt when the explorer's result got differs from
// refsem's ref (see TestRefinementSemantics).
func compareRefsem(rt *rapid.T, name string, got *explorer.Result, ref refsem.Result, s *randSys, inc string) {
	path := strings.Join(ref.Path, "\n  ")
	trace := ""
	if got.Trace != nil {
		trace = got.Trace.String()
	}
	if ref.Violation == nil {
		if got.Verdict != explorer.Verified || got.States != ref.States || got.Depth != ref.Depth ||
			got.Transitions != ref.Transitions || got.CrashPoints != ref.Crashes {
			rt.Fatalf("%s: %s %v states=%d depth=%d transitions=%d crash_points=%d\n%s\nrefsem verifies: states=%d depth=%d transitions=%d crash_points=%d\n%s%s",
				name, got.Verdict, got.Violation, got.States, got.Depth, got.Transitions, got.CrashPoints, trace,
				ref.States, ref.Depth, ref.Transitions, ref.Crashes, s, inc)
		}
		return
	}
	if got.Verdict != explorer.Violated || traceLen(got) != ref.TraceLen || got.States != ref.States || got.Depth != ref.Depth ||
		!slices.Contains(ref.Kinds, got.Violation.Kind) {
		rt.Fatalf("%s: %s %v (path of %d steps, states=%d depth=%d)\n%s\nrefsem: %v (kinds %v, path of %d steps, states=%d depth=%d)\n  %s\n%s%s",
			name, got.Verdict, got.Violation, traceLen(got), got.States, got.Depth, trace,
			ref.Violation, ref.Kinds, ref.TraceLen, ref.States, ref.Depth, path, s, inc)
	}
}

// incrementing makes the crash of sys's lower layer also increment
// register r (modulo the values) or not, and the crash of its upper layer
// likewise the keys that r holds, and describes the change. Crash
// relations of the drawn systems, and of the built-in ones, give no more
// outcomes when applied twice; these do (two crashes may leave r two
// higher), so that the allowed set of a crash during recovery, which is
// that of the first crash, not the crash images of it, is put to the test.
func incrementing(sys *randSystem, s *randSys, r uint8) string {
	sys.Lower.Spec = incRegs{s.lower, r}
	var keys []uint8
	for k := range s.upper.Keys {
		if s.absMap[k] == r {
			keys = append(keys, k)
		}
	}
	if len(keys) > 0 {
		sys.Upper.Spec = incKeys{s.upper, keys}
	}
	return fmt.Sprintf("\na crash may also increment r%d, and the keys %v", r, keys)
}

// incRegs is the register layer whose crash may also increment register
// R.
type incRegs struct {
	regSpec
	R uint8
}

func (sp incRegs) Crash(s *rState, c model.Chooser) {
	sp.regSpec.Crash(s, c)
	if c.Choose(2) == 1 {
		s.R[sp.R] = (s.R[sp.R] + 1) % sp.Values
	}
}

// incKeys is the key layer whose crash may also increment the keys K,
// together.
type incKeys struct {
	keySpec
	K []uint8
}

func (sp incKeys) Crash(s *kState, c model.Chooser) {
	sp.keySpec.Crash(s, c)
	if c.Choose(2) == 1 {
		for _, k := range sp.K {
			s[k] = (s[k] + 1) % sp.Values
		}
	}
}
