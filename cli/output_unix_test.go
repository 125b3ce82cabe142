//go:build unix

package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReportToStdoutsFile: a report file that is the file stdout writes
// to (--report /dev/stdout > out.txt) goes after the verdict, which it
// does not wipe.
func TestReportToStdoutsFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.txt")
	fh, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	saved := os.Stdout
	os.Stdout = fh
	defer func() { os.Stdout = saved }()
	if _, err := fh.WriteString("verdict=verified\n"); err != nil {
		t.Fatal(err)
	}
	if err := writeOutput(out, []byte("{report}\n")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(out); string(got) != "verdict=verified\n{report}\n" {
		t.Errorf("the file holds %q, want the verdict, then the report", got)
	}
}

// TestReportIsStdoutsFile: a command whose stdout is redirected to the
// file its --report (or a picture's flag) names (check ... --report
// out.txt > out.txt) leaves that file alone before the search, and writes
// the report after the verdict in it.
func TestReportIsStdoutsFile(t *testing.T) {
	bin, err := argocheckBinary()
	if err != nil {
		t.Fatal(err)
	}
	for _, flag := range []string{"--report", "--trace-html"} {
		t.Run(flag, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.txt")
			fh, err := os.Create(out)
			if err != nil {
				t.Fatal(err)
			}
			defer fh.Close()
			cmd := exec.Command(bin, "check", "repdisk", "--blocks", "1", "--workers", "1", "-q", flag, out)
			cmd.Stdout = fh
			if err := cmd.Run(); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(got), "system=repdisk ") || !strings.Contains(string(got), "\nverdict=verified\n") {
				t.Errorf("%s holds %q, want the summary first", out, got)
			}
			if flag == "--report" && !strings.Contains(string(got), "\n{\n") {
				t.Errorf("%s holds %q, want the report after the summary", out, got)
			}
		})
	}
}

// TestReportToFIFO: a FIFO as report file is not opened before the
// search (its reader would take that for the end, or a check with no
// reader would wait), and the whole report reaches its reader.
func TestReportToFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	read := make(chan string, 1)
	go func() {
		b, _ := os.ReadFile(fifo) // the report, after the check has run
		read <- string(b)
	}()
	done := make(chan int, 1)
	go func() {
		_, _, code := cli(t, "check", "repdisk", "-q", "--report", fifo)
		done <- code
	}()
	select {
	case code := <-done:
		if code != ExitVerified {
			t.Errorf("exit status %d, want 0", code)
		}
	case <-time.After(time.Minute):
		t.Fatal("the check did not end")
	}
	if got := <-read; !strings.Contains(got, `"verdict": "verified"`) {
		t.Errorf("the FIFO's reader read %q, want the report", got)
	}
}

// TestClosedPipe: a stdout that is a pipe with no reader (argocheck ...
// | head, the reader gone) is stdout that cannot be written, status 4,
// not the end of the process by SIGPIPE before the report files are
// written: they hold the verdict, not an earlier run's.
func TestClosedPipe(t *testing.T) {
	bin, err := argocheckBinary()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"check", []string{"check", "repdisk", "--blocks", "1", "--variant", "no-recovery", "--json"}},
		{"list", []string{"list"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			report := writeFile(t, t.TempDir(), "r.json", `{"verdict": "an earlier run's"}`)
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			r.Close() // no reader
			args := tc.args
			if tc.name == "check" {
				args = append(args, "-q", "--workers", "1", "--report", report)
			}
			cmd := exec.Command(bin, args...)
			cmd.Stdout = w
			var stderr strings.Builder
			cmd.Stderr = &stderr
			err = cmd.Run()
			w.Close()
			if code := cmd.ProcessState.ExitCode(); code != ExitIO || !strings.Contains(stderr.String(), "broken pipe") {
				t.Errorf("%v, exit status %d, stderr %q; want %d naming the broken pipe", err, code, &stderr, ExitIO)
			}
			if tc.name != "check" {
				return
			}
			if data, _ := os.ReadFile(report); !strings.Contains(string(data), `"verdict": "violation"`) {
				t.Errorf("report: %s", data)
			}
		})
	}
}
