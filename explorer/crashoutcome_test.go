package explorer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/argocheck/argocheck/internal/naivetest"
	"github.com/argocheck/argocheck/model"
)

// A register whose lower layer marks a crash: a crash leaves mark 1 or
// mark 2 (two outcomes, in that order), and the lower encoding forgets
// mark 1, so that every crash point's first outcome fails the check that
// a crash outcome decodes to itself, a spec violation. Recovery clears
// the mark, but a recovery that finds mark 2 first writes 5, a value the
// register never holds: a recovery violation that only the second outcome
// of a crash point leads to.

// markedReg is the lower state: the value and the crash's mark.
type markedReg struct{ V, Mark uint8 }

// markedOp reads or writes the value, or reads or clears the mark.
type markedOp struct{ Kind, V uint8 }

const (
	markedRead = iota
	markedWrite
	markedReadMark
	markedClearMark
)

type markedSpec struct{}

func (markedSpec) Init() []markedReg                   { return []markedReg{{}} }
func (markedSpec) Ops() []markedOp                     { return nil }
func (markedSpec) Format(s *markedReg) string          { return fmt.Sprintf("v=%d mark=%d", s.V, s.Mark) }
func (markedSpec) Crash(s *markedReg, c model.Chooser) { s.Mark = uint8(1 + c.Choose(2)) }
func (markedSpec) Step(s *markedReg, op markedOp, _ model.Chooser) uint8 {
	switch op.Kind {
	case markedWrite:
		s.V = op.V
	case markedReadMark:
		return s.Mark
	case markedClearMark:
		s.Mark = 0
	}
	return s.V
}

// AppendEncode forgets mark 1: it decodes as no mark.
func (markedSpec) AppendEncode(dst []byte, s *markedReg) []byte {
	return append(dst, s.V, s.Mark&^1)
}
func (markedSpec) Decode(src []byte, s *markedReg) (int, error) {
	if len(src) < 2 {
		return 0, errors.New("short")
	}
	*s = markedReg{V: src[0], Mark: src[1]}
	return 2, nil
}

type markedCaller = model.Caller[markedOp, uint8]

// markedUpper is the register: its value, read or written.
type markedUpper struct{ V uint8 }

type markedUpOp struct {
	Write bool
	V     uint8
}

func (o markedUpOp) String() string {
	if o.Write {
		return fmt.Sprintf("write(%d)", o.V)
	}
	return "read()"
}

type markedUpperSpec struct{ model.Codec[markedUpper] }

func (markedUpperSpec) Init() []markedUpper { return []markedUpper{{}} }
func (markedUpperSpec) Ops() []markedUpOp {
	return []markedUpOp{{}, {Write: true, V: 1}, {Write: true}}
}
func (markedUpperSpec) Crash(*markedUpper, model.Chooser) {}
func (markedUpperSpec) Step(s *markedUpper, op markedUpOp, _ model.Chooser) uint8 {
	if op.Write {
		s.V = op.V
		return 0
	}
	return s.V
}

// markedImpl writes a value twice (the second write changes nothing: a
// crash point whose state repeats the one before).
type markedImpl struct{ d markedCaller }

func (r markedImpl) Call(op markedUpOp) uint8 {
	if !op.Write {
		return r.d.Call(markedOp{Kind: markedRead})
	}
	r.d.Call(markedOp{Kind: markedWrite, V: op.V})
	r.d.Call(markedOp{Kind: markedWrite, V: op.V})
	return 0
}

// markedRegister is the register on markedSpec.
func markedRegister() model.Checker {
	impl := func(d markedCaller) model.Instance[model.Caller[markedUpOp, uint8]] {
		return model.Instance[model.Caller[markedUpOp, uint8]]{API: markedImpl{d}, Recover: func() {
			if d.Call(markedOp{Kind: markedReadMark}) == 2 {
				d.Call(markedOp{Kind: markedWrite, V: 5})
			}
			d.Call(markedOp{Kind: markedClearMark})
		}}
	}
	return model.NewSystem(model.NewLayer("marked", model.Spec[markedReg, markedOp, uint8](markedSpec{})),
		model.NewLayer("register", model.Spec[markedUpper, markedUpOp, uint8](markedUpperSpec{})), impl,
		func(c *markedReg) (markedUpper, bool) { return markedUpper{V: c.V}, true })
}

