package model

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
)

// callbacks names the layer code that System.Validate is running, so
// that guard can say which code panicked or ended its goroutine.
type callbacks struct {
	// running names the code being run, "" between calls.
	running string
}

// do runs f, a call of the layer code named what ("Lower.Spec.Init").
func (cb *callbacks) do(what string, f func()) {
	cb.running = what
	f()
	cb.running = ""
}

// guard runs check on a goroutine of its own and returns its error. A
// panic in the layer code that check calls through cb is an error naming
// that code, the value it panicked with and the line of layer code that
// panicked; a call of the lower layer while an Instance is built (see
// refusingCaller) is that call's error; and layer code that ends the
// goroutine with runtime.Goexit is an error too, where it would end the
// caller's goroutine (and leave a program whose main goroutine it ended
// waiting on its other goroutines forever). A panic outside layer code
// is argocheck's own, and is panicked again.
func guard(check func(cb *callbacks) error) error {
	cb := &callbacks{}
	var err error
	returned := false
	done := make(chan struct{})
	go func() {
		defer func() {
			if p := recover(); p != nil && !returned {
				if cb.running == "" {
					// Before done is closed: the caller, woken, could
					// go on (and blame Goexit) while the program ends.
					panic(p)
				}
				err, returned = layerPanic(cb.running, p, panicSite()), true
			}
			close(done)
		}()
		err = check(cb)
		returned = true
	}()
	<-done
	if !returned {
		return fmt.Errorf("model: %s ended its goroutine with runtime.Goexit (testing's FailNow, Fatal and SkipNow call it) while System.Validate ran it: layer code must return to its caller", cb.running)
	}
	return err
}

// layerPanic is the error of layer code what that panicked with p; site
// is the line that panicked, "" when not known.
func layerPanic(what string, p any, site string) error {
	if b, ok := p.(buildCall); ok {
		return b.err(what)
	}
	at := ""
	if site != "" {
		at = " at " + site
	}
	if e, ok := p.(error); ok {
		return fmt.Errorf("model: %s panicked%s: %w", what, at, e)
	}
	return fmt.Errorf("model: %s panicked%s: %v", what, at, p)
}

// callChain returns the lines of layer code that led to the call of
// refusingCaller.Call that calls it, innermost first, as "dir/file.go:line,
// called from dir/file.go:line": the frames outside the runtime and this
// package up to the first of this package's frames above them (the
// System.Validate that ran the code), at most maxChain of them. A call
// through a layer's typed API so names both the API's line and the
// implementation's.
func callChain() string {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	var lines []string
	for len(lines) < maxChain {
		f, more := frames.Next()
		fn := f.Function
		switch {
		case strings.HasPrefix(fn, modelPackage) && len(lines) > 0:
			return strings.Join(lines, ", called from ")
		case !strings.HasPrefix(fn, "runtime.") && !strings.HasPrefix(fn, modelPackage) && f.File != "":
			lines = append(lines, filepath.Join(filepath.Base(filepath.Dir(f.File)), filepath.Base(f.File))+fmt.Sprintf(":%d", f.Line))
		}
		if !more {
			break
		}
	}
	return strings.Join(lines, ", called from ")
}

// maxChain bounds the lines callChain names.
const maxChain = 4
