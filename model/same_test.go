package model

import (
	"errors"
	"math"
	"testing"
)

// errResult is a result as Go storage code returns one: a value and an
// error.
type errResult struct {
	V   uint8
	Err error
	_   uint8
}

// sameFor compares results that hold an interface or a float without
// allocating: results are compared on the search's hot path, for every
// run of an operation.
func TestSameAllocatesNothing(t *testing.T) {
	errA, errB := errors.New("a"), errors.New("b")
	same := sameFor[errResult]()
	for _, tc := range []struct {
		a, b errResult
		want bool
	}{
		{errResult{V: 1, Err: errA}, errResult{V: 1, Err: errA}, true},
		{errResult{V: 1, Err: errA}, errResult{V: 1, Err: errB}, false},
		{errResult{V: 1}, errResult{V: 2}, false},
		{errResult{V: 1}, errResult{V: 1, Err: errA}, false},
	} {
		if got := same(tc.a, tc.b); got != tc.want {
			t.Errorf("same(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
		if n := testing.AllocsPerRun(100, func() { same(tc.a, tc.b) }); n != 0 {
			t.Errorf("same(%v, %v) allocates %v times", tc.a, tc.b, n)
		}
	}
	type anyResult struct{ X any }
	sameAny := sameFor[anyResult]()
	negZero := math.Copysign(0, -1)
	if sameAny(anyResult{0.0}, anyResult{negZero}) || !sameAny(anyResult{math.NaN()}, anyResult{math.NaN()}) {
		t.Errorf("floats in an interface compared by ==, not by identity")
	}
	if n := testing.AllocsPerRun(100, func() { sameAny(anyResult{errA}, anyResult{errA}) }); n != 0 {
		t.Errorf("an interface result's comparison allocates %v times", n)
	}
}
