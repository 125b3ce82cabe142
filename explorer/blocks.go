package explorer

import (
	"encoding/binary"
	"fmt"

	"github.com/klauspost/compress/s2"
)

// A level's frontier is held compressed, blockNodes nodes to a block: the
// encodings of neighbouring states share most of their bytes. Each
// encoding but the first is held as its XOR with the one before it, over
// the bytes both have (see xorPrevious), which turns what they share into
// zeros, then compressed with S2: a block shrinks about five times, for
// about half the processor time zstd takes to shrink it twelve times. The
// last block, until it fills, is kept as it is.
const blockNodes = 256

// frontier is a list of encoded nodes: compressed blocks, then the nodes of
// the last block in tail.
type frontier struct {
	blocks [][]byte
	packed uint64 // bytes of the blocks
	tail   nodes
	// Scratch of add and addAll: raw blocks, and their compressed bytes
	// before they are copied to blocks of their own size.
	raw, z [][]byte
}

func (f *frontier) len() int { return len(f.blocks)*blockNodes + f.tail.len() }

// add appends a node.
func (f *frontier) add(node []byte) {
	f.tail.add(node)
	if f.tail.len() == blockNodes {
		f.pack()
	}
}

// addAll appends the nodes of batches, in order, and compresses the blocks
// they fill side by side, up to sideBySide at a time: each(n, do) calls
// do(i) for every i < n, on as many goroutines as it likes.
func (f *frontier) addAll(batches []*batch, each func(n int, do func(i int))) {
	k := 0
	flush := func() {
		first := len(f.blocks)
		f.blocks = append(f.blocks, make([][]byte, k)...)
		each(k, func(i int) { f.blocks[first+i] = f.compress(i) })
		for _, z := range f.blocks[first:] {
			f.packed += uint64(cap(z))
		}
		k = 0
	}
	for _, b := range batches {
		for j := range b.nodes.len() {
			f.tail.add(b.nodes.at(j))
			if f.tail.len() == blockNodes {
				f.fill(k)
				if k++; k == sideBySide {
					flush()
				}
			}
		}
	}
	flush()
}

// sideBySide is the most blocks addAll holds raw, to compress side by
// side: enough for every worker to take several. Tests lower it.
var sideBySide = 64

// pack compresses the tail into a block.
func (f *frontier) pack() {
	f.fill(0)
	z := f.compress(0)
	f.blocks = append(f.blocks, z)
	f.packed += uint64(cap(z))
}

// fill moves the tail into raw block i: the lengths of its nodes, then the
// nodes, each XORed with the one before it.
func (f *frontier) fill(i int) {
	for len(f.raw) <= i {
		f.raw, f.z = append(f.raw, nil), append(f.z, nil)
	}
	b := f.raw[i][:0]
	start := uint32(0)
	for _, end := range f.tail.ends {
		b = binary.AppendUvarint(b, uint64(end-start))
		start = end
	}
	off := len(b)
	b = append(b, f.tail.data...)
	for j := f.tail.len() - 1; j > 0; j-- {
		xorPrevious(b[off:], f.tail.ends, j)
	}
	f.raw[i] = b
	f.tail.reset()
}

// compress returns raw block i compressed, in a slice of its own size.
func (f *frontier) compress(i int) []byte {
	f.z[i] = s2.Encode(f.z[i][:cap(f.z[i])], f.raw[i])
	return append(make([]byte, 0, len(f.z[i])), f.z[i]...)
}

func (f *frontier) reset() {
	f.blocks, f.packed = f.blocks[:0], 0
	f.tail.reset()
}

// bytes returns the memory the frontier holds.
func (f *frontier) bytes() uint64 {
	b := f.packed + f.tail.bytes() + 24*uint64(cap(f.blocks))
	for i := range f.raw {
		b += uint64(cap(f.raw[i]) + cap(f.z[i]))
	}
	return b
}

// reader reads a frontier's nodes by index, one block at a time: each
// worker has its own.
type reader struct {
	f     *frontier
	block int // the block in data, or -1
	data  []byte
	nodes nodes
}

// at returns node i, valid until the next call.
func (r *reader) at(i int) []byte {
	f := r.f
	b := i / blockNodes
	if b == len(f.blocks) {
		return f.tail.at(i - b*blockNodes)
	}
	if b != r.block || r.f == nil {
		r.unpack(b)
	}
	return r.nodes.at(i - b*blockNodes)
}

// unpack decompresses block b.
func (r *reader) unpack(b int) {
	var err error
	r.data, err = s2.Decode(r.data[:cap(r.data)], r.f.blocks[b])
	if err != nil {
		panic(fmt.Sprintf("explorer: a frontier block does not decompress: %v", err))
	}
	n := blockNodes
	lens := r.data
	r.nodes.ends = r.nodes.ends[:0]
	end, off := uint32(0), 0
	for range n {
		l, k := binary.Uvarint(lens[off:])
		off += k
		end += uint32(l)
		r.nodes.ends = append(r.nodes.ends, end)
	}
	r.nodes.data = r.data[off:]
	for i := 1; i < n; i++ {
		xorPrevious(r.nodes.data, r.nodes.ends, i)
	}
	r.block = b
}

// xorPrevious XORs node i of data, whose nodes end at ends, with node i-1
// over the bytes both have. Applied from the last node to the second it
// makes the XORs with the nodes as they were; applied from the second to
// the last it undoes that.
func xorPrevious(data []byte, ends []uint32, i int) {
	prevStart := uint32(0)
	if i > 1 {
		prevStart = ends[i-2]
	}
	start := ends[i-1]
	n := min(ends[i]-start, start-prevStart)
	x, y := data[start:start+n], data[prevStart:prevStart+n]
	for len(x) >= 8 {
		binary.LittleEndian.PutUint64(x, binary.LittleEndian.Uint64(x)^binary.LittleEndian.Uint64(y))
		x, y = x[8:], y[8:]
	}
	for j := range x {
		x[j] ^= y[j]
	}
}

// reading returns a reader of f.
func reading(f *frontier) reader { return reader{f: f, block: -1} }
