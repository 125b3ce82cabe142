package model_test

import (
	"fmt"
	"testing"

	"github.com/argocheck/argocheck/model"
	"pgregory.net/rapid"
)

// tableSpec is a lower layer drawn at random: a state 0..states-1 and
// operations 0..ops-1, each step offering width[s][op] choices, choice c
// leading to next[s][op][c] and returning ret[s][op][c]. Different
// choices often return the same result, and reach the same state or not:
// what joined runs must tell apart.
type tableSpec struct {
	width [][]int
	next  [][][]uint8
	ret   [][][]uint8
	// After choice c, when second[s][op][c] is set, the step offers a
	// second choice: 1 leads to state alt[s][op][c] and returns 1-ret.
	second [][][]bool
	alt    [][][]uint8
	crash  [][]uint8 // the states a crash may leave, by state
}

func (t *tableSpec) Init() []uint8 { return []uint8{0} }
func (t *tableSpec) Ops() []uint8  { return nil }
func (t *tableSpec) Step(s *uint8, op uint8, c model.Chooser) uint8 {
	k := c.Choose(t.width[*s][op])
	r := t.ret[*s][op][k]
	if t.second[*s][op][k] && c.Choose(2) == 1 {
		*s = t.alt[*s][op][k]
		return 1 - r
	}
	*s = t.next[*s][op][k]
	return r
}
func (t *tableSpec) Crash(s *uint8, c model.Chooser) {
	outs := t.crash[*s]
	*s = outs[c.Choose(len(outs))]
}
func (t *tableSpec) AppendEncode(dst []byte, s *uint8) []byte { return append(dst, *s) }
func (t *tableSpec) Decode(src []byte, s *uint8) (int, error) {
	if len(src) == 0 || int(src[0]) >= len(t.width) {
		return 0, fmt.Errorf("bad state")
	}
	*s = src[0]
	return 1, nil
}
func (t *tableSpec) Format(s *uint8) string { return fmt.Sprint(*s) }

// oneState is an upper layer with one state, whose operations 0..n-1
// return 0: what the drawn procedures return.
type oneState struct{ n int }

func (o oneState) Init() []uint8 { return []uint8{0} }
func (o oneState) Ops() []uint8 {
	var ops []uint8
	for i := range o.n {
		ops = append(ops, uint8(i))
	}
	return ops
}
func (oneState) Step(*uint8, uint8, model.Chooser) uint8  { return 0 }
func (oneState) Crash(*uint8, model.Chooser)              {}
func (oneState) AppendEncode(dst []byte, s *uint8) []byte { return append(dst, *s) }
func (oneState) Decode(src []byte, s *uint8) (int, error) { *s = src[0]; return 1, nil }
func (oneState) Format(s *uint8) string                   { return fmt.Sprint(*s) }

// procedure is a drawn procedure: it makes length steps, the first one
// operation first, each next one chosen by the operation and result before.
type procedure struct {
	first  uint8
	then   [][]uint8 // then[op][ret]: the next operation
	length int
}

func (p procedure) run(lower model.Caller[uint8, uint8], runs *int) {
	*runs++
	op := p.first
	for range p.length {
		r := lower.Call(op)
		op = p.then[op][r]
	}
}

// callerFunc is an upper API of procedures.
type callerFunc func(op uint8) uint8

func (f callerFunc) Call(op uint8) uint8 { return f(op) }

