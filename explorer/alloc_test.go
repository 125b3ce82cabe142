package explorer

import (
	"context"
	"errors"
	"math"
	"sync/atomic"
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/internal/alloctest"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/model"
	"github.com/argocheck/argocheck/statestore"
)

// TestExpandAllocs holds expansion to no allocation per state: once its
// buffers are warm, a worker expands a unit of a later level (Idle and
// Recovering nodes, new and known successors, read from the compressed
// frontier) without allocating, but for the implementation instances the
// sampled determinism checks build (layer code, at most three a node).
func TestExpandAllocs(t *testing.T) {
	chk, err := layers.Build("repdisk", catalog.Params{layers.Blocks: 4, layers.Values: 3}, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("repdisk", func(t *testing.T) { expandAllocs(t, chk, true) })
	// Layers as Go storage code writes them: results that carry an
	// error, operations that carry the data of a write through a pointer
	// (compared with what they held at every run), over a disk and over
	// such a layer (whose results are walked at every step for pointers
	// into its state).
	t.Run("registers", func(t *testing.T) { expandAllocs(t, registersSystem(), false) })
	t.Run("over-registers", func(t *testing.T) { expandAllocs(t, overRegistersSystem(), false) })
}

// expandAllocs is TestExpandAllocs of chk, whose frontier, when
// compressed, has blocks by its third level.
func expandAllocs(t *testing.T, chk model.Checker, compressed bool) {
	s := &search{cfg: Config{Workers: 1, BatchSize: 64, MemoryBytes: 1 << 30}, chk: chk, visited: statestore.NewTable(1024)}
	s.workers = []*worker{{s: s, m: chk.NewWorker(model.Options{})}}
	s.level.init(1 << 14)
	inits, _ := s.workers[0].m.Initial()
	s.visited.Insert(s.key(inits[0]))
	s.parents.set(s.parents.extend(1), edgeKey(rootParent, 0))
	s.frontier.add(inits[0])
	base := uint64(0)
	for range 3 {
		s.cutPart(s.frontier.len())
		if err := s.expandUnits(context.Background(), base, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.barrier(); err != nil {
			t.Fatal(err)
		}
		base += uint64(s.frontier.len())
		s.frontier, s.next = s.next, s.frontier
		s.next.reset()
	}
	if compressed && len(s.frontier.blocks) == 0 {
		t.Fatalf("frontier of %d states, none compressed yet: too small to measure", s.frontier.len())
	}
	w := s.workers[0]
	w.frontier = reading(&s.frontier) // the frontier swapped after its last part
	var bound atomic.Uint64
	bound.Store(math.MaxUint64)
	before := w.transitions
	expand := func() {
		s.level.count.Store(1)
		s.level.reset(s.spread)
		if err := w.expandUnit(0, base, 0, 64, &bound); err != nil || w.full {
			t.Fatal(err, w.full)
		}
	}
	expand()
	fresh, others, where := alloctest.Count(func() {
		for range 10 {
			expand()
		}
	}, "expandUnit", "buildInstance")
	if w.transitions == before || len(s.out[0].keys) == 0 {
		t.Fatal("nothing expanded")
	}
	if others != 0 {
		t.Fatalf("%d allocations in 10 units of 64 states, besides the %d of the instances built for the determinism check; one at\n%s", others, fresh, where)
	}
	if fresh == 0 {
		t.Fatal("no instance built for the determinism check: its allocations were not measured")
	}
}

// errEmpty is the error of a read of a register that holds 0.
var errEmpty = errors.New("empty")

// regs is the number of registers of a regSpec.
const regs = 5

// regOp reads register R, or writes *Src to it.
type regOp struct {
	R   uint8
	Src *disk.Block
}

// regRet is a read's value, or its error.
type regRet struct {
	V   disk.Block
	Err error
}

// regSpec is regs registers of 0..2 whose reads of 0 fail with errEmpty.
type regSpec struct {
	model.Codec[[regs]disk.Block]
	srcs *[3]disk.Block
}

func (regSpec) Init() [][regs]disk.Block               { return [][regs]disk.Block{{}} }
func (regSpec) Crash(*[regs]disk.Block, model.Chooser) {}
func (r regSpec) Ops() []regOp {
	var ops []regOp
	for i := range uint8(regs) {
		ops = append(ops, regOp{R: i}, regOp{i, &r.srcs[1]}, regOp{i, &r.srcs[2]})
	}
	return ops
}
func (regSpec) Step(s *[regs]disk.Block, op regOp, _ model.Chooser) regRet {
	if op.Src != nil {
		s[op.R] = *op.Src
		return regRet{}
	}
	if s[op.R] == 0 {
		return regRet{Err: errEmpty}
	}
	return regRet{V: s[op.R]}
}

// regStore keeps register r in block 2r+1 of a disk, and a copy in block
// 2r written first, which recovery copies back.
type regStore struct{ d onedisk.API }

func (r regStore) Call(op regOp) regRet {
	a := 2 * disk.Addr(op.R)
	if op.Src != nil {
		r.d.Write(a, *op.Src)
		r.d.Write(a+1, *op.Src)
		return regRet{}
	}
	if v := r.d.Read(a + 1); v != 0 {
		return regRet{V: v}
	}
	return regRet{Err: errEmpty}
}

func (r regStore) recover() {
	for a := disk.Addr(0); a < 2*regs; a += 2 {
		r.d.Write(a+1, r.d.Read(a))
	}
}

// registersLayer is the registers' layer.
func registersLayer() model.Layer[[regs]disk.Block, regOp, regRet, model.Caller[regOp, regRet]] {
	return model.NewLayer[[regs]disk.Block, regOp, regRet]("registers", regSpec{srcs: &[3]disk.Block{0, 1, 2}})
}

func registersSystem() model.Checker {
	impl := func(d onedisk.API) model.Instance[model.Caller[regOp, regRet]] {
		r := regStore{d}
		return model.Instance[model.Caller[regOp, regRet]]{API: r, Recover: r.recover}
	}
	return model.NewSystem(onedisk.Layer(disk.Sizes{Blocks: 2 * regs, Values: 3}),
		registersLayer(), impl, func(c *onedisk.State) (s [regs]disk.Block, ok bool) {
			for i := range s {
				s[i] = c.Disk[2*i+1]
			}
			return s, true
		})
}

// passThrough is an implementation of a layer on the same layer: each
// call passed through.
type passThrough struct{ d model.Caller[regOp, regRet] }

func (p *passThrough) Call(op regOp) regRet { return p.d.Call(op) }

// overRegistersSystem is the registers implemented on registers.
func overRegistersSystem() model.Checker {
	impl := func(d model.Caller[regOp, regRet]) model.Instance[model.Caller[regOp, regRet]] {
		return model.Instance[model.Caller[regOp, regRet]]{API: &passThrough{d}, Recover: func() {}}
	}
	return model.NewSystem(registersLayer(), registersLayer(), impl,
		func(c *[regs]disk.Block) ([regs]disk.Block, bool) { return *c, true })
}
