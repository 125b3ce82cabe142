// Package onedisk is the specification of a single disk that never fails:
// the layer the replicated disk implements and the write-ahead log runs on.
// Writes are synchronous, so a crash changes nothing; an out-of-bounds
// write does nothing and an out-of-bounds read returns any value.
package onedisk

import (
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/model"
)

// State is the disk's contents.
type State struct {
	Disk disk.Disk
}

// Spec is the OneDisk specification.
type Spec struct {
	sizes disk.Sizes
	// values is the range of values an out-of-bounds read may return.
	values int
}

// NewSpec returns the specification of a disk of the given sizes.
func NewSpec(sizes disk.Sizes) Spec { return Spec{sizes: sizes, values: sizes.Values} }

// Validate checks the sizes against what a disk holds (model.Validator).
func (sp Spec) Validate() error { return sp.sizes.Validate() }

// Init returns the single initial state, all zeros.
func (Spec) Init() []State { return []State{{}} }

// Ops returns read and write at every address (with every value) and size.
func (sp Spec) Ops() []disk.Op { return sp.sizes.Ops() }

// Step runs op.
func (sp Spec) Step(s *State, op disk.Op, c model.Chooser) disk.Ret {
	inBounds := int(op.Addr) < sp.sizes.Blocks
	switch op.Kind {
	case disk.Read:
		if !inBounds {
			return disk.Ret{Val: disk.Block(c.Choose(sp.values))}
		}
		return disk.Ret{Val: s.Disk[op.Addr]}
	case disk.Write:
		if inBounds {
			s.Disk[op.Addr] = op.Val
		}
		return disk.Ret{OK: true}
	}
	return disk.Ret{Val: disk.Block(sp.sizes.Blocks)}
}

// Crash is the identity.
func (Spec) Crash(*State, model.Chooser) {}

// AppendEncode appends the disk's blocks.
func (sp Spec) AppendEncode(dst []byte, s *State) []byte {
	return disk.AppendEncode(dst, &s.Disk, sp.sizes.Blocks)
}

// Decode reads a state written by AppendEncode.
func (sp Spec) Decode(src []byte, s *State) (int, error) {
	return disk.Decode(src, &s.Disk, sp.sizes.Blocks)
}

// Format renders the disk as "[0 1 0]".
func (sp Spec) Format(s *State) string { return disk.Format(&s.Disk, sp.sizes.Blocks) }

// API is the Go interface of one disk.
type API interface {
	Read(a disk.Addr) disk.Block
	Write(a disk.Addr, b disk.Block)
	Size() int
}

// Handle is the API over the executor's Caller: each method one
// operation. The disk layers that extend OneDisk's interface embed it.
type Handle struct {
	C model.Caller[disk.Op, disk.Ret]
}

// Read reads block a.
func (h Handle) Read(a disk.Addr) disk.Block { return h.C.Call(disk.Op{Kind: disk.Read, Addr: a}).Val }

// Write writes b to block a.
func (h Handle) Write(a disk.Addr, b disk.Block) {
	h.C.Call(disk.Op{Kind: disk.Write, Addr: a, Val: b})
}

// Size returns the number of blocks.
func (h Handle) Size() int { return int(h.C.Call(disk.Op{Kind: disk.Size}).Val) }

// Dispatch runs op through api.
func Dispatch(api API, op disk.Op) disk.Ret {
	switch op.Kind {
	case disk.Read:
		return disk.Ret{Val: api.Read(op.Addr)}
	case disk.Write:
		api.Write(op.Addr, op.Val)
		return disk.Ret{OK: true}
	}
	return disk.Ret{Val: disk.Block(api.Size())}
}

// Layer returns the OneDisk layer for a disk of the given sizes. As the
// layer below an implementation of your own, its blocks may hold any
// disk.Block your code writes, whatever sizes.Values (see disk.Sizes);
// sizes.Blocks must cover every block your code writes, since a write
// past it does nothing.
func Layer(sizes disk.Sizes) model.Layer[State, disk.Op, disk.Ret, API] {
	return model.Layer[State, disk.Op, disk.Ret, API]{
		Name:     "onedisk",
		Spec:     NewSpec(sizes),
		Handle:   func(c model.Caller[disk.Op, disk.Ret]) API { return Handle{c} },
		Dispatch: Dispatch,
	}
}

// EncodingTested marks the encoding as canonical for every state
// (model.EncodingTested): TestEncodingTested in package layers checks it.
func (Spec) EncodingTested() {}
