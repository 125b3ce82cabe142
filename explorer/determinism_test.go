package explorer_test

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/layers/replicated"
	"github.com/argocheck/argocheck/layers/twodisk"
	"github.com/argocheck/argocheck/model"
)

// A fault is a piece of nondeterministic layer code, run before each
// write of a faulty implementation with the write's address: it reads
// the lower layer (which changes nothing) or not, as chance has it. The
// implementations are correct in every other way, so only the
// determinism checks can reject them.
type fault func(read func(disk.Addr), a disk.Addr)

// Package-level state that faults keep between runs.
var (
	writes int
	epoch  = time.Now()
)

// faults are nondeterministic layer code of the kinds layer authors
// write by mistake.
var faults = []struct {
	name  string
	fault fault
}{
	{"package-level counter", func(read func(disk.Addr), a disk.Addr) {
		writes++
		if writes%2 == 0 {
			read(a)
		}
	}},
	{"package-level counter, same calls", func(read func(disk.Addr), a disk.Addr) {
		writes++
		read(disk.Addr(writes % 2))
	}},
	{"map iteration order", func(read func(disk.Addr), a disk.Addr) {
		for b := range map[disk.Addr]bool{0: true, 1: true, 2: true} {
			read(b)
		}
	}},
	{"time", func(read func(disk.Addr), a disk.Addr) {
		if time.Since(epoch)/time.Microsecond%2 == 0 {
			read(a)
		}
	}},
	{"math/rand", func(read func(disk.Addr), a disk.Addr) {
		if rand.IntN(2) == 0 {
			read(a)
		}
	}},
}

// passDisk implements OneDisk on OneDisk by passing every call through,
// with a fault before each write.
type passDisk struct {
	d     onedisk.API
	fault fault
}

func (p passDisk) Read(a disk.Addr) disk.Block { return p.d.Read(a) }
func (p passDisk) Size() int                   { return p.d.Size() }
func (p passDisk) Write(a disk.Addr, b disk.Block) {
	p.fault(func(a disk.Addr) { p.d.Read(a) }, a)
	p.d.Write(a, b)
}

// onOneDisk is the check of passDisk with f: OneDisk never branches, so
// no run is ever replayed to reach another choice. It is large enough
// (about five thousand procedure runs) for the default mode's sample to run a few
// hundred of them twice.
func onOneDisk(f fault) model.Checker {
	sizes := disk.Sizes{Blocks: 5, Values: 3}
	impl := func(d onedisk.API) model.Instance[onedisk.API] {
		return model.Instance[onedisk.API]{API: passDisk{d, f}, Recover: func() {}}
	}
	return model.NewSystem(onedisk.Layer(sizes), onedisk.Layer(sizes), impl, sameDisk)
}

// sameDisk relates every disk to itself.
func sameDisk(c *onedisk.State) (onedisk.State, bool) { return *c, true }

// repDisk is the replicated disk with a fault before each write.
type repDisk struct {
	onedisk.API
	d     twodisk.API
	fault fault
}

func (r repDisk) Write(a disk.Addr, b disk.Block) {
	r.fault(func(a disk.Addr) { r.d.Read(twodisk.D0, a) }, a)
	r.API.Write(a, b)
}

// onTwoDisk is the replicated disk on TwoDisk with f before each write.
func onTwoDisk(f fault) model.Checker {
	sizes := disk.Sizes{Blocks: 3, Values: 2}
	impl := func(d twodisk.API) model.Instance[onedisk.API] {
		in := replicated.Impl(replicated.Correct)(d)
		return model.Instance[onedisk.API]{API: repDisk{in.API, d, f}, Recover: in.Recover}
	}
	return model.NewSystem(twodisk.Layer(sizes), onedisk.Layer(sizes), impl, replicated.Abs)
}

