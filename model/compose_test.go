package model

import (
	"reflect"
	"testing"
)

// recorder is a layer API that records the calls reaching it.
type recorder struct{ log *[]string }

func (r recorder) do(s string) { *r.log = append(*r.log, s) }

// passImpl is an implementation named name that forwards each call to
// the layer below and records its own recovery there.
func passImpl(name string) Impl[recorder, recorder] {
	return func(lower recorder) Instance[recorder] {
		return Instance[recorder]{
			API:     lower,
			Recover: func() { lower.do("recover " + name) },
		}
	}
}

// TestComposeRecoveryOrder: a stack of any height recovers bottom up (an
// upper layer's recovery is correct only on a state of the layer below),
// however the Compose calls are nested.
func TestComposeRecoveryOrder(t *testing.T) {
	c, b, a := passImpl("c"), passImpl("b"), passImpl("a")
	want := []string{"recover c", "recover b", "recover a"}
	for name, stack := range map[string]Impl[recorder, recorder]{
		"left":  Compose(Compose(c, b), a),
		"right": Compose(c, Compose(b, a)),
	} {
		var log []string
		inst := stack(recorder{&log})
		inst.Recover()
		if !reflect.DeepEqual(log, want) {
			t.Errorf("%s-nested stack recovers %v, want %v", name, log, want)
		}
	}
}

// TestComposeRelations: R2 ;; R1 relates c to a through b, and is
// undefined wherever either relation is.
func TestComposeRelations(t *testing.T) {
	// R1: b = c/2 for even c; R2: a = b+1 for b < 3.
	r1 := Relation[int, int](func(c *int) (int, bool) { return *c / 2, *c%2 == 0 })
	r2 := Relation[int, int](func(b *int) (int, bool) { return *b + 1, *b < 3 })
	r := ComposeRelations(r2, r1)
	for _, tt := range []struct {
		c, a int
		ok   bool
	}{
		{0, 1, true}, {4, 3, true}, {3, 0, false}, {6, 0, false},
	} {
		a, ok := r(&tt.c)
		if ok != tt.ok || (ok && a != tt.a) {
			t.Errorf("R(%d) = %d, %v; want %d, %v", tt.c, a, ok, tt.a, tt.ok)
		}
	}
}

// TestComposedStages: a composed recovery is run stage by stage only
// while its Recover is the one Compose made; replaced, it is one stage,
// at any depth of the stack.
func TestComposedStages(t *testing.T) {
	c, b, a := passImpl("c"), passImpl("b"), passImpl("a")
	replaced := func(impl Impl[recorder, recorder]) Impl[recorder, recorder] {
		return func(lower recorder) Instance[recorder] {
			in := impl(lower)
			in.Recover = func() { lower.do("replaced") }
			return in
		}
	}
	for _, tt := range []struct {
		name  string
		stack Impl[recorder, recorder]
		want  []string // the stages' logs, one per stage
	}{
		{"composed", Compose(Compose(c, b), a), []string{"recover c", "recover b", "recover a"}},
		{"replaced", replaced(Compose(Compose(c, b), a)), []string{"replaced"}},
		{"replaced below", Compose(replaced(Compose(c, b)), a), []string{"replaced", "recover a"}},
		{"replaced above", Compose(c, replaced(Compose(b, a))), []string{"recover c", "replaced"}},
	} {
		var log []string
		in := tt.stack(recorder{&log})
		var got []string
		for s := range in.stageCount() {
			log = nil
			in.stage(s)()
			got = append(got, log...)
		}
		if !reflect.DeepEqual(got, tt.want) || len(in.recoveryStages()) != len(tt.want) {
			t.Errorf("%s: stages run %v (%d stages), want %v", tt.name, got, len(in.recoveryStages()), tt.want)
		}
	}
}
