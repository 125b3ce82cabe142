package model

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"unsafe"

	"github.com/cespare/xxhash/v2"
)

// The memory of implementation instances. Implementation code keeps no
// state of its own between calls, and a recovery in particular leaves
// nothing in memory: after a real crash the instance that recovered runs
// the operations, where the search runs them on others. So an instance
// that has run recoveries must hold what a newly built one holds: the
// values reachable from its API (struct fields, through pointers, slices,
// maps, the entries of sync.Maps, the pointers atomic.Pointers hold, and
// interfaces) compare equal to those of an instance that has run nothing;
// of a channel, how many values its buffer holds, and of an
// unsafe.Pointer, whether it is nil. What reflection cannot see is not
// compared: variables captured by closures (a func is compared by its
// code alone), the values in a channel's buffer, what an unsafe.Pointer
// points to, and package-level variables; nor is memory the two
// instances reach through one pointer, which shared.go compares with
// what it held before the search.

// memoryDiff returns where the values reachable from a and b differ, as a
// path from "API" such as "API.d.repaired", or "" when they do not.
// Slices and maps compare by length and elements (nil and empty are
// alike), pointers by what they point to unless they are equal, funcs by
// their code. seen, emptied first, holds the pairs of pointers compared.
// What sharedHint says of the types on that path follows it.
func memoryDiff(a, b reflect.Value, seen map[[2]uintptr]bool) string {
	clear(seen)
	if differs, _ := diffValues(a, b, seen, nil); !differs {
		return ""
	}
	var types []reflect.Type
	clear(seen)
	_, where := diffValues(a, b, seen, &types) // where of the types (a map's order changes)
	slices.Reverse(types)
	return "API" + where + sharedHint(types)
}

// diffValues reports whether a and b differ, and where below them; it
// allocates only when they do. With types not nil, it also appends there
// the types on the path to the difference, innermost first.
func diffValues(a, b reflect.Value, seen map[[2]uintptr]bool, types *[]reflect.Type) (bool, string) {
	differs, where := diffValue(a, b, seen, types)
	if differs && types != nil && a.IsValid() {
		*types = append(*types, a.Type())
	}
	return differs, where
}

// diffValue is diffValues for a and b themselves.
func diffValue(a, b reflect.Value, seen map[[2]uintptr]bool, types *[]reflect.Type) (bool, string) {
	if a.IsValid() != b.IsValid() {
		return true, ""
	}
	if !a.IsValid() {
		return false, ""
	}
	if a.Type() != b.Type() {
		return true, " (of another type)"
	}
	switch a.Kind() {
	case reflect.Bool:
		return a.Bool() != b.Bool(), ""
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return a.Int() != b.Int(), ""
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return a.Uint() != b.Uint(), ""
	case reflect.Float32, reflect.Float64:
		return math.Float64bits(a.Float()) != math.Float64bits(b.Float()), ""
	case reflect.Complex64, reflect.Complex128:
		x, y := a.Complex(), b.Complex()
		return math.Float64bits(real(x)) != math.Float64bits(real(y)) || math.Float64bits(imag(x)) != math.Float64bits(imag(y)), ""
	case reflect.String:
		return a.String() != b.String(), ""
	case reflect.Func:
		return a.IsNil() != b.IsNil() || !a.IsNil() && a.Pointer() != b.Pointer(), ""
	case reflect.Array:
		return diffElems(a, b, seen, types)
	case reflect.Slice:
		if a.Len() != b.Len() {
			return true, fmt.Sprintf(" (length %d, not %d)", a.Len(), b.Len())
		}
		if a.Len() == 0 || a.UnsafePointer() == b.UnsafePointer() {
			return false, ""
		}
		return diffElems(a, b, seen, types)
	case reflect.Map:
		if a.Len() != b.Len() {
			return true, fmt.Sprintf(" (%d entries, not %d)", a.Len(), b.Len())
		}
		if a.Len() == 0 || a.UnsafePointer() == b.UnsafePointer() {
			return false, ""
		}
		if !pointerFree(a.Type().Key()) {
			return diffMapByContent(a, b, seen, types)
		}
		it := a.MapRange()
		for it.Next() {
			v := b.MapIndex(it.Key())
			if !v.IsValid() {
				return true, fmt.Sprintf("[%v] (missing)", it.Key())
			}
			if differs, where := diffValues(it.Value(), v, seen, types); differs {
				return true, fmt.Sprintf("[%v]%s", it.Key(), where)
			}
		}
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() != b.IsNil(), ""
		}
		if a.Kind() == reflect.Pointer {
			pair := [2]uintptr{uintptr(a.UnsafePointer()), uintptr(b.UnsafePointer())}
			if pair[0] == pair[1] || seen[pair] {
				return false, ""
			}
			seen[pair] = true
		}
		return diffValues(a.Elem(), b.Elem(), seen, types)
	case reflect.Chan:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() != b.IsNil(), ""
		}
		if a.UnsafePointer() == b.UnsafePointer() {
			return false, ""
		}
		if a.Len() != b.Len() || a.Cap() != b.Cap() {
			return true, "" // sharedHint names the channel
		}
	case reflect.UnsafePointer:
		return (a.UnsafePointer() == nil) != (b.UnsafePointer() == nil), ""
	case reflect.Struct:
		sw := structWalkOf(a.Type())
		if sw.atomic {
			pa, _ := atomicPointerTarget(a)
			pb, _ := atomicPointerTarget(b)
			differs, where := diffValues(pa, pb, seen, types)
			return differs, ".Load()" + where
		}
		if sw.syncMap {
			ma, okA := syncMapEntries(a)
			mb, okB := syncMapEntries(b)
			if !okA || !okB {
				return false, ""
			}
			return diffValue(reflect.ValueOf(ma), reflect.ValueOf(mb), seen, types)
		}
		for _, f := range sw.fields {
			if f.passes {
				continue
			}
			if differs, where := diffValues(f.of(a), f.of(b), seen, types); differs {
				return true, "." + a.Type().Field(f.i).Name + where
			}
		}
	}
	return false, ""
}

