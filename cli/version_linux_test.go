//go:build linux

package cli

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildIDOfTheRunningProgram: the build a process records in a store
// or an exchange is the program it runs, even when the file it was
// started from is replaced before it names its build (a nightly job that
// rebuilds argocheck in place while the last night's still starts): the
// replacing build would otherwise resume the states and verdict of layer
// code it does not hold. The process is this test binary, run again from
// a copy, which the test replaces before the process names its build.
func TestBuildIDOfTheRunningProgram(t *testing.T) {
	if os.Getenv("ARGOCHECK_BUILD_CHILD") != "" {
		// Wait until the parent has replaced the file, then name the build.
		if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
			os.Exit(3)
		}
		fmt.Println(buildID())
		os.Exit(0)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	// Beside the test binary, where programs run (a temporary directory
	// may be mounted noexec).
	dir, err := os.MkdirTemp(filepath.Dir(self), "buildid-")
	if err != nil {
		t.Skipf("no directory to run a copy of the test binary from: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	bin := filepath.Join(dir, "argocheck")
	if err := os.WriteFile(bin, old, 0o755); err != nil {
		t.Fatal(err)
	}
	child := exec.Command(bin, "-test.run=^TestBuildIDOfTheRunningProgram$")
	child.Env = append(os.Environ(), "ARGOCHECK_BUILD_CHILD=1")
	stdin, err := child.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	child.Stdout = &out
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	// Another build takes the file's place, as go build -o does.
	rebuilt := append(bytes.Clone(old), "another build"...)
	if err := os.WriteFile(bin+".new", rebuilt, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(bin+".new", bin); err != nil {
		t.Fatal(err)
	}
	stdin.Write([]byte("go\n"))
	stdin.Close()
	if err := child.Wait(); err != nil {
		t.Fatalf("the process: %v\n%s", err, out.String())
	}
	sum, other := sha256.Sum256(old), sha256.Sum256(rebuilt)
	want, replaced := hex.EncodeToString(sum[:8]), hex.EncodeToString(other[:8])
	switch got := strings.TrimSpace(out.String()); got {
	case want:
	case replaced:
		t.Fatalf("the process names its build %s, the hash of the file that replaced its program, not %s, its own", got, want)
	default:
		t.Fatalf("the process names its build %q, want %s", got, want)
	}
}
