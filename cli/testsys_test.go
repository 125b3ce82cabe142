package cli

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/model"
)

// testSystem is a system of the tests' own, with a parameter no built-in
// system has (width, the disk's blocks): a disk implemented on a disk by
// passing each operation through, with variants whose write of 1 panics,
// loops reading block 0 until the step limit, or ends its goroutine with
// runtime.Goexit (which stops the search with an error, not a verdict),
// and a variant whose search goes past argocheck's limits (model.ErrLimit)
// at its first expansion.
func testSystem() *catalog.System {
	return &catalog.System{
		Name:   "pass",
		About:  "a disk on a disk, each operation passed through",
		Params: []catalog.Param{{Name: "width", Default: 1, Min: 1, Max: 3, About: "blocks of the disk"}},
		Variants: catalog.Variants{
			{Name: "panics", About: "a write of 1 panics"},
			{Name: "loops", About: "a write of 1 reads block 0 until the step limit"},
			{Name: "exits", About: "a write of 1 ends its goroutine"},
			{Name: "limit", About: "the search goes past argocheck's limits"},
		},
		Build: func(p catalog.Params, variant string) (model.Checker, error) {
			sizes := disk.Sizes{Blocks: p.Get("width"), Values: 2}
			impl := func(lower onedisk.API) model.Instance[onedisk.API] {
				return model.Instance[onedisk.API]{API: passDisk{lower, variant}, Recover: func() {}}
			}
			same := func(c *onedisk.State) (onedisk.State, bool) { return *c, true }
			chk := model.NewSystem(onedisk.Layer(sizes), onedisk.Layer(sizes), impl, same)
			if variant == "limit" {
				return limitChecker{chk}, nil
			}
			return chk, nil
		},
	}
}

// limitChecker is a check whose every expansion goes past argocheck's
// limits, as the model's encoding does (it panics with model.ErrLimit).
type limitChecker struct{ model.Checker }

func (c limitChecker) NewWorker(o model.Options) model.Worker {
	return limitWorker{c.Checker.NewWorker(o)}
}

type limitWorker struct{ model.Worker }

func (limitWorker) Expand([]byte, model.Emitter) {
	panic(fmt.Errorf("%w: a test's limit", model.ErrLimit))
}

// passDisk passes every operation to the disk below, but for its
// variant's broken write.
type passDisk struct {
	onedisk.API
	variant string
}

func (d passDisk) Write(a disk.Addr, b disk.Block) {
	switch {
	case b != 1:
	case d.variant == "panics":
		panic("a write of 1")
	case d.variant == "loops":
		for {
			d.Read(0)
		}
	case d.variant == "exits":
		runtime.Goexit()
	}
	d.API.Write(a, b)
}

// interruptingSystem is testSystem with a variant "interrupts" whose
// write of 1 sends the process SIGINT, once a check, and waits until the
// signal has come; then, when panics is set, it panics, else it writes.
func interruptingSystem(panics bool) *catalog.System {
	sys := testSystem()
	sys.Variants = append(sys.Variants, catalog.Variant{Name: "interrupts", About: "a write of 1 sends SIGINT"})
	build := sys.Build
	sys.Build = func(p catalog.Params, variant string) (model.Checker, error) {
		if variant != "interrupts" {
			return build(p, variant)
		}
		sizes := disk.Sizes{Blocks: p.Get("width"), Values: 2}
		once := &sync.Once{}
		impl := func(lower onedisk.API) model.Instance[onedisk.API] {
			return model.Instance[onedisk.API]{API: interruptingDisk{API: lower, once: once, panics: panics}, Recover: func() {}}
		}
		same := func(c *onedisk.State) (onedisk.State, bool) { return *c, true }
		return model.NewSystem(onedisk.Layer(sizes), onedisk.Layer(sizes), impl, same), nil
	}
	return sys
}

// signalled holds the context that signalContext made last, the running
// command's, so that interruptingDisk can wait until the command has seen
// the signal.
var signalled atomic.Pointer[context.Context]

// awaitSignalSeen waits until the running command has seen the signal
// that the test sent and received: its context, cancelled by the signal
// a little after the test's own channel got it, is done. It gives up
// after 10 seconds, and the test fails on the verdict.
func awaitSignalSeen() {
	if ctx := signalled.Load(); ctx != nil {
		select {
		case <-(*ctx).Done():
		case <-time.After(10 * time.Second):
		}
	}
}

func init() {
	made := signalContext
	signalContext = func() (context.Context, context.CancelFunc) {
		ctx, stop := made()
		signalled.Store(&ctx)
		return ctx, stop
	}
}

// interruptingDisk is the disk of interruptingSystem's variant.
type interruptingDisk struct {
	onedisk.API
	once   *sync.Once
	panics bool
}

func (d interruptingDisk) Write(a disk.Addr, b disk.Block) {
	if b == 1 {
		d.once.Do(func() {
			ch := make(chan os.Signal, 1)
			signal.Notify(ch, os.Interrupt)
			defer signal.Stop(ch)
			self, err := os.FindProcess(os.Getpid())
			if err == nil {
				err = self.Signal(os.Interrupt)
			}
			if err != nil {
				panic(err)
			}
			<-ch
			awaitSignalSeen()
		})
		if d.panics {
			panic("a write of 1")
		}
	}
	d.API.Write(a, b)
}

// testCLI runs the command line over the catalogue of testSystem.
func testCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cat, err := catalog.New(testSystem())
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code = Run(cat, args, &out, &errb)
	return out.String(), errb.String(), code
}

// TestBuildThatWritesItsParams: a Build that writes into the parameters
// it is handed (here it reads width and drops it) is built again, for the
// determinism checks' Systems built anew, from a copy of them as it was
// first given them, and the correct system verifies, where the second
// Build found width missing and the command refused the check.
func TestBuildThatWritesItsParams(t *testing.T) {
	sys := testSystem()
	build := sys.Build
	sys.Build = func(p catalog.Params, variant string) (model.Checker, error) {
		q := maps.Clone(p)
		delete(p, "width")
		return build(q, variant)
	}
	cat, err := catalog.New(sys)
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := Run(cat, []string{"check", "pass", "--determinism", "full"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "verdict=verified") {
		t.Errorf("status %d, want 0 and verified:\n%s%s", code, out.String(), errb.String())
	}
}
