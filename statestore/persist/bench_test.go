package persist

import (
	"context"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/statestore"
)

// BenchmarkStore explores the same configuration in memory and with a
// persistent store (created, written level by level, finished and closed
// within the timed loop), reporting states per second and, for the store,
// its bytes per state on disk once closed.
//
//	go test -run XXX -bench Store -benchtime 3x ./statestore/persist/
func BenchmarkStore(b *testing.B) {
	p := catalog.Params{layers.Blocks: 5, layers.Values: 4}
	chk, err := layers.Build("repdisk", p, "")
	if err != nil {
		b.Fatal(err)
	}
	for _, persistent := range []bool{false, true} {
		name := "memory"
		if persistent {
			name = "store"
		}
		b.Run(name, func(b *testing.B) {
			var states, disk uint64
			for b.Loop() {
				cfg := explorer.Config{}
				var st *Store
				if persistent {
					b.StopTimer()
					dir := filepath.Join(b.TempDir(), "store")
					b.StartTimer()
					if st, err = Create(dir, Header{System: "repdisk", Params: map[string]string{"blocks": "5", "values": "4"}}, Options{}); err != nil {
						b.Fatal(err)
					}
					cfg.Checkpoint = st
				}
				res, err := explorer.Run(context.Background(), chk, cfg)
				if err != nil || res.Verdict != explorer.Verified {
					b.Fatal(err, res.Verdict)
				}
				states = res.States
				if persistent {
					if err := st.Finish(&statestore.Outcome{Verdict: string(res.Verdict)}); err != nil {
						b.Fatal(err)
					}
					if err := st.Close(); err != nil {
						b.Fatal(err)
					}
					if disk, err = diskBytes(st.Dir()); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(states)*float64(b.N)/b.Elapsed().Seconds(), "states/s")
			if persistent {
				b.ReportMetric(float64(disk)/float64(states), "disk-bytes/state")
			}
		})
	}
}

// diskBytes returns the disk space the files under dir take: allocated
// blocks where the system tells them (badger preallocates its logs), and
// lengths elsewhere.
func diskBytes(dir string) (uint64, error) {
	var n uint64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		n += allocated(fi)
		return nil
	})
	return n, err
}
