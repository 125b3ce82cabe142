package model_test

import (
	"context"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
)

// plainRet is a result with no String method.
type plainRet struct{ V uint8 }

// plainSpec is hookSpec's register with plainRet results, whose states
// format with a Codec.
type plainSpec struct{ hookSpec }

func (plainSpec) Format(s *cell) string { return model.NewCodec[cell]().Format(s) }
func (plainSpec) Step(s *cell, op uint8, c model.Chooser) plainRet {
	return plainRet{hookSpec{}.Step(s, op, c)}
}

// plainReg writes through to the lower layer and returns the zero result.
type plainReg struct{ l model.Caller[uint8, uint8] }

func (r plainReg) Call(op uint8) plainRet { r.l.Call(op); return plainRet{} }

// TestPathShowsFieldsByName: a path prints a result that has no String
// method, and a state that a Codec formats, with its fields by name, so
// that "{V:0}" reads as the field it is rather than as "{0}".
func TestPathShowsFieldsByName(t *testing.T) {
	impl := func(l model.Caller[uint8, uint8]) model.Instance[model.Caller[uint8, plainRet]] {
		return model.Instance[model.Caller[uint8, plainRet]]{API: plainReg{l}, Recover: func() {}}
	}
	sys := model.NewSystem(model.NewLayer("lower", model.Spec[cell, uint8, uint8](hookSpec{})),
		model.NewLayer[cell, uint8, plainRet]("upper", plainSpec{}), impl,
		func(c *cell) (cell, bool) { return *c, true })
	res, err := explorer.Run(context.Background(), sys, explorer.Config{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Violation == nil || res.Trace == nil {
		t.Fatalf("%s; want a refinement violation of op 1", res.Verdict)
	}
	last := res.Trace.Steps[len(res.Trace.Steps)-1]
	for _, tc := range []struct{ what, got, want string }{
		{"the step's result", last.Ret, "{V:0}"},
		{"the message", res.Violation.Message, "(abstract {V:1})"},
		{"the message", res.Violation.Message, "allows {V:1}"},
	} {
		if !strings.Contains(tc.got, tc.want) {
			t.Errorf("%s is %q; want it to hold %q", tc.what, tc.got, tc.want)
		}
	}
}
