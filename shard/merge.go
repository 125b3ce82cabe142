package shard

import (
	"container/heap"
	"slices"
)

// A level's states are numbered, as in explorer.Run, in the order of
// their discovering edges. Each shard holds its part of the level sorted
// by edge, so a state's rank in the level is its index in its shard's
// list plus, for every other shard, the number of that shard's edges
// below its own: what a merge of the sorted lists yields.

// ranks returns, for every shard's sorted edge list, the rank of each
// edge among all the lists' edges, by an N-way merge. Edges are distinct
// across lists: each discovers one state.
func ranks(lists [][]uint64) [][]uint64 {
	out := make([][]uint64, len(lists))
	h := make(heads, 0, len(lists))
	for i, l := range lists {
		out[i] = make([]uint64, len(l))
		if len(l) > 0 {
			h = append(h, head{edge: l[0], list: i})
		}
	}
	heap.Init(&h)
	for r := uint64(0); len(h) > 0; r++ {
		top := &h[0]
		out[top.list][top.pos] = r
		if top.pos++; top.pos < len(lists[top.list]) {
			top.edge = lists[top.list][top.pos]
			heap.Fix(&h, 0)
		} else {
			heap.Pop(&h)
		}
	}
	return out
}

// head is the next edge of one list in a merge.
type head struct {
	edge uint64
	list int
	pos  int
}

// heads is a min-heap of lists by their next edge.
type heads []head

func (h heads) Len() int           { return len(h) }
func (h heads) Less(i, j int) bool { return h[i].edge < h[j].edge }
func (h heads) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *heads) Push(x any)        { *h = append(*h, x.(head)) }
func (h *heads) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
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