// TestNondeterminismIsNeverVerified: layer code that behaves differently
// when run again is reported as nondeterminism, on a lower layer that
// branches (TwoDisk, whose runs are replayed) and on one that does not
// (OneDisk, where only running sampled runs twice can tell), in both
// determinism modes and with one worker or two.
func TestNondeterminismIsNeverVerified(t *testing.T) {
	for _, f := range faults {
		for _, lower := range []struct {
			name  string
			check func(fault) model.Checker
		}{{"onedisk", onOneDisk}, {"twodisk", onTwoDisk}} {
			for _, mode := range model.DeterminismModes {
				for _, workers := range []int{1, 2} {
					name := strings.Join([]string{f.name, lower.name, mode.String()}, "/")
					t.Run(name, func(t *testing.T) {
						res, err := explorer.Run(context.Background(), lower.check(f.fault), explorer.Config{Workers: workers, Determinism: mode})
						if err != nil {
							t.Fatal(err)
						}
						if res.Verdict != explorer.Violated || res.Violation.Kind != model.KindNondeterminism {
							t.Fatalf("%d workers: verdict %s %+v, want a nondeterminism violation", workers, res.Verdict, res.Violation)
						}
						if !strings.Contains(res.Violation.Message, "not deterministic") {
							t.Errorf("message %q does not say the code is not deterministic", res.Violation.Message)
						}
					})
				}
			}
		}
	}
}

// TestDeterministicCodeVerifies: the determinism checks reject nothing a
// deterministic implementation does, in either mode.
func TestDeterministicCodeVerifies(t *testing.T) {
	none := func(func(disk.Addr), disk.Addr) {}
	readFirst := func(read func(disk.Addr), a disk.Addr) { read(a) }
	for _, f := range []fault{none, readFirst} {
		for _, mode := range model.DeterminismModes {
			for _, chk := range []model.Checker{onOneDisk(f), onTwoDisk(f)} {
				res, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 2, Determinism: mode})
				if err != nil {
					t.Fatal(err)
				}
				if res.Verdict != explorer.Verified {
					t.Fatalf("%s: verdict %s %+v\n%s", mode, res.Verdict, res.Violation, res.Trace)
				}
			}
		}
	}
}

// TestNondeterminismShowsBothRuns: the violation says how the two runs
// differed, expected against got.
func TestNondeterminismShowsBothRuns(t *testing.T) {
	res, err := explorer.Run(context.Background(), onOneDisk(faults[0].fault), explorer.Config{Workers: 1, Determinism: model.DeterminismFull})
	if err != nil {
		t.Fatal(err)
	}
	const want = "run twice with the same lower-layer choices, the procedure made as its step 1 "
	if res.Violation == nil || !strings.HasPrefix(res.Violation.Message, want) || !strings.Contains(res.Violation.Message, "the first time and ") {
		t.Fatalf("violation %+v, want one starting %q and naming both runs' steps", res.Violation, want)
	}
	if last := res.Trace.Steps[len(res.Trace.Steps)-1]; last.Violation == nil || last.Violation.Kind != model.KindNondeterminism {
		t.Fatalf("the path does not end in the violation:\n%s", res.Trace)
	}
}

// TestJoinedGoroutineIsRefused: a call from a goroutine of the layer's
// own is refused even when the procedure waits for it, so that no call
// ever runs beside the executor: the check does not depend on timing.
func TestJoinedGoroutineIsRefused(t *testing.T) {
	joined := func(read func(disk.Addr), a disk.Addr) {
		done := make(chan struct{})
		go func() {
			read(a)
			close(done)
		}()
		<-done
	}
	for _, chk := range []func(fault) model.Checker{onOneDisk, onTwoDisk, onRecovery} {
		res, err := explorer.Run(context.Background(), chk(joined), explorer.Config{Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		if res.Verdict != explorer.Violated || res.Violation.Kind != model.KindNondeterminism || !strings.Contains(res.Violation.Message, "another goroutine") {
			t.Fatalf("verdict %s %+v, want the call from another goroutine refused", res.Verdict, res.Violation)
		}
	}
}