// drawJoinSystem draws a table spec, operations' procedures and a recovery,
// over states 0..2 and lower operations 0..2, results mostly 0 and steps
// often without choice, so that runs often meet. The system it returns counts
// the procedure runs its workers make in runs.
func drawJoinSystem(t *rapid.T) func(runs *int) model.Checker {
	const states, ops, rets = 3, 3, 2
	spec := &tableSpec{}
	for s := range states {
		spec.width = append(spec.width, nil)
		spec.next = append(spec.next, nil)
		spec.ret = append(spec.ret, nil)
		spec.second = append(spec.second, nil)
		spec.alt = append(spec.alt, nil)
		for op := range ops {
			w := max(rapid.IntRange(0, 3).Draw(t, fmt.Sprintf("width%d%d", s, op)), 1)
			spec.width[s] = append(spec.width[s], w)
			var next, ret, alt []uint8
			var second []bool
			for c := range w {
				label := fmt.Sprintf("%d%d%d", s, op, c)
				next = append(next, uint8(rapid.IntRange(0, states-1).Draw(t, "next"+label)))
				ret = append(ret, uint8(max(rapid.IntRange(-2, rets-1).Draw(t, "ret"+label), 0)))
				second = append(second, rapid.IntRange(0, 2).Draw(t, "second"+label) == 0)
				alt = append(alt, uint8(rapid.IntRange(0, states-1).Draw(t, "alt"+label)))
			}
			spec.next[s] = append(spec.next[s], next)
			spec.ret[s] = append(spec.ret[s], ret)
			spec.second[s] = append(spec.second[s], second)
			spec.alt[s] = append(spec.alt[s], alt)
		}
		outs := []uint8{uint8(s)}
		if rapid.Bool().Draw(t, fmt.Sprintf("crashes%d", s)) {
			outs = append(outs, uint8(rapid.IntRange(0, states-1).Draw(t, fmt.Sprintf("crash%d", s))))
		}
		spec.crash = append(spec.crash, outs)
	}
	drawProc := func(label string) procedure {
		p := procedure{
			first:  uint8(rapid.IntRange(0, ops-1).Draw(t, label+"first")),
			length: rapid.IntRange(1, 6).Draw(t, label+"length"),
		}
		for op := range ops {
			var then []uint8
			for r := range rets {
				then = append(then, uint8(rapid.IntRange(0, ops-1).Draw(t, fmt.Sprintf("%sthen%d%d", label, op, r))))
			}
			p.then = append(p.then, then)
		}
		return p
	}
	return joinSystem(spec, []procedure{drawProc("op0"), drawProc("op1")}, drawProc("recovery"))
}

// joinSystem returns the check of procedures procs, of the upper layer's
// operations, and recovery, on spec. The system it returns counts the
// procedure runs its workers make in runs.
func joinSystem(spec *tableSpec, procs []procedure, recovery procedure) func(runs *int) model.Checker {
	lower := model.NewLayer[uint8, uint8, uint8]("table", spec)
	upper := model.NewLayer[uint8, uint8, uint8]("one", oneState{len(procs)})
	abs := func(*uint8) (uint8, bool) { return 0, true }
	return func(runs *int) model.Checker {
		impl := func(l model.Caller[uint8, uint8]) model.Instance[model.Caller[uint8, uint8]] {
			return model.Instance[model.Caller[uint8, uint8]]{
				API:     callerFunc(func(op uint8) uint8 { procs[op].run(l, runs); return 0 }),
				Recover: func() { recovery.run(l, runs) },
			}
		}
		return model.NewSystem(lower, upper, impl, abs)
	}
}

// compareJoins expands every node reachable in system with a worker that
// runs every run and one that joins runs, and fails t where their edges
// differ (see againList.compare). It returns the procedure runs each made.
func compareJoins(t interface{ Fatalf(string, ...any) }, system func(runs *int) model.Checker, opts model.Options) (runsAll, runsJoined int) {
	restore := model.SetJoinRuns(false)
	plain := system(&runsAll).NewWorker(opts)
	restore()
	joining := system(&runsJoined).NewWorker(opts)
	queue, v := plain.Initial()
	if v != nil {
		t.Fatalf("initial violation: %v", v)
	}
	seen := map[string]bool{string(queue[0]): true}
	for i := 0; i < len(queue); i++ {
		var want edgeList
		var got againList
		plain.Expand(queue[i], &want)
		joining.Expand(queue[i], &got)
		if err := got.compare(queue[i], want.edges); err != nil {
			t.Fatalf("node %d: %v", i, err)
		}
		for _, e := range want.edges {
			if e.fail == "" && !seen[e.node] {
				seen[e.node] = true
				queue = append(queue, []byte(e.node))
			}
		}
	}
	return runsAll, runsJoined
}

