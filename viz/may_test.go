package viz

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
)

// TestCellMay: a cell of a disk with a write cache splits into its value
// and its may-set; other cells are their text alone.
func TestCellMay(t *testing.T) {
	for _, tt := range []struct{ text, value, may string }{
		{"1{0,1}", "1", "{0,1}"},
		{"c2{2,c2}", "c2", "{2,c2}"},
		{"?100{10,?100}", "?100", "{10,?100}"},
		{"0", "0", ""},
		{"{a b}", "{a b}", ""},
		{"h(1 2)", "h(1 2)", ""},
		{"x{a{b}}", "x{a{b}}", ""},
	} {
		c := cell{Text: tt.text}
		if c.Value() != tt.value || c.May() != tt.may {
			t.Errorf("%q: value %q may %q, want %q %q", tt.text, c.Value(), c.May(), tt.value, tt.may)
		}
	}
	st := parseState("[0 | 0 0 | 1 0 | 0{0,1}]")
	if n := len(st.Parts[0].Cells); n != 9 {
		t.Errorf("%d cells, want 9: %+v", n, st.Parts[0].Cells)
	}
	prev, cur := parseState("[1{0,1} 0]"), parseState("[1{0,1,2} 0]")
	diff(&prev, &cur)
	if !cur.Parts[0].Cells[0].Changed || cur.Parts[0].Cells[1].Changed {
		t.Errorf("a cell whose may-set grew is not marked alone: %+v", cur.Parts[0].Cells)
	}
}

// TestHTMLShowsMay: the page of a missing flush draws every cached
// block's may-set under its value.
func TestHTMLShowsMay(t *testing.T) {
	chk, err := layers.Build("log/async", nil, "no-flush-before-clear")
	if err != nil {
		t.Fatal(err)
	}
	res, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 1})
	if err != nil || res.Verdict != explorer.Violated {
		t.Fatalf("%v %v", res, err)
	}
	var b bytes.Buffer
	if err := WriteHTML(&b, Page{Title: "log/async no-flush-before-clear", Paths: []Path{{Title: "violation", Trace: res.Trace}}}); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, want := range []string{
		`<span class="cell changed">c2<br><small class="may" title="a crash may leave any of these">{2,c2}</small></span>`,
		`<span class="cell changed">0<br><small class="may" title="a crash may leave any of these">{0,1}</small></span>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if strings.Contains(html, `}</span>`) {
		t.Errorf("a may-set is drawn inside a cell's value")
	}
}
