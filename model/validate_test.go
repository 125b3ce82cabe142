package model_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
)

// cell is a one-byte register, the state of both layers of hookSystem.
type cell struct{ V uint8 }

// hookSpec is a register specification whose Init, Ops and Validate run
// the hooks they are given first: the layer code of a test of what
// System.Validate makes of it.
type hookSpec struct {
	init, ops, validate func()
}

// runHook runs hook f, when there is one.
func runHook(f func()) {
	if f != nil {
		f()
	}
}

func (h hookSpec) Init() []cell                          { runHook(h.init); return []cell{{}} }
func (h hookSpec) Ops() []uint8                          { runHook(h.ops); return []uint8{0, 1} }
func (h hookSpec) Validate() error                       { runHook(h.validate); return nil }
func (hookSpec) Crash(*cell, model.Chooser)              {}
func (hookSpec) AppendEncode(dst []byte, s *cell) []byte { return append(dst, s.V) }
func (hookSpec) Format(s *cell) string                   { return string('0' + rune(s.V)) }
func (hookSpec) Step(s *cell, op uint8, _ model.Chooser) uint8 {
	s.V = op
	return op
}
func (hookSpec) Decode(src []byte, s *cell) (int, error) {
	if len(src) == 0 {
		return 0, errors.New("no byte")
	}
	s.V = src[0]
	return 1, nil
}

// hookSystem is the register on the register, its lower and upper
// specifications' hooks given, and its implementation's: build runs
// while the Instance is built, with the lower layer.
func hookSystem(lower, upper hookSpec, build func(model.Caller[uint8, uint8])) model.Checker {
	impl := func(l model.Caller[uint8, uint8]) model.Instance[model.Caller[uint8, uint8]] {
		if build != nil {
			build(l)
		}
		return model.Instance[model.Caller[uint8, uint8]]{API: l, Recover: func() {}}
	}
	abs := func(c *cell) (cell, bool) { return *c, true }
	return model.NewSystem(model.NewLayer("lower", model.Spec[cell, uint8, uint8](lower)), model.NewLayer("upper", model.Spec[cell, uint8, uint8](upper)), impl, abs)
}

// errBoom is the error value a hook panics with.
var errBoom = errors.New("boom")

// TestValidateLayerCode: System.Validate returns an error, not a panic,
// when the layer code it runs panics or ends its goroutine, or when the
// implementation calls the lower layer while its Instance is built; the
// error names the code, the value it panicked with and the test's line.
func TestValidateLayerCode(t *testing.T) {
	boom := func() { panic("boom") }
	second := func() func() {
		calls := 0
		return func() {
			if calls++; calls == 2 {
				panic(7)
			}
		}
	}
	again := second()
	builds := func() func() bool {
		calls := 0
		return func() bool { calls++; return calls == 2 }
	}()
	for _, tc := range []struct {
		name         string
		lower, upper hookSpec
		build        func(model.Caller[uint8, uint8])
		want         []string // what the error says; none for no error
	}{
		{name: "correct"},
		{name: "a lower Init that panics", lower: hookSpec{init: boom},
			want: []string{"model: Lower.Spec.Init panicked at model/validate_test.go:", ": boom"}},
		{name: "an upper Init that panics", upper: hookSpec{init: boom},
			want: []string{"model: Upper.Spec.Init panicked at ", ": boom"}},
		{name: "an upper Ops that panics", upper: hookSpec{ops: boom},
			want: []string{"model: Upper.Spec.Ops panicked at ", ": boom"}},
		{name: "a lower Init that panics when called again", lower: hookSpec{init: second()},
			want: []string{"model: Lower.Spec.Init panicked at ", ": 7"}},
		{name: "an upper Ops that panics when called again", upper: hookSpec{ops: second()},
			want: []string{"model: Upper.Spec.Ops panicked at ", ": 7"}},
		{name: "a lower Validate that panics", lower: hookSpec{validate: boom},
			want: []string{"model: Lower.Spec.Validate panicked at ", ": boom"}},
		{name: "an upper Validate that panics with an error", upper: hookSpec{validate: func() { panic(errBoom) }},
			want: []string{"model: Upper.Spec.Validate panicked at ", ": boom"}},
		{name: "an Impl that panics", build: func(model.Caller[uint8, uint8]) { boom() },
			want: []string{"model: Impl panicked at model/validate_test.go:", ": boom"}},
		{name: "an Impl that panics with nil", build: func(model.Caller[uint8, uint8]) { panic(nil) },
			want: []string{"model: Impl panicked at ", "panic called with nil argument"}},
		{name: "an Impl that calls the lower layer", build: func(l model.Caller[uint8, uint8]) { l.Call(1) },
			want: []string{"model: Impl called the lower layer (1 at model/validate_test.go:", "while the implementation's Instance was built, before any procedure ran"}},
		{name: "an Impl that calls the lower layer and recovers", build: func(l model.Caller[uint8, uint8]) {
			defer func() { _ = recover() }()
			l.Call(2)
		}, want: []string{"model: Impl called the lower layer (2 at model/validate_test.go:"}},
		{name: "an Impl that panics when called again", build: func(model.Caller[uint8, uint8]) { again() },
			want: []string{"model: Impl, called again (a search builds an Instance for each worker and check), panicked at model/validate_test.go:", ": 7"}},
		{name: "an Impl that calls the lower layer when called again", build: func(l model.Caller[uint8, uint8]) {
			if again := builds(); again {
				l.Call(3)
			}
		}, want: []string{"model: Impl, called again (a search builds an Instance for each worker and check), called the lower layer (3 at model/validate_test.go:"}},
		{name: "an Impl that ends its goroutine", build: func(model.Caller[uint8, uint8]) { runtime.Goexit() },
			want: []string{"model: Impl ended its goroutine with runtime.Goexit"}},
		{name: "a lower Init that ends its goroutine", lower: hookSpec{init: runtime.Goexit},
			want: []string{"model: Lower.Spec.Init ended its goroutine with runtime.Goexit"}},
	} {
		err := hookSystem(tc.lower, tc.upper, tc.build).Validate()
		if len(tc.want) == 0 {
			if err != nil {
				t.Errorf("%s: %v, want no error", tc.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: no error, want one saying %q", tc.name, tc.want)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v, want it to say %q", tc.name, err, w)
			}
		}
	}
}

