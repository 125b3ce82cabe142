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

// TestReportNeverHalfWritten: a report file whose writing fails partway
// (here the file size limit of ulimit -f, as a full disk or a process
// ended while writing) leaves nothing at its path, neither half of the
// report nor what an earlier run left there, and no temporary file
// beside it; the verdict is printed and the status is 5.
func TestReportNeverHalfWritten(t *testing.T) {
	bin, err := argocheckBinary()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		args  func(dir string) []string
		files [][2]string // flag, file name
	}{
		{"check", func(string) []string {
			return []string{"check", "repdisk", "--blocks", "1", "--variant", "no-recovery"}
		}, [][2]string{{"--report", "r.json"}, {"--junit", "j.xml"}, {"--trace-html", "t.html"}, {"--trace-dot", "t.dot"}}},
		{"run", func(dir string) []string {
			return []string{"run", writeFile(t, dir, "p.plan", "repdisk blocks=1 variant=no-recovery expect=violation\n")}
		}, [][2]string{{"--report", "r.json"}, {"--junit", "j.xml"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			// 512-byte blocks for dash, 1024 for bash: either is less
			// than any of the reports.
			args := append([]string{"-c", `ulimit -f 1 && exec "$@"`, "sh", bin}, tc.args(dir)...)
			args = append(args, "-q", "--workers", "1")
			for _, f := range tc.files {
				args = append(args, f[0], writeFile(t, dir, f[1], "an earlier run's verdict"))
			}
			cmd := exec.Command("sh", args...)
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			cmd.Run()
			if code := cmd.ProcessState.ExitCode(); code != ExitReport || !strings.Contains(stdout.String(), "violation") {
				t.Fatalf("exit %d, stdout %q, stderr %q; want %d after the verdict", code, &stdout, &stderr, ExitReport)
			}
			for _, f := range tc.files {
				if want := "could not write " + f[0] + " " + filepath.Join(dir, f[1]) + " after the search: file too large\n"; !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr %q lacks %q", &stderr, want)
				}
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if e.Name() == "p.plan" {
					continue
				}
				data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
				t.Errorf("%s is there, holding %d bytes: %.40q...", e.Name(), len(data), data)
			}
		})
	}
}

// TestWriteOutputReplaces: writeOutput replaces a regular file whole,
// with the mode it had, or 0644 less the umask for a new one; through a
// symbolic link it replaces the file the link names and keeps the link;
// a device is written in place; and it leaves no temporary file.
func TestWriteOutputReplaces(t *testing.T) {
	umask := syscall.Umask(0)
	syscall.Umask(umask)
	for _, tc := range []struct {
		name string
		// setup makes what is at path before the write, and returns the
		// path to read the report back from.
		setup func(t *testing.T, dir, path string) string
		mode  os.FileMode
	}{
		{"new", func(_ *testing.T, _, path string) string { return path }, 0o644 &^ os.FileMode(umask)},
		{"existing", func(t *testing.T, _, path string) string {
			if err := os.WriteFile(path, []byte("an earlier run's, a longer one than this run's"), 0o600); err != nil {
				t.Fatal(err)
			}
			return path
		}, 0o600},
		{"symbolic link", func(t *testing.T, dir, path string) string {
			target := writeFile(t, dir, "target", "an earlier run's")
			if err := os.Chmod(target, 0o640); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("target", path); err != nil {
				t.Fatal(err)
			}
			return target
		}, 0o640},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "r.json")
			read := tc.setup(t, dir, path)
			before, _ := os.ReadDir(dir)
			if err := writeOutput(path, []byte("{report}\n")); err != nil {
				t.Fatal(err)
			}
			if got, _ := os.ReadFile(path); string(got) != "{report}\n" {
				t.Errorf("%s holds %q", path, got)
			}
			fi, err := os.Stat(read)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode() != tc.mode {
				t.Errorf("mode %v, want %v", fi.Mode(), tc.mode)
			}
			if fi, err := os.Lstat(path); err != nil || (read != path) != (fi.Mode()&os.ModeSymlink != 0) {
				t.Errorf("%s: %v, %v", path, fi.Mode(), err)
			}
			after, _ := os.ReadDir(dir)
			if len(after) != max(len(before), 1) {
				t.Errorf("the directory holds %v, before the write %v", after, before)
			}
		})
	}
	if err := writeOutput(os.DevNull, []byte("{report}\n")); err != nil {
		t.Errorf("%s: %v", os.DevNull, err)
	}
	if fi, err := os.Stat(os.DevNull); err != nil || fi.Mode()&os.ModeDevice == 0 {
		t.Errorf("%s is no longer a device: %v, %v", os.DevNull, fi.Mode(), err)
	}
}

