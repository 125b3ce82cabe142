package model

import (
	"math"
	"reflect"
	"sync"
)

// Results of the upper layer are compared with the specification's by
// value. Go's == takes -0 for 0 (a client that divides by the result, or
// looks at its sign, tells them apart) and NaN for unequal to itself (a
// correct result would never match). Where a result type holds a float or
// an interface (which may hold a float), sameFor compares floats by
// identity instead: -0 and 0 differ, and NaN is the same as NaN.

// sameFor returns the comparison of values of type T where == is not
// identity (a float or an interface in T), or nil where == is. The
// comparison is for one goroutine at a time (a worker's, a Semantics').
func sameFor[T comparable]() func(a, b T) bool {
	if !needsIdentity(reflect.TypeFor[T](), 0) {
		return nil
	}
	// The values compared are copied into memory of the comparison's own,
	// which identical's reflection may keep, so that a comparison
	// allocates nothing.
	sa, sb := new(T), new(T)
	va, vb := reflect.ValueOf(sa).Elem(), reflect.ValueOf(sb).Elem()
	return func(a, b T) bool {
		*sa, *sb = a, b
		return identical(va, vb)
	}
}

// needsIdentity reports whether == on t differs from identity somewhere:
// t holds a float, a complex or an interface other than through a pointer
// or a channel (which == compares by address).
func needsIdentity(t reflect.Type, depth int) bool {
	switch t.Kind() {
	case reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128, reflect.Interface:
		return true
	case reflect.Array:
		return needsIdentity(t.Elem(), depth+1)
	case reflect.Struct:
		for i := range t.NumField() {
			if t.Field(i).Name != "_" && needsIdentity(t.Field(i).Type, depth+1) {
				return true
			}
		}
	}
	return false
}

// identical is == on a and b of one comparable type, except that floats
// are equal when both are NaN, or equal with the same sign.
func identical(a, b reflect.Value) bool {
	switch a.Kind() {
	case reflect.Float32, reflect.Float64:
		return sameFloat(a.Float(), b.Float())
	case reflect.Complex64, reflect.Complex128:
		x, y := a.Complex(), b.Complex()
		return sameFloat(real(x), real(y)) && sameFloat(imag(x), imag(y))
	case reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		if a.Elem().Type() != b.Elem().Type() {
			return false
		}
		if !a.Elem().Type().Comparable() {
			return a.Equal(b) // panics as == does
		}
		return identical(a.Elem(), b.Elem())
	case reflect.Array:
		for i := range a.Len() {
			if !identical(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Struct:
		for i := range a.NumField() {
			if !blankField(a.Type(), i) && !identical(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	}
	return a.Equal(b)
}

// sameFloat reports whether x and y are the same float: both NaN, or
// equal with the same sign.
func sameFloat(x, y float64) bool {
	if x != x || y != y {
		return x != x && y != y
	}
	return x == y && math.Signbit(x) == math.Signbit(y)
}

// blanks holds, for each struct type identical has compared, which of
// its fields are blank (named _), which == passes over: reflect's
// Type.Field allocates, and results are compared on the search's hot
// path.
var blanks sync.Map // reflect.Type -> []bool

// blankField reports whether field i of struct type t is blank.
func blankField(t reflect.Type, i int) bool {
	if b, ok := blanks.Load(t); ok {
		return b.([]bool)[i]
	}
	b := make([]bool, t.NumField())
	for j := range b {
		b[j] = t.Field(j).Name == "_"
	}
	blanks.Store(t, b)
	return b[i]
}
