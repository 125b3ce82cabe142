package replicated

import (
	"testing"

	"github.com/argocheck/argocheck/layers/asyncdisk"
	"github.com/argocheck/argocheck/layers/twoasyncdisk"
	"github.com/argocheck/argocheck/layers/twodisk"
)

// TestAsyncAbs: the abstract disk reads what every working disk reads, and
// a crash may leave in it what a crash may leave in either.
func TestAsyncAbs(t *testing.T) {
	// d0 and d1 both read [1 0]; block 0 may be 0 or 1 on d0 and 1 or 2
	// on d1.
	var d0, d1 asyncdisk.Disk
	d0.Write(0, 1)
	d1.Write(0, 2)
	d1.Flush()
	d1.Write(0, 1)
	for _, tt := range []struct {
		name string
		s    twoasyncdisk.State
		want string // "" when it relates to nothing
	}{
		{"both", twoasyncdisk.State{Status: twodisk.Both, Disks: [2]asyncdisk.Disk{d0, d1}}, "[1{0,1,2} 0]"},
		{"only d0", twoasyncdisk.State{Status: twodisk.OnlyD0, Disks: [2]asyncdisk.Disk{d0, {}}}, "[1{0,1} 0]"},
		{"only d1", twoasyncdisk.State{Status: twodisk.OnlyD1, Disks: [2]asyncdisk.Disk{{}, d1}}, "[1{1,2} 0]"},
		{"disagree", twoasyncdisk.State{Status: twodisk.Both, Disks: [2]asyncdisk.Disk{d0, {}}}, ""},
	} {
		a, ok := AsyncAbs(&tt.s)
		got := ""
		if ok {
			got = asyncdisk.Format(&a.Disk, 2)
		}
		if got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
