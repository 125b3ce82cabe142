package statestore

import (
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"pgregory.net/rapid"
)

// TestTableModel checks Table against a Go map under random inserts,
// lookups and growth, including keys that share a home line.
func TestTableModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		tab := NewTable(uint64(rapid.IntRange(0, 100).Draw(t, "size")))
		model := map[uint64]bool{}
		// Small key ranges force collisions; large ones look like
		// fingerprints.
		keyGen := rapid.OneOf(rapid.Uint64Range(1, 300), rapid.Uint64Min(1))
		for range rapid.IntRange(0, 400).Draw(t, "ops") {
			k := keyGen.Draw(t, "key")
			switch rapid.IntRange(0, 2).Draw(t, "op") {
			case 0:
				if _, _, err := tab.Reserve(tab.Len()+1, 3, 0); err != nil {
					t.Fatal(err)
				}
				added, err := tab.Insert(k)
				if err != nil {
					t.Fatal(err)
				}
				if added == model[k] {
					t.Fatalf("Insert(%d) = %v, key present before: %v", k, added, model[k])
				}
				model[k] = true
			case 1:
				if got := tab.Has(k); got != model[k] {
					t.Fatalf("Has(%d) = %v, want %v", k, got, model[k])
				}
			case 2:
				n := tab.Len() + uint64(rapid.IntRange(0, 500).Draw(t, "grow"))
				if _, _, err := tab.Reserve(n, rapid.IntRange(1, 4).Draw(t, "goroutines"), 0); err != nil {
					t.Fatal(err)
				}
				if load := float64(n) / float64(tab.Cap()); load > MaxLoad {
					t.Fatalf("after Reserve(%d) the load is %.2f", n, load)
				}
			}
			if tab.Len() != uint64(len(model)) {
				t.Fatalf("Len() = %d, want %d", tab.Len(), len(model))
			}
		}
		for k := range model {
			if !tab.Has(k) {
				t.Fatalf("key %d lost", k)
			}
		}
	})
}

// TestTableFull checks that a full table reports ErrFull instead of
// probing forever, and that Reserve respects a byte limit.
func TestTableFull(t *testing.T) {
	tab := NewTable(0)
	var err error
	for k := uint64(1); err == nil; k++ {
		_, err = tab.Insert(k)
		if k > 2*tab.Cap() {
			t.Fatal("no error from a full table")
		}
	}
	if err != ErrFull || tab.Len() != tab.Cap() {
		t.Fatalf("err %v with %d of %d slots", err, tab.Len(), tab.Cap())
	}
	if tab.Has(tab.Cap() + 1) {
		t.Fatal("Has of an absent key in a full table")
	}
	grown, need, err := tab.Reserve(10*tab.Cap(), 1, tab.Bytes())
	if grown || err != nil || need <= tab.Bytes() {
		t.Fatalf("Reserve past the limit: grown %v, need %d, err %v", grown, need, err)
	}
}

// TestTableConcurrent inserts overlapping key sets from several
// goroutines: every key is added exactly once.
func TestTableConcurrent(t *testing.T) {
	const perG, gs = 20000, 4
	tab := NewTable(perG * gs)
	added := make([]uint64, gs)
	var wg sync.WaitGroup
	for g := range gs {
		wg.Go(func() {
			for i := range uint64(perG) {
				// Half the keys are shared by all goroutines.
				k := Fingerprint([]byte{byte(i), byte(i >> 8), byte(i >> 16), byte(g * int(i%2))})
				if a, err := tab.Insert(k); err != nil {
					t.Error(err)
					return
				} else if a {
					added[g]++
				}
			}
		})
	}
	wg.Wait()
	var total uint64
	for _, a := range added {
		total += a
	}
	want := uint64(perG/2 + gs*perG/2)
	if total != want || tab.Len() != want {
		t.Fatalf("added %d, Len %d, want %d", total, tab.Len(), want)
	}
}

