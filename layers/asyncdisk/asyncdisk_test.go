package asyncdisk

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/model"
)

// last answers every choice with its last alternative and records the
// number of alternatives of each.
type last struct{ widths []int }

func (l *last) Choose(n int) int { l.widths = append(l.widths, n); return n - 1 }

func TestStep(t *testing.T) {
	sp := NewSpec(disk.Sizes{Blocks: 2, Values: 3})
	var s State
	for _, tt := range []struct {
		op   disk.Op
		ret  disk.Ret
		want string // the disk after op
	}{
		{disk.Op{Kind: disk.Write, Addr: 0, Val: 1}, disk.Ret{OK: true}, "[1{0,1} 0]"},
		{disk.Op{Kind: disk.Write, Addr: 0, Val: 2}, disk.Ret{OK: true}, "[2{0,1,2} 0]"},
		{disk.Op{Kind: disk.Read, Addr: 0}, disk.Ret{Val: 2}, "[2{0,1,2} 0]"},
		{disk.Op{Kind: disk.Write, Addr: 0, Val: 0}, disk.Ret{OK: true}, "[0{0,1,2} 0]"},
		{disk.Op{Kind: disk.Write, Addr: 1, Val: 0}, disk.Ret{OK: true}, "[0{0,1,2} 0]"},
		{disk.Op{Kind: disk.Size}, disk.Ret{Val: 2}, "[0{0,1,2} 0]"},
		{disk.Op{Kind: disk.Write, Addr: 2, Val: 1}, disk.Ret{OK: true}, "[0{0,1,2} 0]"},
		{disk.Op{Kind: disk.Flush}, disk.Ret{OK: true}, "[0 0]"},
		{disk.Op{Kind: disk.Write, Addr: 1, Val: 2}, disk.Ret{OK: true}, "[0 2{0,2}]"},
	} {
		answers := model.Answers{}
		if ret := sp.Step(&s, tt.op, &answers); ret != tt.ret {
			t.Errorf("%v returned %v, want %v", tt.op, ret, tt.ret)
		}
		if got := sp.Format(&s); got != tt.want {
			t.Errorf("after %v: %s, want %s", tt.op, got, tt.want)
		}
	}
	answers := model.Answers{2}
	if ret := sp.Step(&s, disk.Op{Kind: disk.Read, Addr: 2}, &answers); ret.Val != 2 || len(answers) != 0 {
		t.Errorf("out-of-bounds read returned %v, want any client value (the one chosen)", ret)
	}
}

// TestCrash: a crash lets every block take any value of its may-set,
// alternative 0 keeping the current one, and leaves it durable.
func TestCrash(t *testing.T) {
	sp := NewSpec(disk.Sizes{Blocks: 3, Values: 3})
	var s State
	for _, op := range []disk.Op{{Kind: disk.Write, Addr: 0, Val: 1}, {Kind: disk.Write, Addr: 0, Val: 2}, {Kind: disk.Write, Addr: 2, Val: 1}} {
		sp.Step(&s, op, &model.Answers{})
	}
	for _, tt := range []struct {
		answers model.Answers
		want    string
	}{
		{model.Answers{0, 0}, "[2 0 1]"},
		{model.Answers{1, 0}, "[0 0 1]"},
		{model.Answers{2, 1}, "[1 0 0]"},
	} {
		c := s
		answers := tt.answers
		sp.Crash(&c, &answers)
		if got := sp.Format(&c); got != tt.want || len(answers) != 0 {
			t.Errorf("crash with %v: %s, want %s", tt.answers, got, tt.want)
		}
	}
	var l last
	sp.Crash(&s, &l)
	if !slices.Equal(l.widths, []int{3, 2}) {
		t.Errorf("crash asked %v, want a choice of 3 for block 0 and of 2 for block 2", l.widths)
	}
}

// ref is a reference model of one disk: each block's current value and
// may-set as a map.
type ref struct {
	cur [disk.MaxBlocks]disk.Block
	may [disk.MaxBlocks]map[disk.Block]bool
}

func newRef() *ref {
	r := &ref{}
	for a := range r.may {
		r.may[a] = map[disk.Block]bool{0: true}
	}
	return r
}

// TestDiskAgainstReference: after any sequence of writes, flushes and
// crashes, Disk holds what the definition says, block by block, and
// encodes canonically: two disks are equal exactly when their encodings
// are, and an encoding decodes back to its disk.
func TestDiskAgainstReference(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 4).Draw(t, "blocks")
		var d Disk
		r := newRef()
		for i := range rapid.IntRange(0, 30).Draw(t, "steps") {
			switch rapid.IntRange(0, 5).Draw(t, fmt.Sprint("kind", i)) {
			case 0:
				d.Flush()
				for a := range r.may {
					r.may[a] = map[disk.Block]bool{r.cur[a]: true}
				}
			case 1:
				var picks []int
				for a := 0; a < n; a++ {
					picks = append(picks, rapid.IntRange(0, MaxMay-1).Draw(t, fmt.Sprint("pick", i, a)))
				}
				// A block is asked about only when its may-set has a choice;
				// the answers are taken in block order.
				ch := choosePicks(picks)
				d.Crash(n, &ch)
				next := 0
				for a := 0; a < n; a++ {
					if len(r.may[a]) == 1 {
						continue
					}
					// Alternative 0 is the current value, then the others in
					// increasing order.
					others := slices.Sorted(maps.Keys(r.may[a]))
					others = slices.DeleteFunc(others, func(x disk.Block) bool { return x == r.cur[a] })
					alts := append([]disk.Block{r.cur[a]}, others...)
					x := alts[picks[next]%len(alts)]
					next++
					r.cur[a], r.may[a] = x, map[disk.Block]bool{x: true}
				}
			default:
				a := disk.Addr(rapid.IntRange(0, n-1).Draw(t, fmt.Sprint("addr", i)))
				b := disk.Block(rapid.IntRange(0, 4).Draw(t, fmt.Sprint("val", i)))
				d.Write(a, b)
				r.cur[a] = b
				r.may[a][b] = true
			}
			for a := 0; a < n; a++ {
				want := slices.Sorted(maps.Keys(r.may[a]))
				if d.Cur[a] != r.cur[a] || !slices.Equal(d.May(disk.Addr(a)), want) || d.MayLen(disk.Addr(a)) != len(want) {
					t.Fatalf("block %d: cur %d may %v, want cur %d may %v", a, d.Cur[a], d.May(disk.Addr(a)), r.cur[a], want)
				}
			}
			enc := AppendEncode(nil, &d, n)
			var back Disk
			if k, err := Decode(enc, &back, n); err != nil || k != len(enc) || back != d {
				t.Fatalf("decoding %x: %v, %d bytes, %v; want %v", enc, back, k, err, d)
			}
		}
	})
}

