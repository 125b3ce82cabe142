package examples_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// The Markdown that links are read from: links outside fenced blocks,
// indented code blocks and code spans. A link's text may run over lines.
var (
	linkPattern  = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	atxHeading   = regexp.MustCompile(`^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$`)
	hasURLScheme = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)
)

// prose returns the paragraphs of a Markdown document that are neither
// fenced nor indented code, each with its first line's number, fenced
// lines blanked.
func prose(doc string) []paragraph {
	lines := strings.Split(doc, "\n")
	fenced := false
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimLeft(l, " "), "```") {
			fenced = !fenced
			lines[i] = ""
		} else if fenced {
			lines[i] = ""
		}
	}
	var out []paragraph
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) == "" {
			continue
		}
		p := paragraph{line: i + 1}
		for ; i < len(lines) && strings.TrimSpace(lines[i]) != ""; i++ {
			p.text += lines[i] + "\n"
		}
		if !strings.HasPrefix(p.text, "    ") && !strings.HasPrefix(p.text, "\t") {
			out = append(out, p)
		}
	}
	return out
}

// withoutCode returns text with each code span (a run of backticks to
// the next run of as many) made blank, its line breaks kept.
func withoutCode(text string) string {
	var b strings.Builder
	for {
		open := strings.IndexByte(text, '`')
		if open < 0 {
			return b.String() + text
		}
		n := len(text[open:]) - len(strings.TrimLeft(text[open:], "`"))
		b.WriteString(text[:open])
		rest := text[open+n:]
		end := -1
		for i := 0; i < len(rest); {
			j := strings.IndexByte(rest[i:], '`')
			if j < 0 {
				break
			}
			run := len(rest[i+j:]) - len(strings.TrimLeft(rest[i+j:], "`"))
			if run == n {
				end = i + j
				break
			}
			i += j + run
		}
		if end < 0 {
			b.WriteString(text[open : open+n])
			text = rest
			continue
		}
		b.WriteString(strings.Repeat("\n", strings.Count(rest[:end], "\n")))
		text = rest[end+n:]
	}
}

// paragraph is a run of non-blank lines of a document.
type paragraph struct {
	line int
	text string
}

// anchor is the fragment GitHub gives a heading's text: lower case,
// punctuation (anything but letters, digits, spaces, '-' and '_')
// dropped, spaces made '-'.
func anchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// anchors returns the fragments of a document's headings, a repeated
// one numbered as GitHub numbers it (x, x-1, x-2).
func anchors(doc string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	for _, p := range prose(doc) {
		for l := range strings.SplitSeq(strings.TrimSuffix(p.text, "\n"), "\n") {
			m := atxHeading.FindStringSubmatch(l)
			if m == nil {
				continue
			}
			a := anchor(m[1])
			if n := seen[a]; n > 0 {
				seen[a]++
				a = fmt.Sprintf("%s-%d", a, n)
			} else {
				seen[a] = 1
			}
			out[a] = true
		}
	}
	return out
}

// brokenLinks returns, for the Markdown file at path, one line for each
// relative link whose file does not exist or whose #anchor names no
// heading of the Markdown file it points to.
func brokenLinks(path string) ([]string, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var broken []string
	for _, p := range prose(string(text)) {
		plain := withoutCode(p.text)
		for _, m := range linkPattern.FindAllStringSubmatchIndex(plain, -1) {
			target := plain[m[2]:m[3]]
			at := fmt.Sprintf("%s:%d: %s", path, p.line+strings.Count(plain[:m[0]], "\n"), target)
			if hasURLScheme.MatchString(target) {
				continue
			}
			file, frag, _ := strings.Cut(target, "#")
			dest := path
			if file != "" {
				dest = filepath.Join(filepath.Dir(path), filepath.FromSlash(file))
			}
			if _, err := os.Stat(dest); err != nil {
				broken = append(broken, at+": no such file")
				continue
			}
			if frag == "" {
				continue
			}
			if !strings.HasSuffix(dest, ".md") {
				broken = append(broken, at+": an anchor into a file that is not Markdown")
				continue
			}
			doc, err := os.ReadFile(dest)
			if err != nil {
				return nil, err
			}
			if !anchors(string(doc))[frag] {
				broken = append(broken, at+": no such heading")
			}
		}
	}
	return broken, nil
}

