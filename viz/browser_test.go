//go:build browser

package viz_test

// The picture of a path in a real headless Chromium: go test -tags browser
// ./viz (scripts/browser-test.sh installs Chromium when missing). With
// ARGOCHECK_SCREENSHOT=FILE.png it also saves a screenshot of the page.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/viz"
)

// browser starts headless Chromium and returns a tab context with the
// problems (console errors and warnings, exceptions, log errors) the page
// reports.
func browser(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	var exe string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			exe = p
			break
		}
	}
	if exe == "" {
		t.Skip("no chromium on PATH (scripts/browser-test.sh installs it)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1200, 900),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	var mu sync.Mutex
	var problems []string
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning || e.Type == runtime.ConsoleAPICalledTypeAssert {
				var args []string
				for _, a := range e.Args {
					args = append(args, string(a.Value))
				}
				problems = append(problems, fmt.Sprintf("console.%s(%s)", e.Type, strings.Join(args, ", ")))
			}
		case *runtime.EventExceptionThrown:
			d := e.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			problems = append(problems, "exception: "+msg)
		case *log.EventEntryAdded:
			if e.Entry.Level == log.EntryLevelError {
				problems = append(problems, "log: "+e.Entry.Text)
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, log.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), problems...)
	}
}

// screenshotPage is the path the page picture is drawn from: the composed
// log over the replicated disk when the catalogue has it, else the
// replicated disk without recovery.
func screenshotPage(t *testing.T) viz.Page {
	name, variant, params := "repdisk", "no-recovery", catalog.Params{layers.Blocks: 3, layers.Values: 2}
	if s, err := layers.Lookup("log/repdisk"); err == nil && s.Validate(s.Defaults(), "recover-upper-first") == nil {
		name, variant, params = "log/repdisk", "recover-upper-first", s.Defaults()
	}
	chk, err := layers.Build(name, params, variant)
	if err != nil {
		t.Fatal(err)
	}
	res, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 2})
	if err != nil || res.Verdict != explorer.Violated {
		t.Fatalf("%s %s: %v %v", name, variant, res, err)
	}
	ce := res.Violations[0]
	return viz.Page{
		Title:    name + " " + variant,
		Subtitle: fmt.Sprintf("system=%s variant=%s blocks=%d values=%d", name, variant, params[layers.Blocks], params[layers.Values]),
		Paths:    []viz.Path{{Title: fmt.Sprintf("violation: %s in %s", ce.Violation.Kind, ce.Op), Trace: ce.Trace}},
	}
}

func writePage(t *testing.T, html []byte) string {
	file := filepath.Join(t.TempDir(), "trace.html")
	if err := os.WriteFile(file, html, 0o644); err != nil {
		t.Fatal(err)
	}
	return "file://" + file
}

// TestBrowserTrace: the page loads in Chromium without console errors,
// shows the failing step in the viewport, folds steps on a click, and
// (with ARGOCHECK_SCREENSHOT) is saved as a screenshot.
func TestBrowserTrace(t *testing.T) {
	ctx, problems := browser(t)
	var buf bytes.Buffer
	if err := viz.WriteHTML(&buf, screenshotPage(t)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(writePage(t, buf.Bytes())),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)),
	); err != nil {
		t.Fatal(err)
	}
	failing, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.dataset.failingStep`))
	if err != nil || failing == "" {
		t.Fatalf("no failing step marked (%v)", err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#"+failing)))
	if err != nil || !strings.Contains(text, "check failed here") || !strings.Contains(text, "check failed (") {
		t.Fatalf("failing step %s shows %q (%v)", failing, text, err)
	}
	// Press f: the failing step is shown inside the window.
	visible, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function () {
		document.dispatchEvent(new KeyboardEvent("keydown", {key: "f"}));
		var r = document.getElementById("`+failing+`").getBoundingClientRect();
		return r.height > 0 && r.top >= 0 && r.top < window.innerHeight;
	})()`))
	if err != nil || !visible {
		t.Errorf("failing step not in view after pressing f (%v)", err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#p0-s0 .step-head`))); err != nil {
		t.Fatal(err)
	}
	folded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("p0-s0").classList.contains("collapsed") &&
		getComputedStyle(document.querySelector("#p0-s0 .step-body")).display === "none"`))
	if err != nil || !folded {
		t.Errorf("a click does not fold the step (%v)", err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#p0-s0 .step-head`))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.scrollTo(0, 0), true`)); err != nil {
		t.Fatal(err)
	}
	if out := os.Getenv("ARGOCHECK_SCREENSHOT"); out != "" {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(out, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", out)
	}
	if p := problems(); len(p) > 0 {
		t.Errorf("the page reported problems:\n%s", strings.Join(p, "\n"))
	}
}

// TestBrowserSeesConsoleErrors: the problem listener works, so that
// TestBrowserTrace can fail.
func TestBrowserSeesConsoleErrors(t *testing.T) {
	ctx, problems := browser(t)
	page := `<!DOCTYPE html><title>x</title><script>console.error("broken"); undefinedFunction();</script>`
	if err := chromedp.Do(ctx, chromedp.Navigate(writePage(t, []byte(page))), chromedp.Sleep(300*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	p := strings.Join(problems(), "\n")
	if !strings.Contains(p, "broken") || !strings.Contains(p, "exception") {
		t.Errorf("problems not seen: %q", p)
	}
}
