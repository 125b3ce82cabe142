package shard

import (
	"fmt"
	"time"

	"github.com/argocheck/argocheck/model"
)

// Names of a run's objects under its bucket.
const manifestKey = "manifest.json"

func levelPrefix(depth int) string { return fmt.Sprintf("level-%06d/", depth) }

func frontierKey(depth, shard int) string {
	return fmt.Sprintf("%sfrontier-%d", levelPrefix(depth), shard)
}

// candidatesKey names the candidates of level depth that the process
// writer of shard from found for shard to: two processes of one shard (a
// shard started again while it still ran) write objects of their own,
// and a marker names its writer's.
func candidatesKey(depth, from, to int, writer uint64) string {
	return fmt.Sprintf("%sto-%d/from-%d-%016x", levelPrefix(depth), to, from, writer)
}

func markerPrefix(depth int) string { return levelPrefix(depth) + "done-" }

func markerKey(depth, shard int) string { return fmt.Sprintf("%s%d", markerPrefix(depth), shard) }

// nodes is a list of encoded nodes in one flat buffer.
type nodes struct {
	data []byte
	ends []int // end offset of each node in data
}

func (n *nodes) len() int { return len(n.ends) }

func (n *nodes) at(i int) []byte {
	start := 0
	if i > 0 {
		start = n.ends[i-1]
	}
	return n.data[start:n.ends[i]]
}

func (n *nodes) add(node []byte) {
	n.data = append(n.data, node...)
	n.ends = append(n.ends, len(n.data))
}

func (n *nodes) reset() { n.data, n.ends = n.data[:0], n.ends[:0] }

func (n *nodes) bytes() uint64 { return uint64(cap(n.data)) + 8*uint64(cap(n.ends)) }

// counts are the edges followed while expanding, and the crash edges
// among them.
type counts struct{ transitions, crashes uint64 }

func (c *counts) add(o counts) {
	c.transitions += o.transitions
	c.crashes += o.crashes
}

// frontier is one shard's committed frontier at a depth: the states of
// that depth it owns, in the order of their discovering edges, with what
// it needs to go on from there after a restart.
type frontier struct {
	depth int
	// base is the number of the states of the lower depths: the number
	// of the depth's first state.
	base uint64
	// total counts the whole search's edges, own this shard's, over the
	// levels before depth.
	total, own counts
	// elapsed is this shard's search time up to the commit.
	elapsed time.Duration
	keys    []uint64
	edges   []uint64 // discovering edge keys, ascending
	nodes   nodes
}

func (f *frontier) encode(buf []byte) []byte {
	e := begin(buf, kindFrontier)
	e.uvarint(uint64(f.depth))
	e.uvarint(f.base)
	e.uvarint(f.total.transitions)
	e.uvarint(f.total.crashes)
	e.uvarint(f.own.transitions)
	e.uvarint(f.own.crashes)
	e.uvarint(uint64(f.elapsed))
	e.sorted(f.edges)
	for i, k := range f.keys {
		e.word(k)
		e.bytes(f.nodes.at(i))
	}
	return e.seal()
}

func decodeFrontier(data []byte) (*frontier, error) {
	d, err := open(data, kindFrontier)
	if err != nil {
		return nil, err
	}
	f := &frontier{depth: int(d.uvarint()), base: d.uvarint()}
	f.total = counts{d.uvarint(), d.uvarint()}
	f.own = counts{d.uvarint(), d.uvarint()}
	f.elapsed = time.Duration(d.uvarint())
	f.edges = d.sorted()
	f.keys = make([]uint64, 0, len(f.edges))
	for range f.edges {
		f.keys = append(f.keys, d.word())
		f.nodes.add(d.bytes())
	}
	return f, d.end()
}

// candidates are the successors that one shard's expansion of a level
// found for another shard: each state's key, a discovering edge (its
// parent's index in the sender's frontier << 24 | the edge's ordinal) and
// its encoding. A key may come more than once, from several of the
// sender's workers; the receiver keeps its smallest edge.
type candidates struct {
	keys, edges []uint64
	nodes       [][]byte // sharing the object's memory
}

// encodeCandidates writes the candidates of the boxes as those of level
// depth from process writer of shard from to shard to.
func encodeCandidates(buf []byte, depth, from, to int, writer uint64, boxes []*outbox) []byte {
	e := begin(buf, kindCandidates)
	e.uvarint(uint64(depth))
	e.uvarint(uint64(from))
	e.uvarint(uint64(to))
	e.word(writer)
	var n int
	for _, b := range boxes {
		n += len(b.keys)
	}
	e.uvarint(uint64(n))
	for _, b := range boxes {
		for i, k := range b.keys {
			e.word(k)
			e.uvarint(b.edges[i])
			e.bytes(b.nodes.at(i))
		}
	}
	return e.seal()
}

