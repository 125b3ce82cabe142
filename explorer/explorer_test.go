package explorer

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/internal/naivetest"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/model"
)

// naive is what the reference search (naivetest) found over a Checker:
// one goroutine, a map of whole encodings, none of the explorer's
// optimisations. It is the oracle for the parallel explorer.
type naive struct {
	states, transitions, crashes uint64
	depth                        int
	violation                    *model.Violation
	traceLen                     int // edges of the shortest path
}

func runNaive(chk model.Checker) naive {
	r, _ := naiveSearch(chk)
	return r
}

// naiveSearch is runNaive, also returning the nodes of the last level it
// expanded.
func naiveSearch(chk model.Checker) (naive, [][]byte) {
	r, last := naivetest.Search(chk.NewWorker(model.Options{}))
	return naive{states: r.States, transitions: r.Transitions, crashes: r.Crashes, depth: r.Depth, violation: r.Violation, traceLen: r.TraceLen}, last
}

// testCase is one catalogue system at one size and variant.
type testCase struct {
	system  string
	params  catalog.Params
	variant string
	correct bool
}

func (c testCase) String() string {
	v := c.variant
	if v == "" {
		v = "correct"
	}
	return fmt.Sprintf("%s/b%dv%dl%d/%s", c.system, c.params[layers.Blocks], c.params[layers.Values], c.params[layers.Log], v)
}

// catalogueCases returns every system of the catalogue, at its default
// sizes with every variant, and (without -short) with one block more.
// Under the race detector, which looks at the search and not at the
// systems, the systems on disks with write caches are left out: their
// naive searches alone take minutes there.
func catalogueCases(t *testing.T) []testCase {
	var cs []testCase
	for _, sys := range layers.Systems() {
		if raceEnabled && strings.Contains(sys.Name, "async") {
			continue
		}
		p := sys.Defaults()
		cs = append(cs, testCase{sys.Name, p, "", true})
		for _, v := range sys.Variants {
			cs = append(cs, testCase{sys.Name, p, v.Name, v.Correct})
		}
		p = p.With(layers.Blocks, p[layers.Blocks]+1)
		if !testing.Short() && sys.Validate(p, "") == nil {
			cs = append(cs, testCase{sys.Name, p, "", true})
		}
	}
	if len(cs) == 0 {
		t.Fatal("empty catalogue")
	}
	return cs
}

// TestAgainstNaive runs every catalogue system and variant with 1, 2 and 4
// workers, with fingerprints and exact keys, and with batches and level
// tables small enough that levels pause to grow the table: figures and
// shortest paths must equal the naive search's.
func TestAgainstNaive(t *testing.T) {
	for _, c := range catalogueCases(t) {
		t.Run(c.String(), func(t *testing.T) {
			chk, err := layers.Build(c.system, c.params, c.variant)
			if err != nil {
				t.Fatal(err)
			}
			want := runNaive(chk)
			if c.correct != (want.violation == nil) {
				t.Fatalf("naive search: violation %v for a variant with correct=%v", want.violation, c.correct)
			}
			for _, cfg := range []struct {
				workers, batch, part int
				exact, tiny          bool
			}{
				{1, 0, 0, false, false}, {2, 0, 0, false, false}, {4, 0, 0, false, false},
				{1, 0, 0, true, false}, {4, 0, 0, true, false},
				{2, 3, 0, false, true}, {4, 1, 0, true, true}, {2, 64, 0, false, true},
				{2, 1, 1, false, false}, {3, 2, 6, false, true},
			} {
				if raceEnabled && !(cfg.workers > 2 && cfg.tiny) {
					continue // two concurrent configurations only
				}
				name := fmt.Sprintf("w%d/batch%d/part%d/exact=%v/tiny=%v", cfg.workers, cfg.batch, cfg.part, cfg.exact, cfg.tiny)
				c := Config{Workers: cfg.workers, BatchSize: cfg.batch, PartSize: cfg.part, Exact: cfg.exact}
				if cfg.tiny {
					c.levelPairs = 1 // the level table grows in the middle of levels
				}
				res, err := Run(context.Background(), chk, c)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if want.violation != nil {
					if res.Verdict != Violated || res.Violation.Kind != want.violation.Kind || res.Trace.Len() != want.traceLen {
						t.Fatalf("%s: verdict %s %v, trace %d steps; want violation %s, %d steps",
							name, res.Verdict, res.Violation, res.Trace.Len(), want.violation.Kind, want.traceLen)
					}
					if res.Violation.Message != want.violation.Message {
						t.Fatalf("%s: violation %q, want %q", name, res.Violation.Message, want.violation.Message)
					}
					if res.States != want.states {
						t.Fatalf("%s: %d states, want %d (those of the levels up to the violating one)", name, res.States, want.states)
					}
					continue
				}
				got := naive{states: res.States, transitions: res.Transitions, crashes: res.CrashPoints, depth: res.Depth}
				if res.Verdict != Verified || got != want {
					t.Fatalf("%s: %s %+v, want verified %+v", name, res.Verdict, got, want)
				}
				if cfg.exact != (res.Collision == 0) {
					t.Fatalf("%s: collision estimate %g", name, res.Collision)
				}
			}
		})
	}
}

