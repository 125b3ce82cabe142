package model_test

import (
	"context"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
)

// quietRet is a result whose String leaves out its value.
type quietRet struct{ V uint8 }

func (quietRet) String() string { return "ok" }

// quietReg runs call on the lower layer l.
type quietReg struct {
	l    model.Caller[uint8, uint8]
	call func(l model.Caller[uint8, uint8], op uint8) quietRet
}

func (r quietReg) Call(op uint8) quietRet { return r.call(r.l, op) }

// quietSpec is the register of hookSpec whose results print alike, and
// whose states format alike when format is set.
type quietSpec struct {
	hookSpec
	format bool
}

func (q quietSpec) Format(s *cell) string {
	if q.format {
		return "x"
	}
	return q.hookSpec.Format(s)
}
func (quietSpec) Step(s *cell, op uint8, c model.Chooser) quietRet {
	return quietRet{hookSpec{}.Step(s, op, c)}
}

// TestAlikeShownWithValues: a violation whose result, or reached state,
// prints as an allowed one it is not shows the values too, where the
// message would otherwise say that the specification allows what was
// returned.
func TestAlikeShownWithValues(t *testing.T) {
	for _, tc := range []struct {
		name   string
		format bool
		call   func(l model.Caller[uint8, uint8], op uint8) quietRet
		rec    func(l model.Caller[uint8, uint8])
		want   string
	}{
		{"result", false,
			func(l model.Caller[uint8, uint8], op uint8) quietRet { l.Call(op); return quietRet{} },
			func(model.Caller[uint8, uint8]) {},
			"1 returned ok ({V:0}) and left lower state 1 (abstract 1); from 0 the specification allows ok ({V:1}) with 1"},
		{"state", true,
			func(l model.Caller[uint8, uint8], op uint8) quietRet { return quietRet{l.Call(op)} },
			func(l model.Caller[uint8, uint8]) { l.Call(1) },
			"recovery ended in lower state 1 (abstract x ({V:1})); the states allowed after the crash are {x ({V:0})}"},
	} {
		impl := func(l model.Caller[uint8, uint8]) model.Instance[model.Caller[uint8, quietRet]] {
			return model.Instance[model.Caller[uint8, quietRet]]{
				API:     quietReg{l, tc.call},
				Recover: func() { tc.rec(l) },
			}
		}
		sys := model.NewSystem(model.NewLayer("lower", model.Spec[cell, uint8, uint8](hookSpec{})),
			model.NewLayer[cell, uint8, quietRet]("upper", quietSpec{format: tc.format}), impl,
			func(c *cell) (cell, bool) { return *c, true })
		res, err := explorer.Run(context.Background(), sys, explorer.Config{Workers: 1})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if res.Violation == nil || !strings.Contains(res.Violation.Message, tc.want) {
			t.Errorf("%s: %s %v; want a violation saying %q", tc.name, res.Verdict, res.Violation, tc.want)
		}
	}
}
