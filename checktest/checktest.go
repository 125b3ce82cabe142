// Package checktest runs argocheck's checks from a layer author's own go
// test: Spec checks a layer's specification the way the explorer relies
// on it (canonical encodings, exact decoding, deterministic steps);
// Verify and Violates check a system exhaustively, for the correct
// implementation and for its mutants; Golden keeps a violating path in a
// file that -update rewrites; NoPackageState reads a layer's code for
// package-level variables it changes, state that no check sees, and
// NoOutsideInput for inputs that the search does not choose (the clock,
// timers, randomness, the environment), by which a procedure takes only
// the course that the search's own run gives it.
//
// The package defines the test flag -update; a test package that imports
// it must not define one of its own.
package checktest

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
)

var update = flag.Bool("update", false, "rewrite the golden files of checktest.Golden")

// config returns the search configuration of Verify and Violates: cfg[0]
// when given, else all CPUs; whatever cfg says, every procedure run is
// run twice and compared (model.DeterminismFull), which small test sizes
// afford. It fails t on more than one Config, of which one search would
// check one alone.
func config(t testing.TB, cfg []explorer.Config) explorer.Config {
	t.Helper()
	if len(cfg) > 1 {
		t.Fatalf("checktest: one explorer.Config at most, not %d: a check searches with one (check each in a call of its own)", len(cfg))
	}
	var c explorer.Config
	if len(cfg) > 0 {
		c = cfg[0]
	}
	if c.Workers == 0 {
		c.Workers = runtime.NumCPU()
	}
	c.Determinism = model.DeterminismFull
	return c
}

func run(t testing.TB, sys model.Checker, cfg []explorer.Config) *explorer.Result {
	t.Helper()
	res, err := explorer.Run(context.Background(), sys, config(t, cfg))
	if err != nil {
		t.Fatalf("checktest: %v", err)
	}
	return res
}

// Verify checks sys exhaustively and fails t unless it verifies; a
// violation fails it with its shortest path, as argocheck check prints it.
// The search uses cfg[0] when given (by default all CPUs; more than one
// Config fails t), always with every procedure run run twice to check
// determinism. A Config whose Crashes is model.CrashNoNested or
// model.CrashBetweenOps narrows the check: the test then passes over the
// narrowed graph only, which misses the bugs the mode's crashes cannot
// reach, and Verify logs so (go test -v shows it). No run sees state in
// package-level variables, nor the course that a decision by the clock
// or at random does not take: pair it with NoPackageState and
// NoOutsideInput.
func Verify(t testing.TB, sys model.Checker, cfg ...explorer.Config) *explorer.Result {
	t.Helper()
	res := run(t, sys, cfg)
	switch res.Verdict {
	case explorer.Verified:
		if len(cfg) > 0 && cfg[0].Crashes != model.CrashAll {
			t.Logf("checktest: verified with crashes=%s: over the narrowed graph only, not every crash point", cfg[0].Crashes)
		}
	case explorer.Violated:
		t.Fatalf("checktest: want verified, got a violation (%d states)\n%s", res.States, Describe(res))
	default:
		t.Fatalf("checktest: want verified, got %s (%s) after %d states", res.Verdict, res.Stopped, res.States)
	}
	return res
}

// kinds are the kinds of violation a check finds, which Violates takes.
var kinds = model.ViolationKinds()

// AnyLength, as Violates' length, accepts a path of any length. It is
// for mutants caught with model.KindNondeterminism, whose path is rebuilt
// by running the same nondeterministic code and so has no length that
// repeats from run to run; every other kind has a shortest path to pin.
const AnyLength = -1

// Violates checks sys and fails t unless the search finds a violation of
// the given kind (model.KindRefinement, model.KindRecovery, ...) whose
// shortest path has length steps, or any length if length is AnyLength.
// It is the test of a mutant: a broken variant must be caught, with the
// kind and length of the bug it was made to have (Golden pins the path
// itself).
func Violates(t testing.TB, sys model.Checker, kind string, length int, cfg ...explorer.Config) *explorer.Result {
	t.Helper()
	if length < 0 && length != AnyLength {
		t.Fatalf("checktest: a path's length is at least 0 (or AnyLength), not %d", length)
	}
	if !slices.Contains(kinds, kind) {
		t.Fatalf("checktest: %q is not a kind of violation (kinds: %s)", kind, strings.Join(kinds, ", "))
	}
	want := fmt.Sprintf("a %s violation at %d steps", kind, length)
	if length == AnyLength {
		want = fmt.Sprintf("a %s violation", kind)
	}
	res := run(t, sys, cfg)
	switch {
	case res.Verdict != explorer.Violated:
		t.Fatalf("checktest: want %s, got %s after %d states", want, res.Verdict, res.States)
	case res.Violation.Kind != kind || length != AnyLength && res.Trace.Len() != length:
		t.Fatalf("checktest: want %s, got %s at %d\n%s", want, res.Violation.Kind, res.Trace.Len(), Describe(res))
	}
	return res
}

