package explorer_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
)

// benchCase is one system at one size.
type benchCase struct {
	system string
	params catalog.Params
}

func (c benchCase) String() string {
	return fmt.Sprintf("%s/b%dv%dl%d", c.system, c.params[layers.Blocks], c.params[layers.Values], c.params[layers.Log])
}

var benchCases = []benchCase{
	{"repdisk", catalog.Params{layers.Blocks: 6, layers.Values: 3}},
	{"repdisk", catalog.Params{layers.Blocks: 7, layers.Values: 3}},
	{"repdisk", catalog.Params{layers.Blocks: 6, layers.Values: 4}},
}

// BenchmarkRun explores whole systems; states/s and allocs/state are
// reported per run.
func BenchmarkRun(b *testing.B) {
	for _, c := range benchCases {
		if _, err := layers.Lookup(c.system); err != nil {
			continue
		}
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/w%d", c, workers), func(b *testing.B) {
				chk, err := layers.Build(c.system, c.params, "")
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				var states uint64
				for b.Loop() {
					res, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: workers})
					if err != nil {
						b.Fatal(err)
					}
					states += res.States
				}
				b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
			})
		}
	}
}
