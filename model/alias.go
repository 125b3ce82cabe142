package model

import (
	"fmt"
	"reflect"
	"sync"
	"unsafe"
)

// A lower specification's step is handed the Machine's own state, and its
// result goes to layer code. A result that points into that state (&s.D,
// s.D[:]) would let layer code read and change the lower state outside a
// step: a change made through it is no step of the lower layer, so no
// crash falls between it and the next, and a run that repeats the steps
// of the run before it reads what the state held then. Lower results that
// are plain values (PlainValue) cannot point anywhere; others are walked
// after each step.

// aliasedResult is the failure of a run whose lower step returned a
// result that points into the lower state.
type aliasedResult struct{ op, where string }

func (e aliasedResult) Error() string {
	return fmt.Sprintf("the lower layer's step %s returned a result whose %s points into the lower state: layer code could change that state outside a step (return a copy)", e.op, e.where)
}

// aliasWalk is a Machine's walk of its results for pointers into its
// state (see aliasedResult), its memory reused from one step's result to
// the next: a Machine's walk of a result that holds no map allocates
// nothing once it has grown (results are walked at every step).
type aliasWalk[Ret any] struct {
	r    *Ret          // the result walked, copied
	v    reflect.Value // *r
	seen map[uintptr]bool
}

// of returns where r points into the size bytes at base, as a path below
// "result" ("result.P"), or "".
func (a *aliasWalk[Ret]) of(r Ret, base unsafe.Pointer, size uintptr) string {
	if a.r == nil {
		a.r, a.seen = new(Ret), map[uintptr]bool{}
		a.v = reflect.ValueOf(a.r).Elem()
	}
	*a.r = r
	lo := uintptr(base)
	clear(a.seen)
	if pointsInto(a.v, lo, lo+size, "", false, a.seen) == "" {
		return ""
	}
	clear(a.seen)
	return pointsInto(a.v, lo, lo+size, "result", true, a.seen)
}

// pointsInto returns the path below where of a pointer, slice or map
// reachable from v whose memory overlaps [lo, hi), or "". Funcs (what a
// closure captures) and channels are not looked into. Unless locate, it
// builds no path, and returns "?" for one.
func pointsInto(v reflect.Value, lo, hi uintptr, where string, locate bool, seen map[uintptr]bool) string {
	overlaps := func(p, n uintptr) bool { return p < hi && p+max(n, 1) > lo }
	if !v.IsValid() || pointerFree(v.Type()) {
		return "" // nothing in it points anywhere (a large buffer of bytes)
	}
	found := where
	if !locate {
		found = "?"
	}
	// below returns the path of an element of v: where and suffix, or
	// nothing where no path is built.
	below := func(suffix string) string {
		if !locate {
			return ""
		}
		return where + suffix
	}
	index := func(i int) string {
		if !locate {
			return ""
		}
		return fmt.Sprintf("%s[%d]", where, i)
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return ""
		}
		p := uintptr(v.UnsafePointer())
		if overlaps(p, v.Type().Elem().Size()) {
			return found
		}
		if seen[p] {
			return ""
		}
		seen[p] = true
		if !locate {
			return pointsInto(v.Elem(), lo, hi, "", false, seen)
		}
		return pointsInto(v.Elem(), lo, hi, "(*"+where+")", true, seen)
	case reflect.Slice:
		if v.IsNil() {
			return ""
		}
		p := uintptr(v.UnsafePointer())
		if overlaps(p, uintptr(v.Cap())*v.Type().Elem().Size()) {
			return found
		}
		if seen[p] {
			return ""
		}
		seen[p] = true
		for i := range v.Len() {
			if w := pointsInto(v.Index(i), lo, hi, index(i), locate, seen); w != "" {
				return w
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			if w := pointsInto(it.Key(), lo, hi, below("[key]"), locate, seen); w != "" {
				return w
			}
			if w := pointsInto(it.Value(), lo, hi, below("[value]"), locate, seen); w != "" {
				return w
			}
		}
	case reflect.Interface:
		return pointsInto(v.Elem(), lo, hi, where, locate, seen)
	case reflect.Struct:
		for i := range v.NumField() {
			name := ""
			if locate {
				name = where + "." + v.Type().Field(i).Name
			}
			if w := pointsInto(v.Field(i), lo, hi, name, locate, seen); w != "" {
				return w
			}
		}
	case reflect.Array:
		for i := range v.Len() {
			if w := pointsInto(v.Index(i), lo, hi, index(i), locate, seen); w != "" {
				return w
			}
		}
	}
	return ""
}

// pointerFrees holds, for each type pointerFree was asked of, its answer.
var pointerFrees sync.Map // reflect.Type -> bool

// pointerFree reports whether no value of type t holds a pointer, a
// slice, a map, an interface, a func or a channel: numbers, booleans,
// strings (which layer code cannot change), and arrays and structs of
// them. The answers are kept: it is asked of every value a walk meets.
func pointerFree(t reflect.Type) bool {
	if b, ok := pointerFrees.Load(t); ok {
		return b.(bool)
	}
	var b bool
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128, reflect.String:
		b = true
	case reflect.Array:
		b = pointerFree(t.Elem())
	case reflect.Struct:
		b = true
		for i := range t.NumField() {
			b = b && pointerFree(t.Field(i).Type)
		}
	}
	pointerFrees.Store(t, b)
	return b
}
