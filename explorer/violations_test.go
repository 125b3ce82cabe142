package explorer_test

import (
	"context"
	"errors"
	"testing"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/layers/replicated"
	"github.com/argocheck/argocheck/layers/twodisk"
	"github.com/argocheck/argocheck/model"
)

// faulty is a replicated disk with one fault injected into Write.
type faulty struct {
	d     twodisk.API
	write func(d twodisk.API, a disk.Addr, b disk.Block)
}

func (f *faulty) Read(a disk.Addr) disk.Block {
	b, _ := f.d.Read(twodisk.D0, a)
	return b
}
func (f *faulty) Write(a disk.Addr, b disk.Block) { f.write(f.d, a, b) }
func (f *faulty) Size() int                       { n, _ := f.d.Size(twodisk.D0); return n }

type repSystem = model.System[twodisk.State, twodisk.Op, twodisk.Ret, twodisk.API,
	onedisk.State, onedisk.Op, onedisk.Ret, onedisk.API]

func faultySystem(write func(d twodisk.API, a disk.Addr, b disk.Block)) *repSystem {
	sizes := disk.Sizes{Blocks: 2, Values: 2}
	return &repSystem{
		Lower: twodisk.Layer(sizes),
		Upper: onedisk.Layer(sizes),
		Impl: func(d twodisk.API) model.Instance[onedisk.API] {
			return model.Instance[onedisk.API]{API: &faulty{d: d, write: write}, Recover: func() {}}
		},
		Abs:       replicated.Abs,
		StepLimit: 50,
	}
}

func TestViolationKinds(t *testing.T) {
	bothDisks := func(d twodisk.API, a disk.Addr, b disk.Block) {
		d.Write(twodisk.D0, a, b)
		d.Write(twodisk.D1, a, b)
	}
	flip := 0 // state outside the lower layer: forbidden, and detected
	cases := []struct {
		name   string
		sys    *repSystem
		kind   string
		length int
	}{
		{"panic", faultySystem(func(d twodisk.API, a disk.Addr, b disk.Block) {
			if b == 1 {
				panic("write of 1")
			}
			bothDisks(d, a, b)
		}), model.KindPanic, 1},
		{"step-limit", faultySystem(func(d twodisk.API, a disk.Addr, b disk.Block) {
			for {
				d.Read(twodisk.D0, a)
			}
		}), model.KindStepLimit, 1},
		{"nondeterminism", faultySystem(func(d twodisk.API, a disk.Addr, b disk.Block) {
			flip++
			first := twodisk.ID(flip % 2)
			d.Write(first, a, b)
			d.Write(1-first, a, b)
		}), model.KindNondeterminism, 1},
		{"invariant", func() *repSystem {
			s := faultySystem(bothDisks)
			s.Invariant = func(c *twodisk.State) error {
				if c.Disks[twodisk.D0][1] == 1 {
					return errors.New("block 1 holds 1")
				}
				return nil
			}
			return s
		}(), model.KindInvariant, 1},
		{"initial", func() *repSystem {
			s := faultySystem(bothDisks)
			s.Abs = func(*twodisk.State) (onedisk.State, bool) { return onedisk.State{}, false }
			return s
		}(), model.KindInitial, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := explorer.Run(context.Background(), tc.sys, explorer.Config{Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			if res.Verdict != explorer.Violated || res.Violation.Kind != tc.kind || res.Trace.Len() != tc.length {
				t.Fatalf("verdict %s violation %v length %d, want %s at %d:\n%s",
					res.Verdict, res.Violation, res.Trace.Len(), tc.kind, tc.length, res.Trace)
			}
		})
	}
}
