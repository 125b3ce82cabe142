package layers_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
)

// asyncBenchCases pair each system on disks with write caches with its
// synchronous counterpart at the same sizes.
var asyncBenchCases = []struct {
	sync, async string
	p           catalog.Params
}{
	{"log", "log/async", params(1, 2, 2)},
	{"log", "log/async", params(2, 2, 2)},
	{"log", "log/async", params(3, 2, 2)},
	{"log", "log/async", params(2, 2, 3)},
	{"repdisk", "repdisk/async", diskParams(3, 2)},
	{"repdisk", "repdisk/async", diskParams(4, 2)},
	{"repdisk", "repdisk/async", diskParams(5, 2)},
	{"repdisk", "repdisk/async", diskParams(3, 3)},
	{"log/repdisk", "log/async-repdisk", params(1, 2, 2)},
	{"log/repdisk", "log/async-repdisk", params(1, 2, 3)},
	{"log/repdisk", "log/async-repdisk", params(2, 2, 2)},
}

// BenchmarkAsync explores each pair of systems, synchronous and on disks
// with write caches, with two workers, and reports the states, the
// transitions and the states per second of a run. Sizes beyond the
// catalogue's ranges are built without its checks.
//
//	go test ./layers -run '^$' -bench '^BenchmarkAsync$' -benchtime 1x
func BenchmarkAsync(b *testing.B) {
	for _, c := range asyncBenchCases {
		for _, name := range []string{c.sync, c.async} {
			benchRun(b, name, c.p)
		}
	}
}

// asyncLargest are sizes of the async log, alone and on the replicated
// disk, around a minute's check with two workers.
var asyncLargest = []struct {
	system string
	p      catalog.Params
}{
	{"log/async", params(5, 2, 2)},
	{"log/async", params(3, 2, 3)},
	{"log/async", params(2, 3, 3)},
	{"log/async", params(6, 2, 2)},
	{"log/async", params(4, 3, 2)},
	{"log/async-repdisk", params(1, 3, 3)},
	{"log/async-repdisk", params(1, 6, 2)},
	{"log/async-repdisk", params(1, 4, 3)},
	{"log/async-repdisk", params(2, 2, 2)},
	{"log/async-repdisk", params(2, 3, 2)},
}

// BenchmarkAsyncLargest explores the async log's largest sizes (minutes
// in all).
//
//	go test ./layers -run '^$' -bench '^BenchmarkAsyncLargest$' -benchtime 1x -timeout 0
func BenchmarkAsyncLargest(b *testing.B) {
	for _, c := range asyncLargest {
		benchRun(b, c.system, c.p)
	}
}

// benchRun explores the named system at p with two workers as a
// sub-benchmark.
func benchRun(b *testing.B, name string, p catalog.Params) {
	b.Run(fmt.Sprintf("%s/b%dv%dl%d", name, p[layers.Blocks], p[layers.Values], p[layers.Log]), func(b *testing.B) {
		sys, err := layers.Lookup(name)
		if err != nil {
			b.Fatal(err)
		}
		p, err := sys.Complete(p)
		if err != nil {
			b.Fatal(err)
		}
		chk, err := sys.Build(p, "")
		if err != nil {
			b.Fatal(err)
		}
		var res *explorer.Result
		for b.Loop() {
			if res, err = explorer.Run(context.Background(), chk, explorer.Config{Workers: 2}); err != nil {
				b.Fatal(err)
			}
			if res.Verdict != explorer.Verified {
				b.Fatalf("verdict %s: %v", res.Verdict, res.Violation)
			}
		}
		b.ReportMetric(float64(res.States), "states")
		b.ReportMetric(float64(res.Transitions), "transitions")
		b.ReportMetric(float64(res.States)*float64(b.N)/b.Elapsed().Seconds(), "states/s")
	})
}
