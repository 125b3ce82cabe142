package explorer

import (
	"encoding/binary"
	"fmt"

	"github.com/argocheck/argocheck/statestore"
)

// A level's frontier is held compressed, blockNodes nodes to a block: the
// encodings of neighbouring states share most of their bytes, and a block
// compresses about ten times. The last block, until it fills, is kept as
// it is.
const blockNodes = 256

// frontier is a list of encoded nodes: compressed blocks, then the nodes of
// the last block in tail.
type frontier struct {
	blocks [][]byte
	packed uint64 // bytes of the blocks
	tail   nodes
	block  []byte // scratch of add
}

func (f *frontier) len() int { return len(f.blocks)*blockNodes + f.tail.len() }

// add appends a node.
func (f *frontier) add(node []byte) {
	f.tail.add(node)
	if f.tail.len() == blockNodes {
		f.pack()
	}
}

// pack compresses the tail into a block: lengths of its nodes, then the
// nodes, then compressed.
func (f *frontier) pack() {
	b := f.block[:0]
	start := uint32(0)
	for _, end := range f.tail.ends {
		b = binary.AppendUvarint(b, uint64(end-start))
		start = end
	}
	b = append(b, f.tail.data...)
	f.block = b
	z := statestore.Compress(make([]byte, 0, len(b)/4), b)
	f.blocks = append(f.blocks, z)
	f.packed += uint64(cap(z))
	f.tail.reset()
}

func (f *frontier) reset() {
	f.blocks, f.packed = f.blocks[:0], 0
	f.tail.reset()
}

// bytes returns the memory the frontier holds.
func (f *frontier) bytes() uint64 { return f.packed + f.tail.bytes() + 24*uint64(cap(f.blocks)) }

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
	r.data, err = statestore.Decompress(r.data[:0], r.f.blocks[b])
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
	r.block = b
}

// reading returns a reader of f.
func reading(f *frontier) reader { return reader{f: f, block: -1} }