// TestViolationStates: a search that stops at a violation reports the
// states of the levels up to the violating one, whatever the number of
// workers and the part size, also when it continues past violations;
// and, when it does not continue, the edges of the states before the
// violating one and the violating state's before the violating edge, as
// the naive search counts them, whatever the timing of the workers.
func TestViolationStates(t *testing.T) {
	cases := []testCase{
		{"log", catalog.Params{layers.Blocks: 2, layers.Values: 2, layers.Log: 2}, "no-recovery", false},
		{"repdisk", catalog.Params{layers.Blocks: 3, layers.Values: 2}, "recover-block0-only", false},
		{"log/async-repdisk", catalog.Params{layers.Blocks: 1, layers.Values: 2, layers.Log: 2}, "log:no-flush", false},
	}
	configs := []Config{
		{Workers: 1},
		{Workers: 1, BatchSize: 1, PartSize: 1},
		{Workers: 1, BatchSize: 4, PartSize: 16},
		{Workers: 3, BatchSize: 1, PartSize: 3},
		{Workers: 4, BatchSize: 2},
		{Workers: 2, BatchSize: 3, PartSize: 9},
	}
	for _, c := range cases {
		chk, err := layers.Build(c.system, c.params, c.variant)
		if err != nil {
			t.Fatal(err)
		}
		want := runNaive(chk)
		// With -short (the race step), the system on disks with write
		// caches, which takes a hundred seconds under the race detector,
		// is searched only by its concurrent configurations and does not
		// continue: the two other systems still go through every
		// configuration, continuing or not, with 2 to 4 workers, the
		// same code of the explorer. Without -short it runs them all.
		heavy := testing.Short() && strings.Contains(c.system, "async")
		for _, continuing := range []int{0, 3} {
			if heavy && continuing > 0 {
				continue
			}
			wantStates := want.states
			for i, cfg := range configs {
				if heavy && cfg.Workers == 1 {
					continue
				}
				cfg.Continue = continuing
				res, err := Run(context.Background(), chk, cfg)
				if err != nil {
					t.Fatal(err)
				}
				if continuing > 0 && i == 0 {
					wantStates = res.States // one part a level: the levels up to the last violating one
				}
				if res.Verdict != Violated || res.States != wantStates {
					t.Errorf("%s, continue %d, %d workers, part %d: %s with %d states, want a violation with %d",
						c, continuing, cfg.Workers, cfg.PartSize, res.Verdict, res.States, wantStates)
				}
				if continuing == 0 && (res.Transitions != want.transitions || res.CrashPoints != want.crashes) {
					t.Errorf("%s, %d workers, batch %d, part %d: %d transitions and %d crash points up to the violation, want %d and %d",
						c, cfg.Workers, cfg.BatchSize, cfg.PartSize, res.Transitions, res.CrashPoints, want.transitions, want.crashes)
				}
			}
		}
	}
}

// TestTableFullRedo: with many workers, units of 64 states and a level
// table that fills again and again, units abandoned because the table was
// full are all redone, also those abandoned again and those still waiting
// when a pause came: the figures equal the naive search's every time. (The
// workers meet the pauses at other moments in each run: hence the many
// runs.)
func TestTableFullRedo(t *testing.T) {
	chk, err := layers.Build("repdisk", catalog.Params{layers.Blocks: 5, layers.Values: 3}, "")
	if err != nil {
		t.Fatal(err)
	}
	want := runNaive(chk)
	want.violation = nil
	runs := 150
	if testing.Short() {
		// The race step (-race -short): each run takes about two
		// seconds there, and each of a dozen runs of 8 workers goes
		// through the pauses, the abandoned units and their redoing,
		// which is what the race detector needs to see. A unit
		// dropped when two workers fill the table in one pause, or
		// redone units left waiting, fail every run, not one in
		// many; the 150 runs without -short are for the rarer timings.
		runs = 12
	}
	for i := range runs {
		res, err := Run(context.Background(), chk, Config{Workers: 8, BatchSize: 64, levelPairs: 1})
		if err != nil {
			t.Fatal(err)
		}
		got := naive{states: res.States, transitions: res.Transitions, crashes: res.CrashPoints, depth: res.Depth}
		if res.Verdict != Verified || got != want {
			t.Fatalf("run %d: %s %+v, want verified %+v", i, res.Verdict, got, want)
		}
	}
}

