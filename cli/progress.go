package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"

	"github.com/argocheck/argocheck/explorer"
)

// progressLine renders one progress snapshot on one line, in the
// key=value form of the summary.
func progressLine(label string, p explorer.Progress) string {
	var b strings.Builder
	if label != "" {
		fmt.Fprintf(&b, "%s ", label)
	}
	fmt.Fprintf(&b, "level=%d states=%d transitions=%d frontier=%d states_per_second=%.0f heap=%s mapped=%s elapsed=%s",
		p.Level, p.States, p.Transitions, p.Frontier, p.StatesPerSecond, humanBytes(p.HeapBytes), humanBytes(p.MappedBytes),
		p.Elapsed.Truncate(time.Millisecond*100))
	if p.Violations > 0 {
		fmt.Fprintf(&b, " violations=%d", p.Violations)
	}
	return b.String()
}

func humanBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%dB", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f%ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// progressSink shows the progress of one check and is closed before the
// summary is written.
type progressSink interface {
	update(explorer.Progress)
	close()
}

// newProgress returns the sink for w: a live line (a progress library's
// spinner) when both stdout and w are terminals, else plain lines every
// interval; nil when quiet.
func newProgress(stdout, w io.Writer, label string, quiet bool, interval time.Duration) (progressSink, time.Duration) {
	if quiet {
		return nil, 0
	}
	if isTerminal(stdout) && isTerminal(w) {
		bar := progressbar.NewOptions64(-1,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSpinnerType(14),
			progressbar.OptionSetElapsedTime(false),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionSetDescription(label),
		)
		return &liveProgress{bar: bar, label: label}, 200 * time.Millisecond
	}
	return &plainProgress{w: w, label: label}, interval
}

func isTerminal(w io.Writer) bool {
	if o, ok := w.(*stdoutWriter); ok {
		w = o.w
	}
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// liveProgress redraws one line on a terminal.
type liveProgress struct {
	bar   *progressbar.ProgressBar
	label string
}

func (l *liveProgress) update(p explorer.Progress) { l.bar.Describe(progressLine(l.label, p)) }

func (l *liveProgress) close() {
	_ = l.bar.Finish()
	_ = l.bar.Clear()
}

// plainProgress writes one plain line per interval tick, none at level
// barriers: no control characters, for logs. The explorer never calls it
// concurrently.
type plainProgress struct {
	w     io.Writer
	label string
}

func (p *plainProgress) update(pr explorer.Progress) {
	if pr.Barrier {
		return
	}
	fmt.Fprintf(p.w, "progress %s\n", progressLine(p.label, pr))
}

func (p *plainProgress) close() {}
