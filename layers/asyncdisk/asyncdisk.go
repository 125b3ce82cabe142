// Package asyncdisk is the specification of a disk with a write cache
// (AsyncDisk): a write returns before it is durable, writes to different
// blocks reach the medium in any order, and a flush is the barrier that
// makes every earlier write durable.
//
// Each block a holds cur[a], what a read returns, and may[a], the set of
// values a crash may leave in it, which always contains cur[a]. Initially
// cur[a] = 0 and may[a] = {0}.
//
//   - write(a, v): cur[a] := v and may[a] := may[a] ∪ {v}; returns OK.
//   - read(a): returns cur[a].
//   - flush(): may[a] := {cur[a]} for every block; returns OK.
//   - size(): the number of blocks.
//   - crash: every block independently takes any x in may[a]; then
//     cur[a] := x and may[a] := {x}.
//
// Out of bounds, a write does nothing and a read returns any client
// value, as on the synchronous disks. The block is the unit of atomicity:
// a record spread over several blocks can tear.
//
// A may-set holds at most MaxMay values (its current value and MaxMay-1
// values written since the last flush); a write that would add one more
// panics naming the limit, which the explorer reports as a violation of
// kind panic. The built-in systems stay below it: see MaxMay's uses in
// package layers.
package asyncdisk

import (
	"fmt"
	"math"

	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/model"
)

// State is the disk's contents.
type State struct {
	Disk Disk
}

// Spec is the AsyncDisk specification.
type Spec struct{ sizes disk.Sizes }

// NewSpec returns the specification of a disk of the given sizes, which
// must be valid.
func NewSpec(sizes disk.Sizes) Spec { return Spec{sizes} }

// Validate checks the sizes against what a disk holds (model.Validator).
func (sp Spec) Validate() error { return sp.sizes.Validate() }

// CheckUpper reports sizes at which AsyncDisk cannot be the upper layer
// of a check: its abstract states must keep their may-sets within MaxMay
// (the client values must be at most MaxMay), and a crash may leave up to
// values^blocks abstract states, of which a node's allowed set holds at
// most model.MaxAllowed.
func CheckUpper(sizes disk.Sizes) error {
	if sizes.Values > MaxMay {
		return fmt.Errorf("asyncdisk: at most %d client values (MaxMay), not %d", MaxMay, sizes.Values)
	}
	if math.Pow(float64(sizes.Values), float64(sizes.Blocks)) > model.MaxAllowed {
		return fmt.Errorf("asyncdisk: %d values on %d blocks: a crash may leave %d^%d abstract states, more than the %d an allowed set holds",
			sizes.Values, sizes.Blocks, sizes.Values, sizes.Blocks, model.MaxAllowed)
	}
	return nil
}

// Init returns the single initial state: every block 0 and durable.
func (Spec) Init() []State { return []State{{}} }

// Ops returns read and write at every address (with every value), flush
// and size.
func (sp Spec) Ops() []disk.Op { return sp.sizes.Ops(disk.Flush) }

// Step runs op.
func (sp Spec) Step(s *State, op disk.Op, c model.Chooser) disk.Ret {
	return StepDisk(&s.Disk, sp.sizes, op.Kind, op.Addr, op.Val, c)
}

// StepDisk runs one operation of the given kind on d, a disk of the given
// sizes: AsyncDisk's step relation, which each disk of a pair of them
// shares.
func StepDisk(d *Disk, sizes disk.Sizes, kind disk.OpKind, a disk.Addr, v disk.Block, c model.Chooser) disk.Ret {
	inBounds := int(a) < sizes.Blocks
	switch kind {
	case disk.Read:
		if !inBounds {
			return disk.Ret{Val: disk.Block(c.Choose(sizes.Values))}
		}
		return disk.Ret{Val: d.Cur[a]}
	case disk.Write:
		if inBounds {
			d.Write(a, v)
		}
		return disk.Ret{OK: true}
	case disk.Flush:
		d.Flush()
		return disk.Ret{OK: true}
	}
	return disk.Ret{Val: disk.Block(sizes.Blocks)}
}

// Crash lets every block take any value of its may-set.
func (sp Spec) Crash(s *State, c model.Chooser) { s.Disk.Crash(sp.sizes.Blocks, c) }

// AppendEncode appends each block's current value and may-set.
func (sp Spec) AppendEncode(dst []byte, s *State) []byte {
	return AppendEncode(dst, &s.Disk, sp.sizes.Blocks)
}

// Decode reads a state written by AppendEncode.
func (sp Spec) Decode(src []byte, s *State) (int, error) {
	return Decode(src, &s.Disk, sp.sizes.Blocks)
}

// Format renders the disk as "[0 1{0,1} 0]".
func (sp Spec) Format(s *State) string { return Format(&s.Disk, sp.sizes.Blocks) }

// API is the Go interface of a disk with a write cache: OneDisk's (a
// write is durable after the next Flush), and Flush.
type API interface {
	onedisk.API
	// Flush makes every earlier write durable.
	Flush()
}

type handle struct{ onedisk.Handle }

func (h handle) Flush() { h.C.Call(disk.Op{Kind: disk.Flush}) }

// Dispatch runs op through api.
func Dispatch(api API, op disk.Op) disk.Ret {
	if op.Kind == disk.Flush {
		api.Flush()
		return disk.Ret{OK: true}
	}
	return onedisk.Dispatch(api, op)
}

// Layer returns the AsyncDisk layer for a disk of the given sizes.
func Layer(sizes disk.Sizes) model.Layer[State, disk.Op, disk.Ret, API] {
	return model.Layer[State, disk.Op, disk.Ret, API]{
		Name:     "asyncdisk",
		Spec:     NewSpec(sizes),
		Handle:   func(c model.Caller[disk.Op, disk.Ret]) API { return handle{onedisk.Handle{C: c}} },
		Dispatch: Dispatch,
	}
}

// EncodingTested marks the encoding as canonical for every state
// (model.EncodingTested): TestEncodingTested in package layers checks it.
func (Spec) EncodingTested() {}
