package model

import (
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
	last  string
}

func TestMemoryDiff(t *testing.T) {
	one, two := func() int { return 1 }, func() int { return 2 }
	base := func() memAPI {
		loop := &memNode{N: 1}
		loop.Next = loop
		return memAPI{flag: new(bool), f: one, inner: &memNode{N: 3}, loop: loop}
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
	} {
		a, b := base(), base()
		tc.change(&a)
		got := memoryDiff(reflect.ValueOf(&a).Elem(), reflect.ValueOf(&b).Elem(), map[[2]uintptr]bool{})
		if got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
