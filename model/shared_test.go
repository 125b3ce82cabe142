package model_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
)

// slotDisk is a disk of one block: op 0 reads it, op v > 0 writes v-1;
// every op returns the block.
type slotDisk struct{ model.Codec[uint8] }

func (slotDisk) Init() []uint8               { return []uint8{0} }
func (slotDisk) Ops() []uint8                { return nil }
func (slotDisk) Crash(*uint8, model.Chooser) {}
func (slotDisk) Step(s *uint8, op uint8, _ model.Chooser) uint8 {
	if op > 0 {
		*s = op - 1
	}
	return *s
}

// threeCell is a register of 0..2 whose writes are durable: 0 reads it,
// v > 0 writes v-1; every op returns the value.
type threeCell struct{ model.Codec[uint8] }

func (threeCell) Init() []uint8               { return []uint8{0} }
func (threeCell) Ops() []uint8                { return []uint8{0, 1, 2, 3} }
func (threeCell) Crash(*uint8, model.Chooser) {}
func (threeCell) Step(s *uint8, op uint8, _ model.Chooser) uint8 {
	if op > 0 {
		*s = op - 1
	}
	return *s
}

// together is memory every instance of a sharedCell reaches: a variable
// of the function that builds its system.
type together struct {
	recovered bool
	mu        sync.Mutex
	sizes     *[2]int
	writes    map[uint8]int
	log       testing.TB
	started   time.Time
}

// sharedCell is the cell on a slotDisk, with memory shared by every
// instance in st, used as use says.
type sharedCell struct {
	d   model.Caller[uint8, uint8]
	st  *together
	use sharing
}

type sharing int

const (
	// readsConfig reads a table the builder made, under a lock.
	readsConfig sharing = iota
	// losesAfterBoot: a write of 1 over 2 writes 0 unless a recovery ran
	// in the process, a bug of every run that never crashed, which the
	// instances of a check stop showing once the search's first recovery
	// set the flag they share.
	losesAfterBoot
	// countsWrites counts each value's writes in a map.
	countsWrites
	// logsWrites logs each write to the test, with the local time the
	// system was built.
	logsWrites
)

func (c sharedCell) Call(op uint8) uint8 {
	c.st.mu.Lock()
	defer c.st.mu.Unlock()
	if op == 0 {
		return c.d.Call(0)
	}
	v := op - 1
	switch c.use {
	case readsConfig:
		v = min(v, uint8(c.st.sizes[1]-1))
	case losesAfterBoot:
		if cur := c.d.Call(0); !c.st.recovered && cur == 2 && v == 1 {
			v = 0
		}
	case countsWrites:
		c.st.writes[v]++
	case logsWrites:
		c.st.log.Logf("write %d (system built at %s)", v, c.st.started.Format(time.Kitchen))
	}
	c.d.Call(v + 1)
	return op - 1
}

func sharedSystem(use sharing, log testing.TB) model.Checker {
	st := &together{sizes: &[2]int{1, 3}, writes: map[uint8]int{}, log: log, started: time.Now()}
	impl := func(d model.Caller[uint8, uint8]) model.Instance[model.Caller[uint8, uint8]] {
		return model.Instance[model.Caller[uint8, uint8]]{
			API: sharedCell{d: d, st: st, use: use},
			Recover: func() {
				if use == losesAfterBoot {
					st.mu.Lock()
					st.recovered = true
					st.mu.Unlock()
				}
			},
		}
	}
	return model.NewSystem(model.NewLayer[uint8, uint8, uint8]("slot", slotDisk{}),
		model.NewLayer[uint8, uint8, uint8]("cell", threeCell{}),
		impl, func(c *uint8) (uint8, bool) { return *c, true })
}

// Memory that every instance reaches, changed during the search, is a
// nondeterminism violation that names it: no check that compares two
// instances sees it, and a real crash loses it. Without the check,
// losesAfterBoot verified: its bug needs two writes before any recovery,
// and the search's first recovery, in its first level, hid it from
// every later run. Memory shared and left as it was (a table, a lock
// taken and released) passes, and so does a test that layer code logs
// to, with a local time it formats.
func TestSharedMemoryChanged(t *testing.T) {
	for _, tc := range []struct {
		name  string
		use   sharing
		where string // "": verified
	}{
		{"reads config", readsConfig, ""},
		{"loses after boot", losesAfterBoot, "API.st.recovered"},
		{"counts writes", countsWrites, "API.st.writes"},
		{"logs writes", logsWrites, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := ""
			if tc.where != "" {
				want = "memory at " + tc.where
			}
			wantInEveryMode(t, func() model.Checker { return sharedSystem(tc.use, t) }, want)
		})
	}
}

// wantInEveryMode checks a system that build makes anew for each search
// (its shared memory too), in every determinism mode with one worker and
// with two: it must verify when want is "", and otherwise end in a
// nondeterminism violation whose message holds want.
func wantInEveryMode(t *testing.T, build func() model.Checker, want string) {
	t.Helper()
	for _, d := range model.DeterminismModes {
		for _, workers := range []int{1, 2} {
			res, err := explorer.Run(context.Background(), build(), explorer.Config{Workers: workers, Determinism: d})
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case want == "" && res.Verdict != explorer.Verified:
				t.Fatalf("%s, %d workers: %s, want verified: %v", d, workers, res.Verdict, res.Violation)
			case want != "" && (res.Verdict != explorer.Violated || res.Violation.Kind != model.KindNondeterminism ||
				!strings.Contains(res.Violation.Message, want)):
				t.Fatalf("%s, %d workers: %s %v, want a nondeterminism violation saying %q", d, workers, res.Verdict, res.Violation, want)
			}
		}
	}
}
