// Package wal implements the TxnDisk layer on the OneDisk layer with a
// write-ahead log: the upper layer of the built-in stack (log/repdisk).
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
//
// The same code runs on a disk with a write cache (AsyncImpl, on
// AsyncDisk), where a write is durable only after a flush and writes to
// different blocks reach the medium in any order. There the log flushes
// four times: in commit, before writing the committed header (the entries
// and descriptor must be durable before the mark that makes recovery apply
// them) and after it (the mark must be durable before any data block
// changes); in apply, after copying the entries (the data must be durable
// before the log is dropped) and after writing the empty header (the
// empty header must be durable before the next transaction overwrites the
// entries). A write does not flush: an uncommitted write need not survive
// a crash. On the synchronous disk the flushes do nothing.
package wal

import (
	"fmt"
	"strings"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/layers/asyncdisk"
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
	MaxLog    = 4 // the largest log capacity: the descriptor, 4 digits, fits a block
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
	// Correct is the write-ahead log described above.
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

	// Variants of the log on a disk with a write cache only: one flush
	// removed, or all four.

	// NoFlushBeforeCommit: commit writes the committed header without
	// first flushing the entries and descriptor.
	NoFlushBeforeCommit Variant = "no-flush-before-commit"
	// NoFlushAfterCommit: commit applies the log without first flushing
	// the committed header.
	NoFlushAfterCommit Variant = "no-flush-after-commit"
	// NoFlushBeforeClear: apply writes the empty header without first
	// flushing the copied data.
	NoFlushBeforeClear Variant = "no-flush-before-clear"
	// NoFlushAfterClear: apply does not flush the empty header.
	NoFlushAfterClear Variant = "no-flush-after-clear"
	// NoFlush: the log never flushes.
	NoFlush Variant = "no-flush"
)

// Variants lists every variant but the correct one.
var Variants = catalog.Variants{
	{Name: string(ApplyWithoutCommitFlag), About: "commit copies the entries without first writing the committed header"},
	{Name: string(RecoveryClearsHeaderFirst), About: "recovery writes the empty header before copying the entries"},
	{Name: string(ApplyBackwards), About: "apply copies the entries from last to first"},
	{Name: string(NoRecovery), About: "recovery does nothing"},
}

// AsyncVariants lists every variant of the log on a disk with a write
// cache but the correct one.
var AsyncVariants = catalog.Variants{
	{Name: string(NoFlushBeforeCommit), About: "commit writes the committed header without first flushing the entries"},
	{Name: string(NoFlushAfterCommit), About: "commit copies the entries without first flushing the committed header"},
	{Name: string(NoFlushBeforeClear), About: "apply writes the empty header without first flushing the copied data"},
	{Name: string(NoFlushAfterClear), About: "apply does not flush the empty header"},
	{Name: string(NoFlush), About: "the log never flushes"},
}

// ParseVariant checks a variant name of the log on OneDisk.
func ParseVariant(name string) (Variant, error) {
	return catalog.Parse[Variant](Variants, "log", name)
}

// ParseAsyncVariant checks a variant name of the log on AsyncDisk.
func ParseAsyncVariant(name string) (Variant, error) {
	return catalog.Parse[Variant](AsyncVariants, "log", name)
}

// flushPoint names one of the log's four flushes.
type flushPoint uint8

// The flushes, in the order a commit runs them.
const (
	beforeCommit flushPoint = iota
	afterCommit
	beforeClear
	afterClear
)

// Log is the write-ahead log on one disk. It keeps nothing in memory: the
// disk below holds all of its state.
type Log struct {
	d       asyncdisk.API
	cfg     Config
	variant Variant
	// skip marks the flushes variant leaves out.
	skip [4]bool
}

// Impl returns the implementation of TxnDisk on OneDisk for geometry cfg
// in variant v; cfg must be valid.
func Impl(cfg Config, v Variant) model.Impl[onedisk.API, txndisk.API] {
	return func(d onedisk.API) model.Instance[txndisk.API] {
		l := &Log{d: synchronous{d}, cfg: cfg, variant: v}
		return model.Instance[txndisk.API]{API: l, Recover: l.Recover}
	}
}

// AsyncImpl returns the implementation of TxnDisk on AsyncDisk for
// geometry cfg in variant v; cfg must be valid.
func AsyncImpl(cfg Config, v Variant) model.Impl[asyncdisk.API, txndisk.API] {
	return func(d asyncdisk.API) model.Instance[txndisk.API] {
		l := &Log{d: d, cfg: cfg, variant: v}
		switch v {
		case NoFlushBeforeCommit:
			l.skip[beforeCommit] = true
		case NoFlushAfterCommit:
			l.skip[afterCommit] = true
		case NoFlushBeforeClear:
			l.skip[beforeClear] = true
		case NoFlushAfterClear:
			l.skip[afterClear] = true
		case NoFlush:
			l.skip = [4]bool{true, true, true, true}
		}
		return model.Instance[txndisk.API]{API: l, Recover: l.Recover}
	}
}

// synchronous is OneDisk as a disk whose flush does nothing: every write
// is durable when it returns.
type synchronous struct{ onedisk.API }

func (synchronous) Flush() {}