// TestUsageErrorKeepsStdoutsFile: a command refused before it came to
// its output files leaves in place the file stdout writes to, even when
// --report names it (check nosuch --report out.txt > out.txt).
func TestUsageErrorKeepsStdoutsFile(t *testing.T) {
	bin, err := argocheckBinary()
	if err != nil {
		t.Fatal(err)
	}
	out := writeFile(t, t.TempDir(), "out.txt", "what came before\n")
	fh, err := os.OpenFile(out, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	cmd := exec.Command(bin, "check", "nosuch", "--report", out)
	cmd.Stdout = fh
	cmd.Run()
	if code := cmd.ProcessState.ExitCode(); code != ExitUsage {
		t.Errorf("exit %d, want %d", code, ExitUsage)
	}
	if got, err := os.ReadFile(out); string(got) != "what came before\n" {
		t.Errorf("%s holds %q, %v", out, got, err)
	}
}

// TestReportInReadOnlyDir: a report file that can be written in a
// directory that takes no new file is emptied, not removed, before the
// search, and written in place after it, not refused with ExitIO. Root
// writes in any directory, and so the test runs for other users only.
func TestReportInReadOnlyDir(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root may write in any directory")
	}
	dir := t.TempDir()
	report := writeFile(t, dir, "r.json", "an earlier run's")
	html := writeFile(t, dir, "t.html", "an earlier run's")
	if err := os.Chmod(report, 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	_, stderr, code := cli(t, "check", "repdisk", "--blocks", "2", "-q", "--report", report, "--trace-html", html)
	if code != ExitVerified {
		t.Fatalf("exit %d, want %d (stderr %q)", code, ExitVerified, stderr)
	}
	if b, _ := os.ReadFile(report); !strings.Contains(string(b), `"verdict": "verified"`) {
		t.Errorf("%s holds %q, want the report", report, b)
	}
	if b, err := os.ReadFile(html); err != nil || len(b) != 0 {
		t.Errorf("%s holds %q (%v), want an emptied picture", html, b, err)
	}
}

// TestReportThroughDanglingLink: a report file that is a symbolic link to
// a file not made yet is written to that file, and the link kept; one
// whose target's directory is missing is refused before the search.
func TestReportThroughDanglingLink(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "runs"), 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "latest.json")
	if err := os.Symlink(filepath.Join("runs", "r.json"), link); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := cli(t, "check", "repdisk", "--blocks", "2", "-q", "--report", link); code != ExitVerified {
		t.Fatalf("exit %d, want %d (stderr %q)", code, ExitVerified, stderr)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("%s is no longer a symbolic link: %v", link, err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "runs", "r.json")); !strings.Contains(string(b), `"verdict": "verified"`) {
		t.Errorf("the link's target holds %q, want the report", b)
	}
	missing := filepath.Join(dir, "missing.json")
	if err := os.Symlink(filepath.Join("nodir", "r.json"), missing); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := cli(t, "check", "repdisk", "--blocks", "2", "-q", "--junit", missing)
	if code != ExitUsage || stdout != "" || !strings.Contains(stderr, "--junit "+missing+": cannot write in directory") {
		t.Errorf("exit %d, stdout %q, stderr %q; want %d and the directory named", code, stdout, stderr, ExitUsage)
	}
}

// TestRefusalClearsThroughLink: a command refused before its search (before
// it came to its output files, or after), or a check with no violation
// for its pictures, removes the earlier run's file that a report flag's
// symbolic link leads to, as a report written through the link replaces
// it, and keeps the link, a link to a link too; a link to no file yet is
// left as it is, and no file is made for it.
func TestRefusalClearsThroughLink(t *testing.T) {
	for _, tc := range []struct {
		name string
		args func(dir string) []string
		code int
	}{
		{"unknown flag", func(string) []string { return []string{"check", "pass", "--bogus"} }, ExitUsage},
		{"bad value", func(string) []string { return []string{"check", "pass", "--workers", "0"} }, ExitUsage},
		{"a store that is a file", func(dir string) []string {
			return []string{"check", "pass", "--store", writeFile(t, dir, "not-a-store", "x")}
		}, ExitUsage},
		{"resume, a file", func(dir string) []string {
			return []string{"resume", writeFile(t, dir, "not-a-store", "x")}
		}, ExitUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.Mkdir(filepath.Join(dir, "runs"), 0o755); err != nil {
				t.Fatal(err)
			}
			links := map[string]string{ // link: where it leads
				"r.json":  filepath.Join("runs", "r.json"),
				"j.xml":   "j-link",
				"j-link":  filepath.Join(dir, "runs", "j.xml"),
				"t.html":  filepath.Join("runs", "t.html"),
				"t.dot":   filepath.Join("runs", "missing.dot"),
				"missing": filepath.Join("nodir", "missing.json"),
			}
			for link, to := range links {
				if err := os.Symlink(to, filepath.Join(dir, link)); err != nil {
					t.Fatal(err)
				}
			}
			for _, name := range []string{"r.json", "j.xml", "t.html"} {
				writeFile(t, filepath.Join(dir, "runs"), name, "an earlier run's verdict")
			}
			args := append(tc.args(dir), "-q", "--report", filepath.Join(dir, "r.json"), "--junit", filepath.Join(dir, "j.xml"),
				"--trace-html", filepath.Join(dir, "t.html"), "--trace-dot", filepath.Join(dir, "t.dot"))
			if _, stderr, code := testCLI(t, args...); code != tc.code || strings.Count(stderr, "\n") != 1 {
				t.Fatalf("exit %d, stderr %q; want %d and one line", code, stderr, tc.code)
			}
			for link, to := range links {
				if got, err := os.Readlink(filepath.Join(dir, link)); err != nil || got != to {
					t.Errorf("%s: the link leads to %q (%v), want it kept, to %q", link, got, err, to)
				}
			}
			entries, _ := os.ReadDir(filepath.Join(dir, "runs"))
			for _, e := range entries {
				t.Errorf("runs/%s is there: the earlier run's file is left, or a file was made", e.Name())
			}
			if _, err := os.Stat(filepath.Join(dir, "nodir")); err == nil {
				t.Error("the dangling link's directory was made")
			}
		})
	}
}

