package twoasyncdisk_test

import (
	"testing"

	"github.com/argocheck/argocheck/checktest"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/twoasyncdisk"
	"github.com/argocheck/argocheck/model"
)

// TestEncodingTested: the encoding the Spec declares tested
// (model.EncodingTested) round-trips and is canonical over the states of
// small disks (the values that take two bytes: FuzzDecode in package
// asyncdisk, whose encoding of a disk this Spec's is made of).
func TestEncodingTested(t *testing.T) {
	var _ model.EncodingTested = twoasyncdisk.Spec{}
	for _, sizes := range []disk.Sizes{{Blocks: 2, Values: 3, OOB: true}, {Blocks: 1, Values: 8}} {
		checktest.Spec(t, twoasyncdisk.Layer(sizes))
	}
}
