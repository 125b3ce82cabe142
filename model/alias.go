package model

import (
	"fmt"
	"reflect"
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

// aliases returns where r points into the size bytes at base, as a path
// below "result" ("result.P"), or "".
//
//go:noinline
func aliases[Ret any](r Ret, base unsafe.Pointer, size uintptr) string {
	lo := uintptr(base)
	return pointsInto(reflect.ValueOf(&r).Elem(), lo, lo+size, "result", map[uintptr]bool{})
}

// pointsInto returns the path below where of a pointer, slice or map
// reachable from v whose memory overlaps [lo, hi), or "". Funcs (what a
// closure captures) and channels are not looked into.
func pointsInto(v reflect.Value, lo, hi uintptr, where string, seen map[uintptr]bool) string {
	overlaps := func(p, n uintptr) bool { return p < hi && p+max(n, 1) > lo }
	if !v.IsValid() || PlainValue(v.Type()) == nil {
		return "" // nothing in it points anywhere (a large buffer of bytes)
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return ""
		}
		p := uintptr(v.UnsafePointer())
		if overlaps(p, v.Type().Elem().Size()) {
			return where
		}
		if seen[p] {
			return ""
		}
		seen[p] = true
		return pointsInto(v.Elem(), lo, hi, "(*"+where+")", seen)
	case reflect.Slice:
		if v.IsNil() {
			return ""
		}
		p := uintptr(v.UnsafePointer())
		if overlaps(p, uintptr(v.Cap())*v.Type().Elem().Size()) {
			return where
		}
		if seen[p] {
			return ""
		}
		seen[p] = true
		for i := range v.Len() {
			if w := pointsInto(v.Index(i), lo, hi, fmt.Sprintf("%s[%d]", where, i), seen); w != "" {
				return w
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			if w := pointsInto(it.Key(), lo, hi, where+"[key]", seen); w != "" {
				return w
			}
			if w := pointsInto(it.Value(), lo, hi, where+"[value]", seen); w != "" {
				return w
			}
		}
	case reflect.Interface:
		return pointsInto(v.Elem(), lo, hi, where, seen)
	case reflect.Struct:
		for i := range v.NumField() {
			if w := pointsInto(v.Field(i), lo, hi, where+"."+v.Type().Field(i).Name, seen); w != "" {
				return w
			}
		}
	case reflect.Array:
		for i := range v.Len() {
			if w := pointsInto(v.Index(i), lo, hi, fmt.Sprintf("%s[%d]", where, i), seen); w != "" {
				return w
			}
		}
	}
	return ""
}
