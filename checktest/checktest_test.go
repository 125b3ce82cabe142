package checktest_test

import (
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/checktest"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/layers/replicated"
	"github.com/argocheck/argocheck/layers/twodisk"
	"github.com/argocheck/argocheck/layers/txndisk"
	"github.com/argocheck/argocheck/model"
)

// recorder is a testing.TB that records failures instead of failing, so
// that a test can check the checks fail.
type recorder struct {
	testing.TB
	failed string
	logs   string // what the check logged
}

func (r *recorder) fail(msg string) { r.failed += msg + "\n"; runtime.Goexit() }

func (r *recorder) Fatal(args ...any)                 { r.fail(fmt.Sprint(args...)) }
func (r *recorder) Fatalf(format string, args ...any) { r.fail(fmt.Sprintf(format, args...)) }
func (r *recorder) Error(args ...any)                 { r.failed += fmt.Sprint(args...) + "\n" }
func (r *recorder) Errorf(format string, args ...any) {
	r.failed += fmt.Sprintf(format, args...) + "\n"
}
func (r *recorder) FailNow()                        { r.fail("FailNow") }
func (r *recorder) Failed() bool                    { return r.failed != "" }
func (r *recorder) Log(args ...any)                 { r.logs += fmt.Sprintln(args...) }
func (r *recorder) Logf(format string, args ...any) { r.logs += fmt.Sprintf(format, args...) + "\n" }

// failure runs check with a recorder and returns what it failed with.
func failure(t *testing.T, check func(testing.TB)) string {
	return record(t, check).failed
}

// record runs check with a recorder and returns the recorder.
func record(t *testing.T, check func(testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		check(r)
	}()
	<-done
	return r
}

var sizes = disk.Sizes{Blocks: 3, Values: 2}

func TestSpecAcceptsTheCatalogue(t *testing.T) {
	checktest.Spec(t, onedisk.Layer(sizes))
	checktest.Spec(t, twodisk.Layer(sizes))
	checktest.Spec(t, txndisk.Layer(sizes))
	checktest.Spec(t, onedisk.Layer(disk.Sizes{Blocks: 2, Values: 3, OOB: true}))
}

// A broken specification: a OneDisk whose encoding or steps are wrong.
type broken struct {
	onedisk.Spec
	decodeExtra int  // Decode claims this many bytes more than it read
	history     *int // the encoding ends with a counter of encodings
	flaky       *int // Step depends on a counter
	clears      bool // AppendEncode clears block 0 of the state it encodes
	widths      *int // Step asks a choice of 2 or 3 alternatives by a counter
	crashes     *int // Crash sets block 0 by a counter
	flips       *int // a read flips the block it reads every other time, returning the same
	deep        bool // Decode loses block 0 of a disk whose blocks 0 and 1 both hold 1
	far         bool // Decode loses the 1s of a disk that holds one
	farFlaky    *int // a step from a disk that holds a 1 returns a result that depends on a counter
	fresh       bool // AppendEncode returns the encoding alone, dropping dst
	strict      bool // Decode fails when bytes follow the encoding
	formats     bool // Format clears block 0 of the state it renders
	choose      *int // a size asks Choose for this many alternatives
}

func (b broken) AppendEncode(dst []byte, s *onedisk.State) []byte {
	if b.clears {
		s.Disk[0] = 0
	}
	if b.fresh {
		return b.Spec.AppendEncode(nil, s)
	}
	dst = b.Spec.AppendEncode(dst, s)
	if b.history != nil {
		*b.history++
		dst = append(dst, byte(*b.history))
	}
	return dst
}

func (b broken) Decode(src []byte, s *onedisk.State) (int, error) {
	n, err := b.Spec.Decode(src, s)
	if b.history != nil {
		n++
	}
	if b.deep && s.Disk[0] == 1 && s.Disk[1] == 1 {
		s.Disk[0] = 0
	}
	if b.far && slices.Contains(s.Disk[:], 1) {
		s.Disk = disk.Disk{}
	}
	if b.strict && err == nil && len(src) > n {
		err = fmt.Errorf("%d bytes follow the state", len(src)-n)
	}
	return n + b.decodeExtra, err
}

