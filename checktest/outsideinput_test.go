package checktest_test

import (
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/argocheck/argocheck/checktest"
	"github.com/argocheck/argocheck/checktest/testdata/outsideinput/clock"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/model"
)

// wantLines returns the lines of file marked "// want" (once), "// want
// N" (N times) or "// want above" (once, and once for the line above),
// in order.
func wantLines(t *testing.T, file string) []int {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	mark := regexp.MustCompile(`// want( \d+| above)?$`)
	var want []int
	for i, line := range strings.Split(string(src), "\n") {
		m := mark.FindStringSubmatch(line)
		switch {
		case m == nil:
		case m[1] == " above":
			want = append(want, i, i+1)
		case m[1] != "":
			n, _ := strconv.Atoi(m[1][1:])
			for range n {
				want = append(want, i+1)
			}
		default:
			want = append(want, i+1)
		}
	}
	return want
}

// TestNoOutsideInputFindsEveryRead: each line of the package reads marked
// "want" reads the clock, a timer, randomness, the environment, the
// process or the file system, selects among several ready cases, or
// holds a marker that is wrong, and is named, with the function, what it
// reads, why and what to do instead; no other line is.
func TestNoOutsideInputFindsEveryRead(t *testing.T) {
	const file = "testdata/outsideinput/reads/reads.go"
	want := wantLines(t, file)
	got := failure(t, func(tb testing.TB) { checktest.NoOutsideInput(tb, "./testdata/outsideinput/reads") })
	var lines []int
	for _, m := range regexp.MustCompile(`reads\.go:(\d+):\d+: `).FindAllStringSubmatch(got, -1) {
		n, _ := strconv.Atoi(m[1])
		lines = append(lines, n)
	}
	if !slices.Equal(lines, want) {
		t.Fatalf("lines named %v, want %v:\n%s", lines, want, got)
	}
	const (
		clockWhy  = "which reads the clock (the search explores only the course that its own timing takes, and a bug on the other course verifies; make the decision an operation of the layer (a tick op), a choice the lower layer offers, or a duration fixed at Impl)"
		timerWhy  = "which starts a timer (its work runs when the clock says, not when the search chooses"
		randomWhy = "which draws at random (the search explores one draw, not each: a bug on another draw verifies; make it a choice the lower layer offers (the search explores each), or draw from a generator seeded by a constant, built in Impl)"
		seedWhy   = "(the generator draws differently from run to run, and the search explores one draw, not each; seed it by a constant in Impl, or make the draw a choice the lower layer offers)"
		envWhy    = "which reads the process's environment (the search explores the one value this process has, and a bug under another value verifies; make it a parameter fixed at Impl, and check each value)"
		procWhy   = "which reads the process or the machine it runs on (the search explores the one value this process has"
		fileWhy   = "which reads the file system (the search explores the files as this machine holds them"
		pickWhy   = "(Go picks among the ready cases at random, and which are ready is the scheduler's doing: the search explores one pick; make the choice an operation of the layer, or a choice the lower layer offers)"
	)
	for _, s := range []string{
		"reads.go:28:16: the initializer of debug calls os.Getenv, " + envWhy,
		"reads.go:31:17: init calls os.LookupEnv, " + envWhy,
		"(*Log).Flush calls time.Since, " + clockWhy,
		"(*Log).Flush calls time.Now, " + clockWhy,
		"(*Log).Left calls time.Until, " + clockWhy,
		"(*Log).GroupCommit calls time.AfterFunc, " + timerWhy,
		"(*Log).GroupCommit calls time.NewTimer, " + timerWhy,
		"(*Log).GroupCommit calls time.After, " + timerWhy,
		"(*Log).GroupCommit calls time.NewTicker, " + timerWhy,
		"(*Log).GroupCommit calls time.Tick, " + timerWhy,
		"(*Log).GroupCommit calls time.Sleep, which sleeps (a sleep waits for something that runs on its own clock (a goroutine, a timer), whose outcome the search does not choose",
		"(*Log).GroupCommit calls context.WithTimeout, " + timerWhy,
		"(*Log).GroupCommit calls context.WithDeadline, " + timerWhy,
		"(*Log).Retry calls math/rand.Intn, " + randomWhy,
		"(*Log).Retry calls math/rand/v2.IntN, " + randomWhy,
		"(*Log).Retry calls math/rand/v2.N, " + randomWhy,
		"(*Log).Retry calls math/rand.Shuffle, " + randomWhy,
		"(*Log).Retry calls crypto/rand.Read, " + randomWhy,
		"(*Log).Retry uses crypto/rand.Reader, " + randomWhy,
		"(*Log).Seeded calls math/rand.NewSource with a seed that is not a constant " + seedWhy,
		"(*Log).Seeded calls math/rand/v2.NewPCG with a seed that is not a constant " + seedWhy,
		"(*Log).Seeded calls math/rand.New with a source that is not seeded by a constant here " + seedWhy,
		"(*Log).Seeded takes time.Now as a value, " + clockWhy,
		"(*Log).Mode calls os.Environ, " + envWhy,
		"(*Log).Mode calls os.Getpid, " + procWhy,
		"(*Log).Mode calls os.Hostname, " + procWhy,
		"(*Log).Mode uses os.Args, " + procWhy,
		"(*Log).Mode calls runtime.NumCPU, " + procWhy,
		"(*Log).Mode calls runtime.NumGoroutine, " + procWhy,
		"(*Log).Mode calls os.ReadFile, " + fileWhy,
		"(*Log).Pick selects among 2 communications " + pickWhy,
		"(*Log).Poll selects between a communication and a default " + pickWhy,
		"(*Log).Drain selects among 2 communications and a default " + pickWhy,
		"the marker //argocheck:outside-input-ok gives no reason, and excuses nothing",
		"(*Log).Marked calls time.Now, " + clockWhy,
		"the marker //argocheck:outside-input-ok excuses nothing: no input is read on the line it marks (its own, or the next when it stands alone; remove it, or move it to the line)",
	} {
		if !strings.Contains(got, s) {
			t.Errorf("no %q in:\n%s", s, got)
		}
	}
}

