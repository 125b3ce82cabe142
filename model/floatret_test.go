package model_test

import (
	"context"
	"math"
	"testing"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/model"
	"github.com/argocheck/argocheck/relations"
)

// ratioOp reads the ratio register, or writes V to it.
type ratioOp struct {
	Write bool
	V     uint8
}

// ratioSpec is a register of 0..2 whose reads return the value as a
// float64, and with nan NaN for 2 (no ratio). R wraps the result in an interface,
// as an error or an any does. Without nan, 2 reads as 2.
type ratioSpec[R comparable] struct {
	model.Codec[uint8]
	wrap func(float64) R
	nan  bool
}

func (ratioSpec[R]) Init() []uint8               { return []uint8{0} }
func (ratioSpec[R]) Crash(*uint8, model.Chooser) {}
func (ratioSpec[R]) Ops() []ratioOp {
	return []ratioOp{{}, {Write: true, V: 1}, {Write: true, V: 2}}
}
func (sp ratioSpec[R]) Step(s *uint8, op ratioOp, _ model.Chooser) R {
	if op.Write {
		*s = op.V
	}
	return sp.wrap(ratioOf(*s, sp.nan))
}

func ratioOf(v uint8, nan bool) float64 {
	if v == 2 && nan {
		return math.NaN()
	}
	return float64(v)
}

// ratioBug says how a ratioRegister's read is wrong.
type ratioBug int

const (
	ratioRight   ratioBug = iota
	ratioNegZero          // -0 for 0
	ratioNaNFor1          // NaN for 1
	ratioNaNOf0           // a NaN of other bits, 0/0, for 2: right
)

// ratioRegister keeps the register in block 0 of one disk.
type ratioRegister[R comparable] struct {
	d    onedisk.API
	bug  ratioBug
	wrap func(float64) R
	nan  bool
}

func (r ratioRegister[R]) Call(op ratioOp) R {
	if op.Write {
		r.d.Write(0, disk.Block(op.V))
	}
	v := uint8(r.d.Read(0))
	x := ratioOf(v, r.nan)
	switch {
	case r.bug == ratioNegZero && v == 0:
		x = math.Copysign(0, -1)
	case r.bug == ratioNaNFor1 && v == 1:
		x = math.NaN()
	case r.bug == ratioNaNOf0 && v == 2:
		zero := float64(v) - 2
		x = zero / zero
	}
	return r.wrap(x)
}

func ratioSystem[R comparable](bug ratioBug, wrap func(float64) R) model.Checker {
	nan := bug == ratioNaNFor1 || bug == ratioNaNOf0 // the others show alone
	impl := func(d onedisk.API) model.Instance[model.Caller[ratioOp, R]] {
		return model.Instance[model.Caller[ratioOp, R]]{API: ratioRegister[R]{d, bug, wrap, nan}, Recover: func() {}}
	}
	return model.NewSystem(onedisk.Layer(disk.Sizes{Blocks: 1, Values: 3}),
		model.NewLayer[uint8, ratioOp, R]("ratio", ratioSpec[R]{wrap: wrap, nan: nan}),
		impl, func(c *onedisk.State) (uint8, bool) { return uint8(c.Disk[0]), true })
}

