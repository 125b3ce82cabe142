// Package register_test is the smallest complete check: a register
// layer of its own, implemented in block 0 of one disk.
package register_test

import (
	"testing"

	"github.com/argocheck/argocheck/checktest"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/model"
)

// State is the register's value, 0..2.
type State struct{ V uint8 }

// Op writes V when Write is set; every operation returns the value.
type Op struct {
	Write bool
	V     uint8
}

// Spec is the register; a crash leaves it as it is.
type Spec struct{ model.Codec[State] }

func (Spec) Init() []State               { return []State{{}} }
func (Spec) Ops() []Op                   { return []Op{{}, {Write: true, V: 1}, {Write: true, V: 2}} }
func (Spec) Crash(*State, model.Chooser) {}
func (Spec) Step(s *State, op Op, _ model.Chooser) uint8 {
	if op.Write {
		s.V = op.V
	}
	return s.V
}

// onDisk keeps the register in block 0.
type onDisk struct{ d onedisk.API }

func (r onDisk) Call(op Op) uint8 {
	if op.Write {
		r.d.Write(0, disk.Block(op.V))
	}
	return uint8(r.d.Read(0))
}

// system is the check of the register on one disk whose recovery
// procedure is recovery.
func system(recovery func(onedisk.API)) model.Checker {
	impl := func(d onedisk.API) model.Instance[model.Caller[Op, uint8]] {
		return model.Instance[model.Caller[Op, uint8]]{API: onDisk{d}, Recover: func() { recovery(d) }}
	}
	abs := func(c *onedisk.State) (State, bool) { return State{uint8(c.Disk[0])}, true }
	lower := onedisk.Layer(disk.Sizes{Blocks: 1, Values: 3})
	upper := model.NewLayer[State, Op, uint8]("register", Spec{})
	return model.NewSystem(lower, upper, impl, abs)
}

// The register verifies. Its 12 states: 3 values between operations, 3
// after a crash between operations, and for each two values v and w, a
// crash during write(w) from v before or after its disk write.
func TestRegister(t *testing.T) {
	if res := checktest.Verify(t, system(func(onedisk.API) {})); res.States != 12 {
		t.Errorf("%d states, want 12", res.States)
	}
}

// A recovery that clears the register loses a completed write.
func TestRecoveryClears(t *testing.T) {
	checktest.Violates(t, system(func(d onedisk.API) { d.Write(0, 0) }), model.KindRecovery, 3)
}
