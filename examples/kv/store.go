package kv

import (
	"fmt"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/model"
)

// Limits of a store's sizes.
const (
	// MaxValues is the most values a key takes: below 10, so that a
	// record, 10*key + value, reads as the key and then the value's digit.
	MaxValues = 8
	// MaxRecords is the most records a store holds: a disk's blocks but
	// the commit pointer's.
	MaxRecords = disk.MaxBlocks - 1
)

// Sizes are the sizes of a store: keys 0..Keys-1 (at most MaxKeys),
// values 0..Values-1 (at most MaxValues) and room for Records puts (at
// most MaxRecords).
type Sizes struct {
	Keys, Values, Records int
}

// Variant selects the correct store or a deliberately broken one.
type Variant string

// Variants of the store.
const (
	// Correct is the store as designed.
	Correct Variant = ""
	// PointerBeforeRecord: put writes the commit pointer, then the record.
	PointerBeforeRecord Variant = "pointer-before-record"
	// OldestWins: get returns the oldest record of the key, not the newest.
	OldestWins Variant = "oldest-wins"
	// NoFullCheck: put does not check for room, and its record goes past
	// the disk's end.
	NoFullCheck Variant = "no-full-check"
)

// Variants lists every variant but the correct one, for a catalogue.
var Variants = catalog.Variants{
	{Name: string(PointerBeforeRecord), About: "put writes the commit pointer, then the record"},
	{Name: string(OldestWins), About: "get returns the oldest record of the key, not the newest"},
	{Name: string(NoFullCheck), About: "put does not check for room"},
}

// store is the key-value store on one disk. Block 0 is the commit
// pointer: the number of committed records. Blocks 1..records hold one
// record each, 10*key + value. A put writes its record past the last
// committed one, then the pointer; get reads the committed records,
// newest first, and the first of its key wins.
type store struct {
	d       onedisk.API
	records int
	variant Variant
}

func record(k, v uint8) disk.Block { return disk.Block(k)*10 + disk.Block(v) }

func fields(b disk.Block) (k, v uint8) { return uint8(b / 10), uint8(b % 10) }

// Call runs one operation of the store.
func (st store) Call(op Op) Ret {
	if op.Put {
		return st.put(op.Key, op.Val)
	}
	return Ret{Val: st.get(op.Key)}
}

func (st store) put(k, v uint8) Ret {
	n := st.d.Read(0)
	if int(n) == st.records && st.variant != NoFullCheck {
		return Ret{Full: true}
	}
	if st.variant == PointerBeforeRecord {
		st.d.Write(0, n+1)
		st.d.Write(disk.Addr(n+1), record(k, v))
		return Ret{OK: true}
	}
	st.d.Write(disk.Addr(n+1), record(k, v)) // past the commit pointer: invisible
	st.d.Write(0, n+1)                       // the commit point
	return Ret{OK: true}
}

func (st store) get(k uint8) uint8 {
	n := int(st.d.Read(0))
	for i := range n {
		a := n - i // newest first
		if st.variant == OldestWins {
			a = i + 1
		}
		if rk, rv := fields(st.d.Read(disk.Addr(a))); rk == k {
			return rv
		}
	}
	return 0
}

// Impl returns the store of records records on one disk, in variant v.
// Recovery has nothing to do: a crash before a put's pointer write leaves
// at most a record past the commit pointer, which get never reads and
// the next put overwrites.
func Impl(records int, v Variant) model.Impl[onedisk.API, model.Caller[Op, Ret]] {
	return func(d onedisk.API) model.Instance[model.Caller[Op, Ret]] {
		return model.Instance[model.Caller[Op, Ret]]{
			API:     store{d: d, records: records, variant: v},
			Recover: func() {},
		}
	}
}

// Abs is the abstraction relation: the committed records replayed, oldest
// first, onto a store of zeros. A pointer past the record area, or a
// record of a key or value out of range, relates to no state of the store.
func Abs(sz Sizes) model.Relation[State, onedisk.State] {
	return func(c *onedisk.State) (State, bool) {
		var s State
		n := int(c.Disk[0])
		if n > sz.Records {
			return s, false
		}
		for _, b := range c.Disk[1 : n+1] {
			k, v := fields(b)
			if int(k) >= sz.Keys || int(v) >= sz.Values {
				return s, false
			}
			s[k] = v
		}
		return s, true
	}
}

// Layer returns the store's layer. Its Go interface is a
// model.Caller[Op, Ret]: the implementation is any value with a method
// Call(Op) Ret.
func Layer(sz Sizes) model.Layer[State, Op, Ret, model.Caller[Op, Ret]] {
	return model.NewLayer[State, Op, Ret]("kv", NewSpec(sz.Keys, sz.Values))
}

// System returns the check of the store in variant v on a disk of
// sz.Records+1 blocks. It panics on sizes out of range.
func System(sz Sizes, v Variant) model.Checker {
	if sz.Keys < 1 || sz.Keys > MaxKeys || sz.Values < 1 || sz.Values > MaxValues || sz.Records < 1 || sz.Records > MaxRecords {
		panic(fmt.Sprintf("kv: sizes %+v out of range", sz))
	}
	lower := onedisk.Layer(disk.Sizes{Blocks: sz.Records + 1, Values: sz.Values})
	return model.NewSystem(lower, Layer(sz), Impl(sz.Records, v), Abs(sz))
}
