package explorer

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"slices"
)

// nodes is a list of encoded nodes in one flat buffer.
type nodes struct {
	data []byte
	ends []uint32 // end offset of each node in data
}

func (n *nodes) len() int { return len(n.ends) }

// start returns the offset of node i in data; of the end for i = len.
func (n *nodes) start(i int) uint32 {
	if i == 0 {
		return 0
	}
	return n.ends[i-1]
}

func (n *nodes) at(i int) []byte { return n.data[n.start(i):n.ends[i]] }

func (n *nodes) add(node []byte) {
	n.data = append(n.data, node...)
	n.ends = append(n.ends, uint32(len(n.data)))
}

func (n *nodes) reset() {
	n.data, n.ends = n.data[:0], n.ends[:0]
}

func (n *nodes) bytes() uint64 { return uint64(cap(n.data)) + 4*uint64(cap(n.ends)) }

// batch is what one worker found in one unit of the frontier: the
// successors that were, when found, the smallest-edge discovery of a state
// new in this level, in the order found (increasing edge). At the barrier
// it is compacted to the entries that stayed smallest.
type batch struct {
	nodes nodes
	keys  []uint64 // state key of each node
	edges []uint64 // discovering edge of each node
	pairs []uint64 // level-table pair of each key, valid while gen is current
	gen   uint32
	// Set at the barrier: the number of the first kept state, from the
	// part's first new state.
	first uint64
	// What the barrier's touches of the sorted file loaded, kept so they
	// are not optimised away.
	touched uint64
	// done says the unit was expanded completely, with transitions and
	// crashes its edges; a unit stopped at a violation is not done, and
	// its counts are its edges up to the violating one.
	done                 bool
	transitions, crashes uint64
}

func (b *batch) reset(gen uint32) {
	b.done = false
	b.nodes.reset()
	b.keys, b.edges, b.pairs = b.keys[:0], b.edges[:0], b.pairs[:0]
	b.gen = gen
}

func (b *batch) bytes() uint64 {
	return b.nodes.bytes() + 8*uint64(cap(b.keys)+cap(b.edges)+cap(b.pairs))
}

// records holds the discovering edge of every state, by state number, in
// fixed-size chunks: no copying on growth, and at most one chunk unused.
// When the search spills (Config.Spill), the records below spilled live in
// a file, and their chunks are given back.
type records struct {
	chunks  [][]uint64
	n       uint64
	file    *os.File // records 0..spilled-1, eight bytes each, little endian
	spilled uint64
	err     error // the first error reading the file
	// Records read from the file: read records first.., read a chunk at
	// a time, as a commit reads a part's records in order.
	read      []uint64
	readFirst uint64
	buf       []byte
}

const chunkBits = 12

func (r *records) len() uint64 { return r.n }

func (r *records) get(i uint64) uint64 {
	if i < r.spilled {
		if i-r.readFirst >= uint64(len(r.read)) && !r.readChunk(i) {
			return 0
		}
		return r.read[i-r.readFirst]
	}
	return r.chunks[i>>chunkBits][i&(1<<chunkBits-1)]
}

// readChunk reads from the file the records of the chunk that holds
// record i, up to the last spilled, and reports whether it could.
func (r *records) readChunk(i uint64) bool {
	first := i &^ (1<<chunkBits - 1)
	n := min(r.spilled-first, 1<<chunkBits)
	r.buf = slices.Grow(r.buf[:0], int(8*n))[:8*n]
	r.read = r.read[:0]
	if _, err := r.file.ReadAt(r.buf, int64(8*first)); err != nil {
		if r.err == nil {
			r.err = fmt.Errorf("reading the parent records: %w", err)
		}
		return false
	}
	for k := range n {
		r.read = append(r.read, binary.LittleEndian.Uint64(r.buf[8*k:]))
	}
	r.readFirst = first
	return true
}

func (r *records) set(i, v uint64) { r.chunks[i>>chunkBits][i&(1<<chunkBits-1)] = v }

// extend makes room for n more records and returns the number of the first.
func (r *records) extend(n uint64) uint64 {
	first := r.n
	r.n += n
	for uint64(len(r.chunks))<<chunkBits < r.n {
		r.chunks = append(r.chunks, make([]uint64, 1<<chunkBits))
	}
	return first
}

// spill appends the records not in the file yet to it, and gives back the
// chunks that hold only records in the file.
func (r *records) spill() error {
	w := bufio.NewWriterSize(io.NewOffsetWriter(r.file, int64(8*r.spilled)), 1<<20)
	var b [8]byte
	for i := r.spilled; i < r.n; i++ {
		binary.LittleEndian.PutUint64(b[:], r.chunks[i>>chunkBits][i&(1<<chunkBits-1)])
		w.Write(b[:])
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("writing the parent records: %w", err)
	}
	r.spilled = r.n
	for c := range r.spilled >> chunkBits {
		r.chunks[c] = nil
	}
	return nil
}

// bytes returns the memory of the chunks held and of the records read.
func (r *records) bytes() uint64 {
	held := uint64(len(r.chunks)) - r.spilled>>chunkBits
	return held<<chunkBits*8 + 8*uint64(cap(r.read)) + uint64(cap(r.buf))
}

// Edge keys pack the discovering state's number and the edge's ordinal in
// its expansion.
const (
	ordinalBits = 24
	maxOrdinal  = 1<<ordinalBits - 1
	maxStates   = 1<<(64-ordinalBits) - 1
	// rootParent marks an initial state; its ordinal is its initial index.
	rootParent = maxStates
)

func edgeKey(parent uint64, ordinal uint32) uint64 {
	return parent<<ordinalBits | uint64(ordinal)
}

func splitEdge(key uint64) (parent uint64, ordinal uint32) {
	return key >> ordinalBits, uint32(key & maxOrdinal)
}