// Describe renders a violation and its shortest path as argocheck check
// prints them; for a result with no violation, its verdict and states
// ("verdict=verified states=144").
func Describe(res *explorer.Result) string {
	if res.Violation == nil {
		return fmt.Sprintf("verdict=%s states=%d", res.Verdict, res.States)
	}
	return fmt.Sprintf("violation=%s trace_length=%d\n%s\n\nshortest path:\n%s",
		res.Violation.Kind, res.Trace.Len(), res.Violation.Message, res.Trace)
}

// Golden compares the violation and path of res, as Describe renders them,
// with the file (relative to the test's directory); go test -update
// writes the file instead.
func Golden(t testing.TB, file string, res *explorer.Result) {
	t.Helper()
	got := Describe(res) + "\n"
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("checktest: %v (go test -update writes it)", err)
	}
	if got != string(want) {
		t.Fatalf("checktest: the path differs from %s (go test -update rewrites it); got:\n%s", file, got)
	}
}

// alikeResults ends the message of a step whose results print alike but
// differ under ==, as the explorer compares them.
const alikeResults = " (results that print alike but differ under ==: one holding a pointer made in the step, an error of fmt.Errorf or errors.New or a &T{}, is another value at every step, and no implementation's result equals it; return errors made once, in package-level variables, or of a comparable type that holds no pointer)"

// Spec checks the specification of layer l as the explorer relies on it,
// with the steps of l.Spec.Ops() and of ops (operations that an
// implementation on l calls beyond them) and crashes: first over the
// first 4,096 states that a breadth-first search reaches from the
// initial states, every step taken with every sequence of choices, so
// that a small state space is checked whole and the same at every run;
// then over the states that random walks reach, every nondeterministic
// choice drawn at random:
//   - the encoding round-trips, and Decode reads exactly the bytes
//     AppendEncode wrote, whatever follows them;
//   - AppendEncode appends the encoding to what dst holds;
//   - two states are equal exactly when their encodings are;
//   - Format renders every state;
//   - AppendEncode and Format leave the state as it was;
//   - Step and Crash are deterministic: the same choices give the same
//     result and state, and each Choose offers as many alternatives as
//     the first time.
//   - each Choose(n) offers what a check takes: n from 1 to
//     model.MaxChoices.
//
// It fails at once on a state type that is not a plain value
// (model.PlainValue), and on a Spec whose Validate (model.Validator)
// fails, which a check refuses (disk sizes out of range, for instance);
// and when rapid runs no walk (go test -rapid.checks=0) over a layer
// with more reachable states than the breadth-first search checks.
//
// A wrong Decode length, or an encoding that tells equal states apart,
// otherwise shows as a baffling violation of a correct implementation;
// an encoding that gives two states one encoding makes them one node of
// the search, and can hide a bug reachable from only one of them. (A
// search decodes the encoding of every state it reaches, but for a Spec
// that declares its encoding tested, model.EncodingTested, whose
// encodings a search with model.DeterminismSample decodes only on a
// sample of the runs past its first levels.)
func Spec[S, Op, Ret comparable, API any](t testing.TB, l model.Layer[S, Op, Ret, API], ops ...Op) {
	t.Helper()
	sp := l.Spec
	if sp == nil {
		t.Fatalf("checktest: layer %q has no Spec", l.Name)
	}
	if v, ok := sp.(model.Validator); ok {
		if err := v.Validate(); err != nil {
			t.Fatalf("checktest: layer %q's Spec does not validate, and a check refuses it: %v", l.Name, err)
		}
	}
	// The spec's own operations and the ones given: the given ones add
	// to the walks, and take none of the spec's out of them.
	ops = append(slices.Clone(sp.Ops()), ops...)
	if len(ops) == 0 {
		t.Fatalf("checktest: layer %q has no operations to walk with: give some to Spec", l.Name)
	}
	inits := sp.Init()
	if len(inits) == 0 {
		t.Fatalf("checktest: layer %q has no initial state", l.Name)
	}
	if err := model.PlainValue(reflect.TypeFor[S]()); err != nil {
		t.Fatalf("checktest: layer %q's states are not plain values: %v", l.Name, err)
	}
	if msg := encodeInits(sp, inits); msg != "" {
		t.Fatalf("checktest: layer %q: %s", l.Name, msg)
	}
	whole, msg := searchSpec(sp, inits, ops)
	if msg != "" {
		t.Fatalf("checktest: layer %q: %s", l.Name, msg)
	}
	walks := 0
	rapid.Check(t, func(rt *rapid.T) {
		walks++
		s := inits[rapid.IntRange(0, len(inits)-1).Draw(rt, "init")]
		seen := []S{s}
		steps := rapid.IntRange(0, 12).Draw(rt, "steps")
		for range steps {
			crash := rapid.IntRange(0, 5).Draw(rt, "crash?") == 0
			var op *Op
			if !crash {
				op = &ops[rapid.IntRange(0, len(ops)-1).Draw(rt, "op")]
			}
			if msg := stepTwice(sp, &s, op, &drawn{t: rt}); msg != "" {
				rt.Fatal(msg)
			}
			seen = append(seen, s)
		}
		encs := make([][]byte, len(seen))
		for i := range seen {
			enc, msg := checkState(sp, &seen[i])
			if msg != "" {
				rt.Fatal(msg)
			}
			encs[i] = enc
		}
		for i := range seen {
			for j := range i {
				if (seen[i] == seen[j]) != bytes.Equal(encs[i], encs[j]) {
					rt.Fatal(notCanonical(sp, &seen[i], &seen[j], encs[i], encs[j]))
				}
			}
		}
	})
	if walks == 0 && !whole && !t.Failed() {
		// rapid ran no walk (go test -rapid.checks=0): the states past
		// the breadth-first search's were not checked.
		t.Fatalf("checktest: Spec made no walk of layer %q (is -rapid.checks 0?): it checked the first %d states alone", l.Name, specStates)
	}
}

