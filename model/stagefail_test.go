package model_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
)

// A composed recovery whose first stage ends in one of two states, X or
// Y, by a lower-layer choice, the two chosen so that their records of
// the second stage share a memo slot: recording one drops the other, and
// a node's replay records again the one its preparation dropped. The
// second stage fails from Y as fails says.

// tagState is the lower state; tag only tells X and Y apart.
type tagState struct{ A, Tag uint8 }

// tagOp reads A, or settles: the state becomes X or Y.
type tagOp struct{ Settle bool }

type tagSpec struct {
	model.Codec[tagState]
	x, y tagState
}

func (tagSpec) Init() []tagState               { return []tagState{{}} }
func (tagSpec) Ops() []tagOp                   { return []tagOp{{}} }
func (tagSpec) Crash(*tagState, model.Chooser) {}
func (sp tagSpec) Step(s *tagState, op tagOp, c model.Chooser) uint8 {
	if op.Settle {
		*s = sp.x
		if c.Choose(2) == 1 {
			*s = sp.y
		}
	}
	return s.A
}

// unitState is the upper layer's one state; its one operation does
// nothing.
type unitState struct{ Z uint8 }

type unitOp struct{}

type unitSpec struct{ model.Codec[unitState] }

func (unitSpec) Init() []unitState                            { return []unitState{{}} }
func (unitSpec) Ops() []unitOp                                { return []unitOp{{}} }
func (unitSpec) Crash(*unitState, model.Chooser)              {}
func (unitSpec) Step(*unitState, unitOp, model.Chooser) uint8 { return 0 }

type unitAPI struct{}

func (unitAPI) Call(unitOp) uint8 { return 0 }

// collidingStages returns the system whose second stage calls fails
// from Y (A == 2), and panics when it says so; X and Y's second-stage
// records share a slot.
func collidingStages(t *testing.T, fails func() bool) model.Checker {
	t.Helper()
	sp := collidingTags(t)
	type caller = model.Caller[tagOp, uint8]
	settle := func(d caller) model.Instance[caller] {
		return model.Instance[caller]{API: d, Recover: func() { d.Call(tagOp{Settle: true}) }}
	}
	top := func(d caller) model.Instance[model.Caller[unitOp, uint8]] {
		return model.Instance[model.Caller[unitOp, uint8]]{API: unitAPI{}, Recover: func() {
			if d.Call(tagOp{}) == 2 && fails() {
				panic("the second stage fails from Y")
			}
		}}
	}
	return model.NewSystem(model.NewLayer("tags", model.Spec[tagState, tagOp, uint8](sp)),
		model.NewLayer("unit", model.Spec[unitState, unitOp, uint8](unitSpec{})),
		model.Compose(settle, top), func(*tagState) (unitState, bool) { return unitState{}, true })
}

// collidingTags returns the spec whose X (A == 1) and Y (A == 2) have
// tags that put their records of a second recovery stage in one memo
// slot.
func collidingTags(t *testing.T) tagSpec {
	t.Helper()
	sp := tagSpec{x: tagState{A: 1}, y: tagState{A: 2}}
	slot := func(s *tagState) int { return model.MemoSlot(sp.AppendEncode(nil, s), 1) }
	slots := map[int]uint8{} // X's tag by its slot
	for tag := range 256 {
		sp.x.Tag, sp.y.Tag = uint8(tag), uint8(tag)
		slots[slot(&sp.x)] = uint8(tag)
	}
	found := false
	for tag := 0; tag < 256 && !found; tag++ {
		sp.y.Tag = uint8(tag)
		sp.x.Tag, found = slots[slot(&sp.y)]
	}
	if !found {
		t.Fatal("no tags put Y's record in X's slot")
	}
	return sp
}

// violations is an emitter that goes on past violations, keeping them,
// and calls onEdge at every edge.
type violations struct {
	onEdge func()
	vs     []*model.Violation
	nodes  [][]byte
}

func (e *violations) Successor(_ uint32, node []byte, _ bool) bool {
	e.onEdge()
	e.nodes = append(e.nodes, append([]byte(nil), node...))
	return false
}

func (e *violations) Fail(v *model.Violation) bool {
	e.onEdge()
	e.vs = append(e.vs, v)
	return false
}

