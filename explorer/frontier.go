package explorer

// nodes is a list of encoded nodes in one flat buffer.
type nodes struct {
	data []byte
	ends []uint32 // end offset of each node in data
}

func (n *nodes) len() int { return len(n.ends) }

func (n *nodes) at(i int) []byte {
	start := uint32(0)
	if i > 0 {
		start = n.ends[i-1]
	}
	return n.data[start:n.ends[i]]
}

func (n *nodes) add(node []byte) {
	n.data = append(n.data, node...)
	n.ends = append(n.ends, uint32(len(n.data)))
}

func (n *nodes) reset() {
	n.data, n.ends = n.data[:0], n.ends[:0]
}

// batch is what one worker found in one batch of the frontier: the
// successors that were, when found, the smallest-edge discovery of a state
// new in this level.
type batch struct {
	nodes nodes
	keys  []uint64 // state key of each node
	edges []uint64 // discovering edge of each node
}

func (b *batch) reset() {
	b.nodes.reset()
	b.keys, b.edges = b.keys[:0], b.edges[:0]
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
