package model_test

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"

	"github.com/argocheck/argocheck/model"
)

// wideSpec is the register layer with a noise register, one that no key
// maps to: before each step, while it holds 0, it may take another value
// by a choice among Wide (wider than the joins keep targets for), and a
// crash may set it by a choice among CrashWide (more outcomes than a
// record compares a new one with).
type wideSpec struct {
	regSpec
	Noise           uint8 // the noise register, plus one; 0: none
	Wide, CrashWide int
}

func (sp wideSpec) Step(s *rState, op rOp, c model.Chooser) uint8 {
	if n := sp.Noise; n > 0 && sp.Wide > 1 && s.R[n-1] == 0 {
		if k := c.Choose(sp.Wide); k > 0 {
			s.R[n-1] = uint8(k-1)%(sp.Values-1) + 1
		}
	}
	return sp.regSpec.Step(s, op, c)
}

func (sp wideSpec) Crash(s *rState, c model.Chooser) {
	sp.regSpec.Crash(s, c)
	if sp.Noise > 0 && sp.CrashWide > 1 {
		s.R[sp.Noise-1] = uint8(c.Choose(sp.CrashWide)) % sp.Values
	}
}

// wideSys is a drawn system on the wide register layer, its recovery in
// one, two or three stages.
type wideSys struct {
	*randSys
	wide wideSpec
	mids []progs
}

func (s *wideSys) String() string {
	return fmt.Sprintf("%v\nnoise r%d wide %d crash wide %d, %d register layers between", s.randSys, int(s.wide.Noise)-1, s.wide.Wide, s.wide.CrashWide, len(s.mids))
}

func (s *wideSys) checker() model.Checker {
	p := s.progs
	top := model.Impl[model.Caller[rOp, uint8], model.Caller[kOp, uint8]](
		func(lower model.Caller[rOp, uint8]) model.Instance[model.Caller[kOp, uint8]] {
			return model.Instance[model.Caller[kOp, uint8]]{
				API:     impl{lower: lower, p: &p, mem: new(uint8)},
				Recover: func() { (&machine{lower: lower}).run(p.Recover) },
			}
		})
	abs := model.Relation[kState, rState](s.abs)
	for i := range s.mids {
		mp := s.mids[i]
		mid := func(lower model.Caller[rOp, uint8]) model.Instance[model.Caller[rOp, uint8]] {
			return model.Instance[model.Caller[rOp, uint8]]{
				API:     midImpl{lower: lower, p: &mp},
				Recover: func() { (&machine{lower: lower}).run(mp.Recover) },
			}
		}
		top = model.Compose(mid, top)
	}
	return s.system(s.wide, top, abs)
}

// TestRandomWideSystems is TestRandomSystems over systems drawn as it
// draws them, with a noise register that takes one of up to 6 values
// before each step and one of up to 12 at a crash, and a recovery of up
// to three stages (each register layer between recovering by a program
// of its own, drawn or the one that writes back what it reads).
func TestRandomWideSystems(t *testing.T) {
	spill := t.TempDir()
	rapid.Check(t, func(rt *rapid.T) {
		s := drawWideSystem(rt)
		chk := s.checker()
		if err := chk.Validate(); err != nil {
			rt.Fatalf("%v\n%s", err, s)
		}
		for _, crashes := range model.CrashModes {
			checkConfigs(rt, s.randSys, chk, crashes, spill)
		}
	})
}

// drawWideSystem draws a system of TestRandomWideSystems.
func drawWideSystem(rt *rapid.T) *wideSys {
	rs := drawSystem(rt)
	rs.mid, rs.stateful = nil, 0
	s := &wideSys{randSys: rs, wide: wideSpec{regSpec: rs.lower}}
	used := map[uint8]bool{}
	for k := range rs.upper.Keys {
		used[rs.absMap[k]] = true
	}
	for r := range uint8(regs) {
		if !used[r] && rs.lower.Decay != r+1 && (rs.lower.NCrashes < 2 || rs.lower.Crashes[1].J != r) {
			s.wide.Noise = r + 1
		}
	}
	if s.wide.Noise > 0 {
		s.wide.Wide = rapid.SampledFrom([]int{0, 3, 5, 6}).Draw(rt, "wide")
		s.wide.CrashWide = rapid.SampledFrom([]int{0, 2, 9, 12}).Draw(rt, "crash wide")
	}
	for range rapid.IntRange(0, 2).Draw(rt, "register layers between") {
		m := progs{
			Read:    []instr{{Kind: inRead, A: kExpr}, {Kind: inRet, B: expr{Kind: exVar}}},
			Write:   []instr{{Kind: inWrite, A: kExpr, B: vExpr}, {Kind: inRet, B: expr{Kind: exVar}}},
			Recover: []instr{{Kind: inRead, A: expr{X: 2}}, {Kind: inWrite, A: expr{X: 2}, B: expr{Kind: exVar}}},
		}
		if rapid.Bool().Draw(rt, "mid recovery drawn") {
			m.Recover = drawProg(rt, 1, "mid recover")
		}
		s.mids = append(s.mids, m)
	}
	if s.wide.Wide > 0 || len(s.mids) > 0 {
		// The wide choices and the stages multiply the runs.
		rs.stepLimit = min(rs.stepLimit, 6)
	}
	return s
}
