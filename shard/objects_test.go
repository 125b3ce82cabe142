package shard

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/argocheck/argocheck/model"
)

func sortedEdges(t *rapid.T, label string) []uint64 {
	l := rapid.SliceOfDistinct(rapid.Uint64(), func(v uint64) uint64 { return v }).Draw(t, label)
	slices.Sort(l)
	return l
}

func drawNodes(t *rapid.T, n int) nodes {
	var ns nodes
	for i := range n {
		ns.add(rapid.SliceOfN(rapid.Byte(), 0, 40).Draw(t, "node"+string(rune('0'+i%10))))
	}
	return ns
}

func drawViolation(t *rapid.T) model.Violation {
	return model.Violation{Kind: rapid.String().Draw(t, "kind"), Message: rapid.String().Draw(t, "message"), Where: rapid.String().Draw(t, "where")}
}

// Every object decodes to what was encoded, and any changed byte is
// refused.
func TestObjectsRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var data []byte
		var decode func([]byte) (any, error)
		var want any
		switch rapid.IntRange(0, 2).Draw(t, "kind") {
		case 0:
			edges := sortedEdges(t, "edges")
			f := &frontier{
				depth: rapid.IntRange(0, 1000).Draw(t, "depth"), base: rapid.Uint64().Draw(t, "base"),
				total:   counts{rapid.Uint64().Draw(t, "t"), rapid.Uint64().Draw(t, "c")},
				own:     counts{rapid.Uint64().Draw(t, "ot"), rapid.Uint64().Draw(t, "oc")},
				elapsed: time.Duration(rapid.Int64Min(0).Draw(t, "elapsed")),
				edges:   edges, keys: rapid.SliceOfN(rapid.Uint64(), len(edges), len(edges)).Draw(t, "keys"),
				nodes: drawNodes(t, len(edges)),
			}
			data, want = f.encode(nil), f
			decode = func(d []byte) (any, error) { return decodeFrontier(d) }
		case 1:
			n := rapid.IntRange(0, 20).Draw(t, "n")
			ns := drawNodes(t, n)
			c := &candidates{keys: []uint64{}, edges: []uint64{}, nodes: [][]byte{}}
			boxes := []*outbox{{}, {}}
			for i := range n {
				key, edge, node := rapid.Uint64().Draw(t, "key"), rapid.Uint64().Draw(t, "edge"), ns.at(i)
				b := boxes[rapid.IntRange(0, 1).Draw(t, "box")]
				b.keys, b.edges = append(b.keys, key), append(b.edges, edge)
				b.nodes.add(node)
			}
			for _, b := range boxes {
				c.keys, c.edges = append(c.keys, b.keys...), append(c.edges, b.edges...)
				for i := range b.nodes.len() {
					c.nodes = append(c.nodes, b.nodes.at(i))
				}
			}
			writer := rapid.Uint64().Draw(t, "writer")
			data, want = encodeCandidates(nil, 3, 1, 2, writer, boxes), c
			decode = func(d []byte) (any, error) { return decodeCandidates(d, 3, 1, 2, writer) }
			if _, err := decodeCandidates(data, 3, 1, 2, writer+1); err == nil {
				t.Fatal("another writer's candidates decode")
			}
		case 2:
			shards := rapid.IntRange(1, 8).Draw(t, "shards")
			m := &marker{
				depth: 4, shard: shards - 1, writer: rapid.Uint64().Draw(t, "writer"), base: rapid.Uint64().Draw(t, "base"),
				work:  counts{rapid.Uint64().Draw(t, "t"), rapid.Uint64().Draw(t, "c")},
				sent:  rapid.SliceOfN(rapid.Uint64(), shards, shards).Draw(t, "sent"),
				edges: sortedEdges(t, "edges"),
			}
			if rapid.Bool().Draw(t, "found") {
				m.found = &violation{edge: rapid.Uint64().Draw(t, "edge"), v: drawViolation(t)}
			}
			if rapid.Bool().Draw(t, "stray") {
				v := drawViolation(t)
				m.stray = &v
			}
			data, want = m.encode(nil), m
			decode = func(d []byte) (any, error) { return decodeMarker(d, 4, shards-1, shards) }
		}
		got, err := decode(data)
		if err != nil {
			t.Fatalf("decoding: %v", err)
		}
		if !equalObjects(got, want) {
			t.Fatalf("decoded %+v, want %+v", got, want)
		}
		i := rapid.IntRange(0, len(data)-1).Draw(t, "byte")
		bad := slices.Clone(data)
		bad[i] ^= byte(rapid.IntRange(1, 255).Draw(t, "flip"))
		if _, err := decode(bad); err == nil {
			t.Fatalf("byte %d changed and the object still decodes", i)
		}
		if _, err := decode(data[:i]); err == nil {
			t.Fatalf("cut at byte %d and the object still decodes", i)
		}
	})
}