// TestBuildPanicsLater: an Impl that panics only when a search builds it
// for the third time, past the two builds of Validate, ends the search
// with an error naming the line that panicked, not a panic of the caller.
func TestBuildPanicsLater(t *testing.T) {
	calls := 0
	chk := hookSystem(hookSpec{}, hookSpec{}, func(model.Caller[uint8, uint8]) {
		if calls++; calls >= 3 {
			panic("no third build")
		}
	})
	_, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 1})
	want := []string{"model: building a worker's Instance (Impl or Lower.Handle, called again) panicked at model/validate_test.go:", ": no third build"}
	for _, w := range want {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Fatalf("%v, want an error saying %q", err, w)
		}
	}
	if calls != 3 {
		t.Errorf("Impl built %d times, want 3: two by Validate, the third panicking", calls)
	}
}

// TestValidatePanicError: a panic with an error is an error that wraps
// it.
func TestValidatePanicError(t *testing.T) {
	err := hookSystem(hookSpec{init: func() { panic(errBoom) }}, hookSpec{}, nil).Validate()
	if !errors.Is(err, errBoom) {
		t.Errorf("%v, want an error wrapping %v", err, errBoom)
	}
}

// listSpec is hookSpec whose Init and Ops return the lists it holds.
type listSpec struct {
	hookSpec
	inits []cell
	ops   []uint8
}

func (l listSpec) Init() []cell { return l.inits }
func (l listSpec) Ops() []uint8 { return l.ops }

