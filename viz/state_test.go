package viz

import (
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// genState draws a state of named or unnamed parts, each a list of cells
// or a word, and returns it with its Format-style string.
func genState(t *rapid.T, shape []int) (state, string) {
	var st state
	var words []string
	for i, n := range shape {
		p := part{}
		if rapid.Bool().Draw(t, "named") {
			p.Name = rapid.StringMatching(`[a-z][a-z0-9]{0,3}`).Draw(t, "name") + string(rune('A'+i))
		}
		w := ""
		if p.Name != "" {
			w = p.Name + "="
		}
		if n < 0 {
			p.Text = rapid.SampledFrom([]string{"failed", "ok", "h(c=1,n=2)", "{a b}"}).Draw(t, "text")
			w += p.Text
		} else {
			var cells []string
			p.Cells = []cell{}
			for j := 0; j < n; j++ {
				c := rapid.SampledFrom([]string{"0", "1", "2", "17", "h(1 2)", "[3 4]"}).Draw(t, "cell")
				p.Cells = append(p.Cells, cell{Text: c})
				cells = append(cells, c)
			}
			w += "[" + strings.Join(cells, " ") + "]"
		}
		st.Parts = append(st.Parts, p)
		words = append(words, w)
	}
	st.Raw = strings.Join(words, " ")
	return st, st.Raw
}

func genShape(t *rapid.T) []int {
	return rapid.SliceOfN(rapid.IntRange(-1, 5), 1, 4).Draw(t, "shape")
}

// TestParseStateRoundTrip: parsing a Format-style string gives back its
// parts and cells.
func TestParseStateRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		want, s := genState(t, genShape(t))
		got := parseState(s)
		if !equalState(got, want) {
			t.Fatalf("parseState(%q) = %+v, want %+v", s, got, want)
		}
	})
}

func equalState(a, b state) bool {
	if a.Raw != b.Raw || len(a.Parts) != len(b.Parts) {
		return false
	}
	for i := range a.Parts {
		p, q := a.Parts[i], b.Parts[i]
		if p.Name != q.Name || p.Text != q.Text || len(p.Cells) != len(q.Cells) || (p.Cells == nil) != (q.Cells == nil) {
			return false
		}
		for j := range p.Cells {
			if p.Cells[j].Text != q.Cells[j].Text {
				return false
			}
		}
	}
	return true
}

// TestDiffMarksExactly: diff marks exactly the cells and words that
// differ between two states of the same shape.
func TestDiffMarksExactly(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		shape := genShape(t)
		a, _ := genState(t, shape)
		b := a
		b.Parts = nil
		for _, p := range a.Parts {
			q := part{Name: p.Name, Text: p.Text}
			if p.Cells != nil {
				q.Cells = make([]cell, len(p.Cells))
				for j, c := range p.Cells {
					q.Cells[j].Text = c.Text
					if rapid.Bool().Draw(t, "change") {
						q.Cells[j].Text = c.Text + "9"
					}
				}
			} else if rapid.Bool().Draw(t, "change") {
				q.Text = p.Text + "9"
			}
			b.Parts = append(b.Parts, q)
		}
		b.Raw = "different"
		diff(&a, &b)
		for i, q := range b.Parts {
			p := a.Parts[i]
			changed := p.Text != q.Text
			for j := range q.Cells {
				want := p.Cells[j].Text != q.Cells[j].Text
				if q.Cells[j].Changed != want {
					t.Fatalf("part %d cell %d: changed=%v, want %v", i, j, q.Cells[j].Changed, want)
				}
				changed = changed || want
			}
			if q.Changed != changed {
				t.Fatalf("part %d: changed=%v, want %v", i, q.Changed, changed)
			}
		}
	})
}

// TestDiffFailures: a disk whose blocks become "failed" is a failure; one
// already failed is not failed again.
func TestDiffFailures(t *testing.T) {
	for _, tc := range []struct{ prev, cur, want string }{
		{"d0=[1 0] d1=[1 0]", "d0=failed d1=[1 0]", "d0 failed"},
		{"d0=[1 0] d1=[1 0]", "d0=[1 0] d1=failed", "d1 failed"},
		{"d0=failed d1=[1 0]", "d0=failed d1=[0 0]", ""},
		{"", "d0=failed d1=[1 0]", ""},
		{"[1 0]", "failed", "disk failed"},
	} {
		prev, cur := parseState(tc.prev), parseState(tc.cur)
		if got := strings.Join(diff(&prev, &cur), ","); got != tc.want {
			t.Errorf("%q -> %q: failures %q, want %q", tc.prev, tc.cur, got, tc.want)
		}
	}
}

// TestParseStateUnbalanced: a string whose brackets do not balance is one
// text part.
func TestParseStateUnbalanced(t *testing.T) {
	for _, s := range []string{"d0=[1 0", "a]b", "x=(1 [2)"} {
		st := parseState(s)
		if len(st.Parts) != 1 || st.Parts[0].Text != s || st.Parts[0].Cells != nil {
			t.Errorf("parseState(%q) = %+v", s, st)
		}
	}
}

// TestParseStateSeparators: "|" in a list separates regions of a disk and
// is never a changed cell.
func TestParseStateSeparators(t *testing.T) {
	prev, cur := parseState("d0=[c1 0 | 1 0 | 0]"), parseState("d0=[c2 0 | 1 0 | 1]")
	diff(&prev, &cur)
	var got []string
	for _, c := range cur.Parts[0].Cells {
		switch {
		case c.Sep():
			got = append(got, "|")
		case c.Changed:
			got = append(got, "*"+c.Text)
		default:
			got = append(got, c.Text)
		}
	}
	if s := strings.Join(got, " "); s != "*c2 0 | 1 0 | *1" {
		t.Errorf("cells %q", s)
	}
}