// mapEntry is an entry of a map that diffMapByContent pairs, with the
// hash of what its key holds.
type mapEntry struct {
	h    uint64
	k, v reflect.Value
}

// diffMapByContent is diffValues for two maps of one length whose keys
// hold pointers (a map keyed by *block, or by an interface): the keys of
// two instances built alike point to memory of their own, so that no key
// of one is a key of the other, and the entries are paired by what their
// keys hold instead (an entry of a whose key and value differ from those
// of every entry of b left unpaired is where they differ). It allocates:
// a walk pays for the maps of such keys it meets.
func diffMapByContent(a, b reflect.Value, seen map[[2]uintptr]bool, types *[]reflect.Type) (bool, string) {
	ea, eb := contentEntries(a), contentEntries(b)
	paired := make([]bool, len(eb))
	alike := func(x, y reflect.Value) bool {
		trial := maps.Clone(seen)
		if differs, _ := diffValues(x, y, trial, nil); differs {
			return false
		}
		maps.Copy(seen, trial)
		return true
	}
	for _, x := range ea {
		i, _ := slices.BinarySearchFunc(eb, x.h, func(e mapEntry, h uint64) int { return cmp.Compare(e.h, h) })
		found, sameKey := false, -1
		for j := i; j < len(eb) && eb[j].h == x.h && !found; j++ {
			if paired[j] || !alike(x.k, eb[j].k) {
				continue
			}
			if sameKey < 0 {
				sameKey = j
			}
			if alike(x.v, eb[j].v) {
				paired[j], found = true, true
			}
		}
		if found {
			continue
		}
		if sameKey < 0 {
			return true, fmt.Sprintf("[%v] (missing)", x.k)
		}
		_, where := diffValues(x.v, eb[sameKey].v, maps.Clone(seen), types)
		return true, fmt.Sprintf("[%v]%s", x.k, where)
	}
	return false, ""
}

// contentEntries returns the entries of the map m, sorted by the hash of
// what their keys hold.
func contentEntries(m reflect.Value) []mapEntry {
	entries := make([]mapEntry, 0, m.Len())
	it := m.MapRange()
	for it.Next() {
		entries = append(entries, mapEntry{contentHash(it.Key(), 0, map[unsafe.Pointer]bool{}), it.Key(), it.Value()})
	}
	slices.SortStableFunc(entries, func(x, y mapEntry) int { return cmp.Compare(x.h, y.h) })
	return entries
}

// contentHash mixes into h the hash of what the map key k holds: its
// scalars, and what its pointers and interfaces hold (each pointer
// followed once, by seen); of a channel or an unsafe.Pointer, whether it
// is nil.
func contentHash(k reflect.Value, h uint64, seen map[unsafe.Pointer]bool) uint64 {
	mix := func(x uint64) { h = (h ^ x) * 0x100000001b3 }
	switch k.Kind() {
	case reflect.Pointer:
		switch {
		case k.IsNil():
			mix(0)
		case seen[k.UnsafePointer()]:
			mix(1)
		default:
			seen[k.UnsafePointer()] = true
			mix(2)
			h = contentHash(k.Elem(), h, seen)
		}
	case reflect.Interface:
		if k.IsNil() {
			mix(0)
			return h
		}
		mix(xxhash.Sum64String(k.Elem().Type().String()))
		h = contentHash(k.Elem(), h, seen)
	case reflect.Chan, reflect.UnsafePointer:
		if k.UnsafePointer() == nil {
			mix(0)
		} else {
			mix(1)
		}
	case reflect.Array:
		for i := range k.Len() {
			h = contentHash(k.Index(i), h, seen)
		}
	case reflect.Struct:
		for i := range k.NumField() {
			h = contentHash(k.Field(i), h, seen)
		}
	default:
		h = hashKey(k, h)
	}
	return h
}

// diffElems is diffValues for the elements of two arrays or slices of
// one length.
func diffElems(a, b reflect.Value, seen map[[2]uintptr]bool, types *[]reflect.Type) (bool, string) {
	for i := range a.Len() {
		if differs, where := diffValues(a.Index(i), b.Index(i), seen, types); differs {
			return true, fmt.Sprintf("[%d]%s", i, where)
		}
	}
	return false, ""
}

