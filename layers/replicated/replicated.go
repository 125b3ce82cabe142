// Package replicated implements the OneDisk layer on the TwoDisk layer by
// replication, the lower layer of the built-in stack: writes go to d0
// then d1, reads come from d0 and fall back to d1, and recovery repairs
// the one block a crash during a write can leave different.
//
// The same code implements AsyncDisk on TwoAsyncDisk, two disks with write
// caches (AsyncImpl): flush flushes d0, then d1. There a crash can leave
// any number of blocks different (each block of each disk independently
// takes a value written since its last flush), so recovery repairs every
// block that differs, not only the first, and then flushes d0 and d1 so
// that no repair is left in a cache.
package replicated

import (
	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/layers/asyncdisk"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/layers/twoasyncdisk"
	"github.com/argocheck/argocheck/layers/twodisk"
	"github.com/argocheck/argocheck/model"
)

// Variant selects the correct implementation or a deliberately changed one.
type Variant string

// Variants of the replicated disk.
const (
	// Correct is the replicated disk described above.
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

	// Variants of the replicated disk on disks with write caches only.

	// RecoveryNoFlush: recovery does not flush the disks after its
	// repairs, leaving them in the caches.
	RecoveryNoFlush Variant = "recovery-no-flush"
	// FlushD0Only: flush flushes d0 only.
	FlushD0Only Variant = "flush-d0-only"
	// FirstRepairOnly: recovery stops at the first block it repairs, as it
	// does on synchronous disks (Impl), where that is correct.
	FirstRepairOnly Variant = "first-repair-only"
)

// Variants lists every variant but the correct one.
var Variants = catalog.Variants{
	{Name: string(NoRecovery), About: "recovery does nothing"},
	{Name: string(WriteD0Only), About: "write updates d0 only"},
	{Name: string(ReadNoFallback), About: "read returns 0 when d0 has failed instead of reading d1"},
	{Name: string(RecoverBlock0Only), About: "recovery inspects only address 0"},
	{Name: string(RecoverCopyBack), Correct: true, About: "on a mismatch recovery copies d1 to d0 (rolls the write back)"},
}

// AsyncVariants lists every variant of the replicated disk on disks with
// write caches but the correct one: those of the synchronous disks, and
// three about flushing.
var AsyncVariants = append(append(catalog.Variants{}, Variants...),
	catalog.Variant{Name: string(RecoveryNoFlush), About: "recovery leaves its repairs in the caches (no flush)"},
	catalog.Variant{Name: string(FlushD0Only), About: "flush flushes d0 only"},
	catalog.Variant{Name: string(FirstRepairOnly), About: "recovery stops at the first block it repairs (correct on synchronous disks)"},
)

// ParseVariant checks a variant name of the replicated disk on TwoDisk.
func ParseVariant(name string) (Variant, error) {
	return catalog.Parse[Variant](Variants, "replicated-disk", name)
}

// ParseAsyncVariant checks a variant name of the replicated disk on
// TwoAsyncDisk.
func ParseAsyncVariant(name string) (Variant, error) {
	return catalog.Parse[Variant](AsyncVariants, "replicated-disk", name)
}

// Disk is the replicated disk on two disks.
type Disk struct {
	d       twoasyncdisk.API
	variant Variant
	// repairAll: recovery repairs every block that differs, not only the
	// first (the disks have write caches).
	repairAll bool
}

// Impl returns the implementation of OneDisk on TwoDisk in variant v.
func Impl(v Variant) model.Impl[twodisk.API, onedisk.API] {
	return func(d twodisk.API) model.Instance[onedisk.API] {
		r := &Disk{variant: v}
		if h, ok := d.(twodisk.Handle); ok {
			r.d = synchronousHandle{h} // one dynamic call less per operation
		} else {
			r.d = synchronous{d}
		}
		return model.Instance[onedisk.API]{API: r, Recover: r.Recover}
	}
}

// AsyncImpl returns the implementation of AsyncDisk on TwoAsyncDisk in
// variant v.
func AsyncImpl(v Variant) model.Impl[twoasyncdisk.API, asyncdisk.API] {
	return func(d twoasyncdisk.API) model.Instance[asyncdisk.API] {
		r := &Disk{d: d, variant: v, repairAll: v != FirstRepairOnly}
		return model.Instance[asyncdisk.API]{API: r, Recover: r.Recover}
	}
}

// synchronous is TwoDisk as disks whose flush does nothing: every write
// is durable when it returns.
type synchronous struct{ twodisk.API }

func (synchronous) Flush(twodisk.ID) bool { return true }

// synchronousHandle is synchronous over the executor's own handle, whose
// methods it calls statically.
type synchronousHandle struct{ twodisk.Handle }

func (synchronousHandle) Flush(twodisk.ID) bool { return true }

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

// Flush flushes d0, then d1.
func (r *Disk) Flush() {
	r.d.Flush(twodisk.D0)
	if r.variant != FlushD0Only {
		r.d.Flush(twodisk.D1)
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
// first block where the disks differ by copying d0 to d1. On synchronous
// disks a crash leaves at most one such block: the one a write was
// interrupted on. On disks with write caches it repairs every block that
// differs, then flushes d0 and d1. It stops the scan early when a disk
// has failed, since one working disk is always consistent.
func (r *Disk) Recover() {
	switch r.variant {
	case NoRecovery:
		return
	case RecoverBlock0Only:
		r.repair(0)
	default:
		for a := r.Size() - 1; a >= 0; a-- {
			if failed, repaired := r.repair(disk.Addr(a)); failed || repaired && !r.repairAll {
				break
			}
		}
	}
	if r.variant != RecoveryNoFlush {
		r.d.Flush(twodisk.D0)
		r.d.Flush(twodisk.D1)
	}
}

// repair compares block a of both disks and fixes a difference; it reports
// whether a disk has failed and whether it repaired the block.
func (r *Disk) repair(a disk.Addr) (failed, repaired bool) {
	b0, ok0 := r.d.Read(twodisk.D0, a)
	if !ok0 {
		return true, false
	}
	b1, ok1 := r.d.Read(twodisk.D1, a)
	if !ok1 {
		return true, false
	}
	if b0 == b1 {
		return false, false
	}
	if r.variant == RecoverCopyBack {
		r.d.Write(twodisk.D0, a, b1)
	} else {
		r.d.Write(twodisk.D1, a, b0)
	}
	return false, true
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

// AsyncAbs is the abstraction relation on disks with write caches: every
// working disk's current values are the abstract disk's, and a crash may
// leave in an abstract block any value that a crash may leave in that
// block of a working disk (the union of their may-sets). A union of more
// than asyncdisk.MaxMay values relates to nothing.
func AsyncAbs(c *twoasyncdisk.State) (asyncdisk.State, bool) {
	switch c.Status {
	case twodisk.OnlyD0:
		return asyncdisk.State{Disk: c.Disks[twodisk.D0]}, true
	case twodisk.OnlyD1:
		return asyncdisk.State{Disk: c.Disks[twodisk.D1]}, true
	}
	if c.Disks[twodisk.D0].Cur != c.Disks[twodisk.D1].Cur {
		return asyncdisk.State{}, false
	}
	a := asyncdisk.State{Disk: c.Disks[twodisk.D0]}
	if !a.Disk.Union(&c.Disks[twodisk.D1]) {
		return asyncdisk.State{}, false
	}
	return a, true
}
