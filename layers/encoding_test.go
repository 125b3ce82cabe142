package layers_test

import (
	"testing"

	"github.com/argocheck/argocheck/checktest"
	"github.com/argocheck/argocheck/layers/asyncdisk"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/layers/twoasyncdisk"
	"github.com/argocheck/argocheck/layers/twodisk"
	"github.com/argocheck/argocheck/layers/txndisk"
	"github.com/argocheck/argocheck/model"
)

// TestEncodingTested: each catalogue Spec that declares its encoding
// tested (model.EncodingTested) round-trips and is canonical over the
// states of small disks, with values that take one byte and, where the
// whole state space stays small, values that take two (the write-cache
// disks' two-byte values: FuzzDecode in package asyncdisk, whose
// encoding of a disk twoasyncdisk's is made of).
func TestEncodingTested(t *testing.T) {
	small := disk.Sizes{Blocks: 2, Values: 3, OOB: true}
	cases := []struct {
		name  string
		spec  model.EncodingTested
		check func(t *testing.T, sizes disk.Sizes)
		wide  disk.Sizes
	}{
		{"onedisk", onedisk.Spec{}, func(t *testing.T, s disk.Sizes) { checktest.Spec(t, onedisk.Layer(s)) }, disk.Sizes{Blocks: 1, Values: 255}},
		{"twodisk", twodisk.Spec{}, func(t *testing.T, s disk.Sizes) { checktest.Spec(t, twodisk.Layer(s)) }, disk.Sizes{Blocks: 1, Values: 255}},
		{"txndisk", txndisk.Spec{}, func(t *testing.T, s disk.Sizes) { checktest.Spec(t, txndisk.Layer(s)) }, disk.Sizes{Blocks: 1, Values: 255}},
		{"asyncdisk", asyncdisk.Spec{}, func(t *testing.T, s disk.Sizes) { checktest.Spec(t, asyncdisk.Layer(s)) }, disk.Sizes{Blocks: 1, Values: 8}},
		{"twoasyncdisk", twoasyncdisk.Spec{}, func(t *testing.T, s disk.Sizes) { checktest.Spec(t, twoasyncdisk.Layer(s)) }, disk.Sizes{Blocks: 1, Values: 8}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, sizes := range []disk.Sizes{small, tc.wide} {
				tc.check(t, sizes)
			}
		})
	}
}
