package explorer_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/model"
)

// A disk of three blocks over a disk of four, whose block 3 counts the
// writes up to 12. Recovery from a count of 12 writes a mark, 13, then the
// count back; recovery from a mark (a crash struck the recovery before)
// clears block 0: a bug that loses data. Only recovery writes 13, deep in
// the search: past the levels checked whole.

// countingDisk3 is the three-block disk over the four-block one.
type countingDisk3 struct{ d onedisk.API }

func (m countingDisk3) Read(a disk.Addr) disk.Block { return m.d.Read(a) }
func (m countingDisk3) Size() int                   { return 3 }
func (m countingDisk3) Write(a disk.Addr, b disk.Block) {
	m.d.Write(a, b)
	if c := m.d.Read(3); c < 12 {
		m.d.Write(3, c+1)
	}
}

func (m countingDisk3) recover() {
	switch m.d.Read(3) {
	case 13:
		m.d.Write(0, 0)
		m.d.Write(3, 12)
	case 12:
		m.d.Write(3, 13)
		m.d.Write(3, 12)
	}
}

// markBlind is the four-block disk's specification with an encoding that
// writes the mark as the count: two states, one encoding. The search then
// takes the states after a crash that strikes recovery's mark for those
// before it, and never runs the recovery that loses block 0.
type markBlind struct{ onedisk.Spec }

func (sp markBlind) AppendEncode(dst []byte, s *onedisk.State) []byte {
	c := *s
	if c.Disk[3] == 13 {
		c.Disk[3] = 12
	}
	return sp.Spec.AppendEncode(dst, &c)
}

func markedCounter(blind bool) model.Checker {
	lowerSizes, upperSizes := disk.Sizes{Blocks: 4, Values: 16}, disk.Sizes{Blocks: 3, Values: 4}
	lower := onedisk.Layer(lowerSizes)
	if blind {
		lower.Spec = markBlind{onedisk.NewSpec(lowerSizes)}
	}
	impl := func(d onedisk.API) model.Instance[onedisk.API] {
		m := countingDisk3{d}
		return model.Instance[onedisk.API]{API: m, Recover: m.recover}
	}
	abs := func(c *onedisk.State) (onedisk.State, bool) {
		var a onedisk.State
		copy(a.Disk[:3], c.Disk[:3])
		return a, true
	}
	return model.NewSystem(lower, onedisk.Layer(upperSizes), impl, abs)
}

// TestRecoveryOutcomesAreChecked: the encodings of the states recovery
// reaches, by a crash or a completion, are checked on the runs a search
// checks, recorded or not, in every mode: the encoding that hides the
// recovery's bug is a spec violation, never verified. With the encoding
// fixed, the bug shows.
func TestRecoveryOutcomesAreChecked(t *testing.T) {
	for _, mode := range model.DeterminismModes {
		for _, workers := range []int{1, 2} {
			name := fmt.Sprintf("%s, %d workers", mode, workers)
			res, err := explorer.Run(context.Background(), markedCounter(true), explorer.Config{Workers: workers, Determinism: mode})
			switch {
			case err != nil:
				t.Fatalf("%s: %v", name, err)
			case res.Verdict != explorer.Violated || res.Violation.Kind != model.KindSpec:
				t.Errorf("%s: verdict %s %+v after %d states, want a spec violation", name, res.Verdict, res.Violation, res.States)
			case res.States <= model.CheckAllStates:
				t.Errorf("%s: found after %d states, within the levels checked whole", name, res.States)
			}
		}
	}
	res, err := explorer.Run(context.Background(), markedCounter(false), explorer.Config{Workers: 2})
	if err != nil || res.Verdict != explorer.Violated || res.Violation.Kind != model.KindRecovery {
		t.Fatalf("the counter with a faithful encoding: verdict %s %+v, %v; want a recovery violation", res.Verdict, res.Violation, err)
	}
}
