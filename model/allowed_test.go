package model_test

import (
	"slices"
	"testing"

	"github.com/argocheck/argocheck/model"
)

// sloppyReg is the register whose write stores the value given or one
// more, as the specification chooses.
type sloppyReg struct{ registerSpec }

func (sloppyReg) Step(s *uint8, op regOp, c model.Chooser) uint8 {
	if op.Write {
		*s = op.V + uint8(c.Choose(2))
		return op.V
	}
	return *s
}

// putReg keeps the register in the cell (flag_test.go).
type putReg struct{ d model.Caller[cellOp, uint8] }

func (r putReg) Call(op regOp) uint8 {
	if op.Write {
		r.d.Call(cellOp{Kind: 1, V: op.V})
		return op.V
	}
	return r.d.Call(cellOp{})
}

// TestCrashDuringOpAllowsEveryOutcome: a crash during an operation allows
// the state before it and every state its step may leave, the last
// alternative of the specification's choice too: from register 0, the
// Recovering nodes of a crash during write(1) allow {0, 1, 2}, and those
// of a crash during a read, or between operations, {0}.
func TestCrashDuringOpAllowsEveryOutcome(t *testing.T) {
	impl := func(d model.Caller[cellOp, uint8]) model.Instance[model.Caller[regOp, uint8]] {
		return model.Instance[model.Caller[regOp, uint8]]{API: putReg{d}, Recover: func() {}}
	}
	sys := model.NewSystem(
		model.NewLayer[uint8, cellOp, uint8]("cell", cellSpec{}),
		model.NewLayer[uint8, regOp, uint8]("register", sloppyReg{}),
		impl, func(c *uint8) (uint8, bool) { return *c, true })
	if err := sys.Validate(); err != nil {
		t.Fatal(err)
	}
	w := sys.NewWorker(model.Options{})
	inits, v := w.Initial()
	if v != nil || len(inits) != 1 {
		t.Fatalf("initial nodes %d, %v", len(inits), v)
	}
	var e edges
	w.Expand(inits[0], &e)
	var sets [][]string
	for _, n := range e.succ {
		if model.Recovering(n) {
			if s := w.View(n).Allowed; !slices.ContainsFunc(sets, func(t []string) bool { return slices.Equal(s, t) }) {
				sets = append(sets, s)
			}
		}
	}
	want := [][]string{{"0"}, {"0", "1", "2"}}
	if len(sets) != len(want) || !slices.Equal(sets[0], want[0]) || !slices.Equal(sets[1], want[1]) {
		t.Fatalf("allowed sets %v, want %v", sets, want)
	}
}