// TestValidateRefusesEmptyLists: a system with no initial lower state, no
// initial upper state or no upper operation is refused, naming the list:
// a search of it checks nothing, or crashes alone, and verifies.
func TestValidateRefusesEmptyLists(t *testing.T) {
	full := listSpec{inits: []cell{{}}, ops: []uint8{0, 1}}
	impl := func(l model.Caller[uint8, uint8]) model.Instance[model.Caller[uint8, uint8]] {
		return model.Instance[model.Caller[uint8, uint8]]{API: l, Recover: func() {}}
	}
	abs := func(c *cell) (cell, bool) { return *c, true }
	for _, tc := range []struct {
		name         string
		lower, upper listSpec
		want         string // what the error says; "" for no error
	}{
		{"all there", full, full, ""},
		{"no lower initial state", listSpec{ops: full.ops}, full, "model: Lower.Spec.Init returns no initial state"},
		{"no upper initial state", full, listSpec{ops: full.ops}, "model: Upper.Spec.Init returns no initial state"},
		{"no operation", full, listSpec{inits: full.inits}, "model: Upper.Spec.Ops returns no operation"},
	} {
		sys := model.NewSystem(model.NewLayer("lower", model.Spec[cell, uint8, uint8](tc.lower)), model.NewLayer("upper", model.Spec[cell, uint8, uint8](tc.upper)), impl, abs)
		err := sys.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v, want no error", tc.name, err)
		case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
			t.Errorf("%s: %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
}

// TestValidateHandleThatCalls: a Lower.Handle that calls the lower layer,
// recovering the panic of the call or not, when Validate builds it or when
// it builds it again, is refused, naming Lower.Handle, not the Impl built
// after it.
func TestValidateHandleThatCalls(t *testing.T) {
	const again = ", called again (a search builds an Instance for each worker and check),"
	for _, tc := range []struct {
		at       int // the call of Handle that calls the lower layer
		recovers bool
		want     string
	}{
		{1, false, "model: Lower.Handle called the lower layer (3 at model/validate_test.go:"},
		{1, true, "model: Lower.Handle called the lower layer (3 at model/validate_test.go:"},
		{2, false, "model: Lower.Handle" + again + " called the lower layer (3 at model/validate_test.go:"},
		{2, true, "model: Lower.Handle" + again + " called the lower layer (3 at model/validate_test.go:"},
	} {
		lower, calls := model.NewLayer("lower", model.Spec[cell, uint8, uint8](hookSpec{})), 0
		lower.Handle = func(c model.Caller[uint8, uint8]) model.Caller[uint8, uint8] {
			if calls++; calls != tc.at {
				return c
			}
			if tc.recovers {
				defer func() { _ = recover() }()
			}
			c.Call(3)
			return c
		}
		impl := func(l model.Caller[uint8, uint8]) model.Instance[model.Caller[uint8, uint8]] {
			return model.Instance[model.Caller[uint8, uint8]]{API: l, Recover: func() {}}
		}
		sys := model.NewSystem(lower, model.NewLayer("upper", model.Spec[cell, uint8, uint8](hookSpec{})), impl,
			func(c *cell) (cell, bool) { return *c, true })
		if err := sys.Validate(); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("calling at build %d, recovering %v: %v, want an error saying %q", tc.at, tc.recovers, err, tc.want)
		}
	}
}

// TestValidateStepLimit: a negative StepLimit is refused, not taken for
// the default that zero means.
func TestValidateStepLimit(t *testing.T) {
	for _, tc := range []struct {
		limit int
		want  string // what the error says; "" for no error
	}{
		{0, ""},
		{1, ""},
		{-1, "model: the system's StepLimit is negative (-1)"},
	} {
		sys := model.NewSystem(model.NewLayer("lower", model.Spec[cell, uint8, uint8](hookSpec{})), model.NewLayer("upper", model.Spec[cell, uint8, uint8](hookSpec{})),
			func(l model.Caller[uint8, uint8]) model.Instance[model.Caller[uint8, uint8]] {
				return model.Instance[model.Caller[uint8, uint8]]{API: l, Recover: func() {}}
			}, func(c *cell) (cell, bool) { return *c, true })
		sys.StepLimit = tc.limit
		err := sys.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("StepLimit %d: %v, want no error", tc.limit, err)
		case tc.want != "" && (err == nil || err.Error() != tc.want):
			t.Errorf("StepLimit %d: %v, want %q", tc.limit, err, tc.want)
		}
	}
}

// turningSpec is listSpec whose Init and Ops return their lists reversed
// at their at-th call alone.
type turningSpec struct {
	listSpec
	at          int
	inits, opsN *int
}

func (s turningSpec) Init() []cell {
	if *s.inits++; *s.inits == s.at {
		return []cell{{V: 1}, {}}
	}
	return []cell{{}, {V: 1}}
}

func (s turningSpec) Ops() []uint8 {
	if *s.opsN++; *s.opsN == s.at {
		return []uint8{1, 0}
	}
	return []uint8{0, 1}
}

