package peers

import (
	"context"
	"fmt"
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
)

// BenchmarkRepdisk explores the replicated disk at the largest size of the
// comparison, for profiling argocheck where it is measured against the
// peers:
//
//	go test -run '^$' -bench Repdisk -benchtime 1x -cpuprofile cpu.out ./benchmarks/peers
func BenchmarkRepdisk(b *testing.B) {
	for _, p := range []catalog.Params{{layers.Blocks: 7, layers.Values: 4}} {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("b%dv%d/w%d", p[layers.Blocks], p[layers.Values], workers), func(b *testing.B) {
				chk, err := layers.Build("repdisk", p, "")
				if err != nil {
					b.Fatal(err)
				}
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
