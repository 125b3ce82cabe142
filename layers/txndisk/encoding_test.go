package txndisk_test

import (
	"testing"

	"github.com/argocheck/argocheck/checktest"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/txndisk"
	"github.com/argocheck/argocheck/model"
)

// TestEncodingTested: the encoding the Spec declares tested
// (model.EncodingTested) round-trips and is canonical over the states of
// small disks, with values that take one byte and values that take two.
func TestEncodingTested(t *testing.T) {
	var _ model.EncodingTested = txndisk.Spec{}
	for _, sizes := range []disk.Sizes{{Blocks: 2, Values: 3, OOB: true}, {Blocks: 1, Values: 255}} {
		checktest.Spec(t, txndisk.Layer(sizes))
	}
}