// encodeInits encodes the initial states, as a check does before it
// searches, and says what panicked, or "": a Codec that cannot encode
// the state type (a string field) panics at the first state.
func encodeInits[S, Op, Ret comparable](sp model.Spec[S, Op, Ret], inits []S) (msg string) {
	defer func() {
		if p := recover(); p != nil {
			msg = fmt.Sprintf("AppendEncode of an initial state panicked, and a check refuses the system: %v", p)
		}
	}()
	for _, s := range inits {
		sp.AppendEncode(nil, &s)
	}
	return ""
}

// specStates is the most states Spec checks breadth-first, before its
// random walks (a variable for the package's tests).
var specStates = 1 << 12

// searchSpec checks the first specStates states that a breadth-first
// search of sp reaches from inits, taking each of ops and a crash from
// every state with every sequence of choices, and returns whether those
// are all the states reachable, and what it found wrong, or "".
func searchSpec[S, Op, Ret comparable](sp model.Spec[S, Op, Ret], inits []S, ops []Op) (whole bool, msg string) {
	seen := map[S]bool{}
	byEncoding := map[string]S{}
	var queue []S
	whole = true
	add := func(s S) {
		switch {
		case seen[s]:
		case len(queue) == specStates:
			whole = false
		default:
			seen[s] = true
			queue = append(queue, s)
		}
	}
	for _, s := range inits {
		add(s)
	}
	for i := 0; i < len(queue); i++ {
		s := queue[i]
		enc, msg := checkState(sp, &s)
		if msg != "" {
			return false, msg
		}
		if other, ok := byEncoding[string(enc)]; ok {
			return false, notCanonical(sp, &s, &other, enc, enc)
		}
		byEncoding[string(enc)] = s
		for k := -1; k < len(ops); k++ {
			var op *Op
			if k >= 0 {
				op = &ops[k]
			}
			// Every sequence of choices, in order: the last choice
			// that has an alternative left takes the next one.
			for picks := []int{}; picks != nil; {
				next, ch := s, &drawn{replay: picks}
				if msg := stepTwice(sp, &next, op, ch); msg != "" {
					return false, msg
				}
				add(next)
				picks = nil
				for j := len(ch.picks) - 1; j >= 0; j-- {
					if ch.picks[j]+1 < ch.widths[j] {
						picks = append(ch.picks[:j:j], ch.picks[j]+1)
						break
					}
				}
			}
		}
	}
	return whole, ""
}

