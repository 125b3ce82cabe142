package model_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
)

// flakyCalls counts the calls (or steps) that a flaky implementation or
// cell below makes misbehave on the odd ones, which the first of two
// compared runs makes; the second makes the even ones.
var flakyCalls int

// odd counts a call, and reports whether it is an odd one.
func odd() bool {
	flakyCalls++
	return flakyCalls%2 == 1
}

// flakyReg keeps the register in the cell (flag_test.go), with a flaw on
// odd calls that how names: a read that panics after reading
// ("panics"), returns one more than the cell holds ("returns"), or reads
// with another operation of the cell that answers as its get does
// ("calls"); a write that reads the cell first, ignoring the answer, for
// the flaky cell below ("answers").
type flakyReg struct {
	d   model.Caller[cellOp, uint8]
	how string
}

func (r flakyReg) Call(op regOp) uint8 {
	if op.Write {
		if r.how == "answers" {
			r.d.Call(cellOp{Kind: 0, V: 1})
		}
		r.d.Call(cellOp{Kind: 1, V: op.V})
		return op.V
	}
	switch r.how {
	case "panics":
		v := r.d.Call(cellOp{})
		if odd() {
			panic("flaky read")
		}
		return v
	case "returns":
		v := r.d.Call(cellOp{})
		if odd() {
			v++
		}
		return v
	case "calls":
		if odd() {
			return r.d.Call(cellOp{Kind: 3})
		}
	}
	return r.d.Call(cellOp{})
}

// flakyCell is the cell with a flaw on odd steps that how names: its Put
// stores one more than it is given, returning the same ("leaves"), or its
// get marked V 1 answers one more than it holds, changing nothing
// ("answers"): nondeterminism the lower specification draws from a
// variable of its own, not the Chooser.
type flakyCell struct {
	cellSpec
	how string
}

func (c flakyCell) Step(s *uint8, op cellOp, ch model.Chooser) uint8 {
	r := c.cellSpec.Step(s, op, ch)
	switch {
	case c.how == "leaves" && op.Kind == 1:
		if odd() {
			*s++
		}
	case c.how == "answers" && op.Kind == 0 && op.V == 1:
		if odd() {
			r++
		}
	}
	return r
}

