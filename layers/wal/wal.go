// Package wal implements the TxnDisk layer on the OneDisk layer with a
// write-ahead log, as in Argosy's verified example.
//
// The disk below holds, for a log of capacity L over N data blocks, L+2+N
// blocks:
//
//	block 0          header: committed flag and length (<= L)
//	block 1          descriptor: the address of each log entry
//	blocks 2..L+1    the value of each log entry
//	blocks L+2..     the data region, N blocks
//
// A write appends an entry to the log (or fails when the log is full); a
// read reads the data region; commit sets the committed flag, then applies
// the log: copies every entry to its data block, in order, and writes the
// empty header. Applying is also the recovery procedure, so a crash after
// the committed header reached the disk finishes the transaction, and a
// crash before it drops it.
package wal

import (
	"fmt"
	"strings"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/layers/txndisk"
	"github.com/argocheck/argocheck/model"
)

// Block addresses of the layout.
const (
	HeaderAddr     disk.Addr = 0 // the header block
	DescriptorAddr disk.Addr = 1 // the descriptor block
	firstValueAddr disk.Addr = 2 // the first log value block
)

// Limits of the layout: the descriptor holds each entry's address as one
// decimal digit, so data addresses (with the out-of-bounds one) stay below
// 10 and the descriptor's L digits fit a block.
const (
	MaxLog    = 6 // the largest log capacity
	MaxBlocks = 8 // the most data blocks
)

// Config is the geometry of a log: Blocks data blocks and a log of Log
// entries.
type Config struct {
	Blocks int
	Log    int
}

// Validate checks the geometry against the layout's limits.
func (c Config) Validate() error {
	if c.Blocks < 1 || c.Blocks > MaxBlocks {
		return fmt.Errorf("wal: data blocks must be between 1 and %d, not %d", MaxBlocks, c.Blocks)
	}
	if c.Log < 1 || c.Log > MaxLog {
		return fmt.Errorf("wal: log capacity must be between 1 and %d, not %d", MaxLog, c.Log)
	}
	if c.DiskBlocks() > disk.MaxBlocks {
		return fmt.Errorf("wal: %d data blocks and a log of %d need %d disk blocks, more than %d", c.Blocks, c.Log, c.DiskBlocks(), disk.MaxBlocks)
	}
	return nil
}

// DiskBlocks returns the number of blocks of the disk below: L+2+N.
func (c Config) DiskBlocks() int { return c.Log + 2 + c.Blocks }

// valueAddr returns the block holding log entry i's value.
func (c Config) valueAddr(i int) disk.Addr { return firstValueAddr + disk.Addr(i) }

// dataAddr returns the block holding data block a.
func (c Config) dataAddr(a disk.Addr) disk.Addr { return disk.Addr(c.Log+2) + a }

// Header is the decoded header block.
type Header struct {
	Committed bool
	Len       int
}

// EncodeHeader encodes h as one block: 10 when committed, plus the
// length, so block 12 reads "committed, 2 entries".
func EncodeHeader(h Header) disk.Block {
	b := disk.Block(h.Len)
	if h.Committed {
		b += 10
	}
	return b
}

// DecodeHeader decodes a header block of a log of capacity l, and reports
// whether b is a header that EncodeHeader writes. An invalid block still
// decodes to a header with a length of at most l.
func DecodeHeader(b disk.Block, l int) (Header, bool) {
	h := Header{Committed: b >= 10, Len: int(b % 10)}
	ok := b < 20 && h.Len <= l
	h.Len = min(h.Len, l)
	return h, ok
}

// Descriptor holds the address of each log entry.
type Descriptor [MaxLog]disk.Addr

// EncodeDescriptor encodes the first l addresses of d as the decimal
// digits of one block, entry 0 first: addresses 1, 0 read as block 10.
func EncodeDescriptor(d *Descriptor, l int) disk.Block {
	var b disk.Block
	for i := 0; i < l; i++ {
		b = b*10 + disk.Block(d[i])
	}
	return b
}

