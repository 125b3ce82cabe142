package explorer

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"pgregory.net/rapid"
)

// TestFrontierKeepsNodes reads back, by index, the nodes added to a
// frontier one by one and in batches, across blocks compressed one at a
// time and side by side: encodings of every length, neighbours that share
// bytes and neighbours that do not. The frontier's blocks and tail are
// those of one that took every node one by one.
func TestFrontierKeepsNodes(t *testing.T) {
	defer func(n int) { sideBySide = n }(sideBySide)
	sideBySide = 3
	rapid.Check(t, func(rt *rapid.T) {
		alphabet := rapid.SliceOfN(rapid.Byte(), 1, 3).Draw(rt, "alphabet")
		node := rapid.SliceOfN(rapid.SampledFrom(alphabet), 0, 40)
		var f, one frontier
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
		for _, n := range want {
			one.add(n)
		}
		if len(f.blocks) != len(one.blocks) || f.packed != one.packed || !bytes.Equal(f.tail.data, one.tail.data) || len(f.tail.ends) != len(one.tail.ends) {
			rt.Fatalf("%d blocks of %d bytes and a tail of %d nodes; one by one, %d blocks of %d bytes and a tail of %d", len(f.blocks), f.packed, f.tail.len(), len(one.blocks), one.packed, one.tail.len())
		}
		for i := range f.blocks {
			if !bytes.Equal(f.blocks[i], one.blocks[i]) {
				rt.Fatalf("block %d of %d differs from the one made node by node", i, len(f.blocks))
			}
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

// TestRecordsReadBack reads back, in order and at random, parent records
// set in memory and spilled to the file in between, across the chunks the
// file is read by.
func TestRecordsReadBack(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		f, err := os.CreateTemp(t.TempDir(), "parents")
		if err != nil {
			rt.Fatal(err)
		}
		defer f.Close()
		r := records{file: f}
		var want []uint64
		for range rapid.IntRange(1, 5).Draw(rt, "rounds") {
			n := rapid.Uint64Range(0, 3<<chunkBits).Draw(rt, "records")
			first := r.extend(n)
			for i := range n {
				v := rapid.Uint64().Draw(rt, "record")
				r.set(first+i, v)
				want = append(want, v)
			}
			if rapid.Bool().Draw(rt, "spill") {
				if err := r.spill(); err != nil {
					rt.Fatal(err)
				}
			}
			from := rapid.IntRange(0, len(want)).Draw(rt, "from")
			for i := from; i < len(want); i++ {
				if got := r.get(uint64(i)); got != want[i] {
					rt.Fatalf("record %d of %d (%d spilled): %d, want %d", i, len(want), r.spilled, got, want[i])
				}
			}
			for _, i := range rapid.SliceOfN(rapid.IntRange(0, max(len(want)-1, 0)), 0, 20).Draw(rt, "at random") {
				if len(want) > 0 && r.get(uint64(i)) != want[i] {
					rt.Fatalf("record %d of %d (%d spilled): %d, want %d", i, len(want), r.spilled, r.get(uint64(i)), want[i])
				}
			}
		}
		if r.err != nil {
			rt.Fatal(r.err)
		}
	})
}

// BenchmarkAddAll adds a level of 1,000,000 nodes of 40 bytes, in 2,000
// batches, to a frontier whose blocks one or two goroutines fill and
// compress side by side.
func BenchmarkAddAll(b *testing.B) {
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprint(workers), func(b *testing.B) { benchAddAll(b, workers) })
	}
}

// benchAddAll is BenchmarkAddAll with the given goroutines.
func benchAddAll(b *testing.B, workers int) {
	batches := make([]*batch, 2000)
	node := make([]byte, 40)
	k := uint64(0)
	for i := range batches {
		batches[i] = &batch{}
		for range 500 {
			k++
			binary.LittleEndian.PutUint64(node[8:], k*0x9e3779b97f4a7c15>>40)
			binary.LittleEndian.PutUint64(node[24:], k)
			batches[i].nodes.add(node)
		}
	}
	each := func(n int, do func(i int)) {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
					do(i)
				}
			})
		}
		wg.Wait()
	}
	var f frontier
	b.ResetTimer()
	for range b.N {
		f.reset()
		f.addAll(batches, each)
	}
}
