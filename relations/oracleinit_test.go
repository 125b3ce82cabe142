package relations_test

import (
	"errors"
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/model"
	"github.com/argocheck/argocheck/relations"
)

// badStart is a system's semantics whose invariant fails on one lower
// state, and whose initial upper states are replaced, when set.
type badStart struct {
	model.Semantics
	bad       string
	upperInit []string
}

func (s badStart) Invariant(c string) error {
	if c == s.bad {
		return errors.New("a bad state")
	}
	return s.Semantics.Invariant(c)
}

func (s badStart) UpperInit() []string {
	if s.upperInit != nil {
		return s.upperInit
	}
	return s.Semantics.UpperInit()
}

// TestOracleChecksInitialStates: the oracle checks the initial lower
// states as any reachable one: an invariant failing there, or an
// initial state whose abstraction is no initial upper state, is a
// violation before any state is counted.
func TestOracleChecksInitialStates(t *testing.T) {
	chk, err := layers.Build("repdisk", catalog.Params{layers.Blocks: 2, layers.Values: 2}, "")
	if err != nil {
		t.Fatal(err)
	}
	sem, _ := model.SemanticsOf(chk)
	init := sem.LowerInit()[0]
	for _, tc := range []struct {
		name string
		sem  model.Semantics
		kind string
	}{
		{"invariant", badStart{Semantics: sem, bad: init}, model.KindInvariant},
		{"initial", badStart{Semantics: sem, upperInit: []string{"no state"}}, model.KindInitial},
	} {
		v := relations.Check(tc.sem, relations.Options{})
		if v.Verified || v.Violation.Kind != tc.kind || v.States != 0 {
			t.Errorf("%s: %s, want a violation of kind %s with no state counted", tc.name, v, tc.kind)
		}
	}
}
