package layers_test

import (
	"errors"
	"testing"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/layers/twodisk"
	"github.com/argocheck/argocheck/model"
)

// Wrong layers whose bug needs one part of the semantics of DESIGN.md §1
// and §3 each: a spec operation with several allowed results, a crash
// during a second nested recovery, a disk failure followed by a crash,
// the initial states, the relation after a recovery, the invariant. Each
// must be caught with its shortest path (its length pinned with every
// crash), in both determinism modes, and verify under a crash mode that
// leaves its crash out; the correct ones verify in every mode.

// reg is a register 0..2. read returns it; write sets it; flip may set
// it to 1 returning 1, or leave it returning 0 (two allowed results).
type reg struct{ V uint8 }

type regOp struct {
	Kind uint8 // 0 read, 1 write, 2 flip
	V    uint8
}

type regSpec struct {
	model.Codec[reg]
	init []reg
}

func (s regSpec) Init() []reg {
	if s.init != nil {
		return s.init
	}
	return []reg{{}}
}
func (regSpec) Ops() []regOp {
	return []regOp{{Kind: 0}, {Kind: 1, V: 1}, {Kind: 1, V: 2}, {Kind: 2}}
}
func (regSpec) Crash(*reg, model.Chooser) {}
func (regSpec) Step(s *reg, op regOp, c model.Chooser) uint8 {
	switch op.Kind {
	case 1:
		s.V = op.V
	case 2:
		if c.Choose(2) == 0 {
			s.V = 1
			return 1
		}
		return 0
	}
	return s.V
}

// regOnDisk keeps the register in block 0 of one disk; block 1, when
// used, counts recoveries begun and not ended.
type regOnDisk struct {
	d onedisk.API
	// flipMixed: flip sets the register and returns 0, a pair of one
	// allowed state and another allowed result.
	flipMixed bool
	// nested: a recovery that finds two recoveries begun before it
	// sets the register to 1.
	nested bool
	// plus: the disk holds the register's value plus one (mod 3).
	plus bool
	// mark: recovery leaves block 1 set, a disk the relation relates to
	// nothing, and which no operation leaves.
	mark bool
	// loop, panics: a recovery that finds two recoveries begun before
	// it reads block 1 for ever, or panics.
	loop, panics bool
	// scratch: a recovery that finds two recoveries begun before it
	// sets block 2, which the relation leaves out and the invariant
	// wants clear.
	scratch bool
}

func (r *regOnDisk) enc(v uint8) disk.Block {
	if r.plus {
		return disk.Block((v + 1) % 3)
	}
	return disk.Block(v)
}

func (r *regOnDisk) Call(op regOp) uint8 {
	switch op.Kind {
	case 1:
		r.d.Write(0, r.enc(op.V))
	case 2:
		r.d.Write(0, r.enc(1))
		if r.flipMixed {
			return 0
		}
		return 1
	}
	b := uint8(r.d.Read(0))
	if r.plus {
		return (b + 2) % 3
	}
	return b
}

func (r *regOnDisk) Recover() {
	if r.mark {
		r.d.Write(1, 1)
		return
	}
	if !r.nested && !r.loop && !r.panics && !r.scratch {
		return
	}
	n := r.d.Read(1)
	if n == 2 {
		switch {
		case r.loop:
			for r.d.Read(1) == 2 {
			}
		case r.panics:
			panic("two recoveries begun before")
		case r.scratch:
			r.d.Write(2, 1)
		default:
			r.d.Write(0, 1)
		}
	}
	r.d.Write(1, min(n+1, 2))
	r.d.Write(1, 0)
}

func regSystem(r regOnDisk, upperInit []reg) model.Checker {
	return regSystemInv(r, upperInit, nil)
}

func regSystemInv(r regOnDisk, upperInit []reg, inv func(*onedisk.State) error) model.Checker {
	impl := func(d onedisk.API) model.Instance[model.Caller[regOp, uint8]] {
		i := r
		i.d = d
		return model.Instance[model.Caller[regOp, uint8]]{API: &i, Recover: i.Recover}
	}
	abs := func(c *onedisk.State) (reg, bool) {
		if c.Disk[1] != 0 {
			return reg{}, false
		}
		v := uint8(c.Disk[0])
		if r.plus {
			v = (v + 2) % 3
		}
		return reg{v}, true
	}
	lower := onedisk.Layer(disk.Sizes{Blocks: 3, Values: 3})
	upper := model.NewLayer[reg, regOp, uint8]("reg", regSpec{init: upperInit})
	sys := model.NewSystem(lower, upper, impl, abs)
	sys.Invariant = inv
	return sys
}

// pairOnTwo is a register of one block on two disks that fail-stop:
// write d0 then d1, read d0 else d1. badRecovery: a recovery that finds
// d0 failed zeroes d1.
type pairOnTwo struct {
	d           twodisk.API
	badRecovery bool
}

