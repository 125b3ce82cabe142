package model

import (
	"bufio"
	"maps"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"
)

// The standard library's layouts that the walks of memory pass over parts
// of are found in this release of Go: where one is not, the walks pass
// over nothing of it, and the false alarms its part gave come back.
func TestPassedOverFindsItsFields(t *testing.T) {
	for _, c := range []struct {
		name  string
		found bool
	}{
		{"context's cancelCtx", cancelCtxType != nil},
		{"cancelCtx.done", cancelCtxDone >= 0},
		{"cancelCtx.children", cancelCtxKids >= 0},
		{"slog's commonHandler", slogHandlerType != nil},
		{"commonHandler.w", slogHandlerOut >= 0},
		{"os.File's poll.FD", fileFDType != nil},
		{"poll.FD.fdmu", fileFDLock >= 0},
		{"sync.Cond.checker", condChecker >= 0},
	} {
		if !c.found {
			t.Errorf("%s: not found", c.name)
		}
	}
}

// structWalkOf says of each struct type what the walks of memory do with
// it, as the checks it stands for decided field by field: the fields of
// the standard library's layouts passed over, a buffer walked up to its
// count, an atomic.Pointer followed, a sync.Map read, the user's own
// unsafe.Pointer walked.
func TestStructWalkOf(t *testing.T) {
	type own struct {
		p unsafe.Pointer
		n int
	}
	_ = own{p: nil, n: 0} // a user's struct holding an unsafe.Pointer
	passed := func(typ reflect.Type) []string {
		var names []string
		for _, f := range structWalkOf(typ).fields {
			if f.passes {
				names = append(names, typ.Field(f.i).Name)
			}
		}
		return names
	}
	held := func(typ reflect.Type) map[string]string {
		m := map[string]string{}
		for _, f := range structWalkOf(typ).fields {
			if f.held >= 0 {
				m[typ.Field(f.i).Name] = typ.Field(f.held).Name
			}
		}
		return m
	}
	for _, c := range []struct {
		typ             reflect.Type
		passed          []string
		held            map[string]string
		atomic, syncMap bool
	}{
		{typ: reflect.TypeFor[own](), held: map[string]string{}},
		{typ: reflect.TypeFor[sync.Cond](), passed: []string{"notify", "checker"}, held: map[string]string{}},
		{typ: cancelCtxType, passed: []string{"done", "children"}, held: map[string]string{}},
		{typ: reflect.TypeFor[bufio.Writer](), held: map[string]string{"buf": "n"}},
		{typ: reflect.TypeFor[atomic.Pointer[int]](), passed: []string{"v"}, held: map[string]string{}, atomic: true},
		{typ: reflect.TypeFor[atomic.Int64](), held: map[string]string{}},
		{typ: reflect.TypeFor[sync.Map](), held: map[string]string{}, syncMap: true},
	} {
		w := structWalkOf(c.typ)
		if len(w.fields) != c.typ.NumField() {
			t.Errorf("%v: %d fields, want %d", c.typ, len(w.fields), c.typ.NumField())
		}
		if got := passed(c.typ); !slices.Equal(got, c.passed) {
			t.Errorf("%v: passes over %q, want %q", c.typ, got, c.passed)
		}
		if got := held(c.typ); !maps.Equal(got, c.held) {
			t.Errorf("%v: buffers held %v, want %v", c.typ, got, c.held)
		}
		if w.atomic != c.atomic || w.syncMap != c.syncMap {
			t.Errorf("%v: atomic %v, sync.Map %v; want %v, %v", c.typ, w.atomic, w.syncMap, c.atomic, c.syncMap)
		}
		if again := structWalkOf(c.typ); again != w {
			t.Errorf("%v: found again, not taken from the cache", c.typ)
		}
	}
}
