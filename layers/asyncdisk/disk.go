package asyncdisk

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/model"
)

// MaxMay is the most values one block's may-set holds: its current value
// and at most MaxMay-1 others written since the last flush. A write that
// would add one more panics naming this limit (see Disk.Write).
const MaxMay = 8

// pending is a block's may-set less its current value: at most MaxMay-1
// distinct values in increasing order, the unused slots zero, so that two
// equal sets are equal values.
type pending struct {
	n uint8
	v [MaxMay - 1]disk.Block
}

// has reports whether b is in p.
func (p *pending) has(b disk.Block) bool {
	for _, x := range p.v[:p.n] {
		if x == b {
			return true
		}
	}
	return false
}

// add inserts b into p, keeping the order; it reports false, changing
// nothing, when p is full.
func (p *pending) add(b disk.Block) bool {
	i := 0
	for i < int(p.n) && p.v[i] < b {
		i++
	}
	if i < int(p.n) && p.v[i] == b {
		return true
	}
	if int(p.n) == len(p.v) {
		return false
	}
	copy(p.v[i+1:p.n+1], p.v[i:p.n])
	p.v[i] = b
	p.n++
	return true
}

// remove deletes b from p if it is there.
func (p *pending) remove(b disk.Block) {
	for i := 0; i < int(p.n); i++ {
		if p.v[i] == b {
			copy(p.v[i:p.n], p.v[i+1:p.n])
			p.n--
			p.v[p.n] = 0
			return
		}
	}
}

// Disk is the contents of one disk with a write cache: for every block its
// current value, which reads return, and the values a crash may leave in
// it. The zero Disk is the initial one: every block 0, and a crash can
// leave nothing else. Blocks at and beyond the configured size stay zero.
type Disk struct {
	// Cur holds each block's current value.
	Cur disk.Disk
	// pend holds, for each block, the other values of its may-set.
	pend [disk.MaxBlocks]pending
}

// May returns the may-set of block a in increasing order: the values a
// crash may leave in it, its current value among them.
func (d *Disk) May(a disk.Addr) []disk.Block {
	p := &d.pend[a]
	out := make([]disk.Block, 0, p.n+1)
	cur, placed := d.Cur[a], false
	for _, x := range p.v[:p.n] {
		if !placed && cur < x {
			out, placed = append(out, cur), true
		}
		out = append(out, x)
	}
	if !placed {
		out = append(out, cur)
	}
	return out
}

// Durable reports whether block a's may-set is its current value alone:
// a crash leaves the block as it reads.
func (d *Disk) Durable(a disk.Addr) bool { return d.pend[a].n == 0 }

// MayLen returns the size of block a's may-set.
func (d *Disk) MayLen(a disk.Addr) int { return int(d.pend[a].n) + 1 }

// Write sets block a to b: b becomes its current value and joins its
// may-set. It panics when the may-set would hold more than MaxMay values.
func (d *Disk) Write(a disk.Addr, b disk.Block) {
	cur := d.Cur[a]
	if cur == b {
		return
	}
	p := &d.pend[a]
	switch {
	case p.has(b):
		p.remove(b)
	case int(p.n) == len(p.v):
		panic(fmt.Sprintf("asyncdisk: block %d would hold more than MaxMay = %d values a crash may leave: %v and %d (flush more often, or raise MaxMay)", a, MaxMay, d.May(a), b))
	}
	p.add(cur)
	d.Cur[a] = b
}

// Flush makes every block durable: its may-set becomes its current value.
func (d *Disk) Flush() { d.pend = [disk.MaxBlocks]pending{} }

// Crash lets every one of the first n blocks independently take any value
// of its may-set, asking c which (alternative 0 keeps the current value,
// the others are the rest of the set in increasing order); the block is
// then durable.
func (d *Disk) Crash(n int, c model.Chooser) {
	for a := 0; a < n; a++ {
		p := &d.pend[a]
		if p.n == 0 {
			continue
		}
		if i := c.Choose(int(p.n) + 1); i > 0 {
			d.Cur[a] = p.v[i-1]
		}
		*p = pending{}
	}
}

// Union adds to d's may-sets the values of e's, block by block; both must
// have the same current values. It reports false, leaving d partly
// updated, when a set would exceed MaxMay.
func (d *Disk) Union(e *Disk) bool {
	for a := range d.pend {
		q := &e.pend[a]
		for _, x := range q.v[:q.n] {
			if x != d.Cur[a] && !d.pend[a].add(x) {
				return false
			}
		}
	}
	return true
}

// AppendEncode appends the first n blocks of d: each block's current value,
// the number of other values in its may-set and those values in increasing
// order.
func AppendEncode(dst []byte, d *Disk, n int) []byte {
	for a := 0; a < n; a++ {
		dst = binary.AppendUvarint(dst, uint64(d.Cur[a]))
		p := &d.pend[a]
		dst = append(dst, p.n)
		for _, x := range p.v[:p.n] {
			dst = binary.AppendUvarint(dst, uint64(x))
		}
	}
	return dst
}

var errCorrupt = errors.New("asyncdisk: corrupt disk encoding")

// Decode reads n blocks written by AppendEncode from the front of src into
// *d and returns the bytes read. It refuses an encoding AppendEncode does
// not write (a may-set out of order, too large, or repeating the current
// value), so that decoding is canonical.
func Decode(src []byte, d *Disk, n int) (int, error) {
	*d = Disk{}
	off := 0
	var buf [binary.MaxVarintLen64]byte
	uvarint := func() (disk.Block, bool) {
		v, k := binary.Uvarint(src[off:])
		// Only the shortest encoding of a value is canonical.
		if k <= 0 || v > disk.MaxBlock || binary.PutUvarint(buf[:], v) != k {
			return 0, false
		}
		off += k
		return disk.Block(v), true
	}
	for a := 0; a < n; a++ {
		cur, ok := uvarint()
		if !ok || off >= len(src) || int(src[off]) >= MaxMay {
			return 0, errCorrupt
		}
		d.Cur[a] = cur
		p := &d.pend[a]
		p.n = src[off]
		off++
		for i := 0; i < int(p.n); i++ {
			x, ok := uvarint()
			if !ok || x == cur || (i > 0 && x <= p.v[i-1]) {
				return 0, errCorrupt
			}
			p.v[i] = x
		}
	}
	return off, nil
}

// FormatBlock renders block a of d with show: its current value, and when
// a crash may leave another value, the whole may-set in braces, as
// "1{0,1}".
func FormatBlock(d *Disk, a disk.Addr, show func(disk.Block) string) string {
	s := show(d.Cur[a])
	if d.Durable(a) {
		return s
	}
	var b strings.Builder
	b.WriteString(s)
	b.WriteByte('{')
	for i, x := range d.May(a) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(show(x))
	}
	b.WriteByte('}')
	return b.String()
}

// Decimal renders a block as a decimal number.
func Decimal(b disk.Block) string { return strconv.FormatUint(uint64(b), 10) }

// Format renders the first n blocks of d as "[0 1{0,1} 0]": block 1 reads
// 1, and a crash may leave 0 or 1 in it.
func Format(d *Disk, n int) string {
	var b strings.Builder
	b.WriteByte('[')
	for a := 0; a < n; a++ {
		if a > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(FormatBlock(d, disk.Addr(a), Decimal))
	}
	b.WriteByte(']')
	return b.String()
}