// equalObjects compares decoded objects, an empty list equal to none.
func equalObjects(got, want any) bool {
	if f, ok := got.(*frontier); ok {
		w := want.(*frontier)
		if f.nodes.len() != w.nodes.len() {
			return false
		}
		for i := range f.nodes.len() {
			if !slices.Equal(f.nodes.at(i), w.nodes.at(i)) {
				return false
			}
		}
		g, ww := *f, *w
		g.nodes, ww.nodes = nodes{}, nodes{}
		return slices.Equal(g.keys, ww.keys) && slices.Equal(g.edges, ww.edges) &&
			g.depth == ww.depth && g.base == ww.base && g.total == ww.total && g.own == ww.own && g.elapsed == ww.elapsed
	}
	if c, ok := got.(*candidates); ok {
		w := want.(*candidates)
		if len(c.nodes) != len(w.nodes) {
			return false
		}
		for i := range c.nodes {
			if !slices.Equal(c.nodes[i], w.nodes[i]) {
				return false
			}
		}
		return slices.Equal(c.keys, w.keys) && slices.Equal(c.edges, w.edges)
	}
	m, w := *got.(*marker), *want.(*marker)
	if len(m.edges) == 0 && len(w.edges) == 0 {
		m.edges, w.edges = nil, nil
	}
	return reflect.DeepEqual(m, w)
}

// ranks numbers every edge by its position among all the lists' edges;
// rankOf agrees, and merged lists them in that order.
func TestRanks(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		all := sortedEdges(t, "edges")
		n := rapid.IntRange(1, 6).Draw(t, "lists")
		lists := make([][]uint64, n)
		for _, e := range all {
			i := rapid.IntRange(0, n-1).Draw(t, "list")
			lists[i] = append(lists[i], e)
		}
		r := ranks(lists)
		if m := merged(lists); !slices.Equal(m, all) && len(all) > 0 {
			t.Fatalf("merged %v, want %v", m, all)
		}
		for i, l := range lists {
			for k, e := range l {
				want, _ := slices.BinarySearch(all, e)
				if r[i][k] != uint64(want) {
					t.Fatalf("ranks: list %d edge %d has rank %d, want %d", i, k, r[i][k], want)
				}
				if got := rankOf(lists, i, uint64(k)); got != uint64(want) {
					t.Fatalf("rankOf: list %d edge %d has rank %d, want %d", i, k, got, want)
				}
			}
		}
	})
}

// reseal returns the object data with extra appended to its fields and
// a checksum that matches: well formed but for the extra bytes.
func reseal(data []byte, extra ...byte) []byte {
	e := encoder{b: append(slices.Clone(data[:len(data)-4]), extra...)}
	return e.seal()
}