// Float results compare by identity: -0 is not 0, and NaN is NaN. With
// ==, a read returning -0 for 0 verified in every mode, and a correct
// NaN was a nondeterminism violation (NaN != NaN between two runs). The
// relation oracle, which names results as printed, agrees (it panicked
// on NaN, two results printed alike that == took for distinct).
func TestFloatResults(t *testing.T) {
	type ratioBox struct {
		_ float64
		X [1]float64
	}
	for _, tc := range []struct {
		name  string
		bug   ratioBug
		build func(ratioBug) model.Checker
		want  string // "": verified
	}{
		{"right", ratioRight, func(b ratioBug) model.Checker { return ratioSystem(b, func(x float64) float64 { return x }) }, ""},
		{"-0 for 0", ratioNegZero, func(b ratioBug) model.Checker { return ratioSystem(b, func(x float64) float64 { return x }) }, model.KindRefinement},
		{"NaN for 1", ratioNaNFor1, func(b ratioBug) model.Checker { return ratioSystem(b, func(x float64) float64 { return x }) }, model.KindRefinement},
		{"other NaN", ratioNaNOf0, func(b ratioBug) model.Checker { return ratioSystem(b, func(x float64) float64 { return x }) }, ""},
		{"-0 for 0 in an interface", ratioNegZero, func(b ratioBug) model.Checker { return ratioSystem(b, func(x float64) any { return x }) }, model.KindRefinement},
		{"right in an interface", ratioRight, func(b ratioBug) model.Checker { return ratioSystem(b, func(x float64) any { return x }) }, ""},
		{"-0 for 0 in an array", ratioNegZero, func(b ratioBug) model.Checker {
			return ratioSystem(b, func(x float64) ratioBox { return ratioBox{X: [1]float64{x}} })
		}, model.KindRefinement},
		{"float32", ratioNegZero, func(b ratioBug) model.Checker { return ratioSystem(b, func(x float64) float32 { return float32(x) }) }, model.KindRefinement},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sem, ok := model.SemanticsOf(tc.build(tc.bug))
			if !ok {
				t.Fatal("no semantics")
			}
			if v := relations.Check(sem, relations.Options{}); v.Verified != (tc.want == "") {
				t.Errorf("oracle: %v, want verified %v", v, tc.want == "")
			}
			for _, d := range model.DeterminismModes {
				for _, workers := range []int{1, 2} {
					res, err := explorer.Run(context.Background(), tc.build(tc.bug), explorer.Config{Workers: workers, Determinism: d})
					if err != nil {
						t.Fatal(err)
					}
					switch {
					case tc.want == "" && res.Verdict != explorer.Verified:
						t.Fatalf("%s, %d workers: %s %v, want verified", d, workers, res.Verdict, res.Violation)
					case tc.want != "" && (res.Verdict != explorer.Violated || res.Violation.Kind != tc.want):
						t.Fatalf("%s, %d workers: %s %v, want a %s violation", d, workers, res.Verdict, res.Violation, tc.want)
					}
				}
			}
		})
	}
}

// nanOp reads the register, or writes X to it: 2 for NaN.
type nanOp struct {
	Write bool
	X     float64
}

// nanSpec is a register of 0..2 written with floats.
type nanSpec struct{ model.Codec[uint8] }

func (nanSpec) Init() []uint8               { return []uint8{0} }
func (nanSpec) Crash(*uint8, model.Chooser) {}
func (nanSpec) Ops() []nanOp {
	return []nanOp{{}, {Write: true, X: 1}, {Write: true, X: math.NaN()}}
}
func (nanSpec) Step(s *uint8, op nanOp, _ model.Chooser) uint8 {
	if op.Write {
		*s = nanBlock(op.X)
	}
	return *s
}

func nanBlock(x float64) uint8 {
	if math.IsNaN(x) {
		return 2
	}
	return uint8(x)
}

// nanRegister writes NaN as 0.
type nanRegister struct{ d onedisk.API }

func (r nanRegister) Call(op nanOp) uint8 {
	if op.Write {
		r.d.Write(0, disk.Block(nanBlock(op.X)%2))
	}
	return uint8(r.d.Read(0))
}

// An operation alphabet holding NaN is the same list at every call. With
// ==, the check refused it as a list that changes (ErrInvalid), and never
// searched the wrong write of NaN.
func TestOperationCarryingNaN(t *testing.T) {
	impl := func(d onedisk.API) model.Instance[model.Caller[nanOp, uint8]] {
		return model.Instance[model.Caller[nanOp, uint8]]{API: nanRegister{d}, Recover: func() {}}
	}
	sys := model.NewSystem(onedisk.Layer(disk.Sizes{Blocks: 1, Values: 3}),
		model.NewLayer[uint8, nanOp, uint8]("nan", nanSpec{}),
		impl, func(c *onedisk.State) (uint8, bool) { return uint8(c.Disk[0]), true })
	res, err := explorer.Run(context.Background(), sys, explorer.Config{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != explorer.Violated || res.Violation.Kind != model.KindRefinement {
		t.Fatalf("%s %v, want a refinement violation", res.Verdict, res.Violation)
	}
}
