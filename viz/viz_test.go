package viz_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/model"
	"github.com/argocheck/argocheck/viz"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// page checks a repdisk variant and returns the picture of its violations.
func page(t *testing.T, variant string, cont int) viz.Page {
	t.Helper()
	chk, err := layers.Build("repdisk", catalog.Params{layers.Blocks: 3, layers.Values: 2}, variant)
	if err != nil {
		t.Fatal(err)
	}
	res, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 1, Continue: cont})
	if err != nil || res.Verdict != explorer.Violated {
		t.Fatalf("%s: %v %v", variant, res, err)
	}
	p := viz.Page{Title: "repdisk " + variant, Subtitle: "blocks=3 values=2"}
	for _, ce := range res.Violations {
		p.Paths = append(p.Paths, viz.Path{Title: ce.Violation.Kind + " in " + ce.Op, Trace: ce.Trace})
	}
	return p
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	file := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test ./viz -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from its golden file (go test ./viz -update rewrites it); got:\n%s", name, got)
	}
}

// TestGolden pins what the HTML page shows of two violating paths (the
// data it is laid out from, as JSON) and their DOT picture: a recovery
// that does not repair a crash between the disk writes, and a read that
// misses the failure of d0. TestHTMLPage checks that the page shows that
// data.
func TestGolden(t *testing.T) {
	for _, variant := range []string{"no-recovery", "read-no-fallback"} {
		p := page(t, variant, 0)
		data, err := viz.PageData(p)
		if err != nil {
			t.Fatal(err)
		}
		var d bytes.Buffer
		if err := viz.WriteDOT(&d, p); err != nil {
			t.Fatal(err)
		}
		golden(t, variant+".json", data)
		golden(t, variant+".dot", d.Bytes())
	}
}

// pageData is the part of viz.PageData that TestHTMLPage finds again in
// the page's elements.
type pageData struct {
	Title string
	Paths []struct {
		ID, Failing string
		Steps       []struct {
			ID      string
			Failing bool
		}
	}
}

// TestHTMLPage: the page parses as HTML; its title, styles and script are
// in place, embedded; it refers to nothing outside itself; and it shows
// its data: a section per path pointing to the failing step, a step per
// step with the failing one marked, every changed cell highlighted and
// every disk failure named.
func TestHTMLPage(t *testing.T) {
	css, err := os.ReadFile("assets/page.css")
	if err != nil {
		t.Fatal(err)
	}
	js, err := os.ReadFile("assets/page.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []viz.Page{page(t, "no-recovery", 3), page(t, "read-no-fallback", 0)} {
		raw, err := viz.PageData(p)
		if err != nil {
			t.Fatal(err)
		}
		var data pageData
		var tree any
		if err := json.Unmarshal(raw, &data); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &tree); err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := viz.WriteHTML(&b, p); err != nil {
			t.Fatal(err)
		}
		doc, err := html.Parse(&b)
		if err != nil {
			t.Fatal(err)
		}
		if got := text(find(doc, "title")); got != "argocheck: "+data.Title {
			t.Errorf("%s: title %q", data.Title, got)
		}
		styles, scripts := findAll(doc, "style", ""), findAll(doc, "script", "")
		if len(styles) != 1 || text(styles[0]) != string(css) || styles[0].Parent.Data != "head" {
			t.Errorf("%s: page.css is not the one style element, in the head", data.Title)
		}
		if len(scripts) != 1 || text(scripts[0]) != string(js) {
			t.Errorf("%s: page.js is not the one script element", data.Title)
		}
		if ref := outsideRef(doc); ref != "" {
			t.Errorf("%s: the page refers outside itself: %s", data.Title, ref)
		}
		main := find(doc, "main")
		sections := findAll(main, "section", "path")
		if len(sections) != len(data.Paths) {
			t.Fatalf("%s: %d sections, %d paths", data.Title, len(sections), len(data.Paths))
		}
		for i, path := range data.Paths {
			sec := sections[i]
			if attr(sec, "id") != path.ID || attr(sec, "data-failing") != path.Failing {
				t.Errorf("section %d is %q failing %q, want %q failing %q", i, attr(sec, "id"), attr(sec, "data-failing"), path.ID, path.Failing)
			}
			if jump := findAll(sec, "a", "jump"); len(jump) != 1 || attr(jump[0], "href") != "#"+path.Failing {
				t.Errorf("path %s does not link to its failing step %s", path.ID, path.Failing)
			}
			steps := findAll(sec, "li", "step")
			if len(steps) != len(path.Steps) {
				t.Fatalf("path %s: %d steps shown, %d in the data", path.ID, len(steps), len(path.Steps))
			}
			for j, s := range path.Steps {
				if attr(steps[j], "id") != s.ID || hasClass(steps[j], "failing") != s.Failing {
					t.Errorf("step %q failing=%v shown as %q failing=%v", s.ID, s.Failing, attr(steps[j], "id"), hasClass(steps[j], "failing"))
				}
			}
		}
		changed, failures := count(tree)
		if got := len(findAll(main, "span", "cell changed")); got != changed {
			t.Errorf("%s: %d cells highlighted, %d changed in the data", data.Title, got, changed)
		}
		if got := len(findAll(main, "span", "badge disk-failed")); got != failures {
			t.Errorf("%s: %d disk failures named, %d in the data", data.Title, got, failures)
		}
	}
}

