package model

import (
	"encoding/binary"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// PlainValue reports why a state of type t is not a plain value that
// assignment copies and == compares by contents: a pointer, channel or
// interface (a copy shares what it points to, so a step through it
// changes earlier snapshots, and == compares identities), or a float
// (NaN is unequal to itself; 0 and -0 are equal with different bits).
// Strings are plain values. It returns nil for a plain type.
func PlainValue(t reflect.Type) error {
	return plainValue(t, t.String())
}

func plainValue(t reflect.Type, path string) error {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr, reflect.String:
		return nil
	case reflect.Array:
		return plainValue(t.Elem(), path+"[i]")
	case reflect.Struct:
		for i := range t.NumField() {
			if err := plainValue(t.Field(i).Type, path+"."+t.Field(i).Name); err != nil {
				return err
			}
		}
		return nil
	case reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return fmt.Errorf("%s is a %s: NaN is unequal to itself, and 0 and -0 are equal with different encodings", path, t.Kind())
	}
	return fmt.Errorf("%s is a %s: a copy of the state shares what it refers to, so a step through it changes the states recorded before it, and == compares identities, not contents", path, t.Kind())
}

// lowerRoundTrip says how enc, lower state c's encoding followed by rest
// bytes, fails to decode back to c ("" when it does).
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) lowerRoundTrip(enc []byte, c *CS) (string, int) {
	sp := w.sys.Lower.Spec
	n, err := sp.Decode(enc, &w.rtC)
	var fault string
	switch {
	case err != nil:
		fault = fmt.Sprintf("which Decode refuses (%v)", err)
	case n > len(enc):
		fault = fmt.Sprintf("of which Decode claims %d bytes, more than the %d it was given (the encoding and the node's bytes after it)", n, len(enc))
	case w.rtC != *c:
		fault = "which decodes to " + sp.Format(&w.rtC)
	default:
		return "", n
	}
	return roundTripFault("lower", sp.Format(c), sp.AppendEncode(nil, c), fault), 0
}

// roundTripFault is the message of the state s of a layer ("lower" or
// "upper") whose encoding enc does not decode back to it, as fault says
// ("which decodes to 0").
func roundTripFault(layer, s string, enc []byte, fault string) string {
	return fmt.Sprintf("%s state %s encodes as %x, %s: the %s specification's encoding is not injective, or Decode is not its inverse (checktest.Spec tells)",
		layer, s, enc, fault, layer)
}

// upperRoundTrip is lowerRoundTrip for an upper state whose encoding is
// the whole of enc.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) upperRoundTrip(enc []byte, a *AS) string {
	sp := w.sys.Upper.Spec
	n, err := sp.Decode(enc, &w.rtA)
	var fault string
	switch {
	case err != nil:
		fault = fmt.Sprintf("which Decode refuses (%v)", err)
	case n != len(enc):
		fault = fmt.Sprintf("of which Decode reads %d of its %d bytes", n, len(enc))
	case w.rtA != *a:
		fault = "which decodes to " + sp.Format(&w.rtA)
	default:
		return ""
	}
	return roundTripFault("upper", sp.Format(a), enc, fault)
}

// encodeChanged says whether AppendEncode changed the lower state it
// encoded, w.preC before.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) encodeChanged() string {
	if w.crashC != w.preC {
		sp := w.sys.Lower.Spec
		return fmt.Sprintf("the lower specification's AppendEncode changed the state it encoded, from %s to %s: it must read the state only", sp.Format(&w.preC), sp.Format(&w.crashC))
	}
	return ""
}

// crashOutcomeFault checks crash outcome w.crashC of lower state c, whose
// encoding, size bytes, is the front of enc, followed by more bytes as a
// Recovering node's allowed set follows it: on a run that is run twice
// (w.check), that encoding left it as it was, w.preC before, and that the
// crash relation gives it again for the same choices; and that enc
// decodes to it, reading exactly its encoding, where a node's allowed set
// begins. It says how it fails ("" when not).
//
// The callers check the round trip on every run, in every mode, unless
// the lower specification is an EncodingTested (w.lowerTrips): an
// encoding that merges two states merges their nodes, and the search
// never expands the one that does not decode, so a sample of the runs
// that reach such a state, past the levels checked whole, could miss it
// and every bug behind it.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) crashOutcomeFault(c *CS, enc []byte, size int) string {
	if w.check {
		if msg := w.encodeChanged(); msg != "" {
			return msg
		}
		if msg := w.crashReplay(c); msg != "" {
			return msg
		}
	}
	msg, n := w.lowerRoundTrip(enc, &w.crashC)
	if msg == "" && n != size {
		sp := w.sys.Lower.Spec
		msg = fmt.Sprintf("lower state %s encodes as %x; followed by more bytes, as a Recovering node's allowed set follows it (%x in all), it decodes reading %d bytes: the lower specification's Decode must read exactly the bytes AppendEncode wrote, whatever follows them (checktest.Spec tells)",
			sp.Format(&w.crashC), enc[:size], enc, n)
	}
	return msg
}

