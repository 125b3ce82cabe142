// Package pair is an atomic update of two blocks, a shadow copy and a
// commit record, on a disk with a write cache (the catalogue's AsyncDisk),
// checked on its own and composed with the catalogue's replicated disk on
// two disks with write caches: a layer of one's own over the catalogue's
// layers, with the whole stack checked under composed recovery.
package pair

import (
	"fmt"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/layers/asyncdisk"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/replicated"
	"github.com/argocheck/argocheck/layers/twoasyncdisk"
	"github.com/argocheck/argocheck/model"
)

// State is the pair.
type State struct{ A, B uint8 }

// Op is get(), or put(A, B) when Put is set.
type Op struct {
	Put  bool
	A, B uint8
}

// String renders the operation as paths show it: "get()", "put(1, 0)".
func (op Op) String() string {
	if op.Put {
		return fmt.Sprintf("put(%d, %d)", op.A, op.B)
	}
	return "get()"
}

// Ret is a get's pair, or OK for a put.
type Ret struct {
	A, B uint8
	OK   bool
}

// String renders the result as paths show it: "ok", "(1, 0)".
func (r Ret) String() string {
	if r.OK {
		return "ok"
	}
	return fmt.Sprintf("(%d, %d)", r.A, r.B)
}

// Spec is the pair of values 0..Values-1: put sets both halves at once,
// and is durable once it returns; a crash loses nothing.
type Spec struct {
	model.Codec[State]
	Values int
}

// Init returns the one initial state, (0, 0).
func (Spec) Init() []State { return []State{{}} }

// Ops returns get and put of every pair of values.
func (sp Spec) Ops() []Op {
	ops := []Op{{}}
	for a := range sp.Values {
		for b := range sp.Values {
			ops = append(ops, Op{Put: true, A: uint8(a), B: uint8(b)})
		}
	}
	return ops
}

// Step runs op on *s.
func (Spec) Step(s *State, op Op, _ model.Chooser) Ret {
	if !op.Put {
		return Ret{A: s.A, B: s.B}
	}
	s.A, s.B = op.A, op.B
	return Ret{OK: true}
}

// Crash changes nothing: every put that returned is durable.
func (Spec) Crash(*State, model.Chooser) {}

// Format renders the pair: "(1, 0)".
func (Spec) Format(s *State) string { return fmt.Sprintf("(%d, %d)", s.A, s.B) }

// Layer is the pair's layer, whose Go interface is model.Caller.
func Layer(values int) model.Layer[State, Op, Ret, model.Caller[Op, Ret]] {
	return model.NewLayer[State, Op, Ret]("pair", Spec{Codec: model.NewCodec[State](), Values: values})
}

// Variant selects the correct pair ("") or a mutant.
type Variant string

// The variants.
const (
	Correct Variant = ""
	// NoFlushBeforeCommit: put writes the commit record without flushing
	// the shadow copy first.
	NoFlushBeforeCommit Variant = "no-flush-before-commit"
	// CommitBeforeShadow: put writes the commit record before the shadow
	// copy.
	CommitBeforeShadow Variant = "commit-before-shadow"
	// RecoveryClearsFirst: recovery clears the commit record before it
	// copies the shadow.
	RecoveryClearsFirst Variant = "recovery-clears-first"
	// NoFinalFlush: put leaves its cleared commit record in the cache.
	NoFinalFlush Variant = "no-final-flush"
)

// Variants lists the mutants, for a binary's catalogue.
var Variants = catalog.Variants{
	{Name: string(NoFlushBeforeCommit), About: "put writes the commit record without flushing the shadow first"},
	{Name: string(CommitBeforeShadow), About: "put writes the commit record before the shadow copy"},
	{Name: string(RecoveryClearsFirst), About: "recovery clears the commit record before it copies the shadow"},
	{Name: string(NoFinalFlush), About: "put leaves its cleared commit record in the cache"},
}