// TestStalePictureThroughLink: a check with no violation removes the
// earlier run's picture that --trace-html's symbolic link leads to, and
// keeps the link.
func TestStalePictureThroughLink(t *testing.T) {
	dir := t.TempDir()
	picture := writeFile(t, dir, "old.html", "an earlier run's path")
	link := filepath.Join(dir, "t.html")
	if err := os.Symlink("old.html", link); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := cli(t, "check", "repdisk", "--blocks", "2", "-q", "--trace-html", link); code != ExitVerified {
		t.Fatalf("exit %d, want %d (stderr %q)", code, ExitVerified, stderr)
	}
	if _, err := os.Stat(picture); err == nil {
		t.Errorf("%s, the earlier run's picture, is still there", picture)
	}
	if to, err := os.Readlink(link); err != nil || to != "old.html" {
		t.Errorf("%s leads to %q (%v), want it kept", link, to, err)
	}
}

// linkedDirs makes, in a new directory, far/a, far/out and here, with
// here/lnk a link to far/a and the directories of here that mine names,
// makes here the working directory, and returns far.
func linkedDirs(t *testing.T, mine ...string) string {
	t.Helper()
	tmp := t.TempDir()
	far, here := filepath.Join(tmp, "far"), filepath.Join(tmp, "here")
	dirs := []string{filepath.Join(far, "a"), filepath.Join(far, "out"), here}
	for _, d := range mine {
		dirs = append(dirs, filepath.Join(here, d))
	}
	for _, dir := range dirs {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(far, "a"), filepath.Join(here, "lnk")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(here)
	return far
}

// TestOwnDirThroughLinkAndDotDot: a report path's ".." after a symbolic
// link is taken as the system takes it, from the link's target (lnk/..
// is the directory above the target, not the one holding lnk), for a
// file not made yet too: a report that the system would write into the
// store is refused, and one it would write elsewhere is written, however
// the same names read without the link.
func TestOwnDirThroughLinkAndDotDot(t *testing.T) {
	far := linkedDirs(t, "st", "out")
	check := []string{"check", "repdisk", "--blocks", "2", "-q"}

	// here/lnk/../st/MANIFEST is far/st/MANIFEST: the store's manifest,
	// once the check has made the store, though here/st is another
	// directory.
	store := filepath.Join(far, "st")
	_, stderr, code := cli(t, append(check, "--store", store, "--report", "lnk/../st/MANIFEST")...)
	if code != ExitUsage || !strings.Contains(stderr, "--report lnk/../st/MANIFEST is inside --store "+store) {
		t.Errorf("a report into the store by lnk/..: exit %d, stderr %q; want %d and it refused", code, stderr, ExitUsage)
	}
	if _, err := os.Stat(store); err == nil {
		t.Errorf("the refused check made %s", store)
	}

	// here/lnk/../out/r.json is far/out/r.json, beside no store, though
	// here/out, empty, is to hold the store.
	if _, stderr, code := cli(t, append(check, "--store", "out", "--report", "lnk/../out/r.json")...); code != ExitVerified {
		t.Fatalf("a report outside the store by lnk/..: exit %d, stderr %q", code, stderr)
	}
	if b, err := os.ReadFile(filepath.Join(far, "out", "r.json")); err != nil || !strings.Contains(string(b), `"verdict": "verified"`) {
		t.Errorf("far/out/r.json holds %q (%v)", b, err)
	}
}

// TestReportDirAsTheSystemReadsIt: the directory a new report file is
// checked to go in is the one the system writes it in, ".." and all:
// lnk/../out/r.json goes in the directory above lnk's target, written
// whatever lies beside lnk, and missing/../r.json in none, refused
// before the search, not after it.
func TestReportDirAsTheSystemReadsIt(t *testing.T) {
	far := linkedDirs(t)
	check := []string{"check", "repdisk", "--blocks", "2", "-q"}
	if _, stderr, code := cli(t, append(check, "--report", "lnk/../out/r.json")...); code != ExitVerified {
		t.Errorf("lnk/../out/r.json: exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(far, "out", "r.json")); err != nil {
		t.Error(err)
	}
	stdout, stderr, code := cli(t, append(check, "--junit", "missing/../j.xml")...)
	if code != ExitUsage || stdout != "" || !strings.Contains(stderr, "--junit missing/../j.xml: cannot write in directory missing/..") {
		t.Errorf("missing/../j.xml: exit %d, stdout %q, stderr %q; want %d before the search", code, stdout, stderr, ExitUsage)
	}
}

// TestRefusalLeavesAnUnwritableFile: a command refused because a report
// file cannot be written leaves that file as it is, and removes what an
// earlier run left at its other report paths. Root writes any file, and
// so the test runs for other users only.
func TestRefusalLeavesAnUnwritableFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root may write any file")
	}
	dir := t.TempDir()
	locked := writeFile(t, dir, "locked.json", "not argocheck's")
	if err := os.Chmod(locked, 0o444); err != nil {
		t.Fatal(err)
	}
	junit := writeFile(t, dir, "j.xml", "an earlier run's verdict")
	_, stderr, code := cli(t, "check", "repdisk", "--blocks", "2", "-q", "--report", locked, "--junit", junit)
	if code != ExitUsage || !strings.Contains(stderr, "--report "+locked+": permission denied") {
		t.Fatalf("exit %d, stderr %q; want %d and the report refused", code, stderr, ExitUsage)
	}
	if b, err := os.ReadFile(locked); string(b) != "not argocheck's" {
		t.Errorf("%s holds %q (%v), want what it held", locked, b, err)
	}
	if _, err := os.Stat(junit); err == nil {
		t.Errorf("a refused command left an earlier run's report at %s", junit)
	}
}