func TestAnchor(t *testing.T) {
	for _, tc := range []struct{ heading, want string }{
		{"What is checked", "what-is-checked"},
		{"Persistent runs: stop, resume, dump", "persistent-runs-stop-resume-dump"},
		{"Speed, memory and `argocheck bench`", "speed-memory-and-argocheck-bench"},
		{"1. What argocheck checks", "1-what-argocheck-checks"},
		{"The smallest check, and what a check refuses", "the-smallest-check-and-what-a-check-refuses"},
		{"snake_case and kebab-case", "snake_case-and-kebab-case"},
	} {
		if got := anchor(tc.heading); got != tc.want {
			t.Errorf("anchor(%q) = %q, want %q", tc.heading, got, tc.want)
		}
	}
}

// TestBrokenLinksFound: the link check reports each kind of broken link
// and passes good ones, on documents written for the test.
func TestBrokenLinksFound(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("docs/other.md", "# Other\n\n## A section: its name\n\n## Twice\n\n## Twice\n\n```\n## Fenced, not a heading\n```\n")
	write("code.go", "package code\n")
	for _, tc := range []struct {
		name, doc string
		broken    []string // the targets reported, in order
	}{
		{"a good file, anchor and own anchor", "# Top\n\nSee [o](docs/other.md#a-section-its-name), [c](code.go), [t](#top).\n", nil},
		{"a repeated heading's second anchor", "[t](docs/other.md#twice-1)\n", nil},
		{"a web address", "[w](https://example.com/nowhere)\n", nil},
		{"a missing file", "# Top\n\n[m](docs/missing.md)\n", []string{"docs/missing.md"}},
		{"a missing anchor", "[s](docs/other.md#no-such-section)\n", []string{"docs/other.md#no-such-section"}},
		{"a missing anchor of its own", "# Top\n\n[s](#bottom)\n", []string{"#bottom"}},
		{"a heading in a fenced block", "[f](docs/other.md#fenced-not-a-heading)\n", []string{"docs/other.md#fenced-not-a-heading"}},
		{"an anchor into Go", "[g](code.go#L1)\n", []string{"code.go#L1"}},
		{"a link over two lines", "[a long\nname](docs/gone.md)\n", []string{"docs/gone.md"}},
		{"an image", "![p](docs/gone.png)\n", []string{"docs/gone.png"}},
		{"a code span of two backticks", "``a ` [x](gone.md)`` and [y](docs/gone2.md)\n", []string{"docs/gone2.md"}},
		{"a fenced block and code", "```\n[x](nowhere.md)\n```\n\n`[y](nowhere.md)`\n\n    [z](nowhere.md)\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			write("doc.md", tc.doc)
			got, err := brokenLinks(filepath.Join(dir, "doc.md"))
			if err != nil {
				t.Fatal(err)
			}
			var targets []string
			for _, b := range got {
				_, rest, _ := strings.Cut(b, "doc.md:")
				_, rest, _ = strings.Cut(rest, ": ")
				target, _, _ := strings.Cut(rest, ": ")
				targets = append(targets, target)
			}
			if !slices.Equal(targets, tc.broken) {
				t.Errorf("broken %q, want targets %q", got, tc.broken)
			}
		})
	}
}

// TestDocsLinks: every relative link of README.md and docs/*.md points
// to a file that exists, and every #anchor to a heading of that file.
func TestDocsLinks(t *testing.T) {
	for _, doc := range documents(t) {
		t.Run(doc, func(t *testing.T) {
			broken, err := brokenLinks(filepath.Join("..", doc))
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range broken {
				t.Error(b)
			}
		})
	}
}
