package model_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
)

// tornCell is the lower state of tornSystem: a value, a mark that a crash
// sets (no completed procedure leaves it), and the number of writes
// modulo 2, which nothing reads.
type tornCell struct{ V, Torn, Writes uint8 }

// tornSpec is a cell whose write stores its value, clears the mark and
// counts itself, and whose crash sets the mark: crash outcomes and the
// states procedures complete in are apart.
type tornSpec struct{ model.Codec[tornCell] }

func (tornSpec) Init() []tornCell                   { return []tornCell{{}} }
func (tornSpec) Ops() []cellOp                      { return nil }
func (tornSpec) Crash(s *tornCell, _ model.Chooser) { s.Torn = 1 }
func (tornSpec) Step(s *tornCell, op cellOp, _ model.Chooser) uint8 {
	if op.Kind == 1 {
		s.V, s.Torn, s.Writes = op.V, 0, (s.Writes+1)%2
		return 0
	}
	return s.V
}

// volatileSpec is the register (flag_test.go) that a crash zeroes: every
// set of states a crash allows is {0}.
type volatileSpec struct{ registerSpec }

func (volatileSpec) Crash(s *uint8, _ model.Chooser) { *s = 0 }

// tornSystem is the volatile register kept in the torn cell, correct,
// with lower and upper specifications lower and upper (tornSpec and
// volatileSpec, or ones that break a rule the search relies on); its
// recovery writes 0.
func tornSystem(lower model.Spec[tornCell, cellOp, uint8], upper model.Spec[uint8, regOp, uint8]) *model.System[tornCell, cellOp, uint8, model.Caller[cellOp, uint8], uint8, regOp, uint8, model.Caller[regOp, uint8]] {
	return tornSystemRecovering(lower, upper, func(d model.Caller[cellOp, uint8]) { d.Call(cellOp{Kind: 1}) })
}

// tornSystemRecovering is tornSystem whose recovery is rec.
func tornSystemRecovering(lower model.Spec[tornCell, cellOp, uint8], upper model.Spec[uint8, regOp, uint8], rec func(model.Caller[cellOp, uint8])) *model.System[tornCell, cellOp, uint8, model.Caller[cellOp, uint8], uint8, regOp, uint8, model.Caller[regOp, uint8]] {
	impl := func(d model.Caller[cellOp, uint8]) model.Instance[model.Caller[regOp, uint8]] {
		return model.Instance[model.Caller[regOp, uint8]]{API: putReg{d}, Recover: func() { rec(d) }}
	}
	return model.NewSystem(model.NewLayer("torn", lower), model.NewLayer("volatile", upper), impl,
		func(c *tornCell) (uint8, bool) { return c.V, true })
}

// clearsTorn is tornSpec whose AppendEncode clears the mark of the state
// it encodes: it changes crash outcomes alone.
type clearsTorn struct{ tornSpec }

func (sp clearsTorn) AppendEncode(dst []byte, s *tornCell) []byte {
	s.Torn = 0
	return sp.tornSpec.AppendEncode(dst, s)
}

// forgetsWrites is tornSpec whose AppendEncode zeroes the count of writes
// of an unmarked state: it changes the states procedures complete in
// alone, and nothing reads what it changes.
type forgetsWrites struct{ tornSpec }

func (sp forgetsWrites) AppendEncode(dst []byte, s *tornCell) []byte {
	if s.Torn == 0 {
		s.Writes = 0
	}
	return sp.tornSpec.AppendEncode(dst, s)
}

// failingDecode is tornSpec whose Decode decodes the state and returns an
// error all the same.
type failingDecode struct{ tornSpec }

func (sp failingDecode) Decode(src []byte, s *tornCell) (int, error) {
	n, _ := sp.tornSpec.Decode(src, s)
	return n, errors.New("failingDecode: an error for every state")
}

// overReads is tornSpec whose Decode decodes the state and says it read a
// byte more than it was given.
type overReads struct{ tornSpec }

func (sp overReads) Decode(src []byte, s *tornCell) (int, error) {
	_, err := sp.tornSpec.Decode(src, s)
	return len(src) + 1, err
}

