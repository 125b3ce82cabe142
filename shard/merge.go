package shard

import "slices"

// A level's states are numbered, as in explorer.Run, in the order of
// their discovering edges. Each shard holds its part of the level sorted
// by edge, so a state's rank in the level is its index in its shard's
// list plus, for every other shard, the number of that shard's edges
// below its own: what a merge of the sorted lists yields.

// ranks returns, for every shard's sorted edge list, the rank of each
// edge among all the lists' edges, by an N-way merge over a min-heap of
// the lists' next edges. Edges are distinct across lists: each discovers
// one state. Every shard merges every level's edges, the cost that does
// not shrink with more shards: the heap is a slice of structs sifted in
// place, two to four times faster than container/heap's interface calls
// (BenchmarkRanks).
func ranks(lists [][]uint64) [][]uint64 {
	out := make([][]uint64, len(lists))
	h := make([]head, 0, len(lists))
	for i, l := range lists {
		out[i] = make([]uint64, len(l))
		if len(l) > 0 {
			h = append(h, head{edge: l[0], list: i})
		}
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		down(h, i)
	}
	for r := uint64(0); len(h) > 0; r++ {
		top := &h[0]
		out[top.list][top.pos] = r
		if top.pos++; top.pos < len(lists[top.list]) {
			top.edge = lists[top.list][top.pos]
		} else {
			h[0] = h[len(h)-1]
			h = h[:len(h)-1]
		}
		down(h, 0)
	}
	return out
}

// head is the next edge of one list in a merge.
type head struct {
	edge uint64
	list int
	pos  int
}

// down moves h[i] down the min-heap h to its place.
func down(h []head, i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		if r := l + 1; r < len(h) && h[r].edge < h[l].edge {
			l = r
		}
		if h[i].edge <= h[l].edge {
			return
		}
		h[i], h[l] = h[l], h[i]
		i = l
	}
}

// rankOf returns the rank of list i's k-th edge among all the lists'
// edges, without merging them.
func rankOf(lists [][]uint64, i int, k uint64) uint64 {
	e := lists[i][k]
	r := k
	for j, l := range lists {
		if j != i {
			n, _ := slices.BinarySearch(l, e)
			r += uint64(n)
		}
	}
	return r
}

// merged returns the lists' edges in one sorted list.
func merged(lists [][]uint64) []uint64 {
	var all []uint64
	for _, l := range lists {
		all = append(all, l...)
	}
	slices.Sort(all)
	return all
}