// count walks the page data and counts the changed cells and the disk
// failures in it.
func count(v any) (changed, failures int) {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			c, f := count(e)
			changed, failures = changed+c, failures+f
		}
	case map[string]any:
		for k, e := range v {
			switch k {
			case "Cells": // null for a part shown as text
				cells, _ := e.([]any)
				for _, c := range cells {
					if c.(map[string]any)["Changed"] == true {
						changed++
					}
				}
			case "Failures": // null for none
				f, _ := e.([]any)
				failures += len(f)
			default:
				c, f := count(e)
				changed, failures = changed+c, failures+f
			}
		}
	}
	return changed, failures
}

// find returns the first element named tag in n's tree, or nil.
func find(n *html.Node, tag string) *html.Node {
	if all := findAll(n, tag, ""); len(all) > 0 {
		return all[0]
	}
	return nil
}

// findAll returns the elements named tag in n's tree, in document order,
// that have every class of classes (space-separated; "" for any).
func findAll(n *html.Node, tag, classes string) []*html.Node {
	var out []*html.Node
	if n == nil {
		return nil
	}
	for d := range n.Descendants() {
		if d.Type != html.ElementNode || d.Data != tag {
			continue
		}
		all := true
		for _, c := range strings.Fields(classes) {
			all = all && hasClass(d, c)
		}
		if all {
			out = append(out, d)
		}
	}
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	return slices.Contains(strings.Fields(attr(n, "class")), class)
}

// text is the text inside n.
func text(n *html.Node) string {
	var b strings.Builder
	if n != nil {
		for d := range n.Descendants() {
			if d.Type == html.TextNode {
				b.WriteString(d.Data)
			}
		}
	}
	return b.String()
}

// outsideRef names the first reference in doc to anything outside the
// page: an element that loads one, a source, a link that leaves the page,
// an import or url() in a style; "" when there is none.
func outsideRef(doc *html.Node) string {
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.Data {
		case "link", "iframe", "img", "object", "embed":
			return "<" + n.Data + ">"
		case "style":
			if s := text(n); strings.Contains(s, "url(") || strings.Contains(s, "@import") {
				return "an import or url() in a style"
			}
		}
		for _, a := range n.Attr {
			if a.Key == "src" || a.Key == "srcset" || a.Key == "href" && !strings.HasPrefix(a.Val, "#") {
				return a.Key + "=" + a.Val
			}
		}
	}
	return ""
}

// TestHTMLEscapes: state and message text cannot inject markup.
func TestHTMLEscapes(t *testing.T) {
	p := page(t, "no-recovery", 0)
	p.Title = `<script>alert(1)</script>`
	p.Paths[0].Trace.Steps[2].Violation.Message = `<img onerror=x>`
	var b bytes.Buffer
	if err := viz.WriteHTML(&b, p); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "<script>alert") || strings.Contains(b.String(), "<img") {
		t.Error("text is not escaped")
	}
}

// TestHTMLStages: the page marks where each stage of a composed recovery
// begins, as the text of the path does, and nothing in a recovery of one
// stage.
func TestHTMLStages(t *testing.T) {
	chk, err := layers.Build("log/repdisk", catalog.Params{layers.Blocks: 2, layers.Values: 2, layers.Log: 2}, "log:recovery-clears-header-first")
	if err != nil {
		t.Fatal(err)
	}
	res, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 1})
	if err != nil || res.Verdict != explorer.Violated {
		t.Fatalf("%v %v", res, err)
	}
	var data struct {
		Paths []struct {
			Steps []struct {
				Recovery bool
				Calls    []struct{ N, Stage string }
			}
		}
	}
	for _, tc := range []struct {
		trace  *model.Trace
		staged bool
	}{
		{res.Trace, true},
		{page(t, "no-recovery", 0).Paths[0].Trace, false},
	} {
		b, err := viz.PageData(viz.Page{Title: "stages", Paths: []viz.Path{{Title: "path", Trace: tc.trace}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &data); err != nil {
			t.Fatal(err)
		}
		var marks []string
		checked := 0
		for i, s := range data.Paths[0].Steps {
			for _, c := range s.Calls {
				if c.Stage != "" {
					marks = append(marks, c.Stage+" at "+c.N)
				}
			}
			if st := tc.trace.Steps[i]; tc.staged && len(st.Stages) == 1 && st.Stages[0] < steps(st.Calls) {
				checked++
				want := []string{"stage 1 of 2 at 1", fmt.Sprintf("stage 2 of 2 at %d", st.Stages[0]+1)}
				if !slices.Equal(marks, want) {
					t.Errorf("step %d: marks %q, want %q", i, marks, want)
				}
			}
			marks = marks[:0]
		}
		if tc.staged && checked == 0 {
			t.Errorf("no recovery of the path has two stages of steps:\n%s", tc.trace)
		}
		var html bytes.Buffer
		if err := viz.WriteHTML(&html, viz.Page{Title: "stages", Paths: []viz.Path{{Title: "path", Trace: tc.trace}}}); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(html.String(), `<tr class="stage-row"><td></td><td colspan="3">stage 2 of 2</td></tr>`); got != tc.staged {
			t.Errorf("the page marks a second stage: %v, want %v", got, tc.staged)
		}
	}
}

// steps returns the primitive steps that calls stand for.
func steps(calls []model.Call) int {
	n := 0
	for _, c := range calls {
		n += max(c.Repeat, 1)
	}
	return n
}