// leftMemory says where the instance built anew for the node's compared
// runs (see freshInstance), when they ran some recovery, holds other
// values than an instance that has run nothing, or returns "". It looks
// where every run is run twice, and otherwise for one recovery in
// SampleEvery by fp, the fingerprint of its start.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) leftMemory(fp uint64) string {
	d := w.determinism()
	if !w.built || d == determinismOff || d != DeterminismFull && fp%SampleEvery != 0 {
		return ""
	}
	return w.memoryOf(&w.fresh, w.freshSys)
}

// runMemory is leftMemory for one compared run, of recovery when recovery
// says so, wherever every run is run twice (DeterminismFull, and the
// levels DeterminismSample checks whole): a state that only some runs
// leave (after a disk fails), and a later run clears, shows at the run
// that leaves it. Of an operation, it looks after every compared run: the
// compared runs of an operation that reads what an earlier one left are
// made after the same runs on both instances, which left them alike, so
// only the memory tells (a flag a write sets when its disk write fails
// and clears when it succeeds, which a read after it on a real instance
// reads).
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) runMemory(recovery bool) string {
	if recovery && w.determinism() != DeterminismFull {
		return ""
	}
	return w.memoryOf(&w.fresh, w.freshSys)
}

// doneMemory is runMemory for the compared run just made, when it
// completed: an instance a run left midway (a panic, the step limit) may
// hold what its call clears before it returns, and the run's own failure
// is the violation.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) doneMemory(recovery bool) string {
	if !w.done {
		return ""
	}
	return w.runMemory(recovery)
}

// memoryOf says where in, built by sys, holds other values than an
// instance of sys that has run nothing, or returns "". Where it does, and
// an instance built anew differs from that one too, it says where those
// two differ, after builtApart. An instance of a System built anew (see
// Rebuilt) is compared with one of that System: what a System's
// instances share, and a System built anew holds otherwise (a seed drawn
// per process), is no state that runs left.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) memoryOf(in *Instance[AAPI], sys *System[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) string {
	if w.seenPointers == nil {
		w.seenPointers = map[[2]uintptr]bool{}
	}
	pristine := reflect.ValueOf(&w.pristine.API).Elem()
	where := memoryDiff(reflect.ValueOf(&in.API).Elem(), pristine, w.seenPointers)
	if where == "" {
		return ""
	}
	var built Instance[AAPI]
	if sys == nil || sys == w.sys {
		built = w.buildInstance()
	} else {
		// Only where in differs from the worker's pristine instance is a
		// pristine instance of sys built: those of the worker's System are
		// built with the worker, and these take an allocation.
		w.implLabel()
		own := sys.Impl(sys.Lower.Handle(w.m))
		pristine = reflect.ValueOf(&own.API).Elem()
		if where = memoryDiff(reflect.ValueOf(&in.API).Elem(), pristine, w.seenPointers); where == "" {
			return ""
		}
		built = sys.Impl(sys.Lower.Handle(w.m))
	}
	if apart := memoryDiff(reflect.ValueOf(&built.API).Elem(), pristine, w.seenPointers); apart != "" {
		return builtApart + apart
	}
	return where
}

// builtApart begins what memoryOf returns when an instance built anew,
// which ran nothing, differs from the pristine one too: the difference
// comes from Impl, not from a run (see builtMessage).
const builtApart = "built apart: "

// builtMessage is the message of two instances that differ at where
// although neither ran anything.
func builtMessage(where string) string {
	return "two instances that Impl built, neither of which ran anything, hold other values at " + where +
		": Impl puts in each instance what changes from one build to the next (the time, a number given to each instance, a random number), which no check of an instance's memory can tell from state its runs left; build every instance alike (leave that out, or let a procedure read it from the lower layer)"
}

// memoryMessage is the message of the runs of a recovery, run on a new
// instance as runs says, that left its memory other than a new one's at
// where.
func memoryMessage(run, where string) string {
	if apart, ok := strings.CutPrefix(where, builtApart); ok {
		return builtMessage(apart)
	}
	return run + " left the implementation's memory other than a newly built instance's, at " + where +
		": the layer code keeps state of its own between calls (after a real crash the instance that recovered runs the operations)" + scratchHint
}

// scratchHint ends the messages of memory an instance's runs left: what
// a run leaves in scratch space is state as well, which no check can tell
// from state a later call reads.
const scratchHint = "; scratch space the instance keeps (a buffer, a slice reused) counts too, as no check can tell what a later call reads of it: clear it before the call returns, or allocate it in the call"

// opMemoryMessage is the message of a run of an operation, proc, on a
// new instance that left its memory other than a new one's at where.
func opMemoryMessage(proc, where string) string {
	if apart, ok := strings.CutPrefix(where, builtApart); ok {
		return builtMessage(apart)
	}
	return "run on a newly built instance, " + proc + " left the implementation's memory other than a newly built instance's, at " + where +
		": the layer code keeps state of its own between calls (on a real instance the operations after it run on that memory)" + scratchHint
}
