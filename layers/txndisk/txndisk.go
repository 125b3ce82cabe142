// Package txndisk is the specification of a transactional disk, the layer
// the write-ahead log implements: writes are buffered in a new disk and
// become visible to reads, and durable, only at commit. A crash discards
// the writes since the last commit. A write may also fail (the log returns
// an error when it is full), changing nothing.
package txndisk

import (
	"fmt"

	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/model"
)

// State is the committed disk Old, which reads see and crashes keep, and
// the disk New that the next commit makes durable. Blocks at and beyond
// the configured size are zero in both.
type State struct {
	Old, New disk.Disk
}

// Spec is the TxnDisk specification for a disk of the given sizes.
type Spec struct{ sizes disk.Sizes }

// NewSpec returns the specification; sizes must be valid.
func NewSpec(sizes disk.Sizes) Spec { return Spec{sizes} }

// Validate checks the sizes against what a disk holds (model.Validator).
func (sp Spec) Validate() error { return sp.sizes.Validate() }

// Init returns the single initial state: both disks zero.
func (Spec) Init() []State { return []State{{}} }

// Ops returns read at every address, write at every address with every
// value, commit and size.
func (sp Spec) Ops() []disk.Op { return sp.sizes.Ops(disk.Commit) }

// Step runs op. A write either sets New[a] and returns OK, or returns Err
// and changes nothing; out of bounds it changes nothing either way. A read
// returns Old[a], or any value out of bounds.
func (sp Spec) Step(s *State, op disk.Op, c model.Chooser) disk.Ret {
	inBounds := int(op.Addr) < sp.sizes.Blocks
	switch op.Kind {
	case disk.Read:
		if !inBounds {
			return disk.Ret{Val: disk.Block(c.Choose(sp.sizes.Values))}
		}
		return disk.Ret{Val: s.Old[op.Addr]}
	case disk.Write:
		if c.Choose(2) == 1 {
			return disk.Ret{Err: true}
		}
		if inBounds {
			s.New[op.Addr] = op.Val
		}
		return disk.Ret{OK: true}
	case disk.Commit:
		s.Old = s.New
		return disk.Ret{OK: true}
	}
	return disk.Ret{Val: disk.Block(sp.sizes.Blocks)}
}

// Crash discards the uncommitted writes: New becomes Old.
func (Spec) Crash(s *State, _ model.Chooser) { s.New = s.Old }

// AppendEncode appends Old's blocks, then New's.
func (sp Spec) AppendEncode(dst []byte, s *State) []byte {
	dst = disk.AppendEncode(dst, &s.Old, sp.sizes.Blocks)
	return disk.AppendEncode(dst, &s.New, sp.sizes.Blocks)
}

// Decode reads a state written by AppendEncode.
func (sp Spec) Decode(src []byte, s *State) (int, error) {
	n0, err := disk.Decode(src, &s.Old, sp.sizes.Blocks)
	if err != nil {
		return 0, err
	}
	n1, err := disk.Decode(src[n0:], &s.New, sp.sizes.Blocks)
	if err != nil {
		return 0, err
	}
	return n0 + n1, nil
}

// Format renders the state as "old=[0 1] new=[1 1]", or "[0 1]" when the
// two disks are equal.
func (sp Spec) Format(s *State) string {
	if s.Old == s.New {
		return disk.Format(&s.Old, sp.sizes.Blocks)
	}
	return fmt.Sprintf("old=%s new=%s", disk.Format(&s.Old, sp.sizes.Blocks), disk.Format(&s.New, sp.sizes.Blocks))
}

// API is the Go interface of a transactional disk.
type API interface {
	// Read returns the committed value of block a.
	Read(a disk.Addr) disk.Block
	// Write buffers block a := b until the next commit; it reports false
	// when the write was refused and changed nothing.
	Write(a disk.Addr, b disk.Block) bool
	// Commit makes the buffered writes visible and durable, atomically.
	Commit()
	// Size returns the number of blocks.
	Size() int
}

type handle struct {
	c model.Caller[disk.Op, disk.Ret]
}

func (h handle) Read(a disk.Addr) disk.Block { return h.c.Call(disk.Op{Kind: disk.Read, Addr: a}).Val }
func (h handle) Write(a disk.Addr, b disk.Block) bool {
	return h.c.Call(disk.Op{Kind: disk.Write, Addr: a, Val: b}).OK
}
func (h handle) Commit()   { h.c.Call(disk.Op{Kind: disk.Commit}) }
func (h handle) Size() int { return int(h.c.Call(disk.Op{Kind: disk.Size}).Val) }

// Dispatch runs op through api.
func Dispatch(api API, op disk.Op) disk.Ret {
	switch op.Kind {
	case disk.Read:
		return disk.Ret{Val: api.Read(op.Addr)}
	case disk.Write:
		ok := api.Write(op.Addr, op.Val)
		return disk.Ret{OK: ok, Err: !ok}
	case disk.Commit:
		api.Commit()
		return disk.Ret{OK: true}
	}
	return disk.Ret{Val: disk.Block(api.Size())}
}

// Layer returns the TxnDisk layer for a disk of the given sizes.
func Layer(sizes disk.Sizes) model.Layer[State, disk.Op, disk.Ret, API] {
	return model.Layer[State, disk.Op, disk.Ret, API]{
		Name:     "txndisk",
		Spec:     NewSpec(sizes),
		Handle:   func(c model.Caller[disk.Op, disk.Ret]) API { return handle{c} },
		Dispatch: Dispatch,
	}
}

// EncodingTested marks the encoding as canonical for every state
// (model.EncodingTested): TestEncodingTested in package layers checks it.
func (Spec) EncodingTested() {}