// DecodeDescriptor decodes a descriptor block of a log of capacity l into
// *d, and reports whether b has at most l digits.
func DecodeDescriptor(b disk.Block, l int, d *Descriptor) bool {
	*d = Descriptor{}
	for i := l - 1; i >= 0; i-- {
		d[i] = disk.Addr(b % 10)
		b /= 10
	}
	return b == 0
}

// Variant selects the correct log or a deliberately broken one.
type Variant string

// Variants of the log.
const (
	// Correct is Argosy's write-ahead log.
	Correct Variant = ""
	// ApplyWithoutCommitFlag: commit copies the entries without first
	// writing the committed header.
	ApplyWithoutCommitFlag Variant = "apply-without-commit-flag"
	// RecoveryClearsHeaderFirst: recovery (only it) writes the empty
	// header before copying the entries.
	RecoveryClearsHeaderFirst Variant = "recovery-clears-header-first"
	// ApplyBackwards: apply copies the entries from last to first.
	ApplyBackwards Variant = "apply-backwards"
	// NoRecovery: recovery does nothing.
	NoRecovery Variant = "no-recovery"
)

// Variants lists every variant but the correct one.
var Variants = catalog.Variants{
	{Name: string(ApplyWithoutCommitFlag), About: "commit copies the entries without first writing the committed header"},
	{Name: string(RecoveryClearsHeaderFirst), About: "recovery writes the empty header before copying the entries"},
	{Name: string(ApplyBackwards), About: "apply copies the entries from last to first"},
	{Name: string(NoRecovery), About: "recovery does nothing"},
}

// ParseVariant checks a variant name.
func ParseVariant(name string) (Variant, error) {
	return catalog.Parse[Variant](Variants, "log", name)
}

// Log is the write-ahead log on one disk. It keeps nothing in memory: the
// disk below holds all of its state.
type Log struct {
	d       onedisk.API
	cfg     Config
	variant Variant
}

// Impl returns the implementation of TxnDisk on OneDisk for geometry cfg
// in variant v; cfg must be valid.
func Impl(cfg Config, v Variant) model.Impl[onedisk.API, txndisk.API] {
	return func(d onedisk.API) model.Instance[txndisk.API] {
		l := &Log{d: d, cfg: cfg, variant: v}
		return model.Instance[txndisk.API]{API: l, Recover: l.Recover}
	}
}

func (l *Log) header() Header {
	h, _ := DecodeHeader(l.d.Read(HeaderAddr), l.cfg.Log)
	return h
}

// Write appends entry (a, b) to the log: it writes the header with the new
// length, the descriptor with a at the new entry, then the entry's value.
// It returns false, writing nothing, when the log is full or a is an
// address the descriptor cannot hold.
func (l *Log) Write(a disk.Addr, b disk.Block) bool {
	h := l.header()
	if h.Len >= l.cfg.Log || a > 9 {
		return false
	}
	var desc Descriptor
	DecodeDescriptor(l.d.Read(DescriptorAddr), l.cfg.Log, &desc)
	l.d.Write(HeaderAddr, EncodeHeader(Header{Committed: h.Committed, Len: h.Len + 1}))
	desc[h.Len] = a
	l.d.Write(DescriptorAddr, EncodeDescriptor(&desc, l.cfg.Log))
	l.d.Write(l.cfg.valueAddr(h.Len), b)
	return true
}

// Read reads data block a: the committed value.
func (l *Log) Read(a disk.Addr) disk.Block { return l.d.Read(l.cfg.dataAddr(a)) }

// Size returns the number of data blocks.
func (l *Log) Size() int { return l.d.Size() - l.cfg.Log - 2 }

// Commit writes the header with the committed flag set, then applies the
// log.
func (l *Log) Commit() {
	h := l.header()
	if l.variant == ApplyWithoutCommitFlag {
		l.copyEntries(h.Len)
		l.d.Write(HeaderAddr, EncodeHeader(Header{}))
		return
	}
	l.d.Write(HeaderAddr, EncodeHeader(Header{Committed: true, Len: h.Len}))
	l.apply()
}

