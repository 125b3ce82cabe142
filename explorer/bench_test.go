package explorer_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/layers/replicated"
	"github.com/argocheck/argocheck/layers/twodisk"
	"github.com/argocheck/argocheck/model"
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

// codecSpec is a layer's specification with its hand-written encoding
// replaced by model.Codec.
type codecSpec[S, Op, Ret comparable] struct {
	model.Spec[S, Op, Ret]
	codec model.Codec[S]
}

func (s codecSpec[S, Op, Ret]) AppendEncode(dst []byte, st *S) []byte {
	return s.codec.AppendEncode(dst, st)
}

func (s codecSpec[S, Op, Ret]) Decode(src []byte, st *S) (int, error) {
	return s.codec.Decode(src, st)
}

// BenchmarkCodecRun checks the replicated disk with the catalogue's
// hand-written encodings (varints of the blocks in use) and with
// model.Codec (every field of the fixed-size states: two 16-block disks),
// to show what a ready encoding costs a whole search.
func BenchmarkCodecRun(b *testing.B) {
	sizes := disk.Sizes{Blocks: 6, Values: 3}
	hand := model.NewSystem(twodisk.Layer(sizes), onedisk.Layer(sizes), replicated.Impl(replicated.Correct), replicated.Abs)
	lower, upper := twodisk.Layer(sizes), onedisk.Layer(sizes)
	lower.Spec = codecSpec[twodisk.State, twodisk.Op, twodisk.Ret]{lower.Spec, model.NewCodec[twodisk.State]()}
	upper.Spec = codecSpec[onedisk.State, disk.Op, disk.Ret]{upper.Spec, model.NewCodec[onedisk.State]()}
	codec := model.NewSystem(lower, upper, replicated.Impl(replicated.Correct), replicated.Abs)
	for _, c := range []struct {
		name string
		chk  model.Checker
	}{{"hand", hand}, {"codec", codec}} {
		b.Run(c.name, func(b *testing.B) {
			var states uint64
			for b.Loop() {
				res, err := explorer.Run(context.Background(), c.chk, explorer.Config{Workers: 1})
				if err != nil || res.Verdict != explorer.Verified {
					b.Fatal(err, res.Verdict)
				}
				states += res.States
			}
			b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
		})
	}
}