func decodeCandidates(data []byte, depth, from, to int, writer uint64) (*candidates, error) {
	d, err := open(data, kindCandidates)
	if err != nil {
		return nil, err
	}
	if dd, f, t := int(d.uvarint()), int(d.uvarint()), int(d.uvarint()); d.err == nil && (dd != depth || f != from || t != to) {
		return nil, fmt.Errorf("holds level %d from shard %d to shard %d, not level %d from %d to %d", dd, f, t, depth, from, to)
	}
	if w := d.word(); d.err == nil && w != writer {
		return nil, fmt.Errorf("was written by process %016x, not %016x", w, writer)
	}
	n := d.count(10)
	c := &candidates{keys: make([]uint64, n), edges: make([]uint64, n), nodes: make([][]byte, n)}
	for i := range n {
		c.keys[i], c.edges[i], c.nodes[i] = d.word(), d.uvarint(), d.bytes()
	}
	return c, d.end()
}

// violation is a violation found while expanding a level, at edge key
// edge (within the frontier of the shard that found it, or global).
type violation struct {
	edge uint64
	v    model.Violation
}

// marker is a shard's record that it expanded a level: written after the
// level's candidate objects, it is the shard's arrival at the barrier.
type marker struct {
	depth, shard int
	// writer names the process that wrote the marker, and its candidates
	// objects (candidatesKey).
	writer uint64
	// base is the number of the level's first state.
	base uint64
	// work counts the edges of the shard's expansion of the level.
	work counts
	// sent counts the candidates written for each shard (none for the
	// shard itself, which keeps its own).
	sent []uint64
	// found is the smallest violation of the shard's expansion, its edge
	// key within the shard's frontier; nil when none.
	found *violation
	// stray is the violation of a call from a goroutine that layer code
	// left behind, asked for when the shard's frontier is empty; nil
	// when none.
	stray *model.Violation
	// edges are the discovering edges of the frontier the shard
	// expanded, ascending: the level's parent records, by shard.
	edges []uint64
}

func (m *marker) encode(buf []byte) []byte {
	e := begin(buf, kindMarker)
	e.uvarint(uint64(m.depth))
	e.uvarint(uint64(m.shard))
	e.word(m.writer)
	e.uvarint(m.base)
	e.uvarint(m.work.transitions)
	e.uvarint(m.work.crashes)
	e.uvarint(uint64(len(m.sent)))
	for _, n := range m.sent {
		e.uvarint(n)
	}
	encodeViolation := func(v *model.Violation) {
		e.string(v.Kind)
		e.string(v.Message)
		e.string(v.Where)
	}
	if m.found != nil {
		e.uvarint(1)
		e.uvarint(m.found.edge)
		encodeViolation(&m.found.v)
	} else {
		e.uvarint(0)
	}
	if m.stray != nil {
		e.uvarint(1)
		encodeViolation(m.stray)
	} else {
		e.uvarint(0)
	}
	e.sorted(m.edges)
	return e.seal()
}

func decodeMarker(data []byte, depth, shard, shards int) (*marker, error) {
	d, err := open(data, kindMarker)
	if err != nil {
		return nil, err
	}
	m := &marker{depth: int(d.uvarint()), shard: int(d.uvarint()), writer: d.word(), base: d.uvarint()}
	if d.err == nil && (m.depth != depth || m.shard != shard) {
		return nil, fmt.Errorf("holds level %d of shard %d, not level %d of shard %d", m.depth, m.shard, depth, shard)
	}
	m.work = counts{d.uvarint(), d.uvarint()}
	n := d.count(1)
	if d.err == nil && n != shards {
		return nil, fmt.Errorf("counts candidates for %d shards, not %d", n, shards)
	}
	m.sent = make([]uint64, n)
	for i := range m.sent {
		m.sent[i] = d.uvarint()
	}
	decodeViolation := func() model.Violation {
		return model.Violation{Kind: d.string(), Message: d.string(), Where: d.string()}
	}
	if d.uvarint() == 1 {
		m.found = &violation{edge: d.uvarint()}
		m.found.v = decodeViolation()
	}
	if d.uvarint() == 1 {
		v := decodeViolation()
		m.stray = &v
	}
	m.edges = d.sorted()
	return m, d.end()
}