// oneByOne is an emitter that goes on past violations and takes every
// edge one by one.
type oneByOne struct {
	edges []string // "fail KIND", or the node reached
}

func (e *oneByOne) Successor(_ uint32, node []byte, _ bool) bool {
	e.edges = append(e.edges, string(node))
	return false
}

func (e *oneByOne) Fail(v *model.Violation) bool {
	e.edges = append(e.edges, "fail "+v.Kind)
	return false
}

// TestCrashOutcomeViolationKeepsOthers: a crash outcome that fails a check
// is a violation with no successor, but the crash point's other outcomes
// are still edges, and a crash point whose state repeats the one before
// fails and emits as that one did. A search that goes on past violations
// (Config.Continue) explores them and finds the violations only they lead
// to, as the reference search that goes on past violations does, with the
// same figures, for any number of workers.
func TestCrashOutcomeViolationKeepsOthers(t *testing.T) {
	chk := markedRegister()

	// The initial node's edges: write(1) from 0 makes three crash points
	// (before its first write, between the two, after the second), the
	// last two with the same state.
	w := chk.NewWorker(model.Options{})
	w.CheckAll(true) // as the explorer's first levels
	inits, v := w.Initial()
	if v != nil {
		t.Fatal(v)
	}
	var e oneByOne
	w.Expand(inits[0], &e)
	fails := 0
	for i, edge := range e.edges {
		if edge != "fail "+model.KindSpec {
			continue
		}
		fails++
		// The second outcome, mark 2, follows its failed first.
		if i+1 >= len(e.edges) || len(e.edges[i+1]) < 3 || e.edges[i+1][0] != 1 || e.edges[i+1][2] != 2 {
			t.Fatalf("edge %d fails, and the next is %q, not the crash point's second outcome; edges %q", i, e.edges[min(i+1, len(e.edges)-1)], e.edges)
		}
	}
	// read: 2 crash points; write(1) and write(0): 3 each; between
	// operations: 1.
	if fails != 9 {
		t.Fatalf("%d crash points fail, want 9; edges %q", fails, e.edges)
	}

	want, violations := naivetest.SearchAll(chk.NewWorker(model.Options{Determinism: model.DeterminismFull}))
	kinds := map[string]bool{}
	for _, v := range violations {
		kinds[v.Kind] = true
	}
	if !kinds[model.KindSpec] || !kinds[model.KindRecovery] {
		t.Fatalf("the reference search found violations of kinds %v, want spec and recovery", kinds)
	}
	var first string
	for _, workers := range []int{1, 2, 3} {
		cfg := Config{Workers: workers, Continue: 1000, PartSize: 5 * workers}
		got := continued(t, chk, cfg, false)
		res, err := Run(context.Background(), chk, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if res.Stopped != "" || len(res.Violations) >= cfg.Continue {
			t.Fatalf("%d workers: stopped %q with %d violations, want the graph searched to the end", workers, res.Stopped, len(res.Violations))
		}
		if res.States != want.States || res.Transitions != want.Transitions || res.CrashPoints != want.Crashes || res.Depth != want.Depth {
			t.Fatalf("%d workers: states=%d transitions=%d crash_points=%d depth=%d, the reference search %+v",
				workers, res.States, res.Transitions, res.CrashPoints, res.Depth, want)
		}
		if !slices.ContainsFunc(res.Violations, func(c Counterexample) bool { return c.Violation.Kind == model.KindRecovery }) {
			t.Fatalf("%d workers: no recovery violation among\n%s", workers, got)
		}
		if workers == 1 {
			first = got
		} else if got != first {
			t.Fatalf("%d workers:\n%s\none worker:\n%s", workers, got, first)
		}
		if each := continued(t, chk, cfg, true); each != got {
			t.Fatalf("%d workers: paths rebuilt each on its own\n%s\ntogether\n%s", workers, each, got)
		}
	}
}
