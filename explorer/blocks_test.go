package explorer

import (
	"bytes"
	"testing"

	"pgregory.net/rapid"
)

// TestFrontierKeepsNodes reads back, by index, the nodes added to a
// frontier one by one and in batches, across blocks compressed one at a
// time and side by side: encodings of every length, neighbours that share
// bytes and neighbours that do not.
func TestFrontierKeepsNodes(t *testing.T) {
	defer func(n int) { sideBySide = n }(sideBySide)
	sideBySide = 3
	rapid.Check(t, func(rt *rapid.T) {
		alphabet := rapid.SliceOfN(rapid.Byte(), 1, 3).Draw(rt, "alphabet")
		node := rapid.SliceOfN(rapid.SampledFrom(alphabet), 0, 40)
		var f frontier
		var want [][]byte
		for range rapid.IntRange(1, 4).Draw(rt, "rounds") {
			if rapid.Bool().Draw(rt, "one by one") {
				for range rapid.IntRange(0, 3*blockNodes).Draw(rt, "nodes") {
					n := node.Draw(rt, "node")
					f.add(n)
					want = append(want, n)
				}
				continue
			}
			batches := make([]*batch, rapid.IntRange(0, 4).Draw(rt, "batches"))
			for i := range batches {
				batches[i] = &batch{}
				for range rapid.IntRange(0, 2*blockNodes).Draw(rt, "nodes") {
					n := node.Draw(rt, "node")
					batches[i].nodes.add(n)
					want = append(want, n)
				}
			}
			f.addAll(batches, func(n int, do func(i int)) {
				for i := n - 1; i >= 0; i-- { // any order
					do(i)
				}
			})
		}
		if f.len() != len(want) {
			rt.Fatalf("frontier holds %d nodes, %d added", f.len(), len(want))
		}
		r := reading(&f)
		for _, i := range rapid.Permutation(indices(len(want))).Draw(rt, "reads") {
			if got := r.at(i); !bytes.Equal(got, want[i]) {
				rt.Fatalf("node %d of %d reads %x, want %x", i, len(want), got, want[i])
			}
		}
	})
}

func indices(n int) []int {
	xs := make([]int, n)
	for i := range xs {
		xs[i] = i
	}
	return xs
}
