package shard

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// Objects are binary: a four-byte kind, a format version, the fields as
// fixed 64-bit words or unsigned varints, and a CRC-32C of everything
// before it. A reader refuses an object of another kind or version, or
// one whose checksum does not match.

// formatVersion is the version of the objects' layout and of the keys in
// them. Version 2 keys states by their XXH3 fingerprint
// (statestore.Fingerprint) instead of xxhash64; 3 names the process that
// wrote a marker in it and in its candidates objects' names.
const formatVersion = 3

// Object kinds.
const (
	kindFrontier   = "ASFR"
	kindCandidates = "ASCA"
	kindMarker     = "ASMK"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// encoder appends an object's fields to a buffer.
type encoder struct{ b []byte }

// begin starts an object of the given kind in buf, reusing its memory.
func begin(buf []byte, kind string) encoder {
	e := encoder{b: append(buf[:0], kind...)}
	e.uvarint(formatVersion)
	return e
}

func (e *encoder) word(v uint64)    { e.b = binary.LittleEndian.AppendUint64(e.b, v) }
func (e *encoder) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }

func (e *encoder) bytes(p []byte) {
	e.uvarint(uint64(len(p)))
	e.b = append(e.b, p...)
}

func (e *encoder) string(s string) {
	e.uvarint(uint64(len(s)))
	e.b = append(e.b, s...)
}

// sorted appends an ascending list as its length, first value and deltas.
func (e *encoder) sorted(l []uint64) {
	e.uvarint(uint64(len(l)))
	prev := uint64(0)
	for _, v := range l {
		e.uvarint(v - prev)
		prev = v
	}
}

// seal appends the checksum and returns the object.
func (e *encoder) seal() []byte {
	return binary.LittleEndian.AppendUint32(e.b, crc32.Checksum(e.b, castagnoli))
}

// decoder reads an object's fields; the first malformed field sets err,
// and every read after it returns zero.
type decoder struct {
	b   []byte
	err error
}

// open checks data's kind, version and checksum and returns a decoder of
// its fields.
func open(data []byte, kind string) (*decoder, error) {
	if len(data) < len(kind)+4 || string(data[:len(kind)]) != kind {
		return nil, fmt.Errorf("not an object of kind %s", kind)
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return nil, errors.New("checksum mismatch: the object is corrupt")
	}
	d := &decoder{b: body[len(kind):]}
	if v := d.uvarint(); d.err == nil && v != formatVersion {
		return nil, fmt.Errorf("format version %d, not %d", v, formatVersion)
	}
	return d, d.err
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("malformed object: %s", what)
	}
	d.b = nil
}

func (d *decoder) word() uint64 {
	if len(d.b) < 8 {
		d.fail("short word")
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a length that must leave at least min bytes per element.
func (d *decoder) count(min int) int {
	n := d.uvarint()
	if n > uint64(len(d.b)/max(min, 1)) {
		d.fail("length past the end")
		return 0
	}
	return int(n)
}

// bytes returns the next length-prefixed field, sharing d's memory.
func (d *decoder) bytes() []byte {
	n := d.count(1)
	p := d.b[:n:n]
	d.b = d.b[n:]
	return p
}

func (d *decoder) string() string { return string(d.bytes()) }

func (d *decoder) sorted() []uint64 {
	n := d.count(1)
	l := make([]uint64, n)
	prev := uint64(0)
	for i := range l {
		prev += d.uvarint()
		l[i] = prev
	}
	return l
}

// end reports a malformed object, or bytes left over.
func (d *decoder) end() error {
	if d.err == nil && len(d.b) > 0 {
		d.fail("bytes past the last field")
	}
	return d.err
}