// TestJoinedRunsAreRunsSkipped: on drawn lower layers and procedures, a
// worker that joins runs gives the edges of one that runs every run: the
// same ordinals, nodes, crash flags and violations, the joined runs' edges
// taken through Again as successors reached before; with and without
// recorded recoveries. It runs no more runs, and as many when every run is
// checked for determinism.
func TestJoinedRunsAreRunsSkipped(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		defer model.SetRecordRecoveries(rapid.Bool().Draw(t, "memo"))()
		modes := append([]model.Determinism{model.DeterminismOff}, model.DeterminismModes...)
		opts := model.Options{Determinism: rapid.SampledFrom(modes).Draw(t, "determinism")}
		// Runs rarely meet in a wrong way that a wrong join would miss:
		// each check draws several systems.
		for i := range 10 {
			runsAll, runsJoined := compareJoins(t, drawJoinSystem(t), opts)
			// Sampled runs run twice, and a join changes which are sampled.
			if opts.Determinism == model.DeterminismOff && runsJoined > runsAll ||
				opts.Determinism == model.DeterminismFull && runsJoined != runsAll {
				t.Fatalf("system %d: %d runs with joins, %d without (determinism %s)", i, runsJoined, runsAll, opts.Determinism)
			}
		}
	})
}

// TestDiskFailuresJoin: two disks, either of which may fail before any
// step while both work, and procedures that use one, then the other, in
// turn, and repair a failed disk: failing a disk before a step on the
// other, or before the next step, make the same runs from there on, and
// the second is joined to the first.
func TestDiskFailuresJoin(t *testing.T) {
	// State 3*last+status, where status 0 is both disks working, 1 disk 0
	// failed, 2 disk 1 failed, and last is the last operation. Operation d
	// of 0 and 1 uses disk d and returns 1 when it has failed; operation 2
	// repairs.
	spec := &tableSpec{}
	for s := range 9 {
		spec.crash = append(spec.crash, []uint8{uint8(s)})
		spec.width = append(spec.width, nil)
		spec.next = append(spec.next, nil)
		spec.ret = append(spec.ret, nil)
		spec.second = append(spec.second, nil)
		spec.alt = append(spec.alt, nil)
		for op := range 3 {
			status := []int{s % 3}
			switch {
			case op == 2:
				status = []int{0}
			case s%3 == 0:
				status = []int{0, 1, 2}
			}
			var next, ret []uint8
			for _, st := range status {
				next = append(next, uint8(3*op+st))
				ret = append(ret, map[bool]uint8{true: 1, false: 0}[st == op+1])
			}
			spec.width[s] = append(spec.width[s], len(next))
			spec.next[s] = append(spec.next[s], next)
			spec.ret[s] = append(spec.ret[s], ret)
			spec.second[s] = append(spec.second[s], make([]bool, len(next)))
			spec.alt[s] = append(spec.alt[s], make([]uint8, len(next)))
		}
	}
	// Disk 0, then disk 1, in turn; a repair after a failure.
	then := [][]uint8{{1, 2}, {0, 2}, {0, 0}}
	procs := []procedure{{first: 0, then: then, length: 6}, {first: 1, then: then, length: 6}}
	system := joinSystem(spec, procs, procs[0])
	for _, memo := range []bool{false, true} {
		restore := model.SetRecordRecoveries(memo)
		runsAll, runsJoined := compareJoins(t, system, model.Options{Determinism: model.DeterminismOff})
		restore()
		if runsJoined >= runsAll {
			t.Errorf("memo %t: %d runs with joins, %d without", memo, runsJoined, runsAll)
		}
	}
}