func (p *pairOnTwo) Call(op regOp) uint8 {
	switch op.Kind {
	case 1:
		p.d.Write(twodisk.D0, 0, disk.Block(op.V))
		p.d.Write(twodisk.D1, 0, disk.Block(op.V))
		return op.V
	case 2:
		p.d.Write(twodisk.D0, 0, 1)
		p.d.Write(twodisk.D1, 0, 1)
		return 1
	}
	if b, ok := p.d.Read(twodisk.D0, 0); ok {
		return uint8(b)
	}
	b, _ := p.d.Read(twodisk.D1, 0)
	return uint8(b)
}

func (p *pairOnTwo) Recover() {
	b, ok := p.d.Read(twodisk.D0, 0)
	if !ok {
		if p.badRecovery {
			p.d.Write(twodisk.D1, 0, 0)
		}
		return
	}
	p.d.Write(twodisk.D1, 0, b)
}

func pairSystem(bad bool) model.Checker {
	impl := func(d twodisk.API) model.Instance[model.Caller[regOp, uint8]] {
		p := &pairOnTwo{d: d, badRecovery: bad}
		return model.Instance[model.Caller[regOp, uint8]]{API: p, Recover: p.Recover}
	}
	abs := func(c *twodisk.State) (reg, bool) {
		switch c.Status {
		case twodisk.Both:
			if c.Disks[0][0] != c.Disks[1][0] {
				return reg{}, false
			}
			return reg{uint8(c.Disks[0][0])}, true
		case twodisk.OnlyD0:
			return reg{uint8(c.Disks[0][0])}, true
		}
		return reg{uint8(c.Disks[1][0])}, true
	}
	lower := twodisk.Layer(disk.Sizes{Blocks: 1, Values: 3})
	upper := model.NewLayer[reg, regOp, uint8]("reg", regSpec{})
	return model.NewSystem(lower, upper, impl, abs)
}

func scratchClear(c *onedisk.State) error {
	if c.Disk[2] != 0 {
		return errors.New("block 2 set")
	}
	return nil
}

func TestSemanticsProbes(t *testing.T) {
	cases := []struct {
		name   string
		chk    model.Checker
		kind   string // "" verified
		length int
		// narrowed: the crash modes under which the bug is out of reach
		// (verified).
		narrowed []model.CrashMode
	}{
		{"correct register", regSystem(regOnDisk{}, nil), "", 0, nil},
		{"flip's state with the other result", regSystem(regOnDisk{flipMixed: true}, nil), model.KindRefinement, 1, nil},
		{"recovery wrong after two nested crashes", regSystem(regOnDisk{nested: true}, nil), model.KindRecovery, 4,
			[]model.CrashMode{model.CrashNoNested, model.CrashBetweenOps}},
		{"initial state related to another upper state", regSystem(regOnDisk{plus: true}, nil), model.KindInitial, 0, nil},
		{"correct with two upper initial states", regSystem(regOnDisk{plus: true}, []reg{{0}, {2}}), "", 0, nil},
		{"recovery leaves a disk related to nothing", regSystem(regOnDisk{mark: true}, nil), model.KindRecovery, 2, nil},
		{"recovery loops after two nested crashes", regSystem(regOnDisk{loop: true}, nil), model.KindStepLimit, 4,
			[]model.CrashMode{model.CrashNoNested, model.CrashBetweenOps}},
		{"recovery panics after two nested crashes", regSystem(regOnDisk{panics: true}, nil), model.KindPanic, 4,
			[]model.CrashMode{model.CrashNoNested, model.CrashBetweenOps}},
		{"invariant broken by a recovery after two nested crashes", regSystemInv(regOnDisk{scratch: true}, nil, scratchClear), model.KindInvariant, 4,
			[]model.CrashMode{model.CrashNoNested, model.CrashBetweenOps}},
		{"correct with the invariant", regSystemInv(regOnDisk{}, nil, scratchClear), "", 0, nil},
		{"correct pair on two disks", pairSystem(false), "", 0, nil},
		{"pair zeroed after a failure and a crash", pairSystem(true), model.KindRecovery, 3, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, mode := range model.CrashModes {
				for _, det := range model.DeterminismModes {
					r := probe(t, c.chk, mode, det)
					want := c.kind
					for _, m := range c.narrowed {
						if m == mode {
							want = ""
						}
					}
					if want == "" {
						if r.Verdict != explorer.Verified {
							t.Errorf("%v %v: %s, want verified: %v", mode, det, r.Verdict, r.Violation)
						}
						continue
					}
					if r.Verdict != explorer.Violated || r.Violation.Kind != want {
						t.Errorf("%v %v: %s %v, want a %s violation", mode, det, r.Verdict, r.Violation, want)
						continue
					}
					if mode == model.CrashAll && r.Trace.Len() != c.length {
						t.Errorf("%v %v: path of %d steps, want %d: %v", mode, det, r.Trace.Len(), c.length, r.Trace)
					}
				}
			}
		})
	}
}