// Recover is the recovery procedure: apply.
func (l *Log) Recover() {
	switch l.variant {
	case NoRecovery:
		return
	case RecoveryClearsHeaderFirst:
		h := l.header()
		l.d.Write(HeaderAddr, EncodeHeader(Header{}))
		if h.Committed {
			l.copyEntries(h.Len)
		}
		return
	}
	l.apply()
}

// apply copies a committed log's entries to the data region, then writes
// the empty header. Crashes repeat it from the start, which is harmless:
// the entries are copied again, in the same order.
func (l *Log) apply() {
	if h := l.header(); h.Committed {
		l.copyEntries(h.Len)
	}
	l.d.Write(HeaderAddr, EncodeHeader(Header{}))
}

// copyEntries copies the first n log entries to their data blocks, in
// order (backwards in variant ApplyBackwards).
func (l *Log) copyEntries(n int) {
	var desc Descriptor
	DecodeDescriptor(l.d.Read(DescriptorAddr), l.cfg.Log, &desc)
	for k := 0; k < n; k++ {
		i := k
		if l.variant == ApplyBackwards {
			i = n - 1 - k
		}
		b := l.d.Read(l.cfg.valueAddr(i))
		l.d.Write(l.cfg.dataAddr(desc[i]), b)
	}
}

// Abs returns the abstraction relation of a log with geometry cfg: the
// header is valid and not committed; Old is the data region, and New is
// the data region with the log's entries applied in order (an entry for an
// out-of-bounds address changes nothing).
func Abs(cfg Config) model.Relation[txndisk.State, onedisk.State] {
	return func(c *onedisk.State) (txndisk.State, bool) {
		var t txndisk.State
		h, ok := DecodeHeader(c.Disk[HeaderAddr], cfg.Log)
		if !ok || h.Committed {
			return t, false
		}
		var desc Descriptor
		if !DecodeDescriptor(c.Disk[DescriptorAddr], cfg.Log, &desc) {
			return t, false
		}
		copy(t.Old[:cfg.Blocks], c.Disk[cfg.dataAddr(0):])
		t.New = t.Old
		for i := 0; i < h.Len; i++ {
			if a := desc[i]; int(a) < cfg.Blocks {
				t.New[a] = c.Disk[cfg.valueAddr(i)]
			}
		}
		return t, true
	}
}

// Format renders a disk laid out as a log for a person: the header (c for
// committed, then the length), the descriptor's addresses, the log values
// and the data region, as "[c2 | 1 0 | 1 1 | 0 0]".
func Format(cfg Config, d *disk.Disk) string {
	var b strings.Builder
	h, ok := DecodeHeader(d[HeaderAddr], cfg.Log)
	switch {
	case !ok:
		fmt.Fprintf(&b, "[?%d |", d[HeaderAddr])
	case h.Committed:
		fmt.Fprintf(&b, "[c%d |", h.Len)
	default:
		fmt.Fprintf(&b, "[%d |", h.Len)
	}
	var desc Descriptor
	if DecodeDescriptor(d[DescriptorAddr], cfg.Log, &desc) {
		for i := 0; i < cfg.Log; i++ {
			fmt.Fprintf(&b, " %d", desc[i])
		}
	} else {
		fmt.Fprintf(&b, " ?%d", d[DescriptorAddr])
	}
	b.WriteString(" |")
	for i := 0; i < cfg.Log; i++ {
		fmt.Fprintf(&b, " %d", d[cfg.valueAddr(i)])
	}
	b.WriteString(" |")
	for a := 0; a < cfg.Blocks; a++ {
		fmt.Fprintf(&b, " %d", d[cfg.dataAddr(disk.Addr(a))])
	}
	b.WriteByte(']')
	return b.String()
}