// TestValidateCallsListsAgain: a lower Init or an upper Ops that returns
// another order at its 100th call alone is refused: Validate calls them
// more than a few times, as a map's order changes at one call in eight
// at the least.
func TestValidateCallsListsAgain(t *testing.T) {
	impl := func(l model.Caller[uint8, uint8]) model.Instance[model.Caller[uint8, uint8]] {
		return model.Instance[model.Caller[uint8, uint8]]{API: l, Recover: func() {}}
	}
	abs := func(c *cell) (cell, bool) { return *c, true }
	full := listSpec{inits: []cell{{}, {V: 1}}, ops: []uint8{0, 1}}
	for _, tc := range []struct {
		name  string
		lower bool // the lower layer turns, else the upper
		want  string
	}{
		{"a lower Init", true, "model: Lower.Spec.Init returns other states, or its states in another order, when called again"},
		{"an upper Ops", false, "model: Upper.Spec.Ops returns other operations, or its operations in another order, when called again"},
	} {
		var lower, upper model.Spec[cell, uint8, uint8] = full, full
		turning := turningSpec{listSpec: full, at: 100, inits: new(int), opsN: new(int)}
		if tc.lower {
			lower = turning
		} else {
			upper = turning
		}
		err := model.NewSystem(model.NewLayer("lower", lower), model.NewLayer("upper", upper), impl, abs).Validate()
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s that turns at its 100th call: %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
}

// TestValidateRefusesIncompleteInstance: an Impl whose Instance has no
// API, or no Recover, is refused, naming what it lacks.
func TestValidateRefusesIncompleteInstance(t *testing.T) {
	for _, tc := range []struct {
		name string
		inst func(model.Caller[uint8, uint8]) model.Instance[model.Caller[uint8, uint8]]
		want string
	}{
		{"no API", func(model.Caller[uint8, uint8]) model.Instance[model.Caller[uint8, uint8]] {
			return model.Instance[model.Caller[uint8, uint8]]{Recover: func() {}}
		}, "model: Impl returns an Instance with no API"},
		{"no Recover", func(l model.Caller[uint8, uint8]) model.Instance[model.Caller[uint8, uint8]] {
			return model.Instance[model.Caller[uint8, uint8]]{API: l}
		}, "model: Impl returns an Instance with no Recover"},
	} {
		sys := model.NewSystem(model.NewLayer("lower", model.Spec[cell, uint8, uint8](hookSpec{})), model.NewLayer("upper", model.Spec[cell, uint8, uint8](hookSpec{})),
			tc.inst, func(c *cell) (cell, bool) { return *c, true })
		if err := sys.Validate(); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
}

// TestKeptValidateHandle: an implementation that keeps the lower-layer
// handle of the first Instance built, one of System.Validate's, and
// calls it from the Instances of the search reaches no lower state the
// search checks. Its recovery here writes 1 where a crash between
// operations allows only 0, which its own handle shows as a recovery
// violation; through the kept handle the run fails with a message that
// names the kept handle, also when layer code recovers the call's panic,
// where it would otherwise verify.
func TestKeptValidateHandle(t *testing.T) {
	for _, tc := range []struct {
		name           string
		kept, recovers bool
		kind, want     string
	}{
		{"own handle", false, false, model.KindRecovery, "recovery ended in lower state 1"},
		{"kept handle", true, false, model.KindNondeterminism, "a call of the lower layer (1 at model/validate_test.go:"},
		{"kept handle, panic recovered", true, true, model.KindNondeterminism, "went through a handle kept from an Instance that System.Validate built before the search"},
	} {
		newSystem := func() model.Checker {
			var first model.Caller[uint8, uint8]
			impl := func(l model.Caller[uint8, uint8]) model.Instance[model.Caller[uint8, uint8]] {
				if first == nil || !tc.kept {
					first = l
				}
				kept := first
				return model.Instance[model.Caller[uint8, uint8]]{API: l, Recover: func() {
					if tc.recovers {
						defer func() { _ = recover() }()
					}
					kept.Call(1)
				}}
			}
			return model.NewSystem(model.NewLayer("lower", model.Spec[cell, uint8, uint8](hookSpec{})),
				model.NewLayer("upper", model.Spec[cell, uint8, uint8](hookSpec{})), impl,
				func(c *cell) (cell, bool) { return *c, true })
		}
		for _, memo := range []bool{true, false} {
			sys := newSystem()
			func() {
				defer model.SetRecordRecoveries(memo)()
				res, err := explorer.Run(context.Background(), sys, explorer.Config{Workers: 2})
				if err != nil {
					t.Fatalf("%s, memo %v: %v", tc.name, memo, err)
				}
				if res.Verdict != explorer.Violated || res.Violation.Kind != tc.kind || !strings.Contains(res.Violation.Message, tc.want) {
					t.Errorf("%s, memo %v: %s (%d states) %v; want a %s violation saying %q", tc.name, memo, res.Verdict, res.States, res.Violation, tc.kind, tc.want)
				}
			}()
		}
		// The semantics the relation oracle decides from faults the
		// recovery's run alike.
		if !tc.kept {
			continue
		}
		sys := newSystem()
		if err := sys.Validate(); err != nil {
			t.Fatal(err)
		}
		sem, _ := model.SemanticsOf(sys)
		runs := sem.Recover(0, sem.LowerInit()[0])
		if len(runs) != 1 || runs[0].Fault == nil || runs[0].Fault.Kind != tc.kind || !strings.Contains(runs[0].Fault.Message, tc.want) {
			t.Errorf("%s: the semantics' recovery runs %+v (%v); want one with a %s fault saying %q", tc.name, runs, runs[0].Fault, tc.kind, tc.want)
		}
	}
}

// TestComposeOfNil: a composition with a nil part is nil, which Validate
// refuses with an error that says so, where the composed implementation
// or relation once panicked inside argocheck's own code (a nil pointer
// dereference at model/spec.go) when the check first called it.
func TestComposeOfNil(t *testing.T) {
	type impl = model.Impl[model.Caller[uint8, uint8], model.Caller[uint8, uint8]]
	type rel = model.Relation[cell, cell]
	pass := impl(func(l model.Caller[uint8, uint8]) model.Instance[model.Caller[uint8, uint8]] {
		return model.Instance[model.Caller[uint8, uint8]]{API: l, Recover: func() {}}
	})
	same := rel(func(c *cell) (cell, bool) { return *c, true })
	for _, tc := range []struct {
		name         string
		lower, upper impl
		rlower, rup  rel
		want         string
	}{
		{"whole", pass, pass, same, same, ""},
		{"nil lower Impl", nil, pass, same, same, "model: the system has no Impl (model.Compose and model.ComposeRelations return nil when a part is nil)"},
		{"nil upper Impl", pass, nil, same, same, "model: the system has no Impl (model.Compose"},
		{"nil lower Relation", pass, pass, nil, same, "model: the system has no Abs (model.Compose"},
		{"nil upper Relation", pass, pass, same, nil, "model: the system has no Abs (model.Compose"},
	} {
		layer := func() model.Layer[cell, uint8, uint8, model.Caller[uint8, uint8]] {
			return model.NewLayer("register", model.Spec[cell, uint8, uint8](hookSpec{}))
		}
		sys := model.NewSystem(layer(), layer(), model.Compose(tc.lower, tc.upper), model.ComposeRelations(tc.rup, tc.rlower))
		err := sys.Validate()
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)) {
			t.Errorf("%s: Validate says %v, want %q", tc.name, err, tc.want)
		}
	}
}

