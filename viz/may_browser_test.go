//go:build browser

package viz_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/viz"
)

// TestBrowserMay: the page of a missing flush loads without problems and
// draws a cached block's may-set on its own line, below the block's value
// and inside the block's cell.
func TestBrowserMay(t *testing.T) {
	ctx, problems := browser(t)
	chk, err := layers.Build("log/async", nil, "no-flush-before-clear")
	if err != nil {
		t.Fatal(err)
	}
	res, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 1})
	if err != nil || res.Verdict != explorer.Violated {
		t.Fatalf("%v %v", res, err)
	}
	var buf bytes.Buffer
	if err := viz.WriteHTML(&buf, viz.Page{Title: "log/async no-flush-before-clear", Paths: []viz.Path{{Title: "violation", Trace: res.Trace}}}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(writePage(t, buf.Bytes())),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)),
	); err != nil {
		t.Fatal(err)
	}
	// The first may-set: its text, and its box below the value's and
	// within the cell's.
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(function () {
		var may = document.querySelector(".cell .may");
		if (!may) return "no may-set drawn";
		var cell = may.parentElement.getBoundingClientRect(), m = may.getBoundingClientRect();
		var value = document.createRange();
		value.selectNodeContents(may.parentElement.firstChild);
		var v = value.getBoundingClientRect();
		if (!(m.top >= v.bottom - 1 && m.bottom <= cell.bottom + 1 && m.left >= cell.left - 1 && m.right <= cell.right + 1)) {
			return "misplaced: cell " + JSON.stringify(cell) + " value " + JSON.stringify(v) + " may " + JSON.stringify(m);
		}
		return may.textContent;
	})()`))
	if err != nil || !strings.HasPrefix(got, "{") {
		t.Errorf("may-set: %q (%v)", got, err)
	}
	if p := problems(); len(p) > 0 {
		t.Errorf("the page reported problems:\n%s", strings.Join(p, "\n"))
	}
}
