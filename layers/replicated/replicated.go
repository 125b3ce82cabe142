// Package replicated implements the OneDisk layer on the TwoDisk layer by
// replication, as in Argosy's verified example: writes go to d0 then d1,
// reads come from d0 and fall back to d1, and recovery repairs the one
// block a crash during a write can leave different.
package replicated

import (
	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/layers/twodisk"
	"github.com/argocheck/argocheck/model"
)

// Variant selects the correct implementation or a deliberately changed one.
type Variant string

// Variants of the replicated disk.
const (
	// Correct is Argosy's replicated disk.
	Correct Variant = ""
	// NoRecovery: recovery does nothing.
	NoRecovery Variant = "no-recovery"
	// WriteD0Only: write updates d0 only.
	WriteD0Only Variant = "write-d0-only"
	// ReadNoFallback: read returns 0 when d0 has failed instead of reading d1.
	ReadNoFallback Variant = "read-no-fallback"
	// RecoverBlock0Only: recovery inspects only address 0.
	RecoverBlock0Only Variant = "recover-block0-only"
	// RecoverCopyBack: on a mismatch recovery copies d1 to d0, rolling the
	// interrupted write back. Correct: a crash allows the old value.
	RecoverCopyBack Variant = "recover-copy-back"
)

// Variants lists every variant but the correct one.
var Variants = catalog.Variants{
	{Name: string(NoRecovery), About: "recovery does nothing"},
	{Name: string(WriteD0Only), About: "write updates d0 only"},
	{Name: string(ReadNoFallback), About: "read returns 0 when d0 has failed instead of reading d1"},
	{Name: string(RecoverBlock0Only), About: "recovery inspects only address 0"},
	{Name: string(RecoverCopyBack), Correct: true, About: "on a mismatch recovery copies d1 to d0 (rolls the write back)"},
}

// ParseVariant checks a variant name.
func ParseVariant(name string) (Variant, error) {
	return catalog.Parse[Variant](Variants, "replicated-disk", name)
}

// Disk is the replicated disk on two disks.
type Disk struct {
	d       twodisk.API
	variant Variant
}

// Impl returns the implementation of OneDisk on TwoDisk in variant v.
func Impl(v Variant) model.Impl[twodisk.API, onedisk.API] {
	return func(d twodisk.API) model.Instance[onedisk.API] {
		r := &Disk{d: d, variant: v}
		return model.Instance[onedisk.API]{API: r, Recover: r.Recover}
	}
}

// Read reads d0, and d1 when d0 has failed.
func (r *Disk) Read(a disk.Addr) disk.Block {
	if b, ok := r.d.Read(twodisk.D0, a); ok {
		return b
	}
	if r.variant == ReadNoFallback {
		return 0
	}
	if b, ok := r.d.Read(twodisk.D1, a); ok {
		return b
	}
	return 0
}

// Write writes d0, then d1.
func (r *Disk) Write(a disk.Addr, b disk.Block) {
	r.d.Write(twodisk.D0, a, b)
	if r.variant != WriteD0Only {
		r.d.Write(twodisk.D1, a, b)
	}
}

// Size returns the size of d0, or of d1 when d0 has failed.
func (r *Disk) Size() int {
	if n, ok := r.d.Size(twodisk.D0); ok {
		return n
	}
	n, _ := r.d.Size(twodisk.D1)
	return n
}

// Recover scans from the last block down to block 0, and repairs the
// first block where the disks differ by copying d0 to d1. A crash leaves at
// most one such block: the one a write was interrupted on. It stops early
// when a disk has failed, since one working disk is always consistent.
func (r *Disk) Recover() {
	switch r.variant {
	case NoRecovery:
		return
	case RecoverBlock0Only:
		r.repair(0)
		return
	}
	for a := r.Size() - 1; a >= 0; a-- {
		if r.repair(disk.Addr(a)) {
			return
		}
	}
}

// repair compares block a of both disks and fixes a difference; it reports
// whether the scan should stop.
func (r *Disk) repair(a disk.Addr) (stop bool) {
	b0, ok0 := r.d.Read(twodisk.D0, a)
	if !ok0 {
		return true
	}
	b1, ok1 := r.d.Read(twodisk.D1, a)
	if !ok1 {
		return true
	}
	if b0 == b1 {
		return false
	}
	if r.variant == RecoverCopyBack {
		r.d.Write(twodisk.D0, a, b1)
	} else {
		r.d.Write(twodisk.D1, a, b0)
	}
	return true
}

// Abs is the abstraction relation: every working disk equals the abstract
// disk.
func Abs(c *twodisk.State) (onedisk.State, bool) {
	switch c.Status {
	case twodisk.OnlyD0:
		return onedisk.State{Disk: c.Disks[twodisk.D0]}, true
	case twodisk.OnlyD1:
		return onedisk.State{Disk: c.Disks[twodisk.D1]}, true
	}
	if c.Disks[twodisk.D0] != c.Disks[twodisk.D1] {
		return onedisk.State{}, false
	}
	return onedisk.State{Disk: c.Disks[twodisk.D0]}, true
}