func (b broken) Crash(s *onedisk.State, c model.Chooser) {
	b.Spec.Crash(s, c)
	if b.crashes != nil {
		*b.crashes++
		s.Disk[0] = disk.Block(*b.crashes % 2)
	}
}

func (b broken) Format(s *onedisk.State) string {
	if b.formats {
		s.Disk[0] = 0
	}
	return b.Spec.Format(s)
}

func (b broken) Step(s *onedisk.State, op disk.Op, c model.Chooser) disk.Ret {
	fromOne := slices.Contains(s.Disk[:], 1)
	r := b.Spec.Step(s, op, c)
	if b.flaky != nil && op.Kind == disk.Size {
		*b.flaky++
		r.Val += disk.Block(*b.flaky % 2)
	}
	if b.choose != nil && op.Kind == disk.Size {
		c.Choose(*b.choose)
	}
	if b.widths != nil {
		*b.widths++
		c.Choose(2 + *b.widths%2) // the answer changes nothing
	}
	if b.farFlaky != nil && fromOne {
		*b.farFlaky++
		r.Val += disk.Block(*b.farFlaky % 2)
	}
	if b.flips != nil && op.Kind == disk.Read && int(op.Addr) < sizes.Blocks {
		if *b.flips++; *b.flips%2 == 0 {
			s.Disk[op.Addr] = 1 - s.Disk[op.Addr]
		}
	}
	return r
}

// TestSpecRefusesWhatACheckRefuses: Spec fails on a layer whose Spec's
// Validate fails, as a check does, where its walks would pass over a
// disk of no blocks or of more values than a block holds.
func TestSpecRefusesWhatACheckRefuses(t *testing.T) {
	for _, tc := range []struct {
		sizes disk.Sizes
		want  string
	}{
		{disk.Sizes{Blocks: 0, Values: 2}, `checktest: layer "onedisk"'s Spec does not validate, and a check refuses it: blocks must be between 1 and 16, not 0`},
		{disk.Sizes{Blocks: 2, Values: 0}, `checktest: layer "onedisk"'s Spec does not validate, and a check refuses it: values must be between 1 and 255, not 0`},
		{disk.Sizes{Blocks: 2, Values: 300}, `checktest: layer "onedisk"'s Spec does not validate, and a check refuses it: values must be between 1 and 255, not 300`},
		{sizes, ""},
	} {
		got := failure(t, func(tb testing.TB) { checktest.Spec(tb, onedisk.Layer(tc.sizes)) })
		if got != tc.want && (tc.want == "" || got != tc.want+"\n") {
			t.Errorf("Spec of onedisk at %+v failed with %q, want %q", tc.sizes, got, tc.want)
		}
	}
}

// TestSpecWithoutWalks: with no random walk (go test -rapid.checks=0),
// Spec checks a layer whose reachable states the breadth-first search
// covers, and catches a broken one, among them one whose Decode fails
// only after two writes, which random walks can miss; it fails, saying
// so, on a layer with more states than that search checks, where it
// once passed having checked nothing, a broken encoding too.
func TestSpecWithoutWalks(t *testing.T) {
	f := flag.Lookup("rapid.checks")
	if f == nil {
		t.Fatal("no flag -rapid.checks")
	}
	defer f.Value.Set(f.Value.String())
	f.Value.Set("0")
	large := disk.Sizes{Blocks: 13, Values: 2} // 8,192 states
	const noWalk = `checktest: Spec made no walk of layer "onedisk" (is -rapid.checks 0?): it checked the first 4096 states alone` + "\n"
	type spec = model.Spec[onedisk.State, disk.Op, disk.Ret]
	correct := func(s onedisk.Spec) spec { return s }
	longer := func(s onedisk.Spec) spec { return broken{Spec: s, decodeExtra: 1} }
	deep := func(s onedisk.Spec) spec { return broken{Spec: s, deep: true} }
	for _, tc := range []struct {
		name  string
		sizes disk.Sizes
		spec  func(onedisk.Spec) spec
		want  string
	}{
		{"small", sizes, correct, ""},
		{"small, Decode claims a byte more", sizes, longer, `Decode of \[0 0 0\]'s encoding`},
		{"small, Decode wrong two writes deep", sizes, deep, `Decode of \[1 1 .\]'s encoding`},
		{"large", large, correct, regexp.QuoteMeta(noWalk)},
		{"large, Decode claims a byte more", large, longer, `Decode of \[0 0 0 0 0 0 0 0 0 0 0 0 0\]'s encoding`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := onedisk.Layer(tc.sizes)
			l.Spec = tc.spec(onedisk.NewSpec(tc.sizes))
			got := failure(t, func(tb testing.TB) { checktest.Spec(tb, l) })
			if tc.want == "" && got != "" || tc.want != "" && !regexp.MustCompile(tc.want).MatchString(got) {
				t.Errorf("Spec failed with %q, want %q", got, tc.want)
			}
		})
	}
}

