package mirror_test

import (
	"fmt"
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/checktest"
	"github.com/argocheck/argocheck/examples/mirror"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/model"
)

// repdisk returns the catalogue's replicated disk at the sizes.
func repdisk(t *testing.T, sizes disk.Sizes, variant string) model.Checker {
	t.Helper()
	sys, err := layers.Build("repdisk", catalog.Params{layers.Blocks: sizes.Blocks, layers.Values: sizes.Values}, variant)
	if err != nil {
		t.Fatal(err)
	}
	return sys
}

func TestSpec(t *testing.T) {
	checktest.Spec(t, model.NewLayer[disk.Disk, mirror.Op, disk.Block]("disk", mirror.Spec{Blocks: 3, Values: 2}))
}

// The mirror checks the same system as the catalogue's repdisk: the
// correct one verifies with exactly repdisk's states, and the one without
// recovery fails as repdisk's no-recovery does.
func TestSameAsRepdisk(t *testing.T) {
	for _, sizes := range []disk.Sizes{{Blocks: 3, Values: 2}, {Blocks: 2, Values: 3}} {
		t.Run(fmt.Sprintf("%dx%d", sizes.Blocks, sizes.Values), func(t *testing.T) {
			want := checktest.Verify(t, repdisk(t, sizes, ""))
			if got := checktest.Verify(t, mirror.System(sizes, "")); got.States != want.States {
				t.Errorf("the mirror has %d states, repdisk %d", got.States, want.States)
			}
			t.Logf("%d states", want.States)
			bug := checktest.Violates(t, repdisk(t, sizes, "no-recovery"), model.KindRecovery, 2)
			checktest.Violates(t, mirror.System(sizes, mirror.NoRecovery), bug.Violation.Kind, bug.Trace.Len())
		})
	}
}

// At one value every write writes 0, the disks never differ, and
// recovery's repair (a block that differs is copied from the first disk
// to the second) never runs: the mirror without recovery verifies there
// too, as vacuously. At two values the repair runs and that mutant is
// caught. 'go test -run TestOneValue -coverprofile=c.out' shows the
// repair's lines at 0 (docs/tutorial.md, "Did the check reach your
// code?").
func TestOneValue(t *testing.T) {
	one := disk.Sizes{Blocks: 2, Values: 1}
	checktest.Verify(t, mirror.System(one, ""))
	checktest.Verify(t, mirror.System(one, mirror.NoRecovery))
	checktest.Violates(t, mirror.System(disk.Sizes{Blocks: 2, Values: 2}, mirror.NoRecovery), model.KindRecovery, 2)
}