// TestConfigsAgainstNaive: whatever the configuration of the search
// (workers, batch and part sizes, a level table that starts at one pair,
// exact keys, a visited set spilled to disk many times), a correct system
// is verified with the naive search's figures, and a broken one is caught
// with the same violation and the same shortest path as one worker finds
// with the defaults.
func TestConfigsAgainstNaive(t *testing.T) {
	if raceEnabled {
		t.Skip("a hundred searches: minutes under the race detector, which TestAgainstNaive's concurrent configurations serve")
	}
	cases := []testCase{
		{"repdisk", catalog.Params{layers.Blocks: 4, layers.Values: 3}, "", true},
		{"repdisk", catalog.Params{layers.Blocks: 5, layers.Values: 3}, "", true},
		{"repdisk", catalog.Params{layers.Blocks: 3, layers.Values: 3}, "recover-block0-only", false},
		{"log", catalog.Params{layers.Blocks: 2, layers.Values: 2, layers.Log: 2}, "", true},
		{"log/repdisk", catalog.Params{layers.Blocks: 2, layers.Values: 2, layers.Log: 2}, "recover-upper-first", false},
	}
	type oracle struct {
		chk   model.Checker
		want  naive
		trace string // the path of one worker with the defaults
	}
	oracles := make([]oracle, len(cases))
	for i, c := range cases {
		chk, err := layers.Build(c.system, c.params, c.variant)
		if err != nil {
			t.Fatal(err)
		}
		want := runNaive(chk)
		if c.correct != (want.violation == nil) {
			t.Fatalf("%s: naive search: violation %v for a variant with correct=%v", c, want.violation, c.correct)
		}
		res, err := Run(context.Background(), chk, Config{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		oracles[i] = oracle{chk: chk, want: want}
		if res.Trace != nil {
			oracles[i].trace = res.Trace.String()
		}
	}
	spill := t.TempDir()
	spills := 0
	rapid.Check(t, func(rt *rapid.T) {
		i := rapid.IntRange(0, len(cases)-1).Draw(rt, "case")
		o := oracles[i]
		cfg := Config{
			Workers:   rapid.IntRange(1, 8).Draw(rt, "workers"),
			BatchSize: rapid.IntRange(1, 300).Draw(rt, "batch"),
			PartSize:  rapid.IntRange(0, 2000).Draw(rt, "part"),
			Exact:     rapid.Bool().Draw(rt, "exact"),
		}
		if rapid.Bool().Draw(rt, "tiny level table") {
			cfg.levelPairs = 1
		}
		if !cfg.Exact && rapid.Bool().Draw(rt, "spill") {
			// A budget of a few hundred kilobytes, of which the parent
			// records' buffer and the level table take a third or more:
			// the visited set of repdisk 5x3 is spilled several times.
			cfg.Spill, cfg.MemoryBytes = spill, uint64(rapid.IntRange(256<<10, 768<<10).Draw(rt, "memory"))
		}
		res, err := Run(context.Background(), o.chk, cfg)
		if err != nil {
			rt.Fatalf("%s: %v", cases[i], err)
		}
		spills += res.Spills
		if o.want.violation != nil {
			if res.Verdict != Violated || res.Violation.Kind != o.want.violation.Kind || res.Trace.Len() != o.want.traceLen {
				rt.Fatalf("%s: verdict %s %v, path of %d steps; want violation %s, %d steps",
					cases[i], res.Verdict, res.Violation, res.Trace.Len(), o.want.violation.Kind, o.want.traceLen)
			}
			if got := res.Trace.String(); got != o.trace {
				rt.Fatalf("%s: path\n%s\nwant\n%s", cases[i], got, o.trace)
			}
			return
		}
		got := naive{states: res.States, transitions: res.Transitions, crashes: res.CrashPoints, depth: res.Depth}
		if res.Verdict != Verified || got != o.want {
			rt.Fatalf("%s: %s (%s) %+v, want verified %+v", cases[i], res.Verdict, res.Stopped, got, o.want)
		}
	})
	// Whatever the draws, one search spills: repdisk 5x3 in 256 KiB.
	sure := oracles[1]
	res, err := Run(context.Background(), sure.chk, Config{Workers: 2, Spill: spill, MemoryBytes: 256 << 10})
	if err != nil {
		t.Fatal(err)
	}
	got := naive{states: res.States, transitions: res.Transitions, crashes: res.CrashPoints, depth: res.Depth}
	if res.Verdict != Verified || got != sure.want || res.Spills == 0 {
		t.Fatalf("%s in 256 KiB: %s %+v after %d spills, want verified %+v after some", cases[1], res.Verdict, got, res.Spills, sure.want)
	}
	t.Logf("searches spilled %d times in all, %d in the last", spills+res.Spills, res.Spills)
}
