//go:build unix

package cli

import (
	"os"
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
