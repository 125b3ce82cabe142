package model

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestGuardPanicsOwnPanics: a panic outside layer code is argocheck's
// own, and guard panics again, ending the program, rather than return an
// error that blames layer code: whether no layer code ran before it, or
// some did and returned. The panics are made in a child process, the
// test binary run again for this test alone.
func TestGuardPanicsOwnPanics(t *testing.T) {
	if which := os.Getenv("ARGOCHECK_GUARD_CHILD"); which != "" {
		err := guard(func(cb *callbacks) error {
			if which == "after" {
				cb.do("Lower.Spec.Init", func() {})
			}
			panic("argocheck's own")
		})
		// Reached only when guard did not panic.
		os.Stdout.WriteString("guard returned: " + err.Error() + "\n")
		return
	}
	for _, which := range []string{"before", "after"} {
		child := exec.Command(os.Args[0], "-test.run=^TestGuardPanicsOwnPanics$")
		child.Env = append(os.Environ(), "ARGOCHECK_GUARD_CHILD="+which)
		out, err := child.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || !strings.Contains(string(out), "panic: argocheck's own") {
			t.Errorf("a panic outside layer code, %s layer code ran: %v, output\n%s\nwant the process to end in that panic", which, err, out)
		}
	}
}