// failingUpperDecode is volatileSpec whose Decode decodes the state and
// returns an error all the same.
type failingUpperDecode struct{ volatileSpec }

func (sp failingUpperDecode) Decode(src []byte, s *uint8) (int, error) {
	n, _ := sp.volatileSpec.Decode(src, s)
	return n, errors.New("failingUpperDecode: an error for every state")
}

// zeroesUpper is volatileSpec whose AppendEncode zeroes the state it has
// encoded.
type zeroesUpper struct{ volatileSpec }

func (sp zeroesUpper) AppendEncode(dst []byte, s *uint8) []byte {
	dst = sp.volatileSpec.AppendEncode(dst, s)
	*s = 0
	return dst
}

// decodesZero is volatileSpec whose Decode reads its byte and gives 0:
// the states of Idle nodes but 0, which no crash allows, decode to
// another.
type decodesZero struct{ volatileSpec }

func (decodesZero) Decode(src []byte, s *uint8) (int, error) {
	if len(src) == 0 {
		return 0, errors.New("decodesZero: no byte")
	}
	*s = 0
	return 1, nil
}

// longUpper is volatileSpec whose AppendEncode writes a byte more than
// its Decode reads.
type longUpper struct{ volatileSpec }

func (sp longUpper) AppendEncode(dst []byte, s *uint8) []byte {
	return append(sp.volatileSpec.AppendEncode(dst, s), 0)
}

// widthTurns is tornSpec whose crash asks for a choice among two
// alternatives and three in turns, and ignores the answer.
type widthTurns struct {
	tornSpec
	turn *int
}

func (sp widthTurns) Crash(s *tornCell, c model.Chooser) {
	*sp.turn++
	c.Choose(2 + *sp.turn%2)
	s.Torn = 1
}

// countTurns is tornSpec whose crash asks for two choices and one in
// turns, and ignores the answers.
type countTurns struct {
	tornSpec
	turn *int
}

func (sp countTurns) Crash(s *tornCell, c model.Chooser) {
	if *sp.turn++; *sp.turn%2 == 1 {
		c.Choose(2)
	}
	c.Choose(2)
	s.Torn = 1
}

// crashTurns is volatileSpec whose crash zeroes the register on every
// second call only.
type crashTurns struct {
	volatileSpec
	turn *int
}

func (sp crashTurns) Crash(s *uint8, _ model.Chooser) {
	if *sp.turn++; *sp.turn%2 == 0 {
		*s = 0
	}
}

// twoWrites is the register (flag_test.go) that writes 1 or 2.
type twoWrites struct{ registerSpec }

func (twoWrites) Ops() []regOp { return []regOp{{}, {Write: true, V: 1}, {Write: true, V: 2}} }

// peekSpec is twoWrites whose Decode reads its byte and gives 0 when more
// bytes follow it: a member of an allowed set but the last decodes to 0
// there, and to itself alone.
type peekSpec struct{ twoWrites }

func (peekSpec) Decode(src []byte, s *uint8) (int, error) {
	if len(src) == 0 {
		return 0, errors.New("peekSpec: no byte")
	}
	*s = src[0]
	if len(src) > 1 {
		*s = 0
	}
	return 1, nil
}

// rewrite is a recovery that writes the cell's value back, clearing the
// mark.
func rewrite(d model.Caller[cellOp, uint8]) { d.Call(cellOp{Kind: 1, V: d.Call(cellOp{})}) }