// TestRecordedAgainStageFailure: a later stage of a composed recovery
// whose record is made again while a node is expanded from records (its
// slot held another start meanwhile) and fails is reported as what it
// is. Failing from its start every time (a panic), it fails as it did
// when the node's records were prepared: a panic at the run's own edge,
// whose path is rebuilt, whatever the memo keeps. Failing only when
// recorded again, it is not deterministic, and the violation says how
// it failed this time.
func TestRecordedAgainStageFailure(t *testing.T) {
	always := collidingStages(t, func() bool { return true })
	for _, budget := range []int{32 << 20, 1 << 12, 1} {
		for _, workers := range []int{1, 2} {
			for _, cont := range []int{0, 10} {
				func() {
					defer model.SetMemoBudget(budget)()
					res, err := explorer.Run(context.Background(), always, explorer.Config{Workers: workers, Continue: cont})
					if err != nil {
						t.Fatal(err)
					}
					v := res.Violation
					if res.Verdict != explorer.Violated || v.Kind != model.KindPanic || !strings.Contains(v.Message, "the second stage fails from Y") {
						t.Fatalf("budget %d, %d workers, continue %d: %s %+v, want the second stage's panic", budget, workers, cont, res.Verdict, v)
					}
					if last := res.Trace.Steps[len(res.Trace.Steps)-1]; last.Violation == nil || last.Violation.Kind != model.KindPanic {
						t.Fatalf("budget %d, %d workers, continue %d: the path does not end in the panic:\n%v", budget, workers, cont, res.Trace)
					}
					for _, ce := range res.Violations {
						if ce.Violation.Kind != model.KindPanic {
							t.Fatalf("budget %d, %d workers, continue %d: violation %+v", budget, workers, cont, ce.Violation)
						}
					}
				}()
			}
		}
	}

	// Failing once the node's edges are emitted: after its records were
	// prepared, before Y's is made again.
	emitted := false
	sometimes := collidingStages(t, func() bool { return emitted })
	w := sometimes.NewWorker(model.Options{})
	inits, v := w.Initial()
	if v != nil {
		t.Fatal(v)
	}
	idle := violations{onEdge: func() {}}
	w.Expand(inits[0], &idle)
	var node []byte
	for _, n := range idle.nodes {
		if model.Recovering(n) {
			node = n
			break
		}
	}
	if node == nil || len(idle.vs) > 0 {
		t.Fatalf("the initial node's edges: %q, violations %v", idle.nodes, idle.vs)
	}
	rec := violations{onEdge: func() { emitted = true }}
	w.Expand(node, &rec)
	if len(rec.vs) != 1 {
		t.Fatalf("violations %v, want one", rec.vs)
	}
	got := rec.vs[0]
	for _, want := range []string{"stage 2 of 2 of recovery from lower state", fmt.Sprintf("%s: layer code panicked: the second stage fails from Y", model.KindPanic), "not deterministic"} {
		if got.Kind != model.KindNondeterminism || !strings.Contains(got.Message, want) {
			t.Fatalf("violation %+v, want nondeterminism saying %q", got, want)
		}
	}
}

// TestComposedStepLimitLongestRun: the step limit bounds each run of a
// composed recovery as a whole, its stages recorded apart: a run's first
// stage and the longest run of the second from where it ended. Two cases,
// each with the memo and without, at its limit (verified) and one below
// (the step limit): the second stage's longest run is not the one
// recorded last (it settles and, when it reads A = 1, the lower layer's
// first choice, reads three times more: runs of four steps, then of one);
// and the first stage ends in X again by a longer run than the one that
// first led there (it settles, and again when it read A = 2: X in one
// step, then in two), from which the second stage takes four steps. A
// third: the second stage's record from Y is made in the slot of X's
// (collidingTags), and is bounded by its own longest run, not X's (the
// first stage settles in X in one step or in Y in four, the second takes
// four steps from X and one from Y).
func TestComposedStepLimitLongestRun(t *testing.T) {
	plain := tagSpec{x: tagState{A: 1}, y: tagState{A: 2}}
	type caller = model.Caller[tagOp, uint8]
	settle := tagOp{Settle: true}
	reads := func(d caller) {
		for range 3 {
			d.Call(tagOp{})
		}
	}
	for _, tt := range []struct {
		name          string
		sp            tagSpec
		first, second func(d caller)
		limit         int
	}{
		{"the longest run of the second stage first", plain, func(d caller) { d.Call(settle) }, func(d caller) {
			if d.Call(settle) == 1 {
				reads(d)
			}
		}, 5},
		{"the first stage ends in X again, later", plain, func(d caller) {
			if d.Call(settle) == 2 {
				d.Call(settle)
			}
		}, func(d caller) {
			if d.Call(tagOp{}) == 1 {
				reads(d)
			}
		}, 6},
		{"the second stage's record from Y in X's slot", collidingTags(t), func(d caller) {
			if d.Call(settle) == 2 {
				reads(d)
			}
		}, func(d caller) {
			if d.Call(tagOp{}) == 1 {
				reads(d)
			}
		}, 5},
	} {
		first := func(d caller) model.Instance[caller] {
			return model.Instance[caller]{API: d, Recover: func() { tt.first(d) }}
		}
		second := func(d caller) model.Instance[model.Caller[unitOp, uint8]] {
			return model.Instance[model.Caller[unitOp, uint8]]{API: unitAPI{}, Recover: func() { tt.second(d) }}
		}
		for _, limit := range []int{tt.limit - 1, tt.limit} {
			for _, memo := range []bool{false, true} {
				sys := model.NewSystem(model.NewLayer("tags", model.Spec[tagState, tagOp, uint8](tt.sp)),
					model.NewLayer("unit", model.Spec[unitState, unitOp, uint8](unitSpec{})),
					model.Compose(first, second), func(*tagState) (unitState, bool) { return unitState{}, true })
				sys.StepLimit = limit
				res, err := func() (*explorer.Result, error) {
					defer model.SetRecordRecoveries(memo)()
					return explorer.Run(context.Background(), sys, explorer.Config{Workers: 1})
				}()
				if err != nil {
					t.Fatal(err)
				}
				if limit == tt.limit && res.Verdict != explorer.Verified ||
					limit < tt.limit && (res.Verdict != explorer.Violated || res.Violation.Kind != model.KindStepLimit) {
					t.Errorf("%s, step limit %d, memo %t: %s %+v", tt.name, limit, memo, res.Verdict, res.Violation)
				}
			}
		}
	}
}

// TestCollidingStageRecordsReplayed: a node whose records of the second
// stage from X and from Y share a slot (preparing it records Y's after
// X's, in X's place) is expanded from records as by running every
// recovery, edge for edge: its replay records X's again rather than
// following X's link to the record now in the slot.
func TestCollidingStageRecordsReplayed(t *testing.T) {
	chk := collidingStages(t, func() bool { return false })
	if compareReplays(t, chk, model.Options{}, 1, 100) == 0 {
		t.Fatal("no Recovering node expanded")
	}
}