// idleRoundTrip checks, when checked is set (a run that is run twice, or
// the initial states), that an Idle node's encoding decodes to its states
// and that encoding them left them as they were (w.preC, w.preA); on
// every other run, the round trip alone, unless both specifications are
// EncodingTested (see crashOutcomeFault).
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) idleRoundTrip(node []byte, c *CS, a *AS, checked bool) string {
	if !checked && !w.lowerTrips && !w.upperTrips {
		return ""
	}
	if checked && (*c != w.preC || *a != w.preA) {
		return fmt.Sprintf("a specification's AppendEncode changed the state it encoded (lower %s to %s, upper %s to %s): it must read the state only",
			w.sys.Lower.Spec.Format(&w.preC), w.sys.Lower.Spec.Format(c), w.sys.Upper.Spec.Format(&w.preA), w.sys.Upper.Spec.Format(a))
	}
	if !checked && !w.lowerTrips {
		// The upper state's encoding begins where appendIdle left the
		// lower one's end.
		return w.upperRoundTrip(node[1+w.lowerLen:], a)
	}
	msg, n := w.lowerRoundTrip(node[1:], c)
	if msg != "" {
		return msg
	}
	return w.upperRoundTrip(node[1+n:], a)
}

// abs applies the relation to a copy of *c, and says whether it changed
// the copy.
//
// On a run that is run twice, it applies the relation twice, and says
// whether the two answers differ.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) abs(c *CS) (a AS, ok bool, msg string) {
	w.absC = *c
	a, ok = w.sys.Abs(&w.absC)
	if w.absC != *c {
		return a, ok, fmt.Sprintf("the abstraction relation changed the lower state it was handed, from %s to %s: it must read the state only (work on a copy)",
			w.sys.Lower.Spec.Format(c), w.sys.Lower.Spec.Format(&w.absC))
	}
	if w.check {
		if a2, ok2 := w.sys.Abs(&w.absC); a2 != a || ok2 != ok {
			return a, ok, w.absDiffers(c, a, a2, ok, ok2)
		}
	}
	return a, ok, ""
}

// absDiffers is the message of a relation that gave a and a2 for c. (A
// function of its own, so that only a failing check moves a and a2 to
// the heap.)
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) absDiffers(c *CS, a, a2 AS, ok, ok2 bool) string {
	up := w.sys.Upper.Spec
	return fmt.Sprintf("the abstraction relation, applied twice to lower state %s, gave %s (%t) the first time and %s (%t) the second: it must depend on the state alone",
		w.sys.Lower.Spec.Format(c), up.Format(&a), ok, up.Format(&a2), ok2)
}

// invariant applies the invariant to a copy of *c, and says whether it
// changed the copy.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) invariant(c *CS) (err error, msg string) {
	w.absC = *c
	err = w.sys.Invariant(&w.absC)
	if w.absC != *c {
		msg = fmt.Sprintf("the invariant changed the lower state it was handed, from %s to %s: it must read the state only",
			w.sys.Lower.Spec.Format(c), w.sys.Lower.Spec.Format(&w.absC))
	}
	return err, msg
}

// crashReplay runs the lower crash relation on *c again with the choices
// that gave w.crashC, and says how the outcome differs.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) crashReplay(c *CS) string {
	ch := &w.lcrash
	n := len(ch.pick)
	ch.rewind()
	w.rtC = *c
	w.sys.Lower.Spec.Crash(&w.rtC, ch)
	bad := ch.diverged || ch.pos != n || len(ch.pick) != n || w.rtC != w.crashC
	// Leave the enumeration as the first run left it.
	ch.pick, ch.width, ch.at, ch.diverged = ch.pick[:n], ch.width[:n], ch.at[:n], false
	if bad {
		sp := w.sys.Lower.Spec
		return fmt.Sprintf("the lower crash relation, run twice on %s with the choices %v, gave %s the first time and %s the second: it must draw its nondeterminism from the Chooser alone (no map order, randomness or globals)",
			sp.Format(c), ch.path(), sp.Format(&w.crashC), sp.Format(&w.rtC))
	}
	return ""
}