// TestTableAllocs holds the hot path to no allocation.
func TestTableAllocs(t *testing.T) {
	tab := NewTable(1 << 12)
	k := uint64(1)
	allocs := testing.AllocsPerRun(1000, func() {
		k++
		tab.Has(k)
		if _, err := tab.Insert(k); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per insert", allocs)
	}
}

func BenchmarkTableInsert(b *testing.B) {
	tab := NewTable(uint64(b.N))
	b.ReportAllocs()
	k := uint64(0)
	for b.Loop() {
		k++
		if _, err := tab.Insert(k * 0x9E3779B97F4A7C15); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTableInsertAll inserts new keys, in runs of 1024 as a barrier
// does, into a table of 64 MiB (far past the caches): one by one, and with
// InsertAll, which touches a run's home lines first.
func BenchmarkTableInsertAll(b *testing.B) {
	const filled = 4 << 20
	tab := NewTable(2 * filled)
	if _, _, err := tab.Reserve(2*filled, 1, 0); err != nil {
		b.Fatal(err)
	}
	k := uint64(0)
	next := func() uint64 {
		k++
		return Fingerprint(binary.LittleEndian.AppendUint64(nil, k))
	}
	fill := make([]uint64, filled)
	for i := range fill {
		fill[i] = next()
	}
	if _, err := tab.InsertAll(fill); err != nil {
		b.Fatal(err)
	}
	run := make([]uint64, 1024)
	for _, all := range []bool{false, true} {
		b.Run(map[bool]string{false: "one-by-one", true: "InsertAll"}[all], func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				if tab.Len() > 3*filled/2 {
					tab.Clear()
					if _, _, err := tab.Reserve(2*filled, 1, 0); err != nil {
						b.Fatal(err)
					}
					if _, err := tab.InsertAll(fill); err != nil {
						b.Fatal(err)
					}
				}
				for i := range run {
					run[i] = next()
				}
				b.StartTimer()
				if all {
					if _, err := tab.InsertAll(run); err != nil {
						b.Fatal(err)
					}
					continue
				}
				for _, key := range run {
					if _, err := tab.Insert(key); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(run)), "ns/key")
		})
	}
}

// BenchmarkTableReserve grows a segmented table of 6 million keys (48 MiB
// of slots, every segment past MaxLoad) to twice its size, with the keys
// moved by one and by two goroutines, with and without the new arrays'
// pages faulted in first (see segment.fault).
func BenchmarkTableReserve(b *testing.B) {
	const filled = 6 << 20
	keys := make([]uint64, filled)
	for i := range keys {
		keys[i] = Fingerprint(binary.LittleEndian.AppendUint64(nil, uint64(i)))
	}
	defer func() { faultGrown = true }()
	for _, fault := range []bool{false, true} {
		for _, gs := range []int{1, 2} {
			b.Run(fmt.Sprintf("fault=%v/goroutines=%d", fault, gs), func(b *testing.B) {
				faultGrown = fault
				b.StopTimer()
				for range b.N {
					tab := NewTable(filled)
					if _, err := tab.InsertAll(keys); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					if _, _, err := tab.Reserve(2*filled, gs, 0); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					if tab.Len() != filled {
						b.Fatalf("%d keys after Reserve, want %d", tab.Len(), filled)
					}
					tab.Clear()
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*filled), "ns/key")
			})
		}
	}
}

