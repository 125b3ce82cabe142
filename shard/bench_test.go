package shard

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
)

// benchCheck is the check the benchmarks search: the replicated disk at
// 5 blocks and 4 values.
var benchCheck = job{System: "repdisk", Params: catalog.Params{layers.Blocks: 5, layers.Values: 4}}

// BenchmarkShards runs every shard of a run in this process, one worker
// each, over a file:// exchange, and reports the bytes written per state;
// BenchmarkExplorer is the same search by explorer.Run on one worker.
func BenchmarkShards(b *testing.B) {
	for _, n := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("shards=%d", n), func(b *testing.B) {
			var written, states uint64
			for b.Loop() {
				j := benchCheck
				j.URL = "file://" + filepath.ToSlash(filepath.Join(b.TempDir(), "exchange"))
				j.Shards, j.Workers = n, 1
				outs := make([]*outcome, n)
				var g errgroup.Group
				for i := range n {
					j := j
					j.Index = i
					g.Go(func() error {
						o, err := j.run(context.Background())
						outs[i] = o
						return err
					})
				}
				if err := g.Wait(); err != nil {
					b.Fatal(err)
				}
				for _, o := range outs {
					written += o.Work.BytesWritten
				}
				states += outs[0].States
			}
			b.ReportMetric(float64(written)/float64(states), "written-bytes/state")
		})
	}
}

func BenchmarkExplorer(b *testing.B) {
	chk, err := benchCheck.checker()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRanks merges a level's edge lists as every shard does at every
// barrier: 2^20 edges over 16 and 64 shards.
func BenchmarkRanks(b *testing.B) {
	for _, n := range []int{16, 64} {
		b.Run(fmt.Sprintf("shards=%d", n), func(b *testing.B) {
			const edges = 1 << 20
			lists := make([][]uint64, n)
			for e := uint64(0); e < edges; e++ {
				i := (e * 0x9E3779B97F4A7C15) >> 32 % uint64(n)
				lists[i] = append(lists[i], e<<ordinalBits)
			}
			for b.Loop() {
				ranks(lists)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/edges, "ns/edge")
		})
	}
}
