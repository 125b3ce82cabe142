package explorer

import (
	"os"
	"testing"
)

// TestCheckSpillSurvivesSweep: a search that sweeps the spill directory
// while another search starting in it checks it (CheckSpill's probe
// directory is there) leaves the probe alone, and the check succeeds.
func TestCheckSpillSurvivesSweep(t *testing.T) {
	dir := t.TempDir()
	spillProbed = sweepSpills
	defer func() { spillProbed = nil }()
	if err := CheckSpill(dir); err != nil {
		t.Fatalf("CheckSpill with a sweep while its probe is there: %v", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("CheckSpill left %d entries behind", len(left))
	}
}