// TestComparedRunsThatDifferAreCaught: two runs of a procedure with the
// same lower-layer choices that differ in a call they make, in a call's
// result, in whether they complete, in what they return or in the lower
// state they leave are nondeterminism, though the second, the run the
// search goes on from, is right every time.
func TestComparedRunsThatDifferAreCaught(t *testing.T) {
	for _, c := range []struct {
		how  string
		want string
	}{
		{"calls", "made as its step 1 {Kind:3 V:0} -> 0 the first time and {Kind:0 V:0} -> 0 the second"},
		{"answers", "made as its step 1 {Kind:0 V:1} -> 1 the first time and {Kind:0 V:1} -> 0 the second"},
		{"panics", "panicked the first time and completed the second"},
		{"returns", "returned 1 the first time and 0 the second"},
		{"leaves", "left lower state 2 the first time and 1 the second"},
	} {
		flakyCalls = 0
		impl := func(d model.Caller[cellOp, uint8]) model.Instance[model.Caller[regOp, uint8]] {
			return model.Instance[model.Caller[regOp, uint8]]{API: flakyReg{d, c.how}, Recover: func() {}}
		}
		sys := model.NewSystem(
			model.NewLayer[uint8, cellOp, uint8]("cell", flakyCell{how: c.how}),
			model.NewLayer[uint8, regOp, uint8]("register", registerSpec{}),
			impl, func(c *uint8) (uint8, bool) { return *c, true })
		res, err := explorer.Run(context.Background(), sys, explorer.Config{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		if res.Verdict != explorer.Violated || res.Violation.Kind != model.KindNondeterminism || !strings.Contains(res.Violation.Message, c.want) {
			t.Errorf("%s: %s (%d states) %v; want a nondeterminism violation saying %q", c.how, res.Verdict, res.States, res.Violation, c.want)
		}
	}
}

// errRet is a result that carries an error, as Go storage APIs return
// one.
type errRet struct {
	V   uint8
	Err error
}

// errCell is threeCell whose reads of 0 fail with the error that mkErr
// makes.
type errCell struct {
	threeCell
	mkErr func() error
}

func (c errCell) Step(s *uint8, op uint8, ch model.Chooser) errRet {
	if v := c.threeCell.Step(s, op, ch); op > 0 || v > 0 {
		return errRet{V: v}
	}
	return errRet{Err: c.mkErr()}
}

// errStore is errCell on a slotDisk.
type errStore struct {
	d     model.Caller[uint8, uint8]
	mkErr func() error
}

func (s errStore) Call(op uint8) errRet {
	if v := s.d.Call(op); op > 0 || v > 0 {
		return errRet{V: v}
	}
	return errRet{Err: s.mkErr()}
}

// errCode is an error type that holds no pointer.
type errCode struct{ code int }

func (e errCode) Error() string { return fmt.Sprintf("code %d", e.code) }

var errEmpty = errors.New("empty")

// TestResultsThatPrintAlike: results carrying a sentinel error, or an
// error of a comparable type, verify; results carrying an error made in
// the call (fmt.Errorf, &T{}) are unequal under == at every run, and the
// nondeterminism violation says why, where it said that the procedure
// returned {0 read: empty} the first time and {0 read: empty} the second.
func TestResultsThatPrintAlike(t *testing.T) {
	const want = "(values that print alike but differ under ==: one holding a pointer made in the call, an error of fmt.Errorf"
	for _, tc := range []struct {
		name  string
		mkErr func() error
		want  string // "": verified
	}{
		{"sentinel", func() error { return errEmpty }, ""},
		{"comparable type", func() error { return errCode{3} }, ""},
		{"fmt.Errorf", func() error { return fmt.Errorf("read: %w", errEmpty) }, want},
		{"pointer", func() error { return &errCode{3} }, want},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantInEveryMode(t, func() model.Checker {
				impl := func(d model.Caller[uint8, uint8]) model.Instance[model.Caller[uint8, errRet]] {
					return model.Instance[model.Caller[uint8, errRet]]{API: errStore{d, tc.mkErr}, Recover: func() {}}
				}
				return model.NewSystem(model.NewLayer[uint8, uint8, uint8]("slot", slotDisk{}),
					model.NewLayer[uint8, uint8, errRet]("cell", errCell{mkErr: tc.mkErr}),
					impl, func(c *uint8) (uint8, bool) { return *c, true })
			}, tc.want)
		})
	}
}

// mapCell is threeCell on a slotDisk that, before a write, writes every
// value in the order a map's range gives, which changes from one range
// to the next.
type mapCell struct{ d model.Caller[uint8, uint8] }

func (c mapCell) Call(op uint8) uint8 {
	if op == 0 {
		return c.d.Call(0)
	}
	every := map[uint8]bool{1: true, 2: true, 3: true, 4: true, 5: true, 6: true, 7: true, 8: true}
	for v := range every {
		c.d.Call(min(v, 3))
	}
	c.d.Call(op)
	return op - 1
}

// TestMapOrderIsNamed: layer code that ranges over a map makes its calls
// in another order from one run to the next, a nondeterminism violation
// whose message names the map and the way out.
func TestMapOrderIsNamed(t *testing.T) {
	const want = "it ranges over a map, whose order changes from one range to the next: range over its sorted keys"
	wantInEveryMode(t, func() model.Checker {
		impl := func(d model.Caller[uint8, uint8]) model.Instance[model.Caller[uint8, uint8]] {
			return model.Instance[model.Caller[uint8, uint8]]{API: mapCell{d}, Recover: func() {}}
		}
		return model.NewSystem(model.NewLayer[uint8, uint8, uint8]("slot", slotDisk{}),
			model.NewLayer[uint8, uint8, uint8]("cell", threeCell{}),
			impl, func(c *uint8) (uint8, bool) { return *c, true })
	}, want)
}