// TestNoOutsideInputPasses: generators seeded by constants (built per
// instance, from a local given only a seeded source, zero-seeded, or a
// Zipf over one), their draws, a select of one case, time's arithmetic
// on times given, and reads excused by a marker with a reason, at the
// end of the line or alone on the line before, are not named.
func TestNoOutsideInputPasses(t *testing.T) {
	if got := failure(t, func(tb testing.TB) { checktest.NoOutsideInput(tb, "./testdata/outsideinput/clean") }); got != "" {
		t.Fatal(got)
	}
}

// TestCatalogueReadsNoOutsideInput: the built-in layers decide only by
// what the search chooses.
func TestCatalogueReadsNoOutsideInput(t *testing.T) {
	checktest.NoOutsideInput(t, "github.com/argocheck/argocheck/layers/...")
}

// TestClockDecisionVerifies is why NoOutsideInput is needed: a replicated
// disk whose writes skip d1 once its process has run an hour is wrong,
// as the search shows when the hour is made 0, yet verifies with Verify,
// whose search starts well within the hour; neither the compared runs
// nor NoPackageState see it (the start time is set by an initializer
// alone). NoOutsideInput names both reads of the clock.
func TestClockDecisionVerifies(t *testing.T) {
	sizes := disk.Sizes{Blocks: 2, Values: 2}
	checktest.Violates(t, clock.System(sizes, 0), model.KindRefinement, 1)
	checktest.Verify(t, clock.System(sizes, time.Hour))
	checktest.NoPackageState(t, "./testdata/outsideinput/clock")
	got := failure(t, func(tb testing.TB) { checktest.NoOutsideInput(tb, "./testdata/outsideinput/clock") })
	for _, s := range []string{
		"clock.go:23:20: the initializer of started calls time.Now, which reads the clock",
		"clock.go:36:10: (*Disk).Write calls time.Since, which reads the clock",
	} {
		if !strings.Contains(got, s) {
			t.Errorf("no %q in:\n%s", s, got)
		}
	}
}

func TestNoOutsideInputBadInput(t *testing.T) {
	for _, tc := range []struct {
		patterns []string
		want     string
	}{
		{nil, `checktest.NoOutsideInput: no package named (give "." for the test's own)`},
		{[]string{"./testdata/outsideinput/nosuch"}, "checktest.NoOutsideInput: package "},
		// Its code is all in a test file, which is not read: it fails
		// rather than pass having read nothing.
		{[]string{"./testdata/packagestate/testsonly"}, "has no Go files but its tests, which NoOutsideInput does not read"},
	} {
		if got := failure(t, func(tb testing.TB) { checktest.NoOutsideInput(tb, tc.patterns...) }); !strings.Contains(got, tc.want) {
			t.Errorf("%q: failed with %q, want %q", tc.patterns, got, tc.want)
		}
	}
}
