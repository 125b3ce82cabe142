package relations

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/argocheck/argocheck/model"
)

// Property: RunsOf is its definition. From each state, Exec is the
// results and final states of the runs without a fault, and ExecCrash is
// the crash relation applied to every snapshot of every run, faulty or
// not: the start state, each state between steps, and the final state.
// The crash relation is a random one, so that crashing the start state
// reaches states that no other snapshot's crash reaches.
func TestRunsOfIsItsDefinition(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		genRun := func(t *rapid.T, start string) model.Execution {
			r := model.Execution{
				Ret:       rapid.SampledFrom(values).Draw(t, "ret"),
				Snapshots: append([]string{start}, rapid.SliceOfN(rapid.SampledFrom(universe), 0, 3).Draw(t, "steps")...),
			}
			if rapid.Bool().Draw(t, "fault") {
				r.Fault = &model.Violation{Kind: model.KindPanic}
			}
			return r
		}
		runs := map[string][]model.Execution{}
		for _, s := range universe {
			runs[s] = rapid.SliceOfN(rapid.Custom(func(t *rapid.T) model.Execution { return genRun(t, s) }), 0, 3).Draw(t, "runs["+s+"]")
		}
		crash := genRel(t, "crash")
		faults := map[string]int{}
		p := RunsOf(func(s string) []model.Execution { return runs[s] }, crash, func(from string, _ *model.Violation) { faults[from]++ })
		for _, s := range universe {
			var exec, crashed []Out
			wantFaults := 0
			for _, r := range runs[s] {
				for _, snap := range r.Snapshots {
					crashed = append(crashed, crash(snap)...)
				}
				if r.Fault != nil {
					wantFaults++
					continue
				}
				exec = append(exec, Out{r.Ret, r.Snapshots[len(r.Snapshots)-1]})
			}
			exec, crashed = set(exec), set(crashed)
			if got := p.Exec(s); !equalOuts(got, exec) {
				t.Fatalf("Exec(%s) = %v, want %v (runs %+v)", s, got, exec, runs[s])
			}
			if got := p.ExecCrash(s); !equalOuts(got, crashed) {
				t.Fatalf("ExecCrash(%s) = %v, want %v (runs %+v, crash %s)", s, got, crashed, runs[s], Format(crash, universe))
			}
			if faults[s] != wantFaults {
				t.Fatalf("%d faults passed on from %s, want %d", faults[s], s, wantFaults)
			}
		}
	})
}

// equalOuts reports whether two sets of outcomes are equal.
func equalOuts(a, b []Out) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
