package model

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"
	"io"
	"log"
	"log/slog"
	"math"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/cespare/xxhash/v2"
)

// Memory the instances share. Every check that compares an instance with
// a newly built one (see Determinism) compares what the two hold, and so
// cannot see memory that both reach through one pointer, slice or map: a
// variable of the function that builds the System, captured by Impl, or
// a value every instance points to. Code that keeps state there (a flag
// a recovery sets, a count of the writes made) behaves alike on every
// instance of a check, yet after a real crash that memory is lost. A
// worker takes the values its pristine instance, which runs nothing,
// reaches from its API when the worker is made, before any run, and
// compares them when the search ends: memory the instance does not run
// changes only when it is shared with instances that run.

// sharedSnapshot is what a walk of the values reachable from an API
// records, leaf by leaf, in a fixed order: the values of scalars, the
// lengths of slices and maps, whether pointers and interfaces are nil,
// how many values a channel's buffer holds and the address an
// unsafe.Pointer holds (neither followed: their types do not say what
// they hold); an atomic.Pointer is followed as a pointer. A pointer to the worker's Machine is not followed: the Machine is
// the lower layer, whose state changes at every step by design; nor is
// one to a test's state or a time.Location (see unwalked).
type sharedSnapshot struct {
	machine unsafe.Pointer
	seen    map[sharedRef]bool
	vals    []uint64
	// Locating: with stop >= 0, the walk records the path to leaf number
	// stop in where, and records no more leaves after it.
	stop  int
	path  []string
	where string
	// types are the types of the values on the path, outermost first,
	// and hint what sharedHint says of them at leaf number stop.
	types []reflect.Type
	hint  string
}

// sharedRef names memory a walk has entered: a pointer's target, a
// slice's elements or a map, with its type, so that a struct and its
// first field are told apart.
type sharedRef struct {
	p unsafe.Pointer
	t reflect.Type
	n int
}

// sharedWalk returns the leaves of the values reachable from v, skipping
// the Machine at machine; with stop >= 0, also the path (from root, "API"
// or "Ops") to leaf number stop.
func sharedWalk(v reflect.Value, root string, machine unsafe.Pointer, stop int) *sharedSnapshot {
	s := &sharedSnapshot{}
	s.rewalk(v, root, machine, stop)
	return s
}

// rewalk is sharedWalk into s, whose memory it reuses: a walk that
// enters no map allocates nothing once s has grown to its size.
func (s *sharedSnapshot) rewalk(v reflect.Value, root string, machine unsafe.Pointer, stop int) {
	if s.seen == nil {
		s.seen = map[sharedRef]bool{}
	}
	clear(s.seen)
	s.machine, s.stop, s.where, s.hint = machine, stop, "", ""
	s.vals, s.types = s.vals[:0], s.types[:0]
	s.path = append(s.path[:0], root)
	s.value(v)
}

// leaf records one leaf.
func (s *sharedSnapshot) leaf(x uint64) {
	if s.stop >= 0 && len(s.vals) == s.stop && s.where == "" {
		s.where = s.joined()
		s.hint = sharedHint(s.types)
	}
	s.vals = append(s.vals, x)
}

// joined returns the current path.
func (s *sharedSnapshot) joined() string {
	return strings.Join(s.path, "")
}

// done reports whether a locating walk has found its leaf.
func (s *sharedSnapshot) done() bool { return s.where != "" }

// enter reports whether the memory r names is new to the walk, and
// records a leaf saying whether it is.
func (s *sharedSnapshot) enter(r sharedRef) bool {
	if s.seen[r] {
		s.leaf(2)
		return false
	}
	s.seen[r] = true
	s.leaf(3)
	return true
}

// at walks v under the path element format renders with x, rendered
// only by a locating walk.
func (s *sharedSnapshot) at(format string, x any, v reflect.Value) {
	if s.stop < 0 {
		s.value(v)
		return
	}
	s.path = append(s.path, fmt.Sprintf(format, x))
	s.value(v)
	s.path = s.path[:len(s.path)-1]
}

// value walks v; a locating walk also keeps the types on the path.
func (s *sharedSnapshot) value(v reflect.Value) {
	if s.stop < 0 || !v.IsValid() {
		s.walk(v)
		return
	}
	s.types = append(s.types, v.Type())
	s.walk(v)
	s.types = s.types[:len(s.types)-1]
}

