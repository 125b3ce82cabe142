package model_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/model"
)

// tapeOp is an operation of tapeSpec: Kind 0 reads the cell, 1 writes V
// to it, 2 panics.
type tapeOp struct{ Kind, V uint8 }

// tapeSpec is a one-byte cell whose write stores its value or leaves the
// cell as it was, as the layer chooses, and whose crash leaves the cell
// or zeroes it: a lower layer with choices in its steps and its crash.
type tapeSpec struct{ model.Codec[uint8] }

func (tapeSpec) Init() []uint8 { return []uint8{0, 1} }
func (tapeSpec) Ops() []tapeOp { return nil }
func (tapeSpec) Crash(s *uint8, c model.Chooser) {
	if c.Choose(2) == 1 {
		*s = 0
	}
}
func (tapeSpec) Step(s *uint8, op tapeOp, c model.Chooser) uint8 {
	switch op.Kind {
	case 1:
		if c.Choose(2) == 0 {
			*s = op.V
		}
		return 0
	case 2:
		panic("tape: a step that panics")
	}
	return *s
}

// The operations of semSpec. semRead and semWrite are a register's; the
// others make tapeReg fail as their names say, and semBig returns one of
// two results that print alike.
const (
	semRead uint8 = iota
	semWrite
	semPanic
	semBroken
	semLoop
	semStray
	semDrift
	semBig
)

// semRet is semSpec's result: 10 and 11 print alike, "big".
type semRet uint8

func (r semRet) String() string {
	if r >= 10 {
		return "big"
	}
	return fmt.Sprint(uint8(r))
}

// semSpec is the register above tapeSpec: a write of 1 may store it or
// not, a crash may zero the register.
type semSpec struct{ model.Codec[uint8] }

func (semSpec) Init() []uint8 { return []uint8{0, 1} }
func (semSpec) Ops() []uint8 {
	return []uint8{semRead, semWrite, semPanic, semBroken, semLoop, semStray, semDrift, semBig}
}
func (semSpec) Crash(s *uint8, c model.Chooser) {
	if c.Choose(2) == 1 {
		*s = 0
	}
}
func (semSpec) Step(s *uint8, op uint8, c model.Chooser) semRet {
	switch op {
	case semWrite:
		if c.Choose(2) == 0 {
			*s = 1
		}
		return 1
	case semBig:
		return semRet(10 + c.Choose(2))
	}
	return semRet(*s)
}

// tapeReg implements semSpec on tapeSpec; drifts counts the runs of
// semDrift, which take another course every second run.
type tapeReg struct {
	d      model.Caller[tapeOp, uint8]
	drifts *int
}

func (r tapeReg) Call(op uint8) semRet {
	switch op {
	case semWrite:
		r.d.Call(tapeOp{Kind: 1, V: 1})
		return 1
	case semPanic:
		panic("tapeReg: an operation that panics")
	case semBroken:
		func() {
			defer func() { _ = recover() }()
			r.d.Call(tapeOp{Kind: 2})
		}()
		return 0
	case semLoop:
		for {
			r.d.Call(tapeOp{})
		}
	case semStray:
		done := make(chan struct{})
		go func() {
			r.d.Call(tapeOp{})
			close(done)
		}()
		<-done
		return 0
	case semDrift:
		if *r.drifts++; *r.drifts%2 == 0 {
			r.d.Call(tapeOp{})
		}
		r.d.Call(tapeOp{Kind: 1, V: 1})
		return 0
	}
	return semRet(r.d.Call(tapeOp{}))
}

// semSystem is tapeReg composed over a layer that passes calls through:
// the lower stage's recovery reads the cell, the upper's writes 2 to it.
// The relation is the identity on 0 and 1, the invariant fails on 3, and
// the step limit is 5.
func semSystem() *model.System[uint8, tapeOp, uint8, model.Caller[tapeOp, uint8], uint8, uint8, semRet, model.Caller[uint8, semRet]] {
	drifts := 0
	pass := func(d model.Caller[tapeOp, uint8]) model.Instance[model.Caller[tapeOp, uint8]] {
		return model.Instance[model.Caller[tapeOp, uint8]]{API: d, Recover: func() { d.Call(tapeOp{}) }}
	}
	reg := func(d model.Caller[tapeOp, uint8]) model.Instance[model.Caller[uint8, semRet]] {
		return model.Instance[model.Caller[uint8, semRet]]{API: tapeReg{d, &drifts}, Recover: func() { d.Call(tapeOp{Kind: 1, V: 2}) }}
	}
	sys := model.NewSystem(
		model.NewLayer[uint8, tapeOp, uint8]("tape", tapeSpec{}),
		model.NewLayer[uint8, uint8, semRet]("sem", semSpec{}),
		model.Compose(pass, reg), func(c *uint8) (uint8, bool) { return *c, *c < 2 })
	sys.Invariant = func(c *uint8) error {
		if *c == 3 {
			return errors.New("three")
		}
		return nil
	}
	sys.StepLimit = 5
	return sys
}