// TestMalformedObjectsRefused: an object with a valid checksum is still
// refused when it is another place's (a candidates object of another
// level, sender or receiver; a marker of another level or shard, or
// counting candidates for another number of shards) or of another format
// version, holds bytes past its last field, or a length past its end;
// none panics. Objects that end exactly at their last field decode, also
// candidates of the fewest bytes each.
func TestMalformedObjectsRefused(t *testing.T) {
	box := &outbox{keys: []uint64{7}, edges: []uint64{edgeKey(0, 1)}}
	box.nodes.add([]byte("node"))
	cand := encodeCandidates(nil, 3, 1, 2, 9, []*outbox{box})
	m := &marker{depth: 4, shard: 2, writer: 9, sent: []uint64{1, 0, 0}, edges: []uint64{edgeKey(rootParent, 0)}}
	mark := m.encode(nil)
	f := &frontier{depth: 1, edges: []uint64{edgeKey(0, 1)}, keys: []uint64{7}}
	f.nodes.add([]byte("node"))
	front := f.encode(nil)
	// A frontier of one state whose node, "node", is said to be n bytes
	// long.
	nodeOf := func(n uint64) []byte {
		e := begin(nil, kindFrontier)
		for range 7 { // depth, base, counts, elapsed
			e.uvarint(0)
		}
		e.sorted([]uint64{edgeKey(0, 1)})
		e.word(7)
		e.uvarint(n)
		e.b = append(e.b, "node"...)
		return e.seal()
	}
	for _, tc := range []struct {
		name string
		err  func() error
	}{
		{"candidates of another level", func() error { _, err := decodeCandidates(cand, 4, 1, 2, 9); return err }},
		{"candidates from another shard", func() error { _, err := decodeCandidates(cand, 3, 0, 2, 9); return err }},
		{"candidates for another shard", func() error { _, err := decodeCandidates(cand, 3, 1, 0, 9); return err }},
		{"candidates with bytes past the end", func() error { _, err := decodeCandidates(reseal(cand, 0), 3, 1, 2, 9); return err }},
		{"marker of another level", func() error { _, err := decodeMarker(mark, 5, 2, 3); return err }},
		{"marker of another shard", func() error { _, err := decodeMarker(mark, 4, 1, 3); return err }},
		{"marker of a run of other shards", func() error { _, err := decodeMarker(mark, 4, 2, 4); return err }},
		{"marker with bytes past the end", func() error { _, err := decodeMarker(reseal(mark, 0), 4, 2, 3); return err }},
		{"frontier with bytes past the end", func() error { _, err := decodeFrontier(reseal(front, 0)); return err }},
		{"frontier with a node past the end", func() error { _, err := decodeFrontier(nodeOf(5)); return err }},
		{"marker of another format version", func() error {
			old := slices.Clone(mark)
			old[len(kindMarker)] = formatVersion - 1
			_, err := decodeMarker(reseal(old), 4, 2, 3)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.err(); err == nil {
				t.Error("decoded")
			}
		})
	}
	if _, err := decodeCandidates(cand, 3, 1, 2, 9); err != nil {
		t.Errorf("the candidates object: %v", err)
	}
	if _, err := decodeMarker(mark, 4, 2, 3); err != nil {
		t.Errorf("the marker: %v", err)
	}
	if _, err := decodeFrontier(front); err != nil {
		t.Errorf("the frontier: %v", err)
	}
	if got, err := decodeFrontier(nodeOf(4)); err != nil || string(got.nodes.at(0)) != "node" {
		t.Errorf("the frontier with a node to the end: %v", err)
	}
	// Candidates of the fewest bytes: a key, a one-byte edge, an empty
	// node.
	small := &outbox{keys: []uint64{1, 2}, edges: []uint64{3, 4}}
	small.nodes.add(nil)
	small.nodes.add(nil)
	if c, err := decodeCandidates(encodeCandidates(nil, 0, 0, 1, 5, []*outbox{small}), 0, 0, 1, 5); err != nil || len(c.keys) != 2 {
		t.Errorf("the smallest candidates: %v", err)
	}
}
