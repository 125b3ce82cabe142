// Package examples_test checks the documentation against the repository:
// every fenced block of README.md and docs/*.md that names a file appears
// in that file, every Go block names one, and every relative link leads
// to a file and a heading that exist.
package examples_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
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

// documents returns README.md and every docs/*.md, relative to the
// repository's root.
func documents(t *testing.T) []string {
	t.Helper()
	docs, err := filepath.Glob(filepath.Join("..", "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := []string{"README.md"}
	for _, d := range docs {
		out = append(out, filepath.ToSlash(strings.TrimPrefix(d, ".."+string(filepath.Separator))))
	}
	if !slices.Contains(out, "docs/tutorial.md") {
		t.Fatalf("docs/*.md is %q, without docs/tutorial.md", out)
	}
	return out
}

// showsCode lists the documents that show code from files, so that a
// block whose marker no longer reads as one cannot pass unchecked.
var showsCode = []string{"README.md", "docs/tutorial.md", "docs/semantics.md", "docs/systems.md"}

func TestDocsShowTheExamples(t *testing.T) {
	for _, doc := range documents(t) {
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
			if checked == 0 && slices.Contains(showsCode, doc) {
				t.Errorf("%s: no block names a file", doc)
			}
		})
	}
}

// TestFreshMachineCommands: README.md's "On a fresh machine" gives one
// command that checks a system and one that runs the tests, and .ci/run
// runs that same test command.
func TestFreshMachineCommands(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	ci, err := os.ReadFile(filepath.Join("..", ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, found := strings.Cut(string(readme), "\n## On a fresh machine\n")
	if !found {
		t.Fatal(`README.md has no section "## On a fresh machine"`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var checks, tests []string
	for l := range strings.SplitSeq(section, "\n") {
		cmd, ok := strings.CutPrefix(l, "    ")
		if !ok {
			continue
		}
		cmd, _, _ = strings.Cut(cmd, " #")
		cmd = strings.TrimSpace(cmd)
		switch {
		case strings.HasPrefix(cmd, "go run ./cmd/argocheck check "):
			checks = append(checks, cmd)
		case strings.HasPrefix(cmd, "go test "):
			tests = append(tests, cmd)
		}
	}
	if len(checks) == 0 || len(tests) != 1 {
		t.Fatalf("On a fresh machine: check commands %q, test commands %q; want at least one and exactly one", checks, tests)
	}
	if !slices.Contains(strings.Split(string(ci), "\n"), tests[0]) {
		t.Errorf(".ci/run has no line %q, the test command README.md gives", tests[0])
	}
}