// TestSpecWalksPastTheSearch: the random walks check states that the
// breadth-first search does not reach. With the search cut to the
// initial state alone, a Decode that fails on a disk that holds a 1, one
// write away, and steps from such a disk that are not deterministic,
// are caught by the walks.
func TestSpecWalksPastTheSearch(t *testing.T) {
	if f := flag.Lookup("rapid.nofailfile"); f != nil {
		defer f.Value.Set(f.Value.String())
		f.Value.Set("true")
	}
	checktest.SetSpecStates(t, 1)
	var counter int
	for _, tc := range []struct {
		name string
		spec broken
		want string
	}{
		{"decode", broken{Spec: onedisk.NewSpec(sizes), far: true}, `Decode of \[[0-9 ]*1[0-9 ]*\]'s encoding`},
		{"step", broken{Spec: onedisk.NewSpec(sizes), farFlaky: &counter}, `step .* from \[[0-9 ]*1[0-9 ]*\] with choices .* is not deterministic`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := onedisk.Layer(sizes)
			l.Spec = tc.spec
			if got := failure(t, func(tb testing.TB) { checktest.Spec(tb, l) }); !regexp.MustCompile(tc.want).MatchString(got) {
				t.Fatalf("Spec failed with %q, want it to say %q", got, tc.want)
			}
		})
	}
}

// TestSpecCatchesBrokenSpecs: Spec fails, saying what is wrong, on a
// specification that breaks a rule the search relies on, among them a
// Choose that a check refuses (of no alternatives, where Spec passed its
// breadth-first search and then failed inside rapid with rapid's own
// trace, or of more than model.MaxChoices).
func TestSpecCatchesBrokenSpecs(t *testing.T) {
	// The failures are expected: no fail files for them.
	if f := flag.Lookup("rapid.nofailfile"); f != nil {
		defer f.Value.Set(f.Value.String())
		f.Value.Set("true")
	}
	counter, encodings, choices, crashes, flips := 0, 0, 0, 0, 0
	none, negative, tooMany := 0, -1, model.MaxChoices+1
	for _, tc := range []struct {
		name string
		spec broken
		says string
	}{
		{"decode-length", broken{Spec: onedisk.NewSpec(sizes), decodeExtra: 1}, "Decode of"},
		{"history-in-encoding", broken{Spec: onedisk.NewSpec(sizes), history: &encodings}, "not canonical|does not append"},
		{"nondeterministic-step", broken{Spec: onedisk.NewSpec(sizes), flaky: &counter}, "is not deterministic"},
		{"encoding-changes-state", broken{Spec: onedisk.NewSpec(sizes), clears: true}, "AppendEncode changed the state it encoded"},
		{"nondeterministic-choices", broken{Spec: onedisk.NewSpec(sizes), widths: &choices}, "asked Choose for \\[2\\] alternatives the first time and \\[3\\] the second|\\[3\\] alternatives the first time and \\[2\\]"},
		{"nondeterministic-crash", broken{Spec: onedisk.NewSpec(sizes), crashes: &crashes}, "crash from .* is not deterministic"},
		{"nondeterministic-state", broken{Spec: onedisk.NewSpec(sizes), flips: &flips}, "step .* is not deterministic"},
		{"decode-wrong-two-writes-deep", broken{Spec: onedisk.NewSpec(sizes), deep: true}, "Decode of \\[1 1 .\\]'s encoding"},
		{"encoding-drops-dst", broken{Spec: onedisk.NewSpec(sizes), fresh: true}, "does not append its encoding"},
		{"decode-refuses-what-follows", broken{Spec: onedisk.NewSpec(sizes), strict: true}, "Decode of .* bytes follow the state"},
		{"format-changes-state", broken{Spec: onedisk.NewSpec(sizes), formats: true}, "Format changed the state it rendered"},
		{"choose-none", broken{Spec: onedisk.NewSpec(sizes), choose: &none}, `^checktest: layer "onedisk": step size\(\) from \[0 0 0\] asked Choose\(0\), which offers no alternatives: n must be at least 1`},
		{"choose-negative", broken{Spec: onedisk.NewSpec(sizes), choose: &negative}, `asked Choose\(-1\), which offers no alternatives`},
		{"choose-too-many", broken{Spec: onedisk.NewSpec(sizes), choose: &tooMany}, `asked Choose\(2147483648\), which offers more alternatives than model.MaxChoices, 2147483647`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := onedisk.Layer(sizes)
			l.Spec = tc.spec
			if got := failure(t, func(tb testing.TB) { checktest.Spec(tb, l) }); !regexp.MustCompile(tc.says).MatchString(got) {
				t.Fatalf("Spec failed with %q, want it to say %q", got, tc.says)
			}
			// Operations given to Spec add to the spec's own: a write of a
			// value above the client's takes none of them out of the walks.
			extra := disk.Op{Kind: disk.Write, Addr: 0, Val: 7}
			if got := failure(t, func(tb testing.TB) { checktest.Spec(tb, l, extra) }); !regexp.MustCompile(tc.says).MatchString(got) {
				t.Fatalf("Spec with the operation %v failed with %q, want it to say %q", extra, got, tc.says)
			}
		})
	}
}

