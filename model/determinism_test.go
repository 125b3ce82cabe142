package model_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/model"
)

// BenchmarkDeterminism measures what running procedure runs twice costs
// a whole search: no run twice (the baseline), the default sample, and
// every run. The checks every mode makes on every run (a replay's calls,
// calls from outside a run) are in all three. It reports states per
// second; compare the modes' ratios within one run:
//
//	go test -run '^$' -bench Determinism -benchtime 2x -count 3 ./model
func BenchmarkDeterminism(b *testing.B) {
	for _, c := range []struct {
		system string
		params catalog.Params
	}{
		{"repdisk", catalog.Params{layers.Blocks: 7, layers.Values: 4}},
		{"log/repdisk", catalog.Params{layers.Blocks: 4, layers.Values: 2, layers.Log: 3}},
	} {
		chk, err := layers.Build(c.system, c.params, "")
		if err != nil {
			b.Fatal(err)
		}
		for _, mode := range []model.Determinism{model.DeterminismOff, model.DeterminismSample, model.DeterminismFull} {
			name := mode.String()
			if mode == model.DeterminismOff {
				name = "off"
			}
			b.Run(fmt.Sprintf("%s/%s", c.system, name), func(b *testing.B) {
				var states uint64
				for b.Loop() {
					res, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 1, Determinism: mode})
					if err != nil || res.Verdict != explorer.Verified {
						b.Fatal(err, res.Verdict)
					}
					states += res.States
				}
				b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
			})
		}
	}
}
