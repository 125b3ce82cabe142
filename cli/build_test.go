package cli

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

// TestUnreadableExecutable: a program that cannot read its own executable
// (one installed execute-only) cannot name its build. Hashing its build
// information instead gave two builds of different layer code from one
// revision the same build, so that a rebuilt, broken program resumed the
// last build's finished store and printed its verdict=verified, status 0.
// check --store, resume, trace and shard now refuse, status 2, making
// nothing, and --version prints build=unknown.
func TestUnreadableExecutable(t *testing.T) {
	tmp := t.TempDir()
	// A finished, verified store recorded under the build information's
	// hash: the build such a program named before.
	info, ok := debug.ReadBuildInfo()
	if !ok {
		t.Fatal("no build information")
	}
	infoBuild, err := hashBuild(func(w io.Writer) error { _, err := io.WriteString(w, info.String()); return err })
	if err != nil {
		t.Fatal(err)
	}
	made := filepath.Join(tmp, "made")
	storeOfBuild(t, made, infoBuild, true, "")

	saved := buildHash
	t.Cleanup(func() { buildHash = saved })
	buildHash = func() (string, error) {
		return hashBuild(func(io.Writer) error {
			return &fs.PathError{Op: "open", Path: runningExecutable, Err: fs.ErrPermission}
		})
	}

	fresh := filepath.Join(tmp, "fresh")
	for _, args := range [][]string{
		{"check", "repdisk", "--blocks", "2", "-q", "--store", fresh},
		{"resume", made, "-q"},
		{"trace", made},
		{"shard", "--shards", "1", "--index", "0", "--exchange", "file://" + filepath.Join(tmp, "ex"), "repdisk", "--blocks", "2", "-q"},
	} {
		stdout, stderr, code := cli(t, args...)
		if code != ExitUsage || stdout != "" || !strings.Contains(stderr, "cannot read this program's executable to name its build") || !strings.Contains(stderr, "permission denied") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d and the executable named unreadable", args, code, stdout, stderr, ExitUsage)
		}
	}
	for _, dir := range []string{fresh, filepath.Join(tmp, "ex")} {
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("%s was made (%v): a refused command makes nothing", dir, err)
		}
	}
	out, stderr, code := cli(t, "--version")
	if code != ExitVerified || !strings.HasSuffix(out, " build=unknown\n") {
		t.Errorf("--version: exit %d, stdout %q, stderr %q; want build=unknown", code, out, stderr)
	}
}
