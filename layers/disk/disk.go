// Package disk holds what the disk layers share: blocks, addresses, a
// fixed-size disk value and its canonical encoding.
package disk

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Block is the value of one disk block: small, so that the disk states
// the executor copies before every primitive step stay small.
type Block uint16

// Addr is a block address.
type Addr uint32

// MaxBlocks is the most blocks a disk holds.
const MaxBlocks = 16

// MaxBlock is the largest value of a block.
const MaxBlock = 1<<16 - 1

// Disk is the contents of one disk; blocks at and beyond the configured
// size are always zero.
type Disk [MaxBlocks]Block

// Sizes configures a disk layer: Blocks blocks, client values 0..Values-1,
// and whether the operation alphabet includes one out-of-bounds address.
//
// Values bounds the disk's own operation alphabet (the writes a check of
// the disk itself, or of a layer that implements it, runs) and the values
// an out-of-bounds read may return; it does not bound what a layer built
// on the disk writes: its code may write any Block (a checksum, a header,
// a record packing several fields). A write past Blocks does nothing and
// its step reads "ok" in a path, so give a disk below your layer every
// block the layer uses.
type Sizes struct {
	Blocks int
	Values int
	OOB    bool
}

// Validate checks the sizes against what a disk can hold.
func (s Sizes) Validate() error {
	if s.Blocks < 1 || s.Blocks > MaxBlocks {
		return fmt.Errorf("blocks must be between 1 and %d, not %d", MaxBlocks, s.Blocks)
	}
	if s.Values < 1 || s.Values > 255 {
		return fmt.Errorf("values must be between 1 and 255, not %d", s.Values)
	}
	return nil
}

// Addrs returns the number of addresses in the operation alphabet: the
// in-bounds ones, and one more when OOB is set.
func (s Sizes) Addrs() int {
	if s.OOB {
		return s.Blocks + 1
	}
	return s.Blocks
}

// AppendEncode appends the first n blocks of d to dst, each as its
// uvarint: one byte a block while the values are below 0x80.
func AppendEncode(dst []byte, d *Disk, n int) []byte {
	src := d[:n]
	start := len(dst)
	dst = slices.Grow(dst, n)[:start+n]
	out := dst[start:]
	out = out[:len(src)]
	var all Block // every bit set in some block
	for i, b := range src {
		all |= b
		out[i] = byte(b)
	}
	if all < 0x80 {
		return dst
	}
	dst = dst[:start] // one varint at a time
	for _, b := range src {
		dst = binary.AppendUvarint(dst, uint64(b))
	}
	return dst
}

// errCorrupt reports an encoding that cannot be decoded.
var errCorrupt = errors.New("disk: corrupt block encoding")

// Decode reads n blocks from the front of src into d and returns the bytes
// read.
func Decode(src []byte, d *Disk, n int) (int, error) {
	*d = Disk{}
	off := 0
	for i := 0; i < n; i++ {
		if off < len(src) && src[off] < 0x80 {
			d[i] = Block(src[off])
			off++
			continue
		}
		v, k := binary.Uvarint(src[off:])
		if k <= 0 || v > MaxBlock {
			return 0, errCorrupt
		}
		d[i] = Block(v)
		off += k
	}
	return off, nil
}

// Format renders the first n blocks of d as "[0 1 0]".
func Format(d *Disk, n int) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, v := range d[:n] {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatUint(uint64(v), 10))
	}
	b.WriteByte(']')
	return b.String()
}
