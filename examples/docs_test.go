// Package examples_test checks that the code the documentation shows is
// the code of the examples: every fenced block of docs/tutorial.md and of
// the README that names a file appears in that file, and every Go block
// names one.
package examples_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A block names its file with an HTML comment on the line before its
// fence, or, for Go, with a comment as its first line; paths are relative
// to the repository's root.
var (
	commentMarker = regexp.MustCompile(`^<!-- (\S+) -->$`)
	goMarker      = regexp.MustCompile(`^// (examples/\S+)$`)
)

// block is a fenced block of a document.
type block struct {
	line  int // of the opening fence
	lang  string
	file  string // "" when the block names none
	lines []string
}

// blocks returns the fenced blocks of a Markdown document.
func blocks(doc string) ([]block, error) {
	var out []block
	lines := strings.Split(doc, "\n")
	for i := 0; i < len(lines); i++ {
		lang, ok := strings.CutPrefix(lines[i], "```")
		if !ok {
			continue
		}
		b := block{line: i + 1, lang: lang}
		if i > 0 {
			if m := commentMarker.FindStringSubmatch(lines[i-1]); m != nil {
				b.file = m[1]
			}
		}
		for i++; i < len(lines) && lines[i] != "```"; i++ {
			b.lines = append(b.lines, lines[i])
		}
		if i == len(lines) {
			return nil, fmt.Errorf("line %d: the block never ends", b.line)
		}
		if b.lang == "go" && b.file == "" && len(b.lines) > 0 {
			if m := goMarker.FindStringSubmatch(b.lines[0]); m != nil {
				b.file, b.lines = m[1], b.lines[1:]
			}
		}
		out = append(out, b)
	}
	return out, nil
}

// within reports whether the lines of snippet appear, in order and
// together, among the lines of text, leading tabs ignored on both.
func within(snippet []string, text string) bool {
	trim := func(ls []string) []string {
		out := make([]string, len(ls))
		for i, l := range ls {
			out[i] = strings.TrimLeft(l, "\t")
		}
		return out
	}
	s, t := trim(snippet), trim(strings.Split(text, "\n"))
	for i := 0; i+len(s) <= len(t); i++ {
		match := true
		for j := range s {
			if t[i+j] != s[j] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

func TestWithin(t *testing.T) {
	text := "func f() {\n\tif x {\n\t\treturn 1\n\t}\n}\n"
	for _, tc := range []struct {
		snippet []string
		want    bool
	}{
		{[]string{"if x {", "\treturn 1", "}"}, true},
		{[]string{"func f() {", "if x {"}, true},
		{[]string{"if x {", "}"}, false},        // not together
		{[]string{"return 1", "if x {"}, false}, // not in order
		{[]string{"if x"}, false},               // part of a line
		{[]string{"    return 1"}, false},       // spaces are not tabs
	} {
		if got := within(tc.snippet, text); got != tc.want {
			t.Errorf("within(%q) = %v, want %v", tc.snippet, got, tc.want)
		}
	}
}

func TestDocsShowTheExamples(t *testing.T) {
	for _, doc := range []string{"docs/tutorial.md", "README.md"} {
		t.Run(doc, func(t *testing.T) {
			text, err := os.ReadFile(filepath.Join("..", doc))
			if err != nil {
				t.Fatal(err)
			}
			bs, err := blocks(string(text))
			if err != nil {
				t.Fatalf("%s: %v", doc, err)
			}
			checked := 0
			for _, b := range bs {
				if b.file == "" {
					if b.lang == "go" {
						t.Errorf("%s:%d: a Go block names no file", doc, b.line)
					}
					continue
				}
				src, err := os.ReadFile(filepath.Join("..", b.file))
				if err != nil {
					t.Errorf("%s:%d: %v", doc, b.line, err)
					continue
				}
				if !within(b.lines, string(src)) {
					t.Errorf("%s:%d: the block is not in %s:\n%s", doc, b.line, b.file, strings.Join(b.lines, "\n"))
				}
				checked++
			}
			if checked == 0 {
				t.Errorf("%s: no block names a file", doc)
			}
		})
	}
}