// TestTableSegments grows tables past one array into segments, then
// segment by segment, with keys (some inserted again) spread over
// goroutines: every key is found and counted once, no absent key is
// found, and each Reserve leaves the load at most MaxLoad.
func TestTableSegments(t *testing.T) {
	segmentGrowths := 0
	rapid.Check(t, func(t *rapid.T) {
		small := rapid.Bool().Draw(t, "small keys")
		key := func(i uint64) uint64 {
			if small {
				return i + 1 // as ExactKeys hands them out
			}
			return Fingerprint(binary.LittleEndian.AppendUint64(nil, i))
		}
		tab := NewTable(uint64(rapid.IntRange(0, 200_000).Draw(t, "size")))
		// Its mapped arrays go back now: see TestTableMappedArrays.
		defer tab.Clear()
		var n uint64 // keys 0..n-1 are in the table
		for range rapid.IntRange(2, 6).Draw(t, "steps") {
			chunk := uint64(rapid.IntRange(20_000, 80_000).Draw(t, "chunk"))
			again := uint64(rapid.IntRange(0, int(min(n, 500))).Draw(t, "again"))
			gs := rapid.IntRange(1, 4).Draw(t, "goroutines")
			segmented := len(tab.segs) == segments
			grown, _, err := tab.Reserve(n+chunk, gs, 0)
			if err != nil {
				t.Fatal(err)
			}
			if grown && segmented {
				segmentGrowths++
			}
			checkMapped(t, tab)
			if load := float64(n+chunk) / float64(tab.Cap()); load > MaxLoad {
				t.Fatalf("after Reserve(%d) the load is %.3f", n+chunk, load)
			}
			keys := make([]uint64, 0, again+chunk)
			for i := n - again; i < n+chunk; i++ {
				keys = append(keys, key(i))
			}
			var added atomic.Uint64
			var wg sync.WaitGroup
			per := (len(keys) + gs - 1) / gs
			for g := range gs {
				part := keys[min(g*per, len(keys)):min((g+1)*per, len(keys))]
				wg.Go(func() {
					a, err := tab.InsertAll(part)
					if err != nil {
						t.Error(err)
					}
					added.Add(a)
				})
			}
			wg.Wait()
			n += chunk
			if added.Load() != chunk || tab.Len() != n {
				t.Fatalf("%d new keys counted and Len %d, want %d and %d", added.Load(), tab.Len(), chunk, n)
			}
		}
		var perSegment uint64
		for i := range tab.segs {
			perSegment += tab.segs[i].n.Load()
		}
		if perSegment != n {
			t.Fatalf("the segments count %d keys, the table %d", perSegment, n)
		}
		for i := range n {
			if !tab.Has(key(i)) {
				t.Fatalf("key %d (%d) lost", i, key(i))
			}
		}
		for i := n; i < n+1000; i++ {
			if tab.Has(key(i)) {
				t.Fatalf("absent key %d (%d) found", i, key(i))
			}
		}
	})
	if segmentGrowths == 0 {
		t.Fatal("no segment grew on its own: the sizes are too small")
	}
}

// checkMapped fails unless the arrays the table holds mapped outside Go's
// heap are exactly its arrays of at least mapMinBytes, where mapping is
// available: an array Reserve replaced was given back.
func checkMapped(t interface {
	Helper()
	Fatalf(string, ...any)
}, tab *Table) {
	t.Helper()
	canMap := false
	if w := mapWords(lineSlots); w != nil {
		unmapWords(w)
		canMap = true
	}
	want := 0
	for i := range tab.segs {
		buf := tab.segs[i].buf
		_, mapped := tab.mem.live[&buf[0]]
		if big := uint64(len(buf))*8 >= mapMinBytes; mapped != (big && canMap) {
			t.Fatalf("segment %d of %d bytes: mapped %v", i, len(buf)*8, mapped)
		}
		if mapped {
			want++
		}
	}
	if len(tab.mem.live) != want {
		t.Fatalf("%d arrays mapped, %d of them the table's", len(tab.mem.live), want)
	}
}

