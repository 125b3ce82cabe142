package relations_test

import (
	"context"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/model"
	"github.com/argocheck/argocheck/relations"
)

// bufWrite writes *buf into a register of 0..2 whose crashes may leave
// any value; a nil buf reads it.
type bufWrite struct{ buf *uint8 }

type bufRegister struct {
	model.Codec[uint8]
	bufs *[2]uint8
}

func (bufRegister) Init() []uint8 { return []uint8{0} }
func (r bufRegister) Ops() []bufWrite {
	return []bufWrite{{}, {&r.bufs[0]}, {&r.bufs[1]}}
}
func (bufRegister) Crash(s *uint8, c model.Chooser) { *s = uint8(c.Choose(3)) }
func (bufRegister) Step(s *uint8, op bufWrite, _ model.Chooser) uint8 {
	if op.buf != nil {
		*s = *op.buf
	}
	return *s
}

// clamping keeps the register in block 0 of a disk, and writes at most 1,
// clamping the client's buffer in place.
type clamping struct{ d onedisk.API }

func (c clamping) Call(op bufWrite) uint8 {
	if op.buf != nil {
		*op.buf = min(*op.buf, 1)
		c.d.Write(0, disk.Block(*op.buf))
	}
	return uint8(c.d.Read(0))
}

// The oracle and the explorer both refuse an implementation that changes
// what an operation points to: with the clamped buffer, both ran and
// checked a write of 1 where the client wrote 2, and verified.
func TestOperationMemoryChangedOracle(t *testing.T) {
	build := func() model.Checker {
		impl := func(d onedisk.API) model.Instance[model.Caller[bufWrite, uint8]] {
			return model.Instance[model.Caller[bufWrite, uint8]]{API: clamping{d}, Recover: func() {}}
		}
		return model.NewSystem(onedisk.Layer(disk.Sizes{Blocks: 1, Values: 3}),
			model.NewLayer[uint8, bufWrite, uint8]("register", bufRegister{bufs: &[2]uint8{1, 2}}),
			impl, func(c *onedisk.State) (uint8, bool) { return uint8(c.Disk[0]), true })
	}
	const want = "memory of the upper operations at Ops[2].buf"
	sem, _ := model.SemanticsOf(build())
	if v := relations.Check(sem, relations.Options{}); v.Verified || v.Violation.Kind != model.KindNondeterminism || !strings.Contains(v.Violation.Message, want) {
		t.Errorf("oracle: %v, want a nondeterminism violation saying %q", v, want)
	}
	res, err := explorer.Run(context.Background(), build(), explorer.Config{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Violation == nil || res.Violation.Kind != model.KindNondeterminism || !strings.Contains(res.Violation.Message, want) {
		t.Errorf("explorer: %s %v, want a nondeterminism violation saying %q", res.Verdict, res.Violation, want)
	}
}