// TestBrokenDefinitionsCaughtAlone: definitions that break a rule the
// search relies on, each where one check alone sees it, are spec
// violations that say so, in every determinism mode, memo on and off: a
// lower encoding that changes crash outcomes alone, or the states of Idle
// nodes alone; an upper encoding that changes the states of Idle nodes; a
// lower Decode that fails, or says it read past its input; an upper
// Decode that fails, decodes the states of Idle nodes to others, reads
// less than was written, or decodes a member of an allowed set followed
// by others to another state; a relation that answers two ways whether a
// state is related; a lower crash relation that asks for a choice among
// another number of alternatives, or for fewer choices, when run again;
// an upper crash relation that allows other states when asked again.
func TestBrokenDefinitionsCaughtAlone(t *testing.T) {
	flips := func() *model.System[tornCell, cellOp, uint8, model.Caller[cellOp, uint8], uint8, regOp, uint8, model.Caller[regOp, uint8]] {
		sys, turn := tornSystem(tornSpec{}, volatileSpec{}), 0
		sys.Abs = func(c *tornCell) (uint8, bool) {
			turn++
			return c.V, c.V == 0 || turn%2 == 0
		}
		return sys
	}
	for _, tc := range []struct {
		name string
		sys  model.Checker
		want string // a violation kind, "" for verified
		says string // what the violation's message says, if anything
	}{
		{"correct", tornSystem(tornSpec{}, volatileSpec{}), "", ""},
		{"a lower encoding that changes crash outcomes", tornSystem(clearsTorn{}, volatileSpec{}), model.KindSpec, "AppendEncode changed the state"},
		{"a lower encoding that changes the states of Idle nodes", tornSystem(forgetsWrites{}, volatileSpec{}), model.KindSpec, "AppendEncode changed the state"},
		{"an upper encoding that changes the states of Idle nodes", tornSystem(tornSpec{}, zeroesUpper{}), model.KindSpec, "AppendEncode changed the state"},
		{"a lower Decode that fails", tornSystem(failingDecode{}, volatileSpec{}), model.KindSpec, "encodes as 000000, which Decode refuses (failingDecode: "},
		{"a lower Decode that reads past its input", tornSystem(overReads{}, volatileSpec{}), model.KindSpec, "of which Decode claims 5 bytes, more than the 4 it was given (the encoding and the node's bytes after it)"},
		{"an upper Decode that fails", tornSystem(tornSpec{}, failingUpperDecode{}), model.KindSpec, "failingUpperDecode"},
		{"an upper Decode that decodes another state", tornSystem(tornSpec{}, decodesZero{}), model.KindSpec, "upper state 1 encodes as 01, which decodes to 0: "},
		{"an upper Decode that reads less than written", tornSystem(tornSpec{}, longUpper{}), model.KindSpec, "upper state 0 encodes as 0000, of which Decode reads 1 of its 2 bytes: "},
		{"a relation that relates a state on every second call", flips(), model.KindSpec, "applied twice"},
		{"a crash relation whose choice changes width", tornSystem(widthTurns{turn: new(int)}, volatileSpec{}), model.KindSpec, "crash relation, run twice"},
		{"a crash relation that asks for fewer choices when run again", tornSystem(countTurns{turn: new(int)}, volatileSpec{}), model.KindSpec, "crash relation, run twice"},
		{"an upper crash that zeroes on every second call", tornSystem(tornSpec{}, crashTurns{turn: new(int)}), model.KindSpec, "asked twice which states a crash"},
		{"the register kept", tornSystemRecovering(tornSpec{}, twoWrites{}, rewrite), "", ""},
		{"an upper Decode that reads the members of an allowed set but the last as 0", tornSystemRecovering(tornSpec{}, peekSpec{}, rewrite), model.KindSpec, "followed by the encodings of the members after it"},
	} {
		for _, d := range model.DeterminismModes {
			for _, memo := range []bool{true, false} {
				func() {
					defer model.SetRecordRecoveries(memo)()
					res, err := explorer.Run(context.Background(), tc.sys, explorer.Config{Workers: 1, Determinism: d})
					if err != nil {
						t.Fatalf("%s: %v", tc.name, err)
					}
					switch {
					case tc.want == "" && res.Verdict != explorer.Verified:
						t.Errorf("%s, determinism %s, memo %v: %s %v; want verified", tc.name, d, memo, res.Verdict, res.Violation)
					case tc.want != "" && (res.Verdict != explorer.Violated || res.Violation.Kind != tc.want || !strings.Contains(res.Violation.Message, tc.says) || strings.Contains(res.Violation.Message, "<nil>")):
						t.Errorf("%s, determinism %s, memo %v: %s (%d states) %v; want a %s violation saying %q", tc.name, d, memo, res.Verdict, res.States, res.Violation, tc.want, tc.says)
					}
				}()
			}
		}
	}
}
