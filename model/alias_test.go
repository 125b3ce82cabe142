package model_test

import (
	"context"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
)

// pairState is a disk of two blocks.
type pairState struct{ D [2]uint8 }

// pairOp reads block A, or writes V to it when Write is set.
type pairOp struct {
	Write bool
	A, V  uint8
}

// pairView is what pairDisk's read returns besides the block: a view of
// the disk, a way a Go API returns a buffer without copying it.
type pairView struct {
	V uint8
	P *[2]uint8 // the blocks, in the ways viewKind says
	I any       // the blocks as a *[2]uint8 or a *viewBox
}

// viewBox holds a slice of the blocks, one pointer away from the result.
type viewBox struct{ B []uint8 }

// viewKind says how pairDisk's read returns the blocks.
type viewKind int

const (
	viewCopy      viewKind = iota // a pointer to a copy
	viewPointer                   // a pointer to the state's blocks
	viewInterface                 // the same in an interface
	viewBoxed                     // a slice of them in a new struct
)

// pairDisk is a disk whose read returns the blocks as view says.
type pairDisk struct {
	model.Codec[pairState]
	view viewKind
}

func (pairDisk) Init() []pairState               { return []pairState{{}} }
func (pairDisk) Ops() []pairOp                   { return nil }
func (pairDisk) Crash(*pairState, model.Chooser) {}
func (d pairDisk) Step(s *pairState, op pairOp, _ model.Chooser) pairView {
	if op.Write {
		s.D[op.A] = op.V
		return pairView{}
	}
	r := pairView{V: s.D[op.A]}
	switch d.view {
	case viewCopy:
		c := s.D
		r.P = &c
	case viewPointer:
		r.P = &s.D
	case viewInterface:
		r.I = &s.D
	case viewBoxed:
		r.I = &viewBox{s.D[:]}
	}
	return r
}

// pairRegister is a register kept in both blocks of a pairDisk: a write
// writes block 0 by a step and block 1 through the view the read before
// it returned, so that no crash falls between the two.
type pairRegister struct {
	d model.Caller[pairOp, pairView]
}

func (r pairRegister) Call(op pairCellOp) uint8 {
	if op.write {
		v := r.d.Call(pairOp{A: 0})
		r.d.Call(pairOp{Write: true, A: 0, V: op.v})
		switch b := v.I.(type) {
		case *[2]uint8:
			b[1] = op.v
		case *viewBox:
			b.B[1] = op.v
		default:
			v.P[1] = op.v
		}
	}
	return r.d.Call(pairOp{A: 0}).V
}

// pairCellOp reads the register, or writes v to it.
type pairCellOp struct {
	write bool
	v     uint8
}

// pairCell is a register of 0..2 that a crash leaves as it is.
type pairCell struct{ model.Codec[uint8] }

func (pairCell) Init() []uint8               { return []uint8{0} }
func (pairCell) Ops() []pairCellOp           { return []pairCellOp{{}, {true, 1}, {true, 2}} }
func (pairCell) Crash(*uint8, model.Chooser) {}
func (pairCell) Step(s *uint8, op pairCellOp, _ model.Chooser) uint8 {
	if op.write {
		*s = op.v
	}
	return *s
}

func pairSystem(view viewKind) model.Checker {
	impl := func(d model.Caller[pairOp, pairView]) model.Instance[model.Caller[pairCellOp, uint8]] {
		return model.Instance[model.Caller[pairCellOp, uint8]]{API: pairRegister{d}, Recover: func() {}}
	}
	abs := func(c *pairState) (uint8, bool) { return c.D[0], c.D[0] == c.D[1] }
	return model.NewSystem(model.NewLayer[pairState, pairOp, pairView]("pair", pairDisk{view: view}),
		model.NewLayer[uint8, pairCellOp, uint8]("cell", pairCell{}), impl, abs)
}

// A lower step whose result points into the lower state is a spec
// violation naming where. Without the check, each of these verified in
// every mode: the register's write changed block 1 outside a step, so the
// two blocks, which the relation requires equal, were never seen apart.
// A pointer to a copy is not refused (it is compared by identity, so
// two runs differ: a nondeterminism violation).
func TestResultPointsIntoLowerState(t *testing.T) {
	for _, tc := range []struct {
		name string
		view viewKind
		kind string
		want string
	}{
		{"copy", viewCopy, model.KindNondeterminism, ""}, // pointers compare by identity
		{"pointer", viewPointer, model.KindSpec, "result.P points into the lower state"},
		{"interface", viewInterface, model.KindSpec, "result.I points into the lower state"},
		{"slice in a new struct", viewBoxed, model.KindSpec, "(*result.I).B points into the lower state"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, d := range model.DeterminismModes {
				for _, workers := range []int{1, 2} {
					res, err := explorer.Run(context.Background(), pairSystem(tc.view), explorer.Config{Workers: workers, Determinism: d})
					if err != nil {
						t.Fatal(err)
					}
					if res.Verdict != explorer.Violated || res.Violation.Kind != tc.kind || !strings.Contains(res.Violation.Message, tc.want) {
						t.Fatalf("%s, %d workers: %s %v, want a %s violation saying %q", d, workers, res.Verdict, res.Violation, tc.kind, tc.want)
					}
				}
			}
		})
	}
}