// Blocks is the size of the disk: block 0 is the commit record, blocks 1
// and 2 the pair, blocks 3 and 4 the shadow copy.
const Blocks = 5

// pair is the pair on a disk with a write cache.
type pair struct {
	d asyncdisk.API
	v Variant
}

// Call runs one operation of the pair.
func (p pair) Call(op Op) Ret {
	if !op.Put {
		return Ret{A: uint8(p.d.Read(1)), B: uint8(p.d.Read(2))}
	}
	a, b := disk.Block(op.A), disk.Block(op.B)
	if p.v == CommitBeforeShadow {
		p.d.Write(0, 1)
		p.d.Flush()
	}
	p.d.Write(3, a) // the shadow copy
	p.d.Write(4, b)
	if p.v != NoFlushBeforeCommit {
		p.d.Flush() // the shadow is durable before the commit record
	}
	if p.v != CommitBeforeShadow {
		p.d.Write(0, 1) // the commit point
		p.d.Flush()
	}
	p.d.Write(1, a)
	p.d.Write(2, b)
	p.d.Flush() // the pair is durable before the commit record goes
	p.d.Write(0, 0)
	if p.v != NoFinalFlush {
		p.d.Flush() // the record is gone before the next put's shadow
	}
	return Ret{OK: true}
}

// recover finishes a committed put: it copies the shadow into the pair,
// flushes, and clears the commit record. Run again after a crash during
// it, it does the same.
func (p pair) recover() {
	if p.d.Read(0) != 1 {
		return
	}
	if p.v == RecoveryClearsFirst {
		p.d.Write(0, 0)
		p.d.Flush()
	}
	p.d.Write(1, p.d.Read(3))
	p.d.Write(2, p.d.Read(4))
	p.d.Flush()
	p.d.Write(0, 0)
	p.d.Flush()
}

// Impl returns the pair on a disk with a write cache, in variant v.
func Impl(v Variant) model.Impl[asyncdisk.API, model.Caller[Op, Ret]] {
	return func(d asyncdisk.API) model.Instance[model.Caller[Op, Ret]] {
		p := pair{d: d, v: v}
		return model.Instance[model.Caller[Op, Ret]]{API: p, Recover: p.recover}
	}
}

// Abs is the abstraction relation: with the commit record set, the
// shadow copy; otherwise the pair. It reads the blocks' current values,
// what reads return (Disk.Cur), as the catalogue's relations on a disk
// with a write cache do: what a crash may leave is the crash relation's
// business, and the check takes every outcome of it.
func Abs(values int) model.Relation[State, asyncdisk.State] {
	return func(c *asyncdisk.State) (State, bool) {
		d := &c.Disk.Cur
		a, b := d[1], d[2]
		switch d[0] {
		case 0:
		case 1:
			a, b = d[3], d[4]
		default:
			return State{}, false
		}
		if int(a) >= values || int(b) >= values {
			return State{}, false
		}
		return State{uint8(a), uint8(b)}, true
	}
}

// OnAsyncDisk returns the check of the pair on one disk with a write
// cache: the pair's layer alone, against AsyncDisk's specification.
func OnAsyncDisk(values int, v Variant) model.Checker {
	sizes := disk.Sizes{Blocks: Blocks, Values: values}
	return model.NewSystem(asyncdisk.Layer(sizes), Layer(values), Impl(v), Abs(values))
}

// System returns the check of the whole stack: the pair on the
// catalogue's replicated disk on two disks with write caches. The
// implementations compose into one of the pair on TwoAsyncDisk, whose
// recovery runs the replicated disk's and then the pair's, and the
// relations into one from TwoAsyncDisk to the pair.
func System(values int, v Variant) model.Checker {
	sizes := disk.Sizes{Blocks: Blocks, Values: values}
	return model.NewSystem(twoasyncdisk.Layer(sizes), Layer(values),
		model.Compose(replicated.AsyncImpl(replicated.Correct), Impl(v)),
		model.ComposeRelations(Abs(values), replicated.AsyncAbs))
}
