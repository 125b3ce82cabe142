package explorer

import (
	"encoding/binary"
	"fmt"
	"sort"

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
	// Scratch of add and addAll: raw blocks, the ends of their nodes,
	// and their compressed bytes before they are copied to blocks of
	// their own size.
	raw, z [][]byte
	ends   [][]uint32
	// Scratch of pack and addAll: the nodes blocks are made of (the tail,
	// then the batches with nodes), and the index of each one's first.
	srcs   []*nodes
	firsts []int
}

func (f *frontier) len() int { return len(f.blocks)*blockNodes + f.tail.len() }

// add appends a node.
func (f *frontier) add(node []byte) {
	f.tail.add(node)
	if f.tail.len() == blockNodes {
		f.pack()
	}
}

// addAll appends the nodes of batches, in order, and fills and
// compresses the blocks they complete side by side, up to sideBySide at
// a time: each(n, do) calls do(i) for every i < n, on as many goroutines
// as it likes. Block k of a call holds nodes k*blockNodes to
// (k+1)*blockNodes-1 of the tail's nodes followed by the batches', as
// add would have made it; the nodes past the last full block are the new
// tail.
func (f *frontier) addAll(batches []*batch, each spread) {
	f.srcs = append(f.srcs[:0], &f.tail)
	f.firsts = append(f.firsts[:0], 0)
	total := f.tail.len()
	for _, b := range batches {
		if b.nodes.len() > 0 {
			f.srcs, f.firsts = append(f.srcs, &b.nodes), append(f.firsts, total)
			total += b.nodes.len()
		}
	}
	full := total / blockNodes
	for c := 0; c < full; c += sideBySide {
		n := min(sideBySide, full-c)
		f.slots(n)
		first := len(f.blocks)
		f.blocks = append(f.blocks, make([][]byte, n)...)
		each(n, func(i int) {
			f.fillFrom(i, (c+i)*blockNodes)
			f.blocks[first+i] = f.compress(i)
		})
		for _, z := range f.blocks[first:] {
			f.packed += uint64(cap(z))
		}
	}
	// The rest: all in batches when a block was filled (the tail's nodes
	// went into the first), else the tail's and the batches'.
	s, j := f.locate(full * blockNodes)
	if full > 0 {
		f.tail.reset()
	} else {
		s, j = 1, 0
	}
	for ; s < len(f.srcs); s, j = s+1, 0 {
		for ; j < f.srcs[s].len(); j++ {
			f.tail.add(f.srcs[s].at(j))
		}
	}
}

// locate returns the source of the sources' node i and its index there; past
// the last node, the number of sources.
func (f *frontier) locate(i int) (src, j int) {
	src = sort.SearchInts(f.firsts, i+1) - 1
	if src < len(f.srcs) && i-f.firsts[src] >= f.srcs[src].len() {
		return len(f.srcs), 0
	}
	return src, i - f.firsts[src]
}

// fillFrom makes raw block i of the sources' nodes from node first on:
// the lengths of its nodes, then the nodes, copied a source's run of them
// at a time, each XORed with the one before it.
func (f *frontier) fillFrom(i, first int) {
	b, ends := f.raw[i][:0], f.ends[i][:0]
	s0, j0 := f.locate(first)
	end := uint32(0)
	for s, j, left := s0, j0, blockNodes; left > 0; s, j = s+1, 0 {
		src := f.srcs[s]
		prev := src.start(j)
		for _, e := range src.ends[j:min(j+left, src.len())] {
			b = binary.AppendUvarint(b, uint64(e-prev))
			end += e - prev
			ends = append(ends, end)
			prev = e
			left--
		}
	}
	off := len(b)
	for s, j, left := s0, j0, blockNodes; left > 0; s, j = s+1, 0 {
		src := f.srcs[s]
		k := min(j+left, src.len())
		b = append(b, src.data[src.start(j):src.start(k)]...)
		left -= k - j
	}
	for k := blockNodes - 1; k > 0; k-- {
		xorPrevious(b[off:], ends, k)
	}
	f.raw[i], f.ends[i] = b, ends
}

// sideBySide is the most blocks addAll holds raw, to compress side by
// side: enough for every worker to take several. Tests lower it.
var sideBySide = 64

// pack compresses the tail into a block.
func (f *frontier) pack() {
	f.srcs, f.firsts = append(f.srcs[:0], &f.tail), append(f.firsts[:0], 0)
	f.slots(1)
	f.fillFrom(0, 0)
	f.tail.reset()
	z := f.compress(0)
	f.blocks = append(f.blocks, z)
	f.packed += uint64(cap(z))
}

// slots makes room for n raw blocks.
func (f *frontier) slots(n int) {
	for len(f.raw) < n {
		f.raw, f.z, f.ends = append(f.raw, nil), append(f.z, nil), append(f.ends, nil)
	}
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
		b += uint64(cap(f.raw[i]) + cap(f.z[i]) + 4*cap(f.ends[i]))
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