// named is a state a Codec cannot encode: a string.
type named struct{ S string }

// namedSpec is a register of names with the zero Codec, which checks its
// type at the first state it encodes.
type namedSpec struct{ model.Codec[named] }

func (namedSpec) Init() []named               { return []named{{}} }
func (namedSpec) Ops() []uint8                { return []uint8{0} }
func (namedSpec) Crash(*named, model.Chooser) {}
func (namedSpec) Step(s *named, _ uint8, _ model.Chooser) uint8 {
	return uint8(len(s.S))
}

// TestValidateEncodesInitialStates: a state type that the zero Codec
// cannot encode is refused by Validate, naming the field, where a search
// once reported a panic violation of the layer's code at the initial
// states, at a line of argocheck's own.
func TestValidateEncodesInitialStates(t *testing.T) {
	impl := func(l model.Caller[uint8, uint8]) model.Instance[model.Caller[uint8, uint8]] {
		return model.Instance[model.Caller[uint8, uint8]]{API: l, Recover: func() {}}
	}
	l := model.NewLayer[named, uint8, uint8]("names", namedSpec{})
	sys := model.NewSystem(l, l, impl, func(c *named) (named, bool) { return *c, true })
	_, err := explorer.Run(context.Background(), sys, explorer.Config{Workers: 1})
	const want = "model: Lower.Spec.AppendEncode panicked: model: a Codec cannot encode model_test.named.S, of kind string"
	if !errors.Is(err, explorer.ErrInvalid) || !strings.Contains(err.Error(), want) {
		t.Errorf("%v, want an invalid search saying %q", err, want)
	}
}
