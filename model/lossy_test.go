package model_test

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/internal/naivetest"
	"github.com/argocheck/argocheck/model"
)

// lossySpec is wideSpec whose crash may also set Glitched (no register
// decays), which its encoding forgets: such a crash outcome fails its
// round trip, a spec violation with no successor.
type lossySpec struct{ wideSpec }

func (sp lossySpec) Crash(s *rState, c model.Chooser) {
	sp.wideSpec.Crash(s, c)
	if c.Choose(2) == 1 {
		s.Glitched = true
	}
}

func (sp lossySpec) AppendEncode(dst []byte, s *rState) []byte {
	t := *s
	t.Glitched = false
	return sp.wideSpec.AppendEncode(dst, &t)
}

// TestRandomLossyCrashOutcomes: on the random wide systems whose every
// crash point has outcomes that fail their round trip, a search that goes
// on past violations explores what the crash points' other outcomes
// reach, as the reference search that goes on past violations does: the
// same figures and kinds of violation, in every configuration.
func TestRandomLossyCrashOutcomes(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		rs := drawSystem(rt)
		rs.mid, rs.stateful = nil, 0
		rs.lower.Decay, rs.lower.Glitch = 0, false
		s := &wideSys{randSys: rs, wide: wideSpec{regSpec: rs.lower}}
		used := map[uint8]bool{}
		for k := range rs.upper.Keys {
			used[rs.absMap[k]] = true
		}
		for r := range uint8(regs) {
			if !used[r] && (rs.lower.NCrashes < 2 || rs.lower.Crashes[1].J != r) {
				s.wide.Noise = r + 1
			}
		}
		if s.wide.Noise > 0 {
			s.wide.Wide = rapid.SampledFrom([]int{0, 3}).Draw(rt, "wide")
			s.wide.CrashWide = rapid.SampledFrom([]int{0, 2, 5}).Draw(rt, "crash wide")
		}
		rs.stepLimit = min(rs.stepLimit, 6)
		chk0 := s.checker().(*model.System[rState, rOp, uint8, model.Caller[rOp, uint8], kState, kOp, uint8, model.Caller[kOp, uint8]])
		sys := *chk0
		sys.Lower = model.NewLayer[rState, rOp, uint8]("regs", lossySpec{s.wide})
		var chk model.Checker = &sys
		for _, crashes := range model.CrashModes {
			var ref naivetest.Result
			var refV []*model.Violation
			func() {
				defer model.SetRecordRecoveries(false)()
				defer model.SetJoinRuns(false)()
				ref, refV = naivetest.SearchAll(chk.NewWorker(model.Options{Crashes: crashes, Determinism: model.DeterminismFull}))
			}()
			for _, c := range []searchConfig{
				{name: "one", cfg: explorer.Config{Workers: 1, Determinism: model.DeterminismFull}},
				{name: "memo off", cfg: explorer.Config{Workers: 1, Determinism: model.DeterminismFull}, memoOff: true},
				{name: "joins off", cfg: explorer.Config{Workers: 1, Determinism: model.DeterminismFull}, joinOff: true},
				{name: "three", cfg: explorer.Config{Workers: 3, Determinism: model.DeterminismFull, BatchSize: 1, PartSize: 2}},
				{name: "sample", cfg: explorer.Config{Workers: 2}},
			} {
				c.cfg.Crashes, c.cfg.Continue = crashes, 100000
				got, err := c.run(chk)
				if err != nil {
					rt.Fatal(err)
				}
				if got.Stopped != "" {
					rt.Fatalf("%s %v: stopped %s\n%s", c.name, crashes, got.Stopped, s)
				}
				if got.States != ref.States || got.Transitions != ref.Transitions || got.CrashPoints != ref.Crashes || got.Depth != ref.Depth {
					rt.Fatalf("%s %v: states=%d transitions=%d crashes=%d depth=%d (%d violations); reference %+v (%d violations)\n%s",
						c.name, crashes, got.States, got.Transitions, got.CrashPoints, got.Depth, len(got.Violations), ref, len(refV), s)
				}
				kinds := map[string]bool{}
				for _, v := range refV {
					kinds[v.Kind] = true
				}
				gk := map[string]bool{}
				for _, ce := range got.Violations {
					if !kinds[ce.Violation.Kind] {
						rt.Fatalf("%s %v: %v, of a kind the reference search does not find\n%s", c.name, crashes, ce.Violation, s)
					}
					gk[ce.Violation.Kind] = true
				}
				if len(kinds) != len(gk) {
					rt.Fatalf("%s %v: violations of the kinds %v, the reference search's %v\n%s", c.name, crashes, gk, kinds, s)
				}
			}
		}
	})
}
