// Package mirror is the replicated disk written the short way: a
// disk specification of its own (model.Codec for its encoding,
// model.NewLayer for its Go interface) and a mirrored disk on two disks
// that may fail (layers/twodisk). It checks the same system as the
// catalogue's repdisk, with the same states.
package mirror

import (
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/twodisk"
	"github.com/argocheck/argocheck/model"
)

// Op reads block Addr, or writes Val to it when Write is set.
type Op struct {
	Write bool
	Addr  disk.Addr
	Val   disk.Block
}

// Spec is one disk that never fails, of Blocks blocks holding values
// 0..Values-1: a read returns the block, a write (returning 0) sets it,
// and a crash changes nothing.
type Spec struct {
	model.Codec[disk.Disk]
	Blocks, Values int
}

// Init returns the one initial state, all zeros.
func (Spec) Init() []disk.Disk { return []disk.Disk{{}} }

// Ops returns read and write of every block, with every value.
func (sp Spec) Ops() []Op {
	var ops []Op
	for a := range disk.Addr(sp.Blocks) {
		ops = append(ops, Op{Addr: a})
		for v := range disk.Block(sp.Values) {
			ops = append(ops, Op{Write: true, Addr: a, Val: v})
		}
	}
	return ops
}

// Step runs op on *d.
func (Spec) Step(d *disk.Disk, op Op, _ model.Chooser) disk.Block {
	if op.Write {
		d[op.Addr] = op.Val
		return 0
	}
	return d[op.Addr]
}

// Crash changes nothing: writes are synchronous.
func (Spec) Crash(*disk.Disk, model.Chooser) {}

// Variant selects the correct mirror or a deliberately broken one.
type Variant string

// NoRecovery is the mirror whose recovery does nothing.
const NoRecovery Variant = "no-recovery"

// mirror is the disk on two disks: writes go to d0 then d1, reads come
// from d0 and fall back to d1.
type mirror struct {
	d      twodisk.API
	blocks int
}

// Call runs one operation of the disk.
func (m mirror) Call(op Op) disk.Block {
	if op.Write {
		m.d.Write(twodisk.D0, op.Addr, op.Val)
		m.d.Write(twodisk.D1, op.Addr, op.Val)
		return 0
	}
	if b, ok := m.d.Read(twodisk.D0, op.Addr); ok {
		return b
	}
	b, _ := m.d.Read(twodisk.D1, op.Addr)
	return b
}

// recover copies d0 to d1 at the one block where they can differ, the
// block a crash interrupted a write of, scanning from the last block
// down. Once a disk has failed the other is all there is.
func (m mirror) recover() {
	for a := disk.Addr(m.blocks); a > 0; a-- {
		b0, ok := m.d.Read(twodisk.D0, a-1)
		if !ok {
			return
		}
		b1, ok := m.d.Read(twodisk.D1, a-1)
		if !ok {
			return
		}
		if b0 != b1 {
			m.d.Write(twodisk.D1, a-1, b0)
			return
		}
	}
}

// abs relates two disks to the one disk they mirror: the working disks,
// which must be equal.
func abs(c *twodisk.State) (disk.Disk, bool) {
	switch c.Status {
	case twodisk.OnlyD0:
		return c.Disks[0], true
	case twodisk.OnlyD1:
		return c.Disks[1], true
	}
	return c.Disks[0], c.Disks[0] == c.Disks[1]
}

// System returns the check of the mirror in variant v ("" is the correct
// one) on disks of the given sizes.
func System(sizes disk.Sizes, v Variant) model.Checker {
	spec := Spec{model.NewCodec[disk.Disk](), sizes.Blocks, sizes.Values}
	impl := func(d twodisk.API) model.Instance[model.Caller[Op, disk.Block]] {
		m := mirror{d, sizes.Blocks}
		if v == NoRecovery {
			return model.Instance[model.Caller[Op, disk.Block]]{API: m, Recover: func() {}}
		}
		return model.Instance[model.Caller[Op, disk.Block]]{API: m, Recover: m.recover}
	}
	return model.NewSystem(twodisk.Layer(sizes), model.NewLayer[disk.Disk, Op, disk.Block]("disk", spec), impl, abs)
}