// TestTableMappedArrays grows a table whose arrays are mapped outside Go's
// heap and clears it: its keys survive each growth, and only its current
// arrays stay mapped.
func TestTableMappedArrays(t *testing.T) {
	before := MappedBytes()
	tab := NewTable(1 << 18) // 2.8 MB, one array
	checkMapped(t, tab)
	counted := func() {
		t.Helper()
		var b uint64
		for _, w := range tab.mem.live {
			b += uint64(len(w)) * 8
		}
		if got := MappedBytes() - before; got != b {
			t.Fatalf("MappedBytes counts %d bytes more than before the table, its mapped arrays hold %d", got, b)
		}
	}
	counted()
	var n uint64
	for _, size := range []uint64{1 << 19, 1 << 21, 1 << 22} {
		if _, _, err := tab.Reserve(size, 2, 0); err != nil {
			t.Fatal(err)
		}
		checkMapped(t, tab)
		counted()
		for ; n < size; n++ {
			if _, err := tab.Insert(Fingerprint(binary.LittleEndian.AppendUint64(nil, n))); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(tab.segs) != segments {
		t.Fatalf("%d arrays at %d keys, want %d segments", len(tab.segs), n, segments)
	}
	for i := range n {
		if !tab.Has(Fingerprint(binary.LittleEndian.AppendUint64(nil, i))) {
			t.Fatalf("key %d lost", i)
		}
	}
	tab.Clear()
	checkMapped(t, tab)
	counted()
	if len(tab.mem.live) != 0 || tab.Len() != 0 {
		t.Fatalf("after Clear: %d arrays mapped, %d keys", len(tab.mem.live), tab.Len())
	}
}

// TestFullTableTakesItsLastSlot: a table with one slot left takes a new
// key whose probe sequence reaches that slot last, after every other slot
// of the table, and then finds it; only the next key is refused with
// ErrFull. (A table the explorer lets fill up is redone, not lost: its
// last slot must hold a key as well as any other.)
func TestFullTableTakesItsLastSlot(t *testing.T) {
	key := func(i uint64) uint64 { return Fingerprint(binary.LittleEndian.AppendUint64(nil, i)) }
	for _, size := range []uint64{0, 200} {
		tab := NewTable(size)
		s := &tab.segs[0]
		var keys []uint64
		i := uint64(0)
		for tab.Len() < tab.Cap()-1 {
			if _, err := tab.Insert(key(i)); err != nil {
				t.Fatalf("Insert into a table with %d of %d slots taken: %v", tab.Len(), tab.Cap(), err)
			}
			keys = append(keys, key(i))
			i++
		}
		free := -1
		for j, k := range s.slots {
			if k == 0 {
				free = j
			}
		}
		// A key whose probe sequence ends at the free slot: it starts
		// at the slot after it in the same line, one line further on.
		var last uint64
		for i++; last == 0; i++ {
			_, _, line, off := tab.home(key(i))
			end := (line+s.buckets-1)%s.buckets*lineSlots + (off+lineSlots-1)%lineSlots
			if int(end) == free {
				last = key(i)
			}
		}
		if added, err := tab.Insert(last); !added || err != nil {
			t.Fatalf("size %d: the key for the last free slot: added %v, %v", size, added, err)
		}
		if tab.Len() != tab.Cap() {
			t.Fatalf("size %d: Len %d of %d slots", size, tab.Len(), tab.Cap())
		}
		for _, k := range append(keys, last) {
			if !tab.Has(k) {
				t.Fatalf("size %d: key %d lost from a full table", size, k)
			}
		}
		if _, err := tab.Insert(key(i)); err != ErrFull {
			t.Fatalf("size %d: Insert into a full table: %v, want ErrFull", size, err)
		}
	}
}

// TestInsertAllReportsAFullTable: InsertAll into a table that fills up
// returns ErrFull even when keys after the one refused are already in the
// table: a key left out must never pass for inserted.
func TestInsertAllReportsAFullTable(t *testing.T) {
	tab := NewTable(0)
	keys := make([]uint64, 0, tab.Cap()+2)
	for k := uint64(1); k <= tab.Cap()+1; k++ {
		keys = append(keys, k)
	}
	// The last key is the first: present by then, so inserting it alone
	// would succeed.
	keys = append(keys, 1)
	added, err := tab.InsertAll(keys)
	if err != ErrFull || added != tab.Cap() || tab.Len() != tab.Cap() {
		t.Fatalf("InsertAll of %d keys into %d slots: added %d, Len %d, %v; want %d, ErrFull", len(keys)-1, tab.Cap(), added, tab.Len(), err, tab.Cap())
	}
}

// TestReserveUpToItsLimit: Reserve grows a table, one array or segments,
// when the table it makes holds exactly the limit's bytes, and refuses
// one byte less, returning the bytes it would hold. (A budget a search
// reaches exactly is one it may use.)
func TestReserveUpToItsLimit(t *testing.T) {
	for _, size := range []uint64{100, 300_000} {
		tab := NewTable(size)
		n := 4 * tab.Cap()
		grown, need, err := tab.Reserve(n, 1, 1)
		if grown || err != nil {
			t.Fatalf("size %d: Reserve(%d) within 1 byte: grown %v, %v", size, n, grown, err)
		}
		if grown, got, err := tab.Reserve(n, 1, need-1); grown || got != need || err != nil {
			t.Fatalf("size %d: Reserve(%d) within %d bytes: grown %v, %d bytes, %v", size, n, need-1, grown, got, err)
		}
		grown, got, err := tab.Reserve(n, 1, need)
		if !grown || got != need || err != nil {
			t.Fatalf("size %d: Reserve(%d) within the %d bytes it needs: grown %v, %d bytes, %v", size, n, need, grown, got, err)
		}
		tab.Clear()
	}
}
