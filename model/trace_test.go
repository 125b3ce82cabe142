package model_test

import (
	"strings"
	"testing"

	"github.com/argocheck/argocheck/model"
)

// A run of repeated steps, numbered as a range, keeps its operation in
// the column of the other steps' operations; a range too long for it (a
// loop up to the step limit) keeps the steps' indent instead.
func TestTraceRepeatAligned(t *testing.T) {
	tr := model.Trace{Steps: []model.Step{
		{Kind: model.StepInit, Node: model.NodeView{Lower: "[0]", Abstract: "[0]"}},
		{Kind: model.StepRecover, Calls: []model.Call{
			{Op: "read(0)", Ret: "0", State: "[0]"},
			{Op: "write(0, 0)", Ret: "ok", State: "[0]", Repeat: 2},
			{Op: "write(1, 0)", Ret: "ok", State: "[0]"},
			{Op: "read(1)", Ret: "0", State: "[0]", Repeat: 7},
			{Op: "read(0)", Ret: "0", State: "[0]", Repeat: 9990},
		}, Node: model.NodeView{Lower: "[0]", Abstract: "[0]"}},
	}}
	want := []string{
		"      1  read(0)                      -> 0        [0]",
		"    2-3  write(0, 0) x2               -> ok       [0]",
		"      4  write(1, 0)                  -> ok       [0]",
		"   5-11  read(1) x7                   -> 0        [0]",
		"     12-10001  read(0) x9990                -> 0        [0]",
	}
	text := tr.String()
	for _, line := range want {
		if !strings.Contains(text, line+"\n") {
			t.Errorf("no line %q in\n%s", line, text)
		}
	}
}
