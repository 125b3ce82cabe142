package viz_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
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

// TestGolden pins the HTML and DOT pictures of two violating paths: a
// recovery that does not repair a crash between the disk writes, and a
// read that misses the failure of d0.
func TestGolden(t *testing.T) {
	for _, variant := range []string{"no-recovery", "read-no-fallback"} {
		p := page(t, variant, 0)
		var h, d bytes.Buffer
		if err := viz.WriteHTML(&h, p); err != nil {
			t.Fatal(err)
		}
		if err := viz.WriteDOT(&d, p); err != nil {
			t.Fatal(err)
		}
		golden(t, variant+".html", h.Bytes())
		golden(t, variant+".dot", d.Bytes())
	}
}

// TestHTMLContent: the page is self-contained, marks the failing step of
// every path, highlights what changed and names disk failures.
func TestHTMLContent(t *testing.T) {
	var b bytes.Buffer
	if err := viz.WriteHTML(&b, page(t, "no-recovery", 3)); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, bad := range []string{"http:", "https:", "src=", "<link", "@import", "url(", "<iframe"} {
		if strings.Contains(html, bad) {
			t.Errorf("page refers outside itself: %q", bad)
		}
	}
	failing := regexp.MustCompile(`<li class="step k-recover lane-recovery failing" id="(p\d-s2)"`).FindAllStringSubmatch(html, -1)
	if len(failing) != 3 {
		t.Fatalf("%d failing steps marked, want one per path (3)", len(failing))
	}
	for _, f := range failing {
		if !strings.Contains(html, `data-failing="`+f[1]+`"`) || !strings.Contains(html, `href="#`+f[1]+`"`) {
			t.Errorf("path of %s does not point to its failing step", f[1])
		}
	}
	// Step 1 of the first path writes 1 to d0 block 0: that cell, and no
	// other, is highlighted in the call's state.
	if !strings.Contains(html, `<span class="pname">d0</span><span class="cells"><span class="cell changed">1</span><span class="cell">0</span><span class="cell">0</span></span>`) {
		t.Error("the block written in step 1 is not highlighted")
	}
	b.Reset()
	if err := viz.WriteHTML(&b, page(t, "read-no-fallback", 0)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `<span class="badge disk-failed">d0 failed</span>`) {
		t.Error("the failure of d0 is not shown")
	}
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