// stepTwice applies op to *s with the choices ch makes (a crash when op
// is nil), then again from the state before with the same choices, and
// returns what differs between the two, or "".
func stepTwice[S, Op, Ret comparable](sp model.Spec[S, Op, Ret], s *S, op *Op, ch *drawn) string {
	apply := func(st *S, c model.Chooser) (r Ret) {
		if op == nil {
			sp.Crash(st, c)
			return r
		}
		return sp.Step(st, *op, c)
	}
	what := "crash"
	if op != nil {
		what = fmt.Sprintf("step %v", *op)
	}
	before := *s
	ret := apply(s, ch)
	if ch.badSet {
		why := "no alternatives: n must be at least 1 (a check panics there)"
		if ch.bad > 0 {
			why = fmt.Sprintf("more alternatives than model.MaxChoices, %d (a check stops there with an error)", model.MaxChoices)
		}
		return fmt.Sprintf("%s from %s asked Choose(%d), which offers %s", what, sp.Format(&before), ch.bad, why)
	}
	again, re := before, &drawn{replay: ch.picks}
	if re.replay == nil {
		re.replay = []int{}
	}
	ret2 := apply(&again, re)
	if again != *s || ret2 != ret || len(re.picks) != len(ch.picks) {
		msg := fmt.Sprintf("%s from %s with choices %v is not deterministic: %v and %s the first time, %v and %s with choices %v the second",
			what, sp.Format(&before), ch.picks, ret, sp.Format(s), ret2, sp.Format(&again), re.picks)
		if again == *s && ret2 != ret && fmt.Sprint(ret) == fmt.Sprint(ret2) {
			msg += alikeResults
		}
		return msg
	}
	if !slices.Equal(re.widths, ch.widths) {
		return fmt.Sprintf("%s from %s with choices %v is not deterministic: it asked Choose for %v alternatives the first time and %v the second",
			what, sp.Format(&before), ch.picks, ch.widths, re.widths)
	}
	return ""
}

// checkState checks what Spec checks of one state alone (AppendEncode,
// Decode and Format), and returns its encoding and what it found wrong,
// or "".
func checkState[S, Op, Ret comparable](sp model.Spec[S, Op, Ret], st *S) ([]byte, string) {
	before := *st
	enc := sp.AppendEncode(nil, st)
	if *st != before {
		return nil, fmt.Sprintf("AppendEncode changed the state it encoded, from %s to %s: it must read the state only", sp.Format(&before), sp.Format(st))
	}
	_ = sp.Format(st)
	if *st != before {
		return nil, fmt.Sprintf("Format changed the state it rendered, from %s to %s: it must read the state only", sp.Format(&before), sp.Format(st))
	}
	if pre := sp.AppendEncode([]byte("pre"), st); !bytes.Equal(pre, append([]byte("pre"), enc...)) {
		return nil, fmt.Sprintf("AppendEncode of %s does not append its encoding %x: it gave %x after a prefix", sp.Format(st), enc, pre)
	}
	var got S
	n, err := sp.Decode(append(append([]byte(nil), enc...), 0xa5, 0x5a), &got)
	if err != nil || n != len(enc) || got != *st {
		return nil, fmt.Sprintf("Decode of %s's encoding %x (with two more bytes) read %d bytes, %v, and gave %s; want %d bytes and the same state",
			sp.Format(st), enc, n, err, sp.Format(&got), len(enc))
	}
	if strings.TrimSpace(sp.Format(st)) == "" {
		return nil, fmt.Sprintf("Format renders state %x as nothing", enc)
	}
	return enc, ""
}

// notCanonical says that states a and b, encoded as ea and eb, break the
// rule that two states are equal exactly when their encodings are.
func notCanonical[S, Op, Ret comparable](sp model.Spec[S, Op, Ret], a, b *S, ea, eb []byte) string {
	return fmt.Sprintf("states %s and %s are equal=%v, their encodings %x and %x equal=%v: the encoding is not canonical",
		sp.Format(a), sp.Format(b), *a == *b, ea, eb, bytes.Equal(ea, eb))
}

// drawn is a Chooser that draws each answer from rapid, or replays
// recorded ones; widths records the alternatives each Choose offered.
type drawn struct {
	t      *rapid.T
	picks  []int
	widths []int
	replay []int
	// bad is the first n of a Choose(n) that a check refuses (n below 1
	// or above model.MaxChoices), when badSet.
	bad    int
	badSet bool
}

func (d *drawn) Choose(n int) int {
	if n < 1 || n > model.MaxChoices {
		// Answered 0, which the step's caller reports (see stepTwice).
		if !d.badSet {
			d.bad, d.badSet = n, true
		}
		return 0
	}
	d.widths = append(d.widths, n)
	if d.replay != nil {
		if len(d.picks) >= len(d.replay) {
			d.picks = append(d.picks, 0)
			return 0
		}
		// An answer past n (a Choose that offers fewer alternatives
		// than the first time, which the caller reports) is not given.
		p := min(d.replay[len(d.picks)], max(n-1, 0))
		d.picks = append(d.picks, p)
		return p
	}
	p := rapid.IntRange(0, n-1).Draw(d.t, "choice")
	d.picks = append(d.picks, p)
	return p
}
