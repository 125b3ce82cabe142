package model

import (
	"math"
	"reflect"
	"testing"
)

type memNode struct {
	Next *memNode
	N    int
}

type memAPI struct {
	flag  *bool
	buf   []byte
	seen  map[string]int
	f     func() int
	inner any
	loop  *memNode
	pair  []byte
	arr   [2]int
	count map[string]int
	opt   *int
	small uint16
	ratio float64
	z     complex128
	id    any
	last  string
}

// memID is an int of another type.
type memID int

func TestMemoryDiff(t *testing.T) {
	one, two := func() int { return 1 }, func() int { return 2 }
	base := func() memAPI {
		loop := &memNode{N: 1}
		loop.Next = loop
		return memAPI{flag: new(bool), f: one, inner: &memNode{N: 3}, loop: loop, pair: []byte{1, 2}, count: map[string]int{"k": 1}, id: 3}
	}
	for _, tc := range []struct {
		name   string
		change func(*memAPI)
		want   string
	}{
		{"nothing", func(*memAPI) {}, ""},
		{"a flag behind a pointer", func(a *memAPI) { *a.flag = true }, "API.flag"},
		{"an empty slice, not nil", func(a *memAPI) { a.buf = make([]byte, 0, 8) }, ""},
		{"a slice's element", func(a *memAPI) { a.buf = []byte{1} }, "API.buf (length 1, not 0)"},
		{"an empty map, not nil", func(a *memAPI) { a.seen = map[string]int{} }, ""},
		{"a map's entry", func(a *memAPI) { a.seen = map[string]int{"k": 1} }, "API.seen (1 entries, not 0)"},
		{"another func", func(a *memAPI) { a.f = two }, "API.f"},
		{"a field behind an interface", func(a *memAPI) { a.inner.(*memNode).N = 4 }, "API.inner.N"},
		{"a field in a cycle", func(a *memAPI) { a.loop.N = 2 }, "API.loop.N"},
		{"a string", func(a *memAPI) { a.last = "read" }, "API.last"},
		{"a slice's last element", func(a *memAPI) { a.pair[1] = 3 }, "API.pair[1]"},
		{"an array's last element", func(a *memAPI) { a.arr[1] = 1 }, "API.arr[1]"},
		{"a map's value", func(a *memAPI) { a.count["k"] = 2 }, "API.count[k]"},
		{"a map's key", func(a *memAPI) { a.count = map[string]int{"j": 1} }, "API.count[j] (missing)"},
		{"a pointer set", func(a *memAPI) { a.opt = new(int) }, "API.opt"},
		{"an unsigned integer", func(a *memAPI) { a.small = 1 }, "API.small"},
		{"a float's sign", func(a *memAPI) { a.ratio = math.Copysign(0, -1) }, "API.ratio"},
		{"a complex number's imaginary part", func(a *memAPI) { a.z = complex(0, 1) }, "API.z"},
		{"a value of another type behind an interface", func(a *memAPI) { a.id = memID(3) }, "API.id (of another type)"},
	} {
		a, b := base(), base()
		tc.change(&a)
		got := memoryDiff(reflect.ValueOf(&a).Elem(), reflect.ValueOf(&b).Elem(), map[[2]uintptr]bool{})
		if got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// markingCaller passes calls to the layer below and sets a mark in memory
// that nothing clears.
type markingCaller struct {
	lower Caller[uint8, uint8]
	mark  *bool
}

func (m markingCaller) Call(op uint8) uint8 {
	*m.mark = true
	return m.lower.Call(op)
}

// TestRunMemory: after a compared run of an operation, the memory of the
// instance it ran on is looked at in every determinism mode, not only
// where every run is run twice; after one of recovery, where every run is
// run twice.
func TestRunMemory(t *testing.T) {
	impl := func(l Caller[uint8, uint8]) Instance[Caller[uint8, uint8]] {
		return Instance[Caller[uint8, uint8]]{API: markingCaller{l, new(bool)}, Recover: func() {}}
	}
	sys := NewSystem(NewLayer("lower", Spec[uint8, uint8, uint8](counterSpec{})), NewLayer("upper", Spec[uint8, uint8, uint8](counterSpec{})),
		impl, func(c *uint8) (uint8, bool) { return *c, true })
	for _, d := range DeterminismModes {
		w := sys.NewWorker(Options{Determinism: d}).(*worker[uint8, uint8, uint8, Caller[uint8, uint8], uint8, uint8, uint8, Caller[uint8, uint8]])
		*w.freshInstance().API.(markingCaller).mark = true
		if where := w.runMemory(false); where != "API.mark" {
			t.Errorf("determinism %s, an operation: memory left at %q, want API.mark", d, where)
		}
		want := ""
		if d == DeterminismFull {
			want = "API.mark"
		}
		if where := w.runMemory(true); where != want {
			t.Errorf("determinism %s, recovery: memory left at %q, want %q", d, where, want)
		}
	}
}

// Comparing instances that hold alike, as every compared run does,
// allocates nothing, the fields the walks pass over included.
func TestMemoryDiffAllocates(t *testing.T) {
	type held struct {
		p    *memNode
		s    []int
		ctx  any
		arr  [2]int
		name string
	}
	a := held{p: &memNode{N: 1}, s: []int{1, 2}, ctx: canceledContext(), arr: [2]int{3, 4}, name: "a"}
	b := held{p: &memNode{N: 1}, s: []int{1, 2}, ctx: canceledContext(), arr: [2]int{3, 4}, name: "a"}
	seen := map[[2]uintptr]bool{}
	va, vb := reflect.ValueOf(&a).Elem(), reflect.ValueOf(&b).Elem()
	memoryDiff(va, vb, seen)
	if n := testing.AllocsPerRun(100, func() { memoryDiff(va, vb, seen) }); n != 0 {
		t.Fatalf("%v allocations, want 0", n)
	}
}