// allowedChecks checks that every member of the allowed set decodes
// from its encoding in w.scratch (encodeAllowed) to itself, since the
// upper states a crash allows may appear in no Idle node, where
// idleRoundTrip would check them; that the set's encoding decodes, one
// member after the other, to the set (setRoundTrip); and that the upper
// specification gives the same set when asked again, as allowedAfter(op)
// gave it.
//
// The set's being given again is checked as runs are: all of them in
// DeterminismFull, a sample of them (by the node and their position) in
// DeterminismSample; the round trips too where the upper specification
// is an EncodingTested, and for every set otherwise (see
// crashOutcomeFault).
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) allowedChecks(op *AOp) string {
	again := w.sample.next()
	if !again && !w.upperTrips {
		return ""
	}
	// The set's round trip decodes every member, and tells two members
	// that encode alike; each member decoded alone names a fault more
	// plainly, on the runs run twice.
	for i := range w.allowed {
		if !again {
			break
		}
		if msg := w.upperRoundTrip(w.scratch[w.offs[i]:w.offs[i+1]], &w.allowed[i]); msg != "" {
			return msg
		}
	}
	if msg := w.setRoundTrip(); msg != "" {
		return msg
	}
	if !again {
		return ""
	}
	w.allowedAgain = append(w.allowedAgain[:0], w.allowed...)
	w.allowedAfter(op)
	if !slices.Equal(w.allowed, w.allowedAgain) {
		return w.allowedDiffers(op)
	}
	return ""
}

// setRoundTrip says how w.set, the allowed set's encoding, fails to
// decode as a Recovering node's set is decoded, each member from the
// bytes the members before it left, to the members of w.allowed in the
// order of their encodings (w.order); "" when it does. A member that
// decodes from its own encoding alone may still read into the next
// member's.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) setRoundTrip() string {
	_, k := binary.Uvarint(w.set)
	rest := w.set[k:]
	for _, i := range w.order {
		n, err := w.sys.Upper.Spec.Decode(rest, &w.rtA)
		if err != nil || n != w.offs[i+1]-w.offs[i] || w.rtA != w.allowed[i] {
			return w.setDecodeFault(i, rest, n, err)
		}
		rest = rest[n:]
	}
	return ""
}

// setDecodeFault is the message of allowed state i whose encoding,
// followed by the members' after it as rest holds them, decoded to w.rtA
// reading n bytes, or failed with err.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) setDecodeFault(i int, rest []byte, n int, err error) string {
	sp := w.sys.Upper.Spec
	fault := fmt.Sprintf("it decodes to %s reading %d bytes", sp.Format(&w.rtA), n)
	if err != nil {
		fault = fmt.Sprintf("Decode refuses it (%v)", err)
	}
	return fmt.Sprintf("upper state %s, one of the states a crash allows, encodes as %x; followed by the encodings of the members after it, as %x, %s: the upper specification's Decode must read exactly the bytes AppendEncode wrote, whatever follows them (checktest.Spec tells)",
		sp.Format(&w.allowed[i]), w.scratch[w.offs[i]:w.offs[i+1]], rest, fault)
}

// allowedDiffers is the message of an upper specification that allowed
// w.allowedAgain after a crash from w.a the first time, and w.allowed the
// second.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) allowedDiffers(op *AOp) string {
	up := w.sys.Upper.Spec
	set := func(states []AS) string {
		f := make([]string, len(states))
		for i := range states {
			f[i] = up.Format(&states[i])
		}
		return "{" + strings.Join(f, ", ") + "}"
	}
	when := "between operations"
	if op != nil {
		when = "during " + show(*op)
	}
	return fmt.Sprintf("the upper specification, asked twice which states a crash %s from %s allows, gave %s the first time and %s the second: its Step and Crash must draw their nondeterminism from the Chooser alone (no map order, randomness or globals)",
		when, up.Format(&w.a), set(w.allowedAgain), set(w.allowed))
}

// stepDiffers is the message of an upper Step that, asked twice whether
// op may return w.ret and reach w.absA from w.a, said ok the first time
// and the opposite the second.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) stepDiffers(op *AOp, ok bool) string {
	up := w.sys.Upper.Spec
	answer := map[bool]string{true: "allowed it", false: "did not"}
	return fmt.Sprintf("the upper specification's Step, asked twice whether %s from %s may return %s and reach %s, %s the first time and %s the second: it must draw its nondeterminism from the Chooser alone (no map order, randomness or globals)",
		show(*op), up.Format(&w.a), show(w.ret), up.Format(&w.absA), answer[ok], answer[!ok])
}
