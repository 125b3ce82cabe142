// Package twodisk is the base layer of the built-in stack: two disks that
// fail-stop. Before every operation, while both work, the environment may
// fail either one; at most one ever fails and none is repaired. A failed
// disk's contents are gone. Writes are synchronous, so a crash changes
// nothing.
package twodisk

import (
	"fmt"

	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/model"
)

// ID names one of the two disks.
type ID uint8

// The two disks.
const (
	D0 ID = 0
	D1 ID = 1
)

// String names the disk: d0 or d1.
func (d ID) String() string { return fmt.Sprintf("d%d", uint8(d)) }

// Status says which disks work.
type Status uint8

// Disk statuses.
const (
	Both   Status = iota // both disks work
	OnlyD0               // d1 has failed
	OnlyD1               // d0 has failed
)

// Working reports whether disk d works in status s.
func (s Status) Working(d ID) bool {
	return s == Both || (s == OnlyD0 && d == D0) || (s == OnlyD1 && d == D1)
}

// State is the two disks and their status. A failed disk holds zeros.
type State struct {
	Status Status
	Disks  [2]disk.Disk
}

// Op is an operation on one disk: read, write or size (and flush, for a
// pair of disks with write caches).
type Op struct {
	Kind disk.OpKind
	Disk ID
	Addr disk.Addr
	Val  disk.Block
}

// String renders the operation as in a path, e.g. "write(d0, 1, 0)" or
// "flush(d1)".
func (op Op) String() string {
	switch op.Kind {
	case disk.Read:
		return fmt.Sprintf("read(%s, %d)", op.Disk, op.Addr)
	case disk.Write:
		return fmt.Sprintf("write(%s, %d, %d)", op.Disk, op.Addr, op.Val)
	case disk.Flush:
		return fmt.Sprintf("flush(%s)", op.Disk)
	}
	return fmt.Sprintf("size(%s)", op.Disk)
}

// Ret is an operation's result: a block or size, OK for a write, or
// Failed when the disk has failed.
type Ret struct {
	Val    disk.Block
	OK     bool // a write that happened
	Failed bool
}

// String renders the result as in a path: a value, ok or failed.
func (r Ret) String() string {
	switch {
	case r.Failed:
		return "failed"
	case r.OK:
		return "ok"
	}
	return fmt.Sprint(r.Val)
}

// Spec is the TwoDisk specification for disks of the given sizes.
type Spec struct{ sizes disk.Sizes }

// NewSpec returns the specification; sizes must be valid.
func NewSpec(sizes disk.Sizes) Spec { return Spec{sizes} }

// Validate checks the sizes against what a disk holds (model.Validator).
func (sp Spec) Validate() error { return sp.sizes.Validate() }

// Init returns the single initial state: both disks work and hold zeros.
func (Spec) Init() []State { return []State{{}} }

// Ops returns every operation on either disk with every argument in range.
func (sp Spec) Ops() []Op {
	var ops []Op
	for _, d := range []ID{D0, D1} {
		for a := 0; a < sp.sizes.Addrs(); a++ {
			ops = append(ops, Op{Kind: disk.Read, Disk: d, Addr: disk.Addr(a)})
		}
		for a := 0; a < sp.sizes.Addrs(); a++ {
			for v := 0; v < sp.sizes.Values; v++ {
				ops = append(ops, Op{Kind: disk.Write, Disk: d, Addr: disk.Addr(a), Val: disk.Block(v)})
			}
		}
		ops = append(ops, Op{Kind: disk.Size, Disk: d})
	}
	return ops
}

// Step lets the environment fail a disk while both work, then runs op.
func (sp Spec) Step(s *State, op Op, c model.Chooser) Ret {
	if s.Status == Both {
		switch c.Choose(3) {
		case 1:
			s.Status, s.Disks[D0] = OnlyD1, disk.Disk{}
		case 2:
			s.Status, s.Disks[D1] = OnlyD0, disk.Disk{}
		}
	}
	if !s.Status.Working(op.Disk) {
		return Ret{Failed: true}
	}
	inBounds := int(op.Addr) < sp.sizes.Blocks
	switch op.Kind {
	case disk.Read:
		if !inBounds {
			return Ret{Val: disk.Block(c.Choose(sp.sizes.Values))}
		}
		return Ret{Val: s.Disks[op.Disk][op.Addr]}
	case disk.Write:
		if inBounds {
			s.Disks[op.Disk][op.Addr] = op.Val
		}
		return Ret{OK: true}
	}
	return Ret{Val: disk.Block(sp.sizes.Blocks)}
}

