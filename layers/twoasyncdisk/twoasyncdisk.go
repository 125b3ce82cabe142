// Package twoasyncdisk is TwoDisk's pair of fail-stop disks with a write
// cache on each (TwoAsyncDisk): the base layer of the replicated disk on
// asynchronous disks.
//
// Each disk is an AsyncDisk (package asyncdisk): writes reach its medium
// only at a flush of that disk, and a crash lets each of its blocks
// independently take any value written since the block was last flushed.
// As on TwoDisk, before every operation, while both disks work, the
// environment may fail either one; at most one ever fails and none is
// repaired; a failed disk's contents are gone, and a crash leaves it
// failed.
package twoasyncdisk

import (
	"fmt"

	"github.com/argocheck/argocheck/layers/asyncdisk"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/twodisk"
	"github.com/argocheck/argocheck/model"
)

// State is the two disks and their status. A failed disk is the zero
// asyncdisk.Disk.
type State struct {
	Status twodisk.Status
	Disks  [2]asyncdisk.Disk
}

// Op is an operation on one disk, as on TwoDisk, flush included.
type Op = twodisk.Op

// Ret is an operation's result, as on TwoDisk: a block or size, OK for a
// write or flush, or Failed when the disk has failed.
type Ret = twodisk.Ret

// Spec is the TwoAsyncDisk specification for disks of the given sizes.
type Spec struct{ sizes disk.Sizes }

// NewSpec returns the specification; sizes must be valid.
func NewSpec(sizes disk.Sizes) Spec { return Spec{sizes} }

// Validate checks the sizes against what a disk holds (model.Validator).
func (sp Spec) Validate() error { return sp.sizes.Validate() }

// Init returns the single initial state: both disks work, hold zeros and
// are durable.
func (Spec) Init() []State { return []State{{}} }

// Ops returns every operation on either disk with every argument in range.
func (sp Spec) Ops() []Op {
	var ops []Op
	for _, d := range []twodisk.ID{twodisk.D0, twodisk.D1} {
		for a := 0; a < sp.sizes.Addrs(); a++ {
			ops = append(ops, Op{Kind: disk.Read, Disk: d, Addr: disk.Addr(a)})
		}
		for a := 0; a < sp.sizes.Addrs(); a++ {
			for v := 0; v < sp.sizes.Values; v++ {
				ops = append(ops, Op{Kind: disk.Write, Disk: d, Addr: disk.Addr(a), Val: disk.Block(v)})
			}
		}
		ops = append(ops, Op{Kind: disk.Flush, Disk: d}, Op{Kind: disk.Size, Disk: d})
	}
	return ops
}

// Step lets the environment fail a disk while both work, then runs op on
// its disk as AsyncDisk does.
func (sp Spec) Step(s *State, op Op, c model.Chooser) Ret {
	if s.Status == twodisk.Both {
		switch c.Choose(3) {
		case 1:
			s.Status, s.Disks[twodisk.D0] = twodisk.OnlyD1, asyncdisk.Disk{}
		case 2:
			s.Status, s.Disks[twodisk.D1] = twodisk.OnlyD0, asyncdisk.Disk{}
		}
	}
	if !s.Status.Working(op.Disk) {
		return Ret{Failed: true}
	}
	r := asyncdisk.StepDisk(&s.Disks[op.Disk], sp.sizes, op.Kind, op.Addr, op.Val, c)
	return Ret{Val: r.Val, OK: r.OK}
}

// Crash lets every block of each working disk take any value of its
// may-set, d0's blocks first.
func (sp Spec) Crash(s *State, c model.Chooser) {
	for d := twodisk.D0; d <= twodisk.D1; d++ {
		if s.Status.Working(d) {
			s.Disks[d].Crash(sp.sizes.Blocks, c)
		}
	}
}

// AppendEncode appends the status and both disks.
func (sp Spec) AppendEncode(dst []byte, s *State) []byte {
	dst = append(dst, byte(s.Status))
	dst = asyncdisk.AppendEncode(dst, &s.Disks[twodisk.D0], sp.sizes.Blocks)
	return asyncdisk.AppendEncode(dst, &s.Disks[twodisk.D1], sp.sizes.Blocks)
}

// Decode reads a state written by AppendEncode.
func (sp Spec) Decode(src []byte, s *State) (int, error) {
	if len(src) == 0 || src[0] > byte(twodisk.OnlyD1) {
		return 0, fmt.Errorf("twoasyncdisk: bad status")
	}
	s.Status = twodisk.Status(src[0])
	n0, err := asyncdisk.Decode(src[1:], &s.Disks[twodisk.D0], sp.sizes.Blocks)
	if err != nil {
		return 0, err
	}
	n1, err := asyncdisk.Decode(src[1+n0:], &s.Disks[twodisk.D1], sp.sizes.Blocks)
	if err != nil {
		return 0, err
	}
	return 1 + n0 + n1, nil
}

// Format renders the state as "d0=[0 1{0,1}] d1=failed".
func (sp Spec) Format(s *State) string {
	return FormatWith(s, func(d *asyncdisk.Disk) string { return asyncdisk.Format(d, sp.sizes.Blocks) })
}

// FormatWith renders the state as "d0=X d1=Y" with each working disk
// rendered by show, a failed one as "failed".
func FormatWith(s *State, show func(*asyncdisk.Disk) string) string {
	part := func(d twodisk.ID) string {
		if !s.Status.Working(d) {
			return "failed"
		}
		return show(&s.Disks[d])
	}
	return fmt.Sprintf("d0=%s d1=%s", part(twodisk.D0), part(twodisk.D1))
}

// API is the Go interface implementations use to reach two disks with
// write caches: TwoDisk's, and a flush of one disk.
type API interface {
	twodisk.API
	// Flush makes the earlier writes to disk d durable, or returns false
	// when d has failed.
	Flush(d twodisk.ID) bool
}

type handle struct{ twodisk.Handle }

func (h handle) Flush(d twodisk.ID) bool {
	return !h.C.Call(Op{Kind: disk.Flush, Disk: d}).Failed
}

// Dispatch runs op through api.
func Dispatch(api API, op Op) Ret {
	if op.Kind == disk.Flush {
		ok := api.Flush(op.Disk)
		return Ret{OK: ok, Failed: !ok}
	}
	return twodisk.Dispatch(api, op)
}

// Layer returns the TwoAsyncDisk layer for disks of the given sizes.
func Layer(sizes disk.Sizes) model.Layer[State, Op, Ret, API] {
	return model.Layer[State, Op, Ret, API]{
		Name:     "twoasyncdisk",
		Spec:     NewSpec(sizes),
		Handle:   func(c model.Caller[Op, Ret]) API { return handle{twodisk.Handle{C: c}} },
		Dispatch: Dispatch,
	}
}

// EncodingTested marks the encoding as canonical for every state
// (model.EncodingTested): TestEncodingTested in package layers checks it.
func (Spec) EncodingTested() {}
