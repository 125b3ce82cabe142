package model_test

import (
	"strings"
	"testing"

	"github.com/argocheck/argocheck/model"
)

// Rebuilt refuses, in Validate, a build that does not build the same
// check anew each time; one that does validates, and its Semantics are
// those of the check it builds.
func TestRebuiltValidate(t *testing.T) {
	first := semSystem()
	calls := 0
	for _, tc := range []struct {
		name  string
		build func() model.Checker
		err   string
	}{
		{"anew", func() model.Checker { return semSystem() }, ""},
		{"the same value", func() model.Checker { return first }, "gave the same *model.System[uint8,model_test.tapeOp,uint8,model.Caller[model_test.tapeOp,uint8],"},
		{"another type", func() model.Checker {
			if calls++; calls == 1 {
				return semSystem()
			}
			return degradedSystem()
		}, "gave a *model.System"},
		{"a panic", func() model.Checker {
			if calls++; calls == 1 {
				return semSystem()
			}
			panic("no more")
		}, "building the check again panicked: no more"},
	} {
		calls = 0
		err := model.Rebuilt(tc.build).Validate()
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.err)
		}
	}
	if _, ok := model.SemanticsOf(model.Rebuilt(func() model.Checker { return semSystem() })); !ok {
		t.Error("a rebuilt System has no Semantics")
	}
	if model.Rebuilt(func() model.Checker { return nil }) != nil {
		t.Error("Rebuilt of a build that builds nothing is not nil")
	}
}
