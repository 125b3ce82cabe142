package model

import (
	"fmt"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// counterSpec is a counter that each step adds its operation and a chosen
// 0..op%3 to, and returns.
type counterSpec struct{}

func (counterSpec) Init() []uint8 { return []uint8{0} }
func (counterSpec) Ops() []uint8  { return nil }
func (counterSpec) Step(s *uint8, op uint8, c Chooser) uint8 {
	*s += op + uint8(c.Choose(int(op%3)+1))
	return *s
}
func (counterSpec) Crash(*uint8, Chooser)                    {}
func (counterSpec) AppendEncode(dst []byte, s *uint8) []byte { return append(dst, *s) }
func (counterSpec) Decode(src []byte, s *uint8) (int, error) { *s = src[0]; return 1, nil }
func (counterSpec) Format(s *uint8) string                   { return fmt.Sprint(*s) }

// machineRun is what one run of an enumeration shows the executor.
type machineRun struct {
	ops, rets []uint8
	snaps     []uint8 // states before steps from.. and after the last
	diverged  bool
	broken    any // the run's broken step (Machine.broken)
}

// enumerate runs proc from state 0 over every choice, as the executor
// does, with the first steps of each run skipped (taken from the run
// before) or stepped; proc gets the run's number.
func enumerate(skip bool, proc func(m *Machine[uint8, uint8, uint8], run int)) []machineRun {
	return enumerateOn(counterSpec{}, 100, skip, proc)
}

// enumerateOn is enumerate on spec, with a step limit.
func enumerateOn(spec Spec[uint8, uint8, uint8], limit int, skip bool, proc func(m *Machine[uint8, uint8, uint8], run int)) []machineRun {
	var ch choices
	m := newMachine(spec, &ch, limit)
	var out []machineRun
	var start uint8
	for run := 0; run == 0 || ch.next(); run++ {
		from := ch.newFrom()
		if skip {
			m.startFrom(&start, from)
		} else {
			m.start(&start, from, 0)
		}
		proc(m, run)
		r := machineRun{broken: m.broken()}
		m.end()
		ch.finish()
		r.ops, r.rets, r.diverged = slices.Clone(m.operations()), slices.Clone(m.results()), ch.diverged
		for k := from; k <= m.steps(); k++ {
			r.snaps = append(r.snaps, *m.snapshot(k))
		}
		out = append(out, r)
	}
	return out
}

// Skipping the steps a run repeats changes nothing the executor sees:
// every run's calls, results and snapshots are those of stepping every
// step, for procedures whose calls depend on earlier results.
func TestSkippedStepsAreStepsReplayed(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		prog := rapid.SliceOfN(rapid.Uint8Range(0, 7), 1, 6).Draw(t, "prog")
		proc := func(m *Machine[uint8, uint8, uint8], _ int) {
			var r uint8
			for _, op := range prog {
				if r = m.Call(op ^ r&1); r%5 == 4 {
					return
				}
			}
		}
		stepped, skipped := enumerate(false, proc), enumerate(true, proc)
		if len(stepped) < 1 {
			t.Fatal("no runs")
		}
		for i := range max(len(stepped), len(skipped)) {
			if i >= len(stepped) || i >= len(skipped) {
				t.Fatalf("%d runs stepped, %d with skips", len(stepped), len(skipped))
			}
			a, b := stepped[i], skipped[i]
			if a.diverged || b.diverged {
				t.Fatalf("run %d of deterministic code diverged: stepped %v, skipped %v", i, a.diverged, b.diverged)
			}
			if !slices.Equal(a.ops, b.ops) || !slices.Equal(a.rets, b.rets) || !slices.Equal(a.snaps, b.snaps) {
				t.Fatalf("run %d: stepped %+v, with skips %+v", i, a, b)
			}
		}
	})
}

// panickySpec is counterSpec whose step panics when it leaves the counter
// at 6 mod 7, the counter changed.
type panickySpec struct{ counterSpec }

func (p panickySpec) Step(s *uint8, op uint8, c Chooser) uint8 {
	r := p.counterSpec.Step(s, op, c)
	if r%7 == 6 {
		panic("6 mod 7")
	}
	return r
}

// A step whose panic the procedure recovers breaks the run (broken), and
// is not repeated from the run before: every run's calls, results,
// snapshots and failure are those of stepping every step.
func TestBrokenStepsAreNotReplayed(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		prog := rapid.SliceOfN(rapid.Uint8Range(0, 7), 1, 6).Draw(t, "prog")
		limit := rapid.IntRange(1, 7).Draw(t, "limit")
		enumerate := func(skip bool) []machineRun {
			var firsts []any // by run, the first panic the procedure recovered
			runs := enumerateOn(panickySpec{}, limit, skip, func(m *Machine[uint8, uint8, uint8], _ int) {
				var r uint8
				var first any
				for _, op := range prog {
					func() {
						defer func() {
							if p := recover(); p != nil && first == nil {
								first = p
								if p == "6 mod 7" {
									first = brokenStep{show(op ^ r&1)}
								}
							}
						}()
						r = m.Call(op ^ r&1)
					}()
				}
				firsts = append(firsts, first)
			})
			for i, r := range runs {
				if r.broken != firsts[i] {
					t.Fatalf("run %d: broken %v, want %v", i, r.broken, firsts[i])
				}
			}
			return runs
		}
		stepped, skipped := enumerate(false), enumerate(true)
		if len(stepped) != len(skipped) {
			t.Fatalf("%d runs stepped, %d with skips", len(stepped), len(skipped))
		}
		for i := range stepped {
			a, b := stepped[i], skipped[i]
			// A broken step has no result: results are compared in
			// whole runs only.
			whole := a.broken == nil
			if a.diverged || b.diverged || a.broken != b.broken || !slices.Equal(a.ops, b.ops) ||
				whole && !slices.Equal(a.rets, b.rets) || !slices.Equal(a.snaps, b.snaps) {
				t.Fatalf("run %d: stepped %+v, with skips %+v", i, a, b)
			}
		}
	})
}