// Crash is the identity: writes are synchronous.
func (Spec) Crash(*State, model.Chooser) {}

// AppendEncode appends the status and both disks.
func (sp Spec) AppendEncode(dst []byte, s *State) []byte {
	dst = append(dst, byte(s.Status))
	dst = disk.AppendEncode(dst, &s.Disks[D0], sp.sizes.Blocks)
	return disk.AppendEncode(dst, &s.Disks[D1], sp.sizes.Blocks)
}

// Decode reads a state written by AppendEncode.
func (sp Spec) Decode(src []byte, s *State) (int, error) {
	if len(src) == 0 || src[0] > byte(OnlyD1) {
		return 0, fmt.Errorf("twodisk: bad status")
	}
	s.Status = Status(src[0])
	n0, err := disk.Decode(src[1:], &s.Disks[D0], sp.sizes.Blocks)
	if err != nil {
		return 0, err
	}
	n1, err := disk.Decode(src[1+n0:], &s.Disks[D1], sp.sizes.Blocks)
	if err != nil {
		return 0, err
	}
	return 1 + n0 + n1, nil
}

// Format renders the state as "d0=[0 1] d1=failed".
func (sp Spec) Format(s *State) string {
	return fmt.Sprintf("d0=%s d1=%s", sp.formatDisk(s, D0), sp.formatDisk(s, D1))
}

func (sp Spec) formatDisk(s *State, d ID) string {
	if !s.Status.Working(d) {
		return "failed"
	}
	return disk.Format(&s.Disks[d], sp.sizes.Blocks)
}

// API is the Go interface implementations use to reach two disks.
type API interface {
	// Read returns block a of disk d, or ok false when d has failed.
	Read(d ID, a disk.Addr) (b disk.Block, ok bool)
	// Write sets block a of disk d to b, or returns false when d has failed.
	Write(d ID, a disk.Addr, b disk.Block) bool
	// Size returns the number of blocks of disk d, or ok false when d has
	// failed.
	Size(d ID) (n int, ok bool)
}

// Handle is the API over the executor's Caller: each method one
// operation. A pair of disks with write caches embeds it.
type Handle struct{ C model.Caller[Op, Ret] }

// Read reads block a of disk d.
func (h Handle) Read(d ID, a disk.Addr) (disk.Block, bool) {
	r := h.C.Call(Op{Kind: disk.Read, Disk: d, Addr: a})
	return r.Val, !r.Failed
}

// Write writes b to block a of disk d.
func (h Handle) Write(d ID, a disk.Addr, b disk.Block) bool {
	return !h.C.Call(Op{Kind: disk.Write, Disk: d, Addr: a, Val: b}).Failed
}

// Size returns the number of blocks of disk d.
func (h Handle) Size(d ID) (int, bool) {
	r := h.C.Call(Op{Kind: disk.Size, Disk: d})
	return int(r.Val), !r.Failed
}

// Dispatch runs op through api.
func Dispatch(api API, op Op) Ret {
	switch op.Kind {
	case disk.Read:
		b, ok := api.Read(op.Disk, op.Addr)
		return Ret{Val: b, Failed: !ok}
	case disk.Write:
		ok := api.Write(op.Disk, op.Addr, op.Val)
		return Ret{OK: ok, Failed: !ok}
	}
	n, ok := api.Size(op.Disk)
	return Ret{Val: disk.Block(n), Failed: !ok}
}

// Layer returns the TwoDisk layer for disks of the given sizes.
func Layer(sizes disk.Sizes) model.Layer[State, Op, Ret, API] {
	return model.Layer[State, Op, Ret, API]{
		Name:     "twodisk",
		Spec:     NewSpec(sizes),
		Handle:   func(c model.Caller[Op, Ret]) API { return Handle{c} },
		Dispatch: Dispatch,
	}
}

// EncodingTested marks the encoding as canonical for every state
// (model.EncodingTested): TestEncodingTested in package layers checks it.
func (Spec) EncodingTested() {}
