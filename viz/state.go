package viz

import "strings"

// state is a Format string split into parts: "d0=[1 0] d1=failed" is the
// parts d0 (cells 1, 0) and d1 (text failed).
type state struct {
	Raw   string
	Parts []part
}

// part is one word of a state: a name and either cells or text.
type part struct {
	Name    string
	Cells   []cell // nil when the value is not a [...] list
	Text    string
	Changed bool // differs from the previous state
}

// cell is one element of a [...] list; a "|" element separates regions
// of a disk (a log's header, descriptor, entries and data) and is drawn as
// a gap.
type cell struct {
	Text    string
	Changed bool
}

// Sep reports whether the cell is a region separator.
func (c cell) Sep() bool { return c.Text == "|" }

// Value is the cell's text without its may-set.
func (c cell) Value() string {
	v, _ := splitMay(c.Text)
	return v
}

// May is the cell's may-set, "{0,1}" for the cell "1{0,1}" of a disk with
// a write cache (a block that reads 1 and that a crash may leave 0 or 1
// in), and "" for a cell without one.
func (c cell) May() string {
	_, m := splitMay(c.Text)
	return m
}

// splitMay splits a cell's text into its value and a trailing may-set in
// braces.
func splitMay(s string) (value, may string) {
	if !strings.HasSuffix(s, "}") {
		return s, ""
	}
	i := strings.IndexByte(s, '{')
	if i <= 0 || strings.ContainsAny(s[i+1:len(s)-1], "{}") {
		return s, ""
	}
	return s[:i], s[i:]
}

// parseState splits s into parts at top-level spaces; a part is name=value
// or value, and a value in square brackets is a list of cells. A string
// that does not split cleanly is one text part.
func parseState(s string) state {
	st := state{Raw: s}
	words, ok := splitTop(s)
	if !ok {
		return state{Raw: s, Parts: []part{{Text: s}}}
	}
	for _, w := range words {
		var p part
		if i := strings.IndexByte(w, '='); i > 0 && !strings.ContainsAny(w[:i], "[](){}") {
			p.Name, w = w[:i], w[i+1:]
		}
		if len(w) >= 2 && w[0] == '[' && w[len(w)-1] == ']' {
			elems, ok := splitTop(w[1 : len(w)-1])
			if ok {
				p.Cells = make([]cell, len(elems))
				for j, e := range elems {
					p.Cells[j].Text = e
				}
				st.Parts = append(st.Parts, p)
				continue
			}
		}
		p.Text = w
		st.Parts = append(st.Parts, p)
	}
	return st
}

// splitTop splits s at spaces outside brackets; ok is false when the
// brackets do not balance.
func splitTop(s string) (words []string, ok bool) {
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[', '(', '{':
			depth++
		case ']', ')', '}':
			depth--
			if depth < 0 {
				return nil, false
			}
		case ' ':
			if depth == 0 {
				if i > start {
					words = append(words, s[start:i])
				}
				start = i + 1
			}
		}
	}
	if depth != 0 {
		return nil, false
	}
	if start < len(s) {
		words = append(words, s[start:])
	}
	return words, true
}

// diff marks in cur what differs from prev and returns the failures it
// sees: a part whose cells became the text "failed" (a disk failure).
// Parts are matched by name, unnamed ones by position.
func diff(prev, cur *state) (failures []string) {
	if prev == nil || prev.Raw == "" {
		return nil
	}
	for i := range cur.Parts {
		p := &cur.Parts[i]
		q := match(prev, i, p.Name)
		if q == nil {
			p.Changed = true
			continue
		}
		switch {
		case p.Cells != nil && q.Cells != nil && len(p.Cells) == len(q.Cells):
			for j := range p.Cells {
				if p.Cells[j].Text != q.Cells[j].Text {
					p.Cells[j].Changed, p.Changed = true, true
				}
			}
		case p.Cells == nil && q.Cells == nil:
			p.Changed = p.Text != q.Text
		default:
			p.Changed = true
		}
		if p.Cells == nil && p.Text == "failed" && q.Text != "failed" {
			name := p.Name
			if name == "" {
				name = "disk"
			}
			failures = append(failures, name+" failed")
		}
	}
	return failures
}

func match(s *state, i int, name string) *part {
	if name == "" {
		if i < len(s.Parts) && s.Parts[i].Name == "" {
			return &s.Parts[i]
		}
		return nil
	}
	for j := range s.Parts {
		if s.Parts[j].Name == name {
			return &s.Parts[j]
		}
	}
	return nil
}