// semRun is an Execution as TestSemantics expects it: the result, the
// snapshots as bytes, and the fault's kind ("" for none).
type semRun struct {
	ret   string
	snaps string
	fault string
}

// semRuns returns runs as semRuns, each snapshot one byte of snaps.
func semRuns(runs []model.Execution) []semRun {
	var out []semRun
	for _, r := range runs {
		s := semRun{ret: r.Ret, snaps: strings.Join(r.Snapshots, "")}
		if r.Fault != nil {
			s.fault = r.Fault.Kind
		}
		out = append(out, s)
	}
	return out
}

// TestSemantics: the Semantics of a small composed system gives every
// initial state, every run of a procedure over the lower layer's choices
// with every state a crash can strike in and its final state, each stage
// of the recovery alone and the whole, every outcome of the crash and step
// relations, the relation and the invariant as the System defines them,
// and a fault for each way a run fails.
func TestSemantics(t *testing.T) {
	sem := semSystem().Semantics()
	if got := sem.LowerInit(); !reflect.DeepEqual(got, []string{"\x00", "\x01"}) {
		t.Errorf("LowerInit = %q", got)
	}
	if got := sem.UpperInit(); !reflect.DeepEqual(got, []string{"\x00", "\x01"}) {
		t.Errorf("UpperInit = %q", got)
	}
	if got := sem.RecoveryStages(); got != 2 {
		t.Errorf("RecoveryStages = %d, want 2", got)
	}
	for _, tc := range []struct {
		name string
		runs []model.Execution
		want []semRun
	}{
		{"a read", sem.Exec(int(semRead), "\x01"), []semRun{{"1", "\x01\x01", ""}}},
		{"a write", sem.Exec(int(semWrite), "\x00"), []semRun{{"1", "\x00\x01", ""}, {"1", "\x00\x00", ""}}},
		{"the recovery's first stage", sem.Recover(0, "\x01"), []semRun{{"", "\x01\x01", ""}}},
		{"the recovery's second stage", sem.Recover(1, "\x01"), []semRun{{"", "\x01\x02", ""}, {"", "\x01\x01", ""}}},
		{"the whole recovery", sem.Recover(-1, "\x01"), []semRun{{"", "\x01\x01\x02", ""}, {"", "\x01\x01\x01", ""}}},
		{"a panic of the layer code", sem.Exec(int(semPanic), "\x00"), []semRun{{"", "\x00", model.KindPanic}}},
		{"a step's panic recovered", sem.Exec(int(semBroken), "\x00"), []semRun{{"0", "\x00\x00", model.KindPanic}}},
		{"past the step limit", sem.Exec(int(semLoop), "\x00"), []semRun{{"", "\x00\x00\x00\x00\x00\x00", model.KindStepLimit}}},
		{"a call from another goroutine", sem.Exec(int(semStray), "\x00"), []semRun{{"0", "\x00", model.KindNondeterminism}}},
		{"another course when replayed", sem.Exec(int(semDrift), "\x00"), []semRun{{"0", "\x00\x01", ""}, {"0", "\x00\x00\x00", model.KindNondeterminism}}},
	} {
		if got := semRuns(tc.runs); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: runs %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := sem.LowerCrash("\x01"); !reflect.DeepEqual(got, []string{"\x01", "\x00"}) {
		t.Errorf("LowerCrash = %q", got)
	}
	if got := sem.UpperCrash("\x01"); !reflect.DeepEqual(got, []string{"\x01", "\x00"}) {
		t.Errorf("UpperCrash = %q", got)
	}
	if got := sem.UpperStep(int(semWrite), "\x00"); !reflect.DeepEqual(got, []model.Outcome{{Ret: "1", State: "\x01"}, {Ret: "1", State: "\x00"}}) {
		t.Errorf("UpperStep = %q", got)
	}
	if a, ok := sem.Abs("\x01"); a != "\x01" || !ok {
		t.Errorf("Abs(1) = %q, %v", a, ok)
	}
	if a, ok := sem.Abs("\x02"); ok {
		t.Errorf("Abs(2) = %q, %v; want no abstract state", a, ok)
	}
	if err := sem.Invariant("\x03"); err == nil {
		t.Errorf("Invariant(3) holds")
	}
	if err := sem.Invariant("\x01"); err != nil {
		t.Errorf("Invariant(1): %v", err)
	}
}

// TestSemanticsResultsPrintDistinct: results that print alike are
// refused, since the Semantics names results by how they print.
func TestSemanticsResultsPrintDistinct(t *testing.T) {
	sem := semSystem().Semantics()
	defer func() {
		if p := recover(); p == nil || !strings.Contains(fmt.Sprint(p), "print the same") {
			t.Errorf("panic %v, want one saying the results print the same", p)
		}
	}()
	sem.UpperStep(int(semBig), "\x00")
}