// flush flushes the disk at point p, unless the variant leaves it out.
func (l *Log) flush(p flushPoint) {
	if !l.skip[p] {
		l.d.Flush()
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
// log; on a disk with a write cache it flushes before and after writing
// the header.
func (l *Log) Commit() {
	h := l.header()
	if l.variant == ApplyWithoutCommitFlag {
		l.copyEntries(h.Len)
		l.d.Write(HeaderAddr, EncodeHeader(Header{}))
		return
	}
	l.flush(beforeCommit)
	l.d.Write(HeaderAddr, EncodeHeader(Header{Committed: true, Len: h.Len}))
	l.flush(afterCommit)
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

// apply copies a committed log's entries to the data region (and flushes
// them), then writes the empty header (and flushes it). Crashes repeat it
// from the start, which is harmless: the entries are copied again, in the
// same order.
func (l *Log) apply() {
	if h := l.header(); h.Committed {
		l.copyEntries(h.Len)
		l.flush(beforeClear)
	}
	l.d.Write(HeaderAddr, EncodeHeader(Header{}))
	l.flush(afterClear)
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
	return func(c *onedisk.State) (txndisk.State, bool) { return abs(cfg, &c.Disk) }
}

// AsyncAbs returns the abstraction relation of a log with geometry cfg on
// a disk with a write cache: Abs's, on the blocks' current values. What a
// crash may leave is the crash relation's business, which the checks of
// crashes judge.
func AsyncAbs(cfg Config) model.Relation[txndisk.State, asyncdisk.State] {
	return func(c *asyncdisk.State) (txndisk.State, bool) { return abs(cfg, &c.Disk.Cur) }
}

func abs(cfg Config, d *disk.Disk) (txndisk.State, bool) {
	var t txndisk.State
	h, ok := DecodeHeader(d[HeaderAddr], cfg.Log)
	if !ok || h.Committed {
		return t, false
	}
	var desc Descriptor
	if !DecodeDescriptor(d[DescriptorAddr], cfg.Log, &desc) {
		return t, false
	}
	copy(t.Old[:cfg.Blocks], d[cfg.dataAddr(0):])
	t.New = t.Old
	for i := 0; i < h.Len; i++ {
		if a := desc[i]; int(a) < cfg.Blocks {
			t.New[a] = d[cfg.valueAddr(i)]
		}
	}
	return t, true
}

// Format renders a disk laid out as a log for a person: the header (c for
// committed, then the length), the descriptor's addresses, the log values
// and the data region, as "[c2 | 1 0 | 1 1 | 0 0]".
func Format(cfg Config, d *disk.Disk) string {
	return format(cfg, d, func(disk.Addr) []disk.Block { return nil })
}

// FormatAsync renders a disk with a write cache laid out as a log, as
// Format does, each block followed, when a crash may leave another value
// in it, by its may-set in braces in the block's own notation: "[c2{2,c2}
// | 1 0{00,10} | ...]" is a committed header that a crash may leave
// uncommitted, and a descriptor that a crash may leave with addresses 0, 0.
func FormatAsync(cfg Config, d *asyncdisk.Disk) string {
	return format(cfg, &d.Cur, func(a disk.Addr) []disk.Block {
		if d.Durable(a) {
			return nil
		}
		return d.May(a)
	})
}

// format renders cur laid out as a log, with may(a) after block a when it
// is not nil.
func format(cfg Config, cur *disk.Disk, may func(disk.Addr) []disk.Block) string {
	var b strings.Builder
	// block writes the cell text of block a, then its may-set.
	block := func(a disk.Addr, text string, show func(disk.Block) string) {
		b.WriteString(text)
		if m := may(a); m != nil {
			b.WriteByte('{')
			for i, x := range m {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(show(x))
			}
			b.WriteByte('}')
		}
	}
	header := func(x disk.Block) string { return formatHeader(cfg, x) }
	descriptor := func(x disk.Block) string { return formatDescriptor(cfg, x) }
	b.WriteByte('[')
	block(HeaderAddr, header(cur[HeaderAddr]), header)
	b.WriteString(" |")
	// The descriptor is one cell per address; its may-set, of whole
	// descriptors written as their digits, follows the last one.
	var desc Descriptor
	if DecodeDescriptor(cur[DescriptorAddr], cfg.Log, &desc) {
		for i := 0; i < cfg.Log-1; i++ {
			fmt.Fprintf(&b, " %d", desc[i])
		}
		b.WriteByte(' ')
		block(DescriptorAddr, fmt.Sprint(desc[cfg.Log-1]), descriptor)
	} else {
		b.WriteByte(' ')
		block(DescriptorAddr, descriptor(cur[DescriptorAddr]), descriptor)
	}
	b.WriteString(" |")
	for i := 0; i < cfg.Log; i++ {
		a := cfg.valueAddr(i)
		b.WriteByte(' ')
		block(a, asyncdisk.Decimal(cur[a]), asyncdisk.Decimal)
	}
	b.WriteString(" |")
	for i := 0; i < cfg.Blocks; i++ {
		a := cfg.dataAddr(disk.Addr(i))
		b.WriteByte(' ')
		block(a, asyncdisk.Decimal(cur[a]), asyncdisk.Decimal)
	}
	b.WriteByte(']')
	return b.String()
}

// formatHeader renders a header block: "c2" committed with 2 entries, "2"
// not committed, "?7" not a header.
func formatHeader(cfg Config, x disk.Block) string {
	h, ok := DecodeHeader(x, cfg.Log)
	switch {
	case !ok:
		return fmt.Sprintf("?%d", x)
	case h.Committed:
		return fmt.Sprintf("c%d", h.Len)
	}
	return fmt.Sprint(h.Len)
}

// formatDescriptor renders a descriptor block as its digits, "10" for
// addresses 1, 0, or "?100" when it is not a descriptor.
func formatDescriptor(cfg Config, x disk.Block) string {
	var desc Descriptor
	if !DecodeDescriptor(x, cfg.Log, &desc) {
		return fmt.Sprintf("?%d", x)
	}
	var b strings.Builder
	for i := 0; i < cfg.Log; i++ {
		fmt.Fprintf(&b, "%d", desc[i])
	}
	return b.String()
}