func repdisk(v replicated.Variant) model.Checker {
	return model.NewSystem(twodisk.Layer(sizes), onedisk.Layer(sizes), replicated.Impl(v), replicated.Abs)
}

func TestVerifyAndViolates(t *testing.T) {
	res := checktest.Verify(t, repdisk(replicated.Correct))
	if res.States == 0 {
		t.Fatal("no states")
	}
	checktest.Violates(t, repdisk(replicated.NoRecovery), model.KindRecovery, 2)

	got := failure(t, func(tb testing.TB) { checktest.Verify(tb, repdisk(replicated.NoRecovery)) })
	for _, want := range []string{"want verified", "violation=recovery trace_length=2", "shortest path:", "VIOLATION (recovery)"} {
		if !strings.Contains(got, want) {
			t.Errorf("Verify of a broken variant failed with %q, which lacks %q", got, want)
		}
	}
	if got := failure(t, func(tb testing.TB) { checktest.Violates(tb, repdisk(replicated.NoRecovery), model.KindRecovery, 3) }); !strings.Contains(got, "got recovery at 2") {
		t.Errorf("Violates with the wrong length failed with %q", got)
	}
	if got := failure(t, func(tb testing.TB) { checktest.Violates(tb, repdisk(replicated.Correct), model.KindRecovery, 2) }); !strings.Contains(got, "got verified") {
		t.Errorf("Violates of the correct variant failed with %q", got)
	}

	checktest.Violates(t, repdisk(replicated.NoRecovery), model.KindRecovery, checktest.AnyLength)
	for _, tc := range []struct {
		name   string
		kind   string
		length int
		want   string
	}{
		{"another kind at any length", model.KindRefinement, checktest.AnyLength, "want a refinement violation, got recovery at 2"},
		{"a negative length", model.KindRecovery, -2, "not -2"},
		// A misspelt kind, which no search finds, is named before one runs.
		{"a misspelt kind", "recvery", 2, `checktest: "recvery" is not a kind of violation (kinds: refinement, recovery, panic, step-limit, nondeterminism, invariant, initial, spec)`},
	} {
		if got := failure(t, func(tb testing.TB) { checktest.Violates(tb, repdisk(replicated.NoRecovery), tc.kind, tc.length) }); !strings.Contains(got, tc.want) {
			t.Errorf("Violates of %s failed with %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestOneConfig: Verify and Violates fail on more than one Config,
// where they searched with the first alone: a second crash mode given to
// them was never checked.
func TestOneConfig(t *testing.T) {
	all := explorer.Config{Workers: 2}
	between := explorer.Config{Workers: 2, Crashes: model.CrashBetweenOps}
	const want = "checktest: one explorer.Config at most, not 2"
	for name, check := range map[string]func(testing.TB){
		"Verify": func(tb testing.TB) { checktest.Verify(tb, repdisk(replicated.NoRecovery), between, all) },
		"Violates": func(tb testing.TB) {
			checktest.Violates(tb, repdisk(replicated.NoRecovery), model.KindRecovery, 2, all, between)
		},
	} {
		if got := failure(t, check); !strings.HasPrefix(got, want) {
			t.Errorf("%s with two Configs failed with %q, want %q", name, got, want)
		}
	}
	checktest.Violates(t, repdisk(replicated.NoRecovery), model.KindRecovery, 2, all)
	checktest.Verify(t, repdisk(replicated.NoRecovery), between)
}

// TestVerifyNarrowedSays: Verify passing over a narrowed crash mode says
// so in the test's log, where a mutant that only crashes inside
// procedures reveal passed with nothing to tell it from a full check;
// the full check logs nothing.
func TestVerifyNarrowedSays(t *testing.T) {
	for _, tc := range []struct {
		crashes model.CrashMode
		says    string
	}{
		{model.CrashBetweenOps, "checktest: verified with crashes=between-ops: over the narrowed graph only"},
		{model.CrashNoNested, "checktest: verified with crashes=no-nested: over the narrowed graph only"},
		{model.CrashAll, ""},
	} {
		r := &recorder{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			checktest.Verify(r, repdisk(replicated.Correct), explorer.Config{Workers: 2, Crashes: tc.crashes})
		}()
		<-done
		if r.failed != "" || !strings.Contains(r.logs, tc.says) || tc.says == "" && r.logs != "" {
			t.Errorf("crashes=%s: failed %q, logged %q, want a log saying %q", tc.crashes, r.failed, r.logs, tc.says)
		}
	}
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		checktest.Verify(r, repdisk(replicated.NoRecovery), explorer.Config{Workers: 2, Crashes: model.CrashBetweenOps})
	}()
	<-done
	if r.failed != "" || !strings.Contains(r.logs, "narrowed graph only") {
		t.Errorf("the no-recovery mutant between operations: failed %q, logged %q", r.failed, r.logs)
	}
}

func TestGolden(t *testing.T) {
	res := checktest.Violates(t, repdisk(replicated.RecoverBlock0Only), model.KindRecovery, 2)
	checktest.Golden(t, "testdata/recover-block0-only.txt", res)
	if got := failure(t, func(tb testing.TB) { checktest.Golden(tb, "testdata/no-such-file.txt", res) }); !strings.Contains(got, "-update writes it") {
		t.Errorf("Golden of a missing file failed with %q", got)
	}
}

// eager is replicated's implementation, which reads block 0 of the disks
// while its Instance is built: a mistake that Verify reports as an error
// naming the call, not a panic.
func eager(d twodisk.API) model.Instance[onedisk.API] {
	d.Read(twodisk.D0, 0)
	return replicated.Impl(replicated.Correct)(d)
}

// TestVerifyRefusesAnImplThatCallsWhileBuilt: Verify and Violates fail
// the test with Validate's error, naming the call and its line, when the
// implementation calls the lower layer while its Instance is built.
func TestVerifyRefusesAnImplThatCallsWhileBuilt(t *testing.T) {
	sys := model.NewSystem(twodisk.Layer(sizes), onedisk.Layer(sizes), eager, replicated.Abs)
	for name, check := range map[string]func(testing.TB){
		"Verify":   func(tb testing.TB) { checktest.Verify(tb, sys) },
		"Violates": func(tb testing.TB) { checktest.Violates(tb, sys, model.KindRecovery, 2) },
	} {
		got := failure(t, check)
		for _, want := range []string{"checktest: invalid search: model: Impl called the lower layer (", "checktest_test.go:", "while the implementation's Instance was built"} {
			if !strings.Contains(got, want) {
				t.Errorf("%s failed with %q, which lacks %q", name, got, want)
			}
		}
	}
}

// sharedOps is a spec whose Ops returns a slice of a longer array it
// keeps, as a spec that builds its operations once may.
type sharedOps struct {
	onedisk.Spec
	ops []disk.Op
}

func (s sharedOps) Ops() []disk.Op { return s.ops[:len(s.ops)-1] }

// TestSpecKeepsTheSpecsOps: the operations given to Spec are walked
// beside the spec's own, never written into the array its Ops returned.
func TestSpecKeepsTheSpecsOps(t *testing.T) {
	sp := onedisk.NewSpec(sizes)
	sentinel := disk.Op{Kind: disk.Write, Addr: 1, Val: 1}
	kept := append(slices.Clone(sp.Ops()), sentinel)
	l := onedisk.Layer(sizes)
	l.Spec = sharedOps{Spec: sp, ops: kept}
	checktest.Spec(t, l, disk.Op{Kind: disk.Read, Addr: 0})
	if got := kept[len(kept)-1]; got != sentinel {
		t.Errorf("the spec's operations array ends in %+v after Spec, want %+v: Spec appended into it", got, sentinel)
	}
}

// exitingRecovery is replicated's implementation whose recovery ends the
// process with status 0 once both disks are found equal: under go test,
// Go makes that call panic.
func exitingRecovery(d twodisk.API) model.Instance[onedisk.API] {
	in := replicated.Impl(replicated.Correct)(d)
	recovery := in.Recover
	in.Recover = func() {
		recovery()
		if a, _ := d.Read(twodisk.D0, 0); a == 1 {
			os.Exit(0)
		}
	}
	return in
}

// TestExitInLayerCodeIsAPanic: layer code calling os.Exit(0), which would
// end a binary with status 0 and no verdict, is a panic violation under
// go test, found at its shortest path.
func TestExitInLayerCodeIsAPanic(t *testing.T) {
	sys := model.NewSystem(twodisk.Layer(sizes), onedisk.Layer(sizes), exitingRecovery, replicated.Abs)
	res := checktest.Violates(t, sys, model.KindPanic, 2)
	if !strings.Contains(res.Violation.Message, "os.Exit(0)") {
		t.Errorf("violation %q does not name os.Exit(0)", res.Violation.Message)
	}
}

// TestVerifyFailsAnIncompleteSearch: Verify fails a search that a bound
// stopped before its verdict, which checked part of the state graph only.
func TestVerifyFailsAnIncompleteSearch(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  explorer.Config
	}{
		{"max-states", explorer.Config{MaxStates: 5}},
		{"max-depth", explorer.Config{MaxDepth: 1}},
		{"memory", explorer.Config{MemoryBytes: 1}},
		{"memory, one worker", explorer.Config{Workers: 1, MemoryBytes: 1000}},
	} {
		got := failure(t, func(tb testing.TB) { checktest.Verify(tb, repdisk(replicated.Correct), tc.cfg) })
		if want := "checktest: want verified, got incomplete"; !strings.HasPrefix(got, want) {
			t.Errorf("Verify bounded by %s failed with %q, want %q", tc.name, got, want)
		}
	}
}

// TestSearchesInFull: Verify and Violates search with
// model.DeterminismFull whatever the Config says: they replace a mode
// that the explorer would refuse, and never search with it.
func TestSearchesInFull(t *testing.T) {
	cfg := explorer.Config{Workers: 2, Determinism: model.Determinism(7)}
	checktest.Verify(t, repdisk(replicated.Correct), cfg)
	checktest.Violates(t, repdisk(replicated.NoRecovery), model.KindRecovery, 2, cfg)
}

// floatSpec is a specification whose state holds a float, which a check
// refuses (model.PlainValue); its encoding and steps are right.
type floatSpec struct{}

type floatState struct{ V float64 }

func (floatSpec) Init() []floatState { return []floatState{{}} }
func (floatSpec) Ops() []int         { return []int{1} }
func (floatSpec) Step(s *floatState, op int, _ model.Chooser) int {
	s.V = float64(int(s.V+float64(op)) % 3)
	return 0
}
func (floatSpec) Crash(*floatState, model.Chooser) {}
func (floatSpec) AppendEncode(dst []byte, s *floatState) []byte {
	return append(dst, byte(s.V))
}
func (floatSpec) Decode(src []byte, s *floatState) (int, error) {
	if len(src) == 0 {
		return 0, fmt.Errorf("no state")
	}
	s.V = float64(src[0])
	return 1, nil
}
func (floatSpec) Format(s *floatState) string { return fmt.Sprint(s.V) }

// TestSpecRefusesStatesThatAreNotPlain: Spec fails at once on a state
// type that is not a plain value, whose walks would pass.
func TestSpecRefusesStatesThatAreNotPlain(t *testing.T) {
	l := model.NewLayer[floatState, int, int]("float", floatSpec{})
	got := failure(t, func(tb testing.TB) { checktest.Spec(tb, l) })
	if want := `checktest: layer "float"'s states are not plain values: checktest_test.floatState.V is a float64`; !strings.HasPrefix(got, want) {
		t.Errorf("Spec of a float state failed with %q, want %q", got, want)
	}
}

// TestViolatesTakesEveryKind: the kinds Violates takes are the Kind
// constants of package model, so that a kind added there is not refused.
func TestViolatesTakesEveryKind(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "../model/system.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var consts []string
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.CONST {
			for _, spec := range g.Specs {
				v := spec.(*ast.ValueSpec)
				for i, name := range v.Names {
					if lit, ok := v.Values[i].(*ast.BasicLit); ok && strings.HasPrefix(name.Name, "Kind") {
						consts = append(consts, strings.Trim(lit.Value, `"`))
					}
				}
			}
		}
	}
	slices.Sort(consts)
	kinds := slices.Sorted(slices.Values(checktest.Kinds))
	if len(consts) == 0 || !slices.Equal(consts, kinds) {
		t.Errorf("Violates takes %v, model's Kind constants are %v", kinds, consts)
	}
}

// named is a state that a Codec cannot encode: a string.
type named struct{ S string }

// namedSpec has the zero Codec, which checks its type at the first state
// it encodes.
type namedSpec struct{ model.Codec[named] }

func (namedSpec) Init() []named                             { return []named{{}} }
func (namedSpec) Ops() []int                                { return []int{0} }
func (namedSpec) Crash(*named, model.Chooser)               {}
func (namedSpec) Step(s *named, _ int, _ model.Chooser) int { return len(s.S) }

// TestSpecRefusesStatesACodecCannotEncode: Spec fails with the Codec's
// message on a state type that the zero Codec cannot encode, as a check
// refuses it, where it once panicked with a stack trace.
func TestSpecRefusesStatesACodecCannotEncode(t *testing.T) {
	l := model.NewLayer[named, int, int]("names", namedSpec{})
	got := failure(t, func(tb testing.TB) { checktest.Spec(tb, l) })
	if want := `checktest: layer "names": AppendEncode of an initial state panicked, and a check refuses the system: model: a Codec cannot encode checktest_test.named.S, of kind string`; !strings.HasPrefix(got, want) {
		t.Errorf("Spec of a string state failed with %q, want %q", got, want)
	}
}

// errRet is a result that carries an error.
type errRet struct {
	V   uint8
	Err error
}

// errSpec is a register of 0..1 whose reads of 0 fail with the error
// that mkErr makes.
type errSpec struct {
	model.Codec[uint8]
	mkErr func() error
}

func (errSpec) Init() []uint8               { return []uint8{0} }
func (errSpec) Ops() []uint8                { return []uint8{0, 1, 2} }
func (errSpec) Crash(*uint8, model.Chooser) {}
func (sp errSpec) Step(s *uint8, op uint8, _ model.Chooser) errRet {
	if op > 0 {
		*s = op - 1
	}
	if *s == 0 {
		return errRet{Err: sp.mkErr()}
	}
	return errRet{V: *s}
}

var errEmpty = errors.New("empty")

// TestSpecResultsThatPrintAlike: a step whose result carries an error
// made in the step (fmt.Errorf) is not deterministic, since the explorer
// compares results with ==, and the failure says why, where it said the
// step gave {0 read: empty} the first time and the second; one carrying
// a sentinel error passes.
func TestSpecResultsThatPrintAlike(t *testing.T) {
	for _, tc := range []struct {
		name  string
		mkErr func() error
		want  string
	}{
		{"sentinel", func() error { return errEmpty }, ""},
		{"fmt.Errorf", func() error { return fmt.Errorf("read: %w", errEmpty) }, "(results that print alike but differ under ==: one holding a pointer made in the step"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := model.NewLayer[uint8, uint8, errRet]("register", errSpec{mkErr: tc.mkErr})
			if got := failure(t, func(tb testing.TB) { checktest.Spec(tb, l) }); tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
				t.Fatalf("Spec failed with %q, want %q", got, tc.want)
			}
		})
	}
}