func (s *sharedSnapshot) walk(v reflect.Value) {
	if s.done() {
		return
	}
	switch v.Kind() {
	case reflect.Invalid:
		s.leaf(0)
	case reflect.Bool:
		if v.Bool() {
			s.leaf(1)
		} else {
			s.leaf(0)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		s.leaf(uint64(v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		s.leaf(v.Uint())
	case reflect.Float32, reflect.Float64:
		s.leaf(math.Float64bits(v.Float()))
	case reflect.Complex64, reflect.Complex128:
		s.leaf(math.Float64bits(real(v.Complex())))
		s.leaf(math.Float64bits(imag(v.Complex())))
	case reflect.String:
		s.leaf(xxhash.Sum64String(v.String()))
	case reflect.Func:
		s.leaf(uint64(v.Pointer()))
	case reflect.Array:
		s.elements(v)
	case reflect.Slice:
		s.leaf(uint64(v.Len()))
		if v.Len() == 0 || !s.enter(sharedRef{v.UnsafePointer(), v.Type(), v.Len()}) {
			return
		}
		s.elements(v)
	case reflect.Map:
		s.leaf(uint64(v.Len()))
		if v.Len() == 0 || !s.enter(sharedRef{v.UnsafePointer(), v.Type(), 0}) {
			return
		}
		s.mapEntries(v)
	case reflect.Pointer:
		switch {
		case v.IsNil():
			s.leaf(0)
		case v.UnsafePointer() == s.machine:
			s.leaf(1)
		case unwalked(v.Type().Elem()):
			s.leaf(1)
		case s.enter(sharedRef{v.UnsafePointer(), v.Type(), 0}):
			s.value(v.Elem())
		}
	case reflect.Interface:
		if v.IsNil() {
			s.leaf(0)
			return
		}
		s.leaf(xxhash.Sum64String(v.Elem().Type().String()))
		s.value(v.Elem())
	case reflect.Chan:
		if v.IsNil() {
			s.leaf(0)
			return
		}
		s.leaf(uint64(v.Len()) + 1)
		s.leaf(uint64(v.Cap()))
	case reflect.UnsafePointer:
		s.leaf(uint64(uintptr(v.UnsafePointer())))
	case reflect.Struct:
		sw := structWalkOf(v.Type())
		if sw.syncMap {
			if m, ok := syncMapEntries(v); ok {
				s.mapEntries(reflect.ValueOf(m))
			} else {
				s.leaf(0)
			}
			return
		}
		if sw.atomic {
			p, _ := atomicPointerTarget(v)
			if s.stop < 0 {
				s.value(p)
			} else {
				s.at("%s", ".Load()", p)
			}
			return
		}
		if k := lockOf(v.Type()); k != lockNone {
			if lockHeld(v, k) {
				s.leaf(1)
			} else {
				s.leaf(0)
			}
			return
		}
		for _, f := range sw.fields {
			switch {
			case f.passes:
				s.leaf(0)
			case s.stop < 0:
				s.value(f.of(v)) // no path: its name is not looked up
			default:
				s.at(".%s", v.Type().Field(f.i).Name, f.of(v))
			}
		}
	default:
		s.leaf(0)
	}
}

// elements walks the elements of array or slice v.
func (s *sharedSnapshot) elements(v reflect.Value) {
	for i := range v.Len() {
		if s.stop < 0 {
			s.value(v.Index(i))
		} else {
			s.at("[%d]", i, v.Index(i))
		}
	}
}

// unwalked says whether the walk passes over memory of type t behind a
// pointer: a test's own state (a *testing.T that layer code logs to,
// whose output grows, and that other tests' goroutines may write), a
// time.Location (whose cache and lazily loaded zones change as any code
// formats times) and a strings.Replacer (built lazily on its first use,
// from the pairs it was made with, which no method changes).
func unwalked(t reflect.Type) bool {
	return t.PkgPath() == "testing" || t == reflect.TypeFor[time.Location]() || t == reflect.TypeFor[strings.Replacer]()
}

// The fields that the walks of memory (this one and memoryDiff's) pass
// over, of types of the standard library whose memory changes as they
// are used where nothing the code using them can observe does:
//
//   - the done channel of a context made by context.WithCancel (or
//     WithTimeout, WithDeadline...), made lazily by the first call of its
//     Done method, whose channel behaves alike before and after (closed
//     once the context is canceled, which its err field, walked, says),
//     and the set of the contexts derived from it, which only its
//     cancellation reads, to cancel them (as their err fields say);
//   - the output of a log/slog TextHandler or JSONHandler: an io.Writer
//     that no method of the handler, nor of a slog.Logger, gives back, so
//     that layer code can only write to it through them (the same writer
//     reached from the API by another path is walked on that path);
//   - the lock of an os.File's descriptor, which counts the reads and
//     writes in flight, and which any goroutine writing to the file (to
//     os.Stderr, say) takes and releases, the walk reading it or not (a
//     closed file shows in its descriptor, walked).
//   - the copy checker of a sync.Cond, which its first method call sets
//     to the Cond's own address, to tell a copy by, and its list of
//     waiters, whose tickets count every Wait and Signal ever made and
//     whose entries are the goroutines waiting now (a goroutine of the
//     instance's own waiting for work is there once it has run, in one
//     instance and not yet in one just built), none of which the code
//     using the Cond can read.
//
// A log.Logger's output is walked: its Writer method gives it back.
var (
	cancelCtxType   = pointee(reflect.TypeOf(canceledContext()))
	cancelCtxDone   = fieldIndex(cancelCtxType, "done")
	cancelCtxKids   = fieldIndex(cancelCtxType, "children")
	slogHandlerType = embedded(reflect.TypeOf(slog.NewTextHandler(io.Discard, nil)))
	slogHandlerOut  = fieldIndex(slogHandlerType, "w")
	fileFDType      = fileFD()
	fileFDLock      = fieldIndex(fileFDType, "fdmu")
	condChecker     = fieldIndex(reflect.TypeFor[sync.Cond](), "checker")
	condNotify      = fieldIndex(reflect.TypeFor[sync.Cond](), "notify")
)

// canceledContext returns a context made by context.WithCancel.
func canceledContext() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// fileFD returns the type of an os.File's descriptor (internal/poll.FD),
// or nil where it has none.
func fileFD() reflect.Type {
	if t := embedded(reflect.TypeFor[*os.File]()); t != nil {
		if f, ok := t.FieldByName("pfd"); ok {
			return f.Type
		}
	}
	return nil
}

// pointee returns the type t points to, or nil where t is no pointer.
func pointee(t reflect.Type) reflect.Type {
	if t.Kind() != reflect.Pointer {
		return nil
	}
	return t.Elem()
}

// embedded returns the struct type that the first field of the struct t
// points to (t, or what t points to), as *os.File holds *os.file, or nil
// where it holds none: these are the standard library's unexported
// layouts, which a release of Go may change, and passedOver then passes
// over nothing of them.
func embedded(t reflect.Type) reflect.Type {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t.NumField() == 0 {
		return nil
	}
	f := t.Field(0).Type
	if f.Kind() != reflect.Pointer || f.Elem().Kind() != reflect.Struct {
		return nil
	}
	return f.Elem()
}

// fieldIndex returns the index of the field name of the struct type t, or
// -1 where t has no such field (a release of Go that changed it, which
// the model's tests see).
func fieldIndex(t reflect.Type, name string) int {
	if t == nil || t.Kind() != reflect.Struct {
		return -1
	}
	f, ok := t.FieldByName(name)
	if !ok || len(f.Index) != 1 {
		return -1
	}
	return f.Index[0]
}

// Buffers that the standard library fills up to a count it keeps are
// walked up to that count: the bytes past it are what earlier writes
// left there, already used, which no method reads again. A bufio.Writer
// flushed at the end of every call holds what the last call wrote, where
// a new one holds zeros; so does the block buffer of a hash of
// crypto/md5, sha1, sha256 or sha512 Reset before the call returns.
type heldBuffer struct {
	buf, n int // the indices of the buffer and its count
}

// heldBuffers holds, for each type with such a buffer, its fields, found
// by name: these are the standard library's unexported layouts, which a
// release of Go may change, and a type without them is walked whole.
var heldBuffers = func() map[reflect.Type]heldBuffer {
	m := map[reflect.Type]heldBuffer{}
	add := func(t reflect.Type, buf, n string) {
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if b, c := fieldIndex(t, buf), fieldIndex(t, n); b >= 0 && c >= 0 && t.Field(c).Type.Kind() == reflect.Int {
			m[t] = heldBuffer{b, c}
		}
	}
	add(reflect.TypeFor[bufio.Writer](), "buf", "n")
	for _, h := range []hash.Hash{md5.New(), sha1.New(), sha256.New(), sha512.New()} {
		add(reflect.TypeOf(h), "x", "nx")
	}
	return m
}()

// structWalk is what the walks of memory do with the values of a struct
// type, found once per type (structWalkOf): an atomic.Pointer's target is
// followed, a sync.Map's entries are read, and otherwise its fields are
// walked, but for those the walks pass over.
type structWalk struct {
	atomic, syncMap bool
	fields          []walkedField // every field, in order
}

// walkedField is a field of a structWalk: its index, whether the walks pass
// over it (passedOver, stdPointer), and the index of the count that a
// buffer of heldBuffers is walked up to, or -1.
type walkedField struct {
	i, held int
	passes  bool
}

// structWalks holds the structWalk of each struct type met.
var structWalks sync.Map // reflect.Type -> *structWalk

// structWalkOf returns the structWalk of the struct type t. It allocates
// only the first time it meets t.
func structWalkOf(t reflect.Type) *structWalk {
	if w, ok := structWalks.Load(t); ok {
		return w.(*structWalk)
	}
	w := &structWalk{syncMap: t == syncMapType, atomic: atomicPointerOf(t).field >= 0}
	h, held := heldBuffers[t]
	for i := range t.NumField() {
		f := walkedField{i: i, held: -1, passes: passedOver(t, i) || stdPointer(t, i)}
		if k := t.Field(i).Type.Kind(); held && i == h.buf && (k == reflect.Slice || k == reflect.Array) {
			f.held = h.n
		}
		w.fields = append(w.fields, f)
	}
	actual, _ := structWalks.LoadOrStore(t, w)
	return actual.(*structWalk)
}

// of returns the field of the struct v as the walks of memory compare it:
// a buffer of heldBuffers up to its count, else the field.
func (f walkedField) of(v reflect.Value) reflect.Value {
	x := v.Field(f.i)
	if f.held < 0 || x.Kind() == reflect.Array && !x.CanAddr() {
		return x
	}
	if n := v.Field(f.held).Int(); n >= 0 && n <= int64(x.Len()) {
		return x.Slice(0, int(n))
	}
	return x
}

// passedOver says whether the walks of memory pass over field i of the
// struct type t (see cancelCtxType).
func passedOver(t reflect.Type, i int) bool {
	return t == cancelCtxType && (i == cancelCtxDone || i == cancelCtxKids) || t == slogHandlerType && i == slogHandlerOut || t == fileFDType && i == fileFDLock ||
		t == reflect.TypeFor[sync.Cond]() && (i == condChecker || i == condNotify)
}

// stdPointer says whether field i of the struct type t is an unsafe.Pointer
// of a type of the standard library, which the walks of memory pass over
// as they did before they read unsafe.Pointers: the list of a sync.Cond's
// waiters, which another worker waiting fills for a moment, and a
// sync.Pool's per-processor memory (whose size, walked, says whether it
// was used); an atomic.Pointer's is followed (atomicPointerTarget), and
// a sync.Map's entries are read. The user's own are read (see walk).
func stdPointer(t reflect.Type, i int) bool {
	if t.Field(i).Type.Kind() != reflect.UnsafePointer {
		return false
	}
	p := t.PkgPath()
	first, _, _ := strings.Cut(p, "/")
	return p != "" && !strings.Contains(first, ".")
}

// sharedHint says what the first type of the standard library among
// types, the types on the path to memory that changed (outermost first),
// is used for and how layer code does without it, or returns "".
func sharedHint(types []reflect.Type) string {
	for _, t := range types {
		switch {
		case t == reflect.TypeFor[sync.Once]():
			return " (a sync.Once: it runs its function once in a process, where after a real crash it runs again, so that whether it ran, and what it built, is state all the same; call Do where the memory is made, in the function that builds the System or in Impl, before any call)"
		case t == reflect.TypeFor[log.Logger]():
			return " (the output of a log.Logger, which its Writer method gives back to the layer code, so that no check can tell it from state the layer reads: log to os.Stderr or io.Discard, or through a log/slog TextHandler or JSONHandler, whose output is passed over)"
		case t == reflect.TypeFor[sync.Pool]():
			return " (a sync.Pool: what one call puts in it a later call gets, where a real crash empties it, and no check sees its contents; allocate scratch space in the call)"
		case t.PkgPath() == "math/rand" || t.PkgPath() == "math/rand/v2":
			return " (a random number generator, which each draw advances: a run made again draws other numbers than the first, and a real crash starts it over; let the lower layer make the choices)"
		case t == reflect.TypeFor[bytes.Reader]() || t == reflect.TypeFor[strings.Reader]() || t == reflect.TypeFor[io.SectionReader]() || t == reflect.TypeFor[bufio.Reader]():
			return " (a reader, which each Read moves on: a later run that reads it again reads on from where the one before stopped, where a real call is handed the reader afresh; read it with ReadAt, which does not move it, or hand the operation the bytes and make a reader of them in the call)"
		case strings.HasPrefix(t.PkgPath(), "hash/") || strings.HasPrefix(t.PkgPath(), "crypto/"):
			return " (a hash, whose every Write adds to what it holds: make it in the call, Reset it before the call returns, or use its package's function over the bytes, such as crc32.Checksum)"
		case t.Kind() == reflect.Chan:
			return " (a channel, whose buffer holds what one call sent until a later call receives it, where a real crash empties it: a token or a value left in it is state all the same; keep it in the lower layer, or drain the channel before the call returns)"
		case t.PkgPath() == "sync/atomic" && (strings.HasPrefix(t.Name(), "Int") || strings.HasPrefix(t.Name(), "Uint")):
			return " (an atomic counter: a count the layer code never reads is state all the same, as no check can tell it from one it reads; layer code keeps no counts)"
		}
	}
	return ""
}

// mapEntries walks a map's entries in the order of their keys' hashes
// (hashKey), the same order at every walk whatever the map's iteration
// order.
func (s *sharedSnapshot) mapEntries(v reflect.Value) {
	type entry struct {
		h uint64
		k reflect.Value
	}
	keys := v.MapKeys()
	entries := make([]entry, len(keys))
	for i, k := range keys {
		entries[i] = entry{hashKey(k, 0), k}
	}
	slices.SortStableFunc(entries, func(a, b entry) int { return cmp.Compare(a.h, b.h) })
	for _, e := range entries {
		s.leaf(e.h)
		s.at("[%v]", e.k, v.MapIndex(e.k))
	}
}

// syncMapType is the type of a sync.Map. The walks of memory (this one
// and memoryDiff's) compare its entries, read through its Range method:
// its own memory holds them behind pointers that no walk follows.
var syncMapType = reflect.TypeFor[sync.Map]()

// atomicPointers holds, for each type of package sync/atomic that
// atomicPointerTarget was asked of, what it found: the field index and the
// pointer type of an atomic.Pointer, or a field index of -1.
var atomicPointers sync.Map // reflect.Type -> atomicPointer

// atomicPointer is what atomicPointers holds of a type.
type atomicPointer struct {
	field int          // the index of its field holding the pointer, or -1
	ptr   reflect.Type // *T, of an atomic.Pointer[T]
}

// atomicPointerTarget returns the pointer that v, an atomic.Pointer[T],
// holds, as a *T the walks of memory follow as any pointer (its own memory
// holds it as an unsafe.Pointer, which no walk could follow), loaded
// atomically where v is addressable; or false where v is of no such type.
// What a recovery stores there (a mode, a configuration swapped whole) is
// state as a field is. It allocates only the first time it meets a type
// of sync/atomic.
func atomicPointerTarget(v reflect.Value) (reflect.Value, bool) {
	info := atomicPointerOf(v.Type())
	if info.field < 0 {
		return reflect.Value{}, false
	}
	f := v.Field(info.field)
	var p unsafe.Pointer
	if f.CanAddr() {
		p = atomic.LoadPointer((*unsafe.Pointer)(unsafe.Pointer(f.UnsafeAddr())))
	} else {
		p = f.UnsafePointer()
	}
	if p == nil {
		return reflect.Zero(info.ptr), true
	}
	return reflect.NewAt(info.ptr.Elem(), p), true
}

// atomicPointerOf returns what atomicPointers holds of t: a field index
// of -1 where t is no atomic.Pointer.
func atomicPointerOf(t reflect.Type) atomicPointer {
	if t.PkgPath() != "sync/atomic" {
		return atomicPointer{field: -1}
	}
	a, ok := atomicPointers.Load(t)
	if !ok {
		a = findAtomicPointer(t)
		atomicPointers.Store(t, a)
	}
	return a.(atomicPointer)
}

// findAtomicPointer finds what atomicPointers holds of t, a type of
// sync/atomic: an atomic.Pointer[T] holds a field of type [0]*T, which
// gives T, and one of type unsafe.Pointer, which holds the pointer (the
// standard library's unexported layout, which a release of Go may change:
// a type without them is walked as any struct is).
func findAtomicPointer(t reflect.Type) atomicPointer {
	info := atomicPointer{field: -1}
	if t.Kind() != reflect.Struct || !strings.HasPrefix(t.Name(), "Pointer[") {
		return info
	}
	for i := range t.NumField() {
		f := t.Field(i).Type
		switch {
		case f.Kind() == reflect.Array && f.Len() == 0 && f.Elem().Kind() == reflect.Pointer:
			info.ptr = f.Elem()
		case f.Kind() == reflect.UnsafePointer:
			info.field = i
		}
	}
	if info.ptr == nil {
		info.field = -1
	}
	return info
}

// syncMapEntries returns the entries of v, a sync.Map, as a map, or false
// where v is not addressable (a copy, which nothing can have changed).
// It allocates: a walk pays for the sync.Maps it meets.
func syncMapEntries(v reflect.Value) (map[any]any, bool) {
	if !v.CanAddr() {
		return nil, false
	}
	entries := map[any]any{}
	(*sync.Map)(v.Addr().UnsafePointer()).Range(func(k, x any) bool {
		entries[k] = x
		return true
	})
	return entries, true
}

// hashKey mixes the hash of a map key k into h: its scalars, and its
// pointers by address, not followed (a key is compared by them).
func hashKey(k reflect.Value, h uint64) uint64 {
	mix := func(x uint64) { h = (h ^ x) * 0x100000001b3 }
	switch k.Kind() {
	case reflect.Bool:
		if k.Bool() {
			mix(1)
		} else {
			mix(0)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		mix(uint64(k.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		mix(k.Uint())
	case reflect.Float32, reflect.Float64:
		mix(math.Float64bits(k.Float()))
	case reflect.Complex64, reflect.Complex128:
		mix(math.Float64bits(real(k.Complex())))
		mix(math.Float64bits(imag(k.Complex())))
	case reflect.String:
		mix(xxhash.Sum64String(k.String()))
	case reflect.Array:
		for i := range k.Len() {
			h = hashKey(k.Index(i), h)
		}
	case reflect.Struct:
		for i := range k.NumField() {
			h = hashKey(k.Field(i), h)
		}
	case reflect.Interface:
		if !k.IsNil() {
			mix(xxhash.Sum64String(k.Elem().Type().String()))
			h = hashKey(k.Elem(), h)
		}
	case reflect.Pointer, reflect.Chan, reflect.UnsafePointer:
		mix(uint64(uintptr(k.UnsafePointer())))
	}
	return h
}

// takeShared records the values the pristine instance reaches, before
// any run of the worker.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) takeShared() {
	w.shared = sharedWalk(reflect.ValueOf(&w.pristine.API).Elem(), "API", unsafe.Pointer(w.m), -1).vals
	if PlainValue(reflect.TypeFor[AOp]()) != nil {
		w.opsMemory = sharedWalk(reflect.ValueOf(w.ops), "Ops", unsafe.Pointer(w.m), -1).vals
		w.opMemory = make([][]uint64, len(w.ops))
		for i := range w.ops {
			w.opMemory[i] = sharedWalk(reflect.ValueOf(&w.ops[i]).Elem(), opRoot(i), unsafe.Pointer(w.m), -1).vals
		}
	}
}

// opChanged says where the memory that *op, an operation of w.ops,
// reaches differs from what takeShared recorded, or returns "". It is
// asked as a run of op's procedure begins and when it ends, before its
// result is checked: the procedure must run, and the upper specification
// check, the operation the client gave. (opsChanged, asked when the
// search ends, does not see a change that later layer code undid.)
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) opChanged(op *AOp) string {
	i := int((uintptr(unsafe.Pointer(op)) - uintptr(unsafe.Pointer(unsafe.SliceData(w.ops)))) / unsafe.Sizeof(*op))
	if i < 0 || i >= len(w.ops) || &w.ops[i] != op {
		return ""
	}
	v := reflect.ValueOf(op).Elem()
	if leaf := w.opWalk.firstChange(v, unsafe.Pointer(w.m), w.opMemory[i]); leaf >= 0 {
		return locate(v, opRoot(i), unsafe.Pointer(w.m), leaf)
	}
	return ""
}

// opsChanged says where the memory that the upper operations reach (what
// an operation of Ops points to: a buffer it carries) differs from what
// takeShared recorded, or returns "". Operations of a plain type, which
// no code can change, are not walked.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) opsChanged() string {
	if w.opsMemory == nil {
		return ""
	}
	return walkChanged(reflect.ValueOf(w.ops), "Ops", unsafe.Pointer(w.m), w.opsMemory)
}

// walkChanged says where the values reachable from v (from root, for the
// path) differ from before, an earlier walk's leaves, with what
// sharedHint says of the memory there, or returns "".
func walkChanged(v reflect.Value, root string, machine unsafe.Pointer, before []uint64) string {
	i := (&sharedSnapshot{}).firstChange(v, machine, before)
	if i < 0 {
		return ""
	}
	return locate(v, root, machine, i)
}

// firstChange walks v into s, whose memory it reuses, and returns the
// number of the first leaf that differs from before, an earlier walk's
// leaves, or -1 where none does.
func (s *sharedSnapshot) firstChange(v reflect.Value, machine unsafe.Pointer, before []uint64) int {
	s.rewalk(v, "", machine, -1)
	now := s.vals
	i := 0
	for i < min(len(now), len(before)) && now[i] == before[i] {
		i++
	}
	if i == len(now) && i == len(before) {
		return -1
	}
	return i
}

// locate says where leaf number i of a walk of v from root is, with what
// sharedHint says of the memory there.
func locate(v reflect.Value, root string, machine unsafe.Pointer, i int) string {
	if loc := sharedWalk(v, root, machine, i); loc.where != "" {
		return loc.where + loc.hint
	}
	return root
}

// opsMessage is the message of the memory of the upper operations that
// changed during the search, at where.
func opsMessage(where string) string {
	return "the memory of the upper operations at " + where + " changed during the search: layer code (a procedure, Dispatch or the upper specification) changed what an operation it was handed points to, so that the search, which runs every operation of Ops as the client gives it, ran and checked the changed operation from then on, as the upper specification reads it; work on a copy of what an operation carries, and return results in the result, not through the operation (a read that fills a buffer the operation carries, as io.ReaderAt's ReadAt does, is such a result: let the operation carry the length to read, and the procedure, or Dispatch, make the buffer in the call and return the bytes read)"
}

// sharedChanged says where the values the pristine instance reaches
// differ from those takeShared recorded, with what sharedHint says of the
// memory there, or returns "".
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) sharedChanged() string {
	return walkChanged(reflect.ValueOf(&w.pristine.API).Elem(), "API", unsafe.Pointer(w.m), w.shared)
}

// sharedMessage is the message of memory the instances share that
// changed during the search, at where.
func sharedMessage(where string) string {
	return "the implementation's memory at " + where + ", which every instance reaches (through one pointer, slice or map: a variable of the function that builds the System, or a value the instances share), changed during the search: the layer code keeps state of its own there, which no check compares, as every instance sees it alike, and which a real crash loses; keep it in the lower layer"
}
