package model_test

import (
	"context"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
)

// versioned is a disk of a data block and a version block, which a write
// of the cache below increments modulo 50: op {Ver, Write, V}.
type versioned struct{ Data, Ver uint8 }

type versionedOp struct {
	Ver, Write bool
	V          uint8
}

type versionedDisk struct{ model.Codec[versioned] }

func (versionedDisk) Init() []versioned               { return []versioned{{}} }
func (versionedDisk) Ops() []versionedOp              { return nil }
func (versionedDisk) Crash(*versioned, model.Chooser) {}
func (versionedDisk) Step(s *versioned, op versionedOp, _ model.Chooser) uint8 {
	p := &s.Data
	if op.Ver {
		p = &s.Ver
	}
	if op.Write {
		*p = op.V
	}
	return *p
}

// lastWrite is what a cachingCell keeps of its last write: the value and
// the disk it left.
type lastWrite struct {
	ok  bool
	tag versioned
	val uint8
}

// cachingCell is the threeCell (0 reads, v > 0 writes v-1) on a
// versioned disk, keeping its last write in a variable of its Impl's
// closure, which no comparison of memory sees: a read of the disk the
// write left returns the value kept, without reading the data block. A
// write of 2 keeps 1 when wrong is set: a read right after it returns
// 1, on a real instance; a search runs each operation from its state
// on an instance that last ran another from another state, and no run
// it compares read the disk its instance's last write left.
type cachingCell struct {
	d     model.Caller[versionedOp, uint8]
	last  func() *lastWrite
	wrong bool
}

func (c cachingCell) Call(op uint8) uint8 {
	ver := c.d.Call(versionedOp{Ver: true})
	if op > 0 {
		v := op - 1
		c.d.Call(versionedOp{Write: true, V: v})
		next := (ver + 1) % 50
		c.d.Call(versionedOp{Ver: true, Write: true, V: next})
		kept := v
		if c.wrong && v == 2 {
			kept = 1
		}
		*c.last() = lastWrite{true, versioned{v, next}, kept}
		return v
	}
	data := c.d.Call(versionedOp{})
	if l := c.last(); l.ok && l.tag == (versioned{data, ver}) {
		return l.val
	}
	return data
}

// orderedCell is the threeCell with its operations in another order.
type orderedCell struct {
	threeCell
	order []uint8
}

func (c orderedCell) Ops() []uint8 { return c.order }

func cachingSystem(wrong bool, order []uint8) model.Checker {
	impl := func(d model.Caller[versionedOp, uint8]) model.Instance[model.Caller[uint8, uint8]] {
		var last lastWrite
		return model.Instance[model.Caller[uint8, uint8]]{
			API:     cachingCell{d: d, last: func() *lastWrite { return &last }, wrong: wrong},
			Recover: func() {},
		}
	}
	return model.NewSystem(model.NewLayer[versioned, versionedOp, uint8]("versioned", versionedDisk{}),
		model.NewLayer[uint8, uint8, uint8]("cell", orderedCell{order: order}),
		impl, func(c *versioned) (uint8, bool) { return c.Data, true })
}

// An operation that reads what the operation before it left in memory
// the checks do not compare (a closure's variable), only when that
// describes the state it starts from, behaves on a real instance, which
// runs the operations one after the other, as no run of the search
// shows: after a recovery, operations one after the other on the
// instance that recovered are compared each with a run on an instance
// built anew for it. Compared with an instance that had run the same
// operations before, a read that returns a wrong value kept by the write
// before it verified; so did one compared with a new instance when the
// write of 2 is not the operation before the read in the list of
// operations (the third order), as the operations ran in that order. A
// cache that returns what the disk holds passes.
func TestOperationReadsTheOneBefore(t *testing.T) {
	for _, tc := range []struct {
		wrong  bool
		order  []uint8
		caught bool
	}{
		{false, []uint8{0, 1, 2, 3}, false},
		{true, []uint8{0, 1, 2, 3}, true},
		{true, []uint8{0, 3, 1, 2}, true},
		{false, []uint8{0, 3, 1, 2}, false},
	} {
		for _, d := range model.DeterminismModes {
			for _, workers := range []int{1, 2} {
				res, err := explorer.Run(context.Background(), cachingSystem(tc.wrong, tc.order), explorer.Config{Workers: workers, Determinism: d})
				if err != nil {
					t.Fatal(err)
				}
				caught := res.Verdict == explorer.Violated && res.Violation.Kind == model.KindNondeterminism &&
					strings.Contains(res.Violation.Message, "run on the instance that recovered and ran them and then on a newly built one")
				if caught != tc.caught || !caught && res.Verdict != explorer.Verified {
					t.Errorf("wrong=%t, order %v, %s, %d workers: %s %v, want caught=%t by the operations after a recovery", tc.wrong, tc.order, d, workers, res.Verdict, res.Violation, tc.caught)
				}
			}
		}
	}
}