// TestRunFIFOPlanBadUsage: run refuses bad report paths with status 2
// before it reads a plan that is a FIFO (or /dev/stdin): it would wait
// for a writer, and take what the writer gives, before saying the
// command was bad. With good paths it reads the plan and runs it.
func TestRunFIFOPlanBadUsage(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flags func(dir string) []string
		want  string // in the refusal; "" for a command that runs
	}{
		{"report in a missing directory", func(dir string) []string { return []string{"--report", filepath.Join(dir, "missing", "r.json")} }, "--report "},
		{"junit a directory", func(dir string) []string { return []string{"--junit", dir} }, "--junit "},
		{"report and junit one file", func(dir string) []string {
			return []string{"--report", filepath.Join(dir, "r"), "--junit", filepath.Join(dir, "r")}
		}, "name the same file"},
		{"report inside --spill", func(dir string) []string {
			return []string{"--spill", dir, "--report", filepath.Join(dir, "argocheck-spill-1", "r.json")}
		}, "inside --spill"},
		{"good paths", func(dir string) []string { return []string{"--report", filepath.Join(dir, "r.json")} }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			fifo := filepath.Join(dir, "plan.fifo")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Skip("no FIFOs here:", err)
			}
			type result struct {
				stdout, stderr string
				code           int
			}
			done := make(chan result, 1)
			go func() {
				stdout, stderr, code := cli(t, append([]string{"run", fifo, "-q"}, tc.flags(dir)...)...)
				done <- result{stdout, stderr, code}
			}()
			write := func() {
				if err := os.WriteFile(fifo, []byte("repdisk blocks=1 expect=verified\n"), 0o600); err != nil {
					t.Error(err)
				}
			}
			if tc.want == "" {
				write() // waits for run to open the plan
				if r := <-done; r.code != ExitVerified {
					t.Errorf("exit status %d, want %d\n%s%s", r.code, ExitVerified, r.stdout, r.stderr)
				}
				return
			}
			var r result
			select {
			case r = <-done:
			case <-time.After(3 * time.Second):
				write() // run is reading the plan: give it one to end
				r = <-done
				t.Errorf("run read the FIFO plan before refusing the command")
			}
			if r.code != ExitUsage || !strings.Contains(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("exit status %d, stderr %q; want %d and one line naming %q", r.code, r.stderr, ExitUsage, tc.want)
			}
		})
	}
}
