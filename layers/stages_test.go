package layers_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/model"
)

// TestPathStages: a path of the log on the replicated disk marks, in each
// recovery, where the replicated disk's recovery ends and the log's
// begins, in its text and its JSON; a recovery that the stack replaces
// (recover-upper-first runs the log's first) is one stage, unmarked.
func TestPathStages(t *testing.T) {
	p := catalog.Params{layers.Blocks: 2, layers.Values: 2, layers.Log: 2}
	for _, tc := range []struct {
		system, variant string
		staged          bool
	}{
		{"log/repdisk", "log:recovery-clears-header-first", true},
		{"log/async-repdisk", "log:no-flush-before-clear", true},
		{"log/repdisk", layers.RecoverUpperFirst, false},
	} {
		t.Run(tc.system+"/"+tc.variant, func(t *testing.T) {
			if tc.system == "log/async-repdisk" {
				p = p.With(layers.Blocks, 1)
			}
			res := check(t, checkKey{system: tc.system, p: p, variant: tc.variant})
			if res.Trace == nil {
				t.Fatalf("verdict %v, no path", res.Verdict)
			}
			recoveries := 0
			for i, s := range res.Trace.Steps {
				if s.Kind != model.StepRecover && s.Kind != model.StepCrashInRecovery {
					if s.Stages != nil {
						t.Errorf("step %d (%s) has stages %v", i, s.Kind, s.Stages)
					}
					continue
				}
				recoveries++
				if !tc.staged {
					if s.Stages != nil {
						t.Errorf("step %d: stages %v of a recovery of one stage", i, s.Stages)
					}
					continue
				}
				if len(s.Stages) != 1 {
					t.Fatalf("step %d: stages %v, want the start of the log's", i, s.Stages)
				}
				// The replicated disk's recovery reads both disks first:
				// the log's begins past its first step.
				if s.Stages[0] < 1 {
					t.Errorf("step %d: the log's recovery begins after %d steps", i, s.Stages[0])
				}
				steps := 0
				for _, c := range s.Calls {
					if steps < s.Stages[0] && steps+max(c.Repeat, 1) > s.Stages[0] {
						t.Errorf("step %d: call %q spans the stages' boundary at %d", i, c.Op, s.Stages[0])
					}
					steps += max(c.Repeat, 1)
				}
				text := res.Trace.String()
				head := fmt.Sprintf("%d. %s\n         stage 1 of 2\n", i, "recovery")
				if s.Kind == model.StepCrashInRecovery {
					head = fmt.Sprintf("%d. recovery, crash after %d of %d steps\n         stage 1 of 2\n", i, s.CrashAfter, s.Total)
				}
				if !strings.Contains(text, head) {
					t.Errorf("the path does not begin step %d with its first stage:\n%s", i, text)
				}
				if s.Stages[0] < steps && !strings.Contains(text, fmt.Sprintf("         stage 2 of 2\n     %2d  ", s.Stages[0]+1)) {
					t.Errorf("the path does not mark step %d's second stage before primitive step %d:\n%s", i, s.Stages[0]+1, text)
				}
				js, err := json.Marshal(s)
				if err != nil {
					t.Fatal(err)
				}
				if want := fmt.Sprintf(`"stages":[%d]`, s.Stages[0]); !strings.Contains(string(js), want) {
					t.Errorf("step %d's JSON lacks %s: %s", i, want, js)
				}
			}
			if recoveries == 0 {
				t.Fatalf("the path has no recovery:\n%s", res.Trace)
			}
		})
	}
}