// A procedure that makes another call in a step its run repeats from the
// run before is caught, though that step is not stepped again.
func TestSkippedStepThatChangesDiverges(t *testing.T) {
	for _, c := range []struct {
		name string
		skip bool
	}{{"stepped", false}, {"skipped", true}} {
		t.Run(c.name, func(t *testing.T) {
			// Four runs (two choices at each of two steps); the second
			// repeats the first's first step, and makes another call
			// in it.
			runs := enumerate(c.skip, func(m *Machine[uint8, uint8, uint8], run int) {
				first := uint8(1)
				if run == 1 {
					first = 4
				}
				m.Call(first)
				m.Call(1)
			})
			if len(runs) != 4 {
				t.Fatalf("%d runs, want 4", len(runs))
			}
			if runs[0].diverged || !runs[1].diverged {
				t.Fatalf("diverged: run 1 %v, run 2 %v; want false, true", runs[0].diverged, runs[1].diverged)
			}
		})
	}
}

// A tracing run, one that rebuilds a path, records every step of its own
// in calls, those it repeats from the run before too: in every run of an
// enumeration the calls are the run's steps, with their results, in order.
func TestTracingRunRecordsEveryStep(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		prog := rapid.SliceOfN(rapid.Uint8Range(0, 7), 1, 6).Draw(t, "prog")
		var ch choices
		m := newMachine(Spec[uint8, uint8, uint8](counterSpec{}), &ch, 100)
		m.tracing = true
		var start uint8
		for run := 0; run == 0 || ch.next(); run++ {
			m.startFrom(&start, ch.newFrom())
			var r uint8
			for _, op := range prog {
				r = m.Call(op ^ r&1)
			}
			m.end()
			ch.finish()
			ops, rets := m.operations(), m.results()
			if len(m.calls) != len(ops) {
				t.Fatalf("run %d: %d calls traced for %d steps", run, len(m.calls), len(ops))
			}
			for i, c := range m.calls {
				if c.Op != show(ops[i]) || c.Ret != show(rets[i]) {
					t.Fatalf("run %d: step %d traced as %s -> %s, made %d -> %d", run, i+1, c.Op, c.Ret, ops[i], rets[i])
				}
			}
		}
	})
}

// A call that reaches the Machine while no run is running (between runs,
// on the goroutine that ran them), or from another goroutine than the
// run's, is stray: it is no step of any run, and takeStray reports it
// once.
func TestStrayCallsAreReported(t *testing.T) {
	var ch choices
	m := newMachine(Spec[uint8, uint8, uint8](counterSpec{}), &ch, 100)
	var start uint8
	m.start(&start, 0, 0)
	m.Call(1)
	m.end()
	if m.takeStray() {
		t.Fatal("a call of the run is stray")
	}
	m.Call(1)
	if !m.takeStray() {
		t.Fatal("a call between runs is not stray")
	}
	if m.takeStray() {
		t.Fatal("a stray call is reported twice")
	}
	m.start(&start, 0, 0)
	done := make(chan struct{})
	go func() {
		m.Call(1)
		close(done)
	}()
	<-done
	m.end()
	if m.steps() != 0 || !m.takeStray() {
		t.Fatalf("a call from another goroutine during a run: %d steps, not reported as stray", m.steps())
	}
}

// A procedure that makes another call at the step whose choice the run
// changes, the first step the run does not repeat from the run before, is
// caught, though the choice point there asks for as many alternatives as
// before.
func TestChangedStepThatChangesDiverges(t *testing.T) {
	for _, c := range []struct {
		name string
		skip bool
	}{{"stepped", false}, {"skipped", true}} {
		t.Run(c.name, func(t *testing.T) {
			// Four runs (two choices at each of two steps); the third
			// takes the other choice of the first step, and it and the
			// fourth make another call there, with two alternatives too.
			runs := enumerate(c.skip, func(m *Machine[uint8, uint8, uint8], run int) {
				first := uint8(1)
				if run >= 2 {
					first = 4
				}
				m.Call(first)
				m.Call(1)
			})
			if len(runs) != 4 {
				t.Fatalf("%d runs, want 4", len(runs))
			}
			for i, r := range runs {
				if r.diverged != (i == 2) {
					t.Fatalf("run %d: diverged %v", i+1, r.diverged)
				}
			}
		})
	}
}

// collapse merges only calls that repeat one another whole: the same
// operation, result and state after them. Two calls of one operation with
// one result that leave different states stay two steps of the path.
func TestCollapseKeepsStateChanges(t *testing.T) {
	calls := []Call{
		{Op: "inc", Ret: "0", State: "1"},
		{Op: "inc", Ret: "0", State: "2"},
		{Op: "inc", Ret: "0", State: "2"},
		{Op: "inc", Ret: "0", State: "2"},
	}
	got := collapse(calls)
	want := []Call{{Op: "inc", Ret: "0", State: "1"}, {Op: "inc", Ret: "0", State: "2", Repeat: 3}}
	if !slices.Equal(got, want) {
		t.Fatalf("collapse: %+v, want %+v", got, want)
	}
}
