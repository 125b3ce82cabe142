package main

import (
	"fmt"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/model"
)

// State is the register's value.
type State struct{ V uint8 }

// Op reads the register, or writes V to it.
type Op struct {
	Write bool
	V     uint8
}

func (op Op) String() string {
	if op.Write {
		return fmt.Sprintf("write(%d)", op.V)
	}
	return "read()"
}

// Ret is a read's value, or OK for a write.
type Ret struct {
	V  uint8
	OK bool
}

func (r Ret) String() string {
	if r.OK {
		return "ok"
	}
	return fmt.Sprint(r.V)
}

// Spec is a register of values 0..span-1 that a crash leaves as it is.
type Spec struct{ span int }

func (Spec) Init() []State { return []State{{}} }

func (s Spec) Ops() []Op {
	ops := []Op{{}}
	for v := range s.span {
		ops = append(ops, Op{Write: true, V: uint8(v)})
	}
	return ops
}

func (Spec) Step(s *State, op Op, _ model.Chooser) Ret {
	if op.Write {
		s.V = op.V
		return Ret{OK: true}
	}
	return Ret{V: s.V}
}

func (Spec) Crash(*State, model.Chooser) {}

func (Spec) AppendEncode(dst []byte, s *State) []byte { return append(dst, s.V) }

func (Spec) Decode(src []byte, s *State) (int, error) {
	if len(src) == 0 {
		return 0, fmt.Errorf("register: no state to decode")
	}
	s.V = src[0]
	return 1, nil
}

func (Spec) Format(s *State) string { return fmt.Sprint(s.V) }

// onDisk is the register on a disk: its value is block 0.
type onDisk struct{ d onedisk.API }

func (r onDisk) Call(op Op) Ret {
	if op.Write {
		r.d.Write(0, disk.Block(op.V))
		return Ret{OK: true}
	}
	return Ret{V: uint8(r.d.Read(0))}
}

// registerSystem is the register on one disk; its variant
// recovery-zeroes clears the register after every crash.
func registerSystem() *catalog.System {
	return &catalog.System{
		Name:     "register",
		About:    "a register kept in block 0 of one disk",
		Params:   []catalog.Param{{Name: "span", Default: 2, Min: 1, Max: 8, About: "register values 0..span-1"}},
		Variants: catalog.Variants{{Name: "recovery-zeroes", About: "recovery writes 0 to the register"}},
		Build: func(p catalog.Params, variant string) (model.Checker, error) {
			span := p.Get("span")
			impl := func(d onedisk.API) model.Instance[model.Caller[Op, Ret]] {
				recover := func() {}
				if variant == "recovery-zeroes" {
					recover = func() { d.Write(0, 0) }
				}
				return model.Instance[model.Caller[Op, Ret]]{API: onDisk{d}, Recover: recover}
			}
			abs := func(c *onedisk.State) (State, bool) { return State{uint8(c.Disk[0])}, true }
			lower := onedisk.Layer(disk.Sizes{Blocks: 1, Values: span})
			return model.NewSystem(lower, model.NewLayer("register", model.Spec[State, Op, Ret](Spec{span})), impl, abs), nil
		},
	}
}
