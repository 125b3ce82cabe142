package model

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"unsafe"
)

// Codec is a ready canonical encoding for states of a fixed-size type S:
// integers, booleans, and arrays and structs of them, with no pointers,
// slices, maps, strings, floats or interfaces. A state is encoded as the
// bytes of its fields in memory order, padding left out, so two states are
// equal exactly when their encodings are. Embed a Codec in a Spec to give
// it AppendEncode, Decode and Format:
//
//	type Spec struct {
//		model.Codec[State]
//		// ...
//	}
//
// The zero Codec works; NewCodec checks the type at once instead of at
// first use, and saves a lookup per call. A hand-written encoding can be
// shorter (a disk of 16 blocks of which 3 are used, as varints), which
// makes hashing cheaper on large searches.
type Codec[S comparable] struct {
	plan *codecPlan
}

// codecPlan copies a state's bytes in runs: the leaves of its type merged
// where no padding separates them.
type codecPlan struct {
	runs []codecRun
	size int
}

type codecRun struct{ off, n uintptr }

// NewCodec returns the Codec of S. It panics when S holds a field that a
// Codec cannot encode canonically.
func NewCodec[S comparable]() Codec[S] {
	return Codec[S]{plan: planOf(reflect.TypeFor[S]())}
}

var codecPlans sync.Map // reflect.Type -> *codecPlan

func planOf(t reflect.Type) *codecPlan {
	if p, ok := codecPlans.Load(t); ok {
		return p.(*codecPlan)
	}
	p := &codecPlan{}
	if err := p.add(t, 0, t.String()); err != nil {
		panic(err)
	}
	for _, r := range p.runs {
		p.size += int(r.n)
	}
	codecPlans.Store(t, p)
	return p
}

// add appends the runs of a value of type t at offset off; path names it
// in errors.
func (p *codecPlan) add(t reflect.Type, off uintptr, path string) error {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if n := len(p.runs); n > 0 && p.runs[n-1].off+p.runs[n-1].n == off {
			p.runs[n-1].n += t.Size()
		} else {
			p.runs = append(p.runs, codecRun{off, t.Size()})
		}
		return nil
	case reflect.Array:
		for i := range t.Len() {
			if err := p.add(t.Elem(), off+uintptr(i)*t.Elem().Size(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Name == "_" {
				continue
			}
			if err := p.add(f.Type, off+f.Offset, path+"."+f.Name); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("model: a Codec cannot encode %s, of kind %s: only integers, booleans, and arrays and structs of them", path, t.Kind())
}

func (c Codec[S]) get() *codecPlan {
	if c.plan != nil {
		return c.plan
	}
	return planOf(reflect.TypeFor[S]())
}

// AppendEncode appends the encoding of *s to dst.
func (c Codec[S]) AppendEncode(dst []byte, s *S) []byte {
	base := unsafe.Pointer(s)
	for _, r := range c.get().runs {
		dst = append(dst, unsafe.Slice((*byte)(unsafe.Add(base, r.off)), r.n)...)
	}
	return dst
}

// errShort reports an encoding shorter than a state.
var errShort = errors.New("model: encoding shorter than a state")

// Decode reads the encoding of one state from the front of src into *s
// and returns its length.
func (c Codec[S]) Decode(src []byte, s *S) (int, error) {
	p := c.get()
	if len(src) < p.size {
		return 0, errShort
	}
	*s = *new(S)
	base := unsafe.Pointer(s)
	n := 0
	for _, r := range p.runs {
		n += copy(unsafe.Slice((*byte)(unsafe.Add(base, r.off)), r.n), src[n:])
	}
	return n, nil
}

// Format renders *s as fmt's %+v does (a struct's fields by name).
func (c Codec[S]) Format(s *S) string { return fmt.Sprintf("%+v", *s) }
