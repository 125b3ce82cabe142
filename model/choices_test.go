package model_test

import (
	"context"
	"errors"
	"testing"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
)

// wideBlock is a disk of one block whose steps and crash offer Width
// alternatives where asked: a step (read or write) when InStep, a crash
// otherwise. An odd answer clears the block, losing a write.
type wideBlock struct {
	model.Codec[uint8]
	Width  int
	InStep bool
}

func (wideBlock) Init() []uint8 { return []uint8{0} }
func (wideBlock) Ops() []uint8  { return []uint8{0, 1} }

// Step writes v when v > 0 and returns the block.
func (sp wideBlock) Step(s *uint8, v uint8, c model.Chooser) uint8 {
	if v > 0 {
		*s = v
	}
	if sp.InStep && c.Choose(sp.Width)%2 == 1 {
		*s = 0
	}
	return *s
}

func (sp wideBlock) Crash(s *uint8, c model.Chooser) {
	if !sp.InStep && c.Choose(sp.Width)%2 == 1 {
		*s = 0
	}
}

// durableCell is a register of one value whose writes are durable: 0 reads
// the cell, v > 0 writes v; both return the value.
type durableCell struct{ model.Codec[uint8] }

func (durableCell) Init() []uint8               { return []uint8{0} }
func (durableCell) Ops() []uint8                { return []uint8{0, 1} }
func (durableCell) Crash(*uint8, model.Chooser) {}
func (durableCell) Step(s *uint8, v uint8, _ model.Chooser) uint8 {
	if v > 0 {
		*s = v
	}
	return *s
}

// wideSystem is the cell on a wideBlock: a lost block is a lost write.
func wideSystem(lower wideBlock) model.Checker {
	impl := func(d model.Caller[uint8, uint8]) model.Instance[model.Caller[uint8, uint8]] {
		return model.Instance[model.Caller[uint8, uint8]]{API: d, Recover: func() {}}
	}
	return model.NewSystem(model.NewLayer[uint8, uint8, uint8]("block", lower),
		model.NewLayer[uint8, uint8, uint8]("cell", durableCell{}),
		impl, func(c *uint8) (uint8, bool) { return *c, true })
}

// A Choose among more alternatives than a search numbers (MaxChoices)
// stops the search with an error of ErrLimit. Numbered in 32 bits, 2^32
// alternatives were one, and 2^32+1 one: a lower layer that loses a write
// at its second alternative verified.
func TestChooseBeyondMaxChoices(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lower wideBlock
		limit bool
	}{
		{"crash of 2", wideBlock{Width: 2}, false},
		{"step of 2", wideBlock{Width: 2, InStep: true}, false},
		{"crash of 2^31", wideBlock{Width: 1 << 31}, true},
		{"crash of 2^32", wideBlock{Width: 1 << 32}, true},
		{"crash of 2^32+1", wideBlock{Width: 1<<32 + 1}, true},
		{"step of 2^32", wideBlock{Width: 1 << 32, InStep: true}, true},
		{"step of 2^32+2", wideBlock{Width: 1<<32 + 2, InStep: true}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, d := range model.DeterminismModes {
				res, err := explorer.Run(context.Background(), wideSystem(tc.lower), explorer.Config{Workers: 1, Determinism: d})
				if tc.limit {
					if !errors.Is(err, model.ErrLimit) {
						t.Fatalf("%s: got %v, %v; want an error of model.ErrLimit", d, res, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: %v", d, err)
				}
				if res.Verdict != explorer.Violated {
					t.Fatalf("%s: %s, want a violation (a lost write)", d, res.Verdict)
				}
			}
		})
	}
}
