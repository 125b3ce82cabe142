package statestore

import (
	"encoding/binary"
	"math"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// mergeDrawn merges into f up to merges batches of up to n keys drawn
// from keys, those not merged before, with 1 to 4 goroutines and runs of
// as few as 1 to 200 keys, and returns the keys merged.
func mergeDrawn(rt *rapid.T, f *SortedFile, keys *rapid.Generator[uint64], merges, n int) map[uint64]bool {
	defer func(m int) { mergeRunMin = m }(mergeRunMin)
	mergeRunMin = rapid.IntRange(1, 200).Draw(rt, "mergeRunMin")
	in := map[uint64]bool{}
	for range rapid.IntRange(1, merges).Draw(rt, "merges") {
		var batch []uint64
		for _, k := range rapid.SliceOfN(keys, 0, n).Draw(rt, "keys") {
			if !in[k] {
				in[k] = true
				batch = append(batch, k)
			}
		}
		slices.Sort(batch)
		if err := f.Merge(batch, rapid.IntRange(1, 4).Draw(rt, "goroutines")); err != nil {
			rt.Fatal(err)
		}
	}
	return in
}

// Property: after merging batches of new keys, a SortedFile contains
// exactly the keys merged, whatever the batches.
func TestSortedFileIsASet(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		f := NewSortedFile(t.TempDir())
		defer f.Close()
		in := mergeDrawn(rt, f, rapid.Uint64Range(1, 5000), 5, 1500)
		if f.Len() != uint64(len(in)) {
			rt.Fatalf("%d keys, want %d", f.Len(), len(in))
		}
		for k := uint64(0); k <= 5001; k++ {
			if f.Contains(k) != in[k] {
				rt.Fatalf("Contains(%d) = %v, want %v", k, f.Contains(k), in[k])
			}
		}
	})
}

// Over keys spread as fingerprints are, and over keys bunched at either
// end of the range, the file holds what was merged into it: every key
// merged, and neither neighbour of one unless merged too.
func TestSortedFileFindsSpreadKeys(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		f := NewSortedFile(t.TempDir())
		defer f.Close()
		keys := rapid.OneOf(rapid.Uint64(), rapid.Uint64Range(0, 3000), rapid.Uint64Range(math.MaxUint64-3000, math.MaxUint64))
		in := mergeDrawn(rt, f, keys, 4, 3000)
		for k := range in {
			for _, probe := range []uint64{k - 1, k, k + 1} {
				if f.Contains(probe) != in[probe] {
					rt.Fatalf("Contains(%d) = %v, want %v", probe, f.Contains(probe), in[probe])
				}
			}
		}
		for _, probe := range rapid.SliceOfN(keys, 100, 100).Draw(rt, "probes") {
			if f.Contains(probe) != in[probe] {
				rt.Fatalf("Contains(%d) = %v, want %v", probe, f.Contains(probe), in[probe])
			}
		}
	})
}

// Property: SortKeys sorts, whatever the keys' spread and the number of
// goroutines, with the keys spread into ranges or not.
func TestSortKeysSorts(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		defer func(n int) { sortSerialBelow = n }(sortSerialBelow)
		sortSerialBelow = rapid.IntRange(0, 50).Draw(rt, "sortSerialBelow")
		gen := rapid.OneOf(rapid.Uint64(), rapid.Uint64Range(0, 3000), rapid.Uint64Range(math.MaxUint64-3000, math.MaxUint64))
		keys := rapid.SliceOfN(gen, 0, 3000).Draw(rt, "keys")
		want := slices.Sorted(slices.Values(keys))
		SortKeys(keys, rapid.IntRange(1, 4).Draw(rt, "goroutines"))
		if !slices.Equal(keys, want) {
			rt.Fatalf("SortKeys left %v, want %v", keys, want)
		}
	})
}

func TestTableKeysAndClear(t *testing.T) {
	tb := NewTable(10)
	want := []uint64{3, 99, 1 << 60}
	for _, k := range want {
		tb.Insert(k)
	}
	got := tb.AppendKeys(nil)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("keys %v, want %v", got, want)
	}
	tb.Clear()
	if tb.Len() != 0 || tb.Has(99) || len(tb.AppendKeys(nil)) != 0 {
		t.Fatal("a cleared table holds keys")
	}
}

// TestSortedFileOfManyPages: a file of many pages, merged in batches of
// fingerprints with one goroutine and with several, and a batch more than
// twice a goroutine's write buffer (mergeBytes), holds every key merged, the
// first and the last of each page included, and none of their neighbours.
// (The property tests draw mostly files of one page.)
func TestSortedFileOfManyPages(t *testing.T) {
	defer func(m int) { mergeRunMin = m }(mergeRunMin)
	mergeRunMin = 1000
	key := func(i int) uint64 { return Fingerprint(binary.LittleEndian.AppendUint64(nil, uint64(i))) }
	f := NewSortedFile(t.TempDir())
	defer f.Close()
	var in []uint64
	next := 0
	for _, b := range []struct{ n, goroutines int }{
		{5000, 1},
		{7000, 3},
		{2*mergeBytes/8 + 3*pageKeys, 1},
		{9000, 4},
	} {
		batch := make([]uint64, b.n)
		for i := range batch {
			batch[i] = key(next)
			next++
		}
		slices.Sort(batch)
		if err := f.Merge(batch, b.goroutines); err != nil {
			t.Fatal(err)
		}
		in = append(in, batch...)
		slices.Sort(in)
		if f.Len() != uint64(len(in)) {
			t.Fatalf("%d keys, want %d", f.Len(), len(in))
		}
		for i, k := range in {
			if f.key(uint64(i)) != k {
				t.Fatalf("after merging %d keys with %d goroutines, key %d of the file is %#x, want %#x", b.n, b.goroutines, i, f.key(uint64(i)), k)
			}
			if !f.Contains(k) {
				t.Fatalf("after merging %d keys with %d goroutines, key %d of %d (%#x) is not found", b.n, b.goroutines, i, len(in), k)
			}
			if _, found := slices.BinarySearch(in, k+1); !found && f.Contains(k+1) {
				t.Fatalf("%#x, absent, is found", k+1)
			}
		}
	}
}