// choosePicks answers the i-th choice with picks[i] modulo its width.
type choosePicks []int

func (c *choosePicks) Choose(n int) int {
	p := (*c)[0]
	*c = (*c)[1:]
	return p % n
}

func TestDecodeRefusesNonCanonical(t *testing.T) {
	for _, enc := range [][]byte{
		{1, 1, 1},       // the may-set repeats the current value
		{1, 2, 2, 0},    // out of order
		{1, 2, 0, 0},    // repeated
		{0, MaxMay, 1},  // too many
		{0, 1},          // truncated
		{0xff, 0xff, 1}, // bad varint
	} {
		var d Disk
		if _, err := Decode(enc, &d, 1); err == nil {
			t.Errorf("Decode(%x) accepted %v", enc, d)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte{1, 1, 0, 0, 0}, 2)
	f.Fuzz(func(t *testing.T, b []byte, n int) {
		if n < 0 || n > disk.MaxBlocks {
			return
		}
		var d Disk
		k, err := Decode(b, &d, n)
		if err != nil {
			return
		}
		if enc := AppendEncode(nil, &d, n); string(enc) != string(b[:k]) {
			t.Fatalf("re-encoding %x gives %x", b[:k], enc)
		}
	})
}

// TestMaxMay: a block holds MaxMay values a crash may leave; one more
// write of a new value panics naming the limit, a write of a value already
// there does not.
func TestMaxMay(t *testing.T) {
	var d Disk
	for v := 1; v < MaxMay; v++ {
		d.Write(0, disk.Block(v))
	}
	if d.MayLen(0) != MaxMay {
		t.Fatalf("%d values, want %d", d.MayLen(0), MaxMay)
	}
	d.Write(0, 3)
	defer func() {
		p := recover()
		if p == nil || !strings.Contains(fmt.Sprint(p), "MaxMay = 8") {
			t.Errorf("panic %v, want one naming MaxMay", p)
		}
	}()
	d.Write(0, MaxMay)
}

func TestUnion(t *testing.T) {
	var d, e Disk
	d.Write(0, 1)
	e.Write(0, 2)
	e.Write(0, 1)
	if !d.Union(&e) || Format(&d, 1) != "[1{0,1,2}]" {
		t.Errorf("union: %s", Format(&d, 1))
	}
	var full, other Disk
	for v := 1; v < MaxMay; v++ {
		full.Write(0, disk.Block(v))
	}
	other.Write(0, MaxMay)
	other.Write(0, MaxMay-1)
	if full.Union(&other) {
		t.Errorf("union of %d values accepted", MaxMay+1)
	}
}

func TestCheckUpper(t *testing.T) {
	for _, tt := range []struct {
		sizes disk.Sizes
		ok    bool
	}{
		{disk.Sizes{Blocks: 12, Values: 2}, true},
		{disk.Sizes{Blocks: 13, Values: 2}, false},
		{disk.Sizes{Blocks: 7, Values: 3}, true},
		{disk.Sizes{Blocks: 8, Values: 3}, false},
		{disk.Sizes{Blocks: 2, Values: MaxMay}, true},
		{disk.Sizes{Blocks: 1, Values: MaxMay + 1}, false},
	} {
		if err := CheckUpper(tt.sizes); (err == nil) != tt.ok {
			t.Errorf("%+v: %v, want ok=%v", tt.sizes, err, tt.ok)
		}
	}
}

// TestValidate: a check refuses sizes a disk cannot hold before it
// searches, as the synchronous disks' do.
func TestValidate(t *testing.T) {
	for _, tt := range []struct {
		sizes disk.Sizes
		ok    bool
	}{
		{disk.Sizes{Blocks: 2, Values: 2}, true},
		{disk.Sizes{Blocks: disk.MaxBlocks, Values: 2}, true},
		{disk.Sizes{Blocks: disk.MaxBlocks + 1, Values: 2}, false},
		{disk.Sizes{Blocks: 0, Values: 2}, false},
		{disk.Sizes{Blocks: 2, Values: 0}, false},
	} {
		v, isValidator := any(NewSpec(tt.sizes)).(model.Validator)
		if !isValidator {
			t.Fatalf("asyncdisk.Spec is not a model.Validator")
		}
		if err := v.Validate(); (err == nil) != tt.ok {
			t.Errorf("%+v: Validate() = %v, want ok=%v", tt.sizes, err, tt.ok)
		}
	}
}
