package checktest_test

import (
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/checktest"
)

// TestNoPackageStateFindsEveryChange: each line of the package writes
// marked "want" changes a package-level variable, and is named, with the
// function and the variable; no other line is.
func TestNoPackageStateFindsEveryChange(t *testing.T) {
	const file = "testdata/packagestate/writes/writes.go"
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var want []int
	for i, line := range strings.Split(string(src), "\n") {
		if strings.HasSuffix(line, "// want") {
			want = append(want, i+1)
		}
	}
	got := failure(t, func(tb testing.TB) { checktest.NoPackageState(tb, "./testdata/packagestate/writes") })
	var lines []int
	for _, m := range regexp.MustCompile(`writes\.go:(\d+):\d+: `).FindAllStringSubmatch(got, -1) {
		n, _ := strconv.Atoi(m[1])
		lines = append(lines, n)
	}
	if !slices.Equal(lines, want) {
		t.Fatalf("lines named %v, want %v:\n%s", lines, want, got)
	}
	for _, s := range []string{
		"(*Log).Write assigns package-level variable calls: state that argocheck's search does not see (keep it in the lower layer, or build it in Impl)",
		"(*Log).Write calls the pointer method Lock on package-level variable mu",
		"(*Log).Write takes the address of package-level variable hits",
		"(Log).Recover receives from package-level variable queue",
		"(Log).Recover assigns package-level variable os.Args",
		"(Log).Recover calls the pointer method Read on package-level variable os.Stdin",
		"(Log).Recover calls the pointer method Close on package-level variable os.Stderr",
		"(Log).Recover deletes from package-level variable cache",
		"(*Log).Write copies into package-level variable names",
		"a function literal assigns package-level variable calls",
		"a function literal assigns package-level variable recovered",
		"Touch assigns package-level variable head through the local p: state that",
		"Touch deletes from package-level variable counts through the local m",
		"Touch assigns package-level variable ptrs through the local p",
		"Touch assigns package-level variable holder through the local h",
		"Touch appends into package-level variable table through the local b",
		"Touch calls the pointer method Grow on package-level variable geometry through the local g",
		"Touch takes the pointer method value Lock, bound to package-level variable mu",
		"Measure calls the pointer method Resize on package-level variable geometry",
		"Measure calls the method add, which changes what its receiver reaches, on package-level variable seen",
		"Measure takes the method value add, which changes what its receiver reaches, bound to package-level variable seen",
		"Lookup calls the method Put of *lru on package-level variable blockCache",
		"Lookup calls the interface method Get on package-level variable opaque",
		"Grow calls the pointer method SetInt64 on package-level variable maxSize",
		"Grow assigns package-level variable base64.StdEncoding",
		"Count assigns package-level variable entries through the local e",
		"Count takes the address of package-level variable entries through the local e",
		"Count assigns package-level variable entries through the local f",
		"Convert calls the method Put of *lru on package-level variable converted",
		"a function literal assigns the variable done, made while the package initialized and captured by a function literal:",
		"a function literal assigns the variable n, made while the package initialized and captured by a function literal:",
		"MarkBooted calls os.Setenv, which changes the process's environment: state that argocheck's search does not see",
		"MarkBooted calls os.WriteFile, which changes the file system",
		"MarkBooted calls os.OpenFile, which changes the file system",
		"a function literal in NewCounter assigns the variable n, made by the call at testdata/packagestate/writes/writes.go:",
		", which runs while the package initializes, and captured by a function literal: state that argocheck's search does not see, and that no System built anew makes anew (keep it in the lower layer, or build it in Impl)",
		"a function literal assigns the variable counts through the local m, made while the package initialized",
		"Sizes calls the pointer method Do on package-level variable sizeOnce",
		"Extend assigns package-level variable sizeTab",
		"Boot calls the pointer method Do on package-level variable bootOnce",
		"Repair assigns package-level variable repaired",
		"Limit calls the pointer method Do on package-level variable limitOnce",
		"Snapshot calls the function that sync.OnceValue made, held in package-level variable snapshot: state that",
		"Bump calls the pointer method Lock on package-level variable tableMu",
		"Peek calls the pointer method Unlock on package-level variable peekMu",
		"Poison assigns package-level variable crcTab through what lazyCRC returns: state that",
		"Poison assigns package-level variable crcTab through the local t",
		"Poison copies into package-level variable crcTab through what lazyCRC returns",
		"Poison appends into package-level variable crcTab through the local t",
		"Poison passes to fillTable, which may change it, package-level variable crcTab through what lazyCRC returns",
		"Poison assigns package-level variable crcTab through the local s",
		"Poison assigns package-level variable crcTab through what shared returns",
		"Either assigns package-level variable crcSpare through what either returns",
		"lazySpare calls the pointer method Do on package-level variable spareOnce",
		"SetPlain assigns package-level variable plainTab through what plainTable returns",
		"SetPlain passes to fillInts, which may change it, package-level variable plainTab: state that",
		"Square assigns package-level variable squaresOf through the local t",
		"Half calls the pointer method Do on package-level variable halfOnce",
		"Deep assigns package-level variable deepTab",
		"init calls m while the package initializes, through a func value or an interface whose functions NoPackageState cannot tell: what they change, and the closures they make, which live on as package-level variables do, go unchecked (call a function or method of the packages by name there, or keep the func in a package-level variable, not exported, given only functions of the packages)",
		"a function literal in newTallyFunc assigns the variable n, made by the call at testdata/packagestate/writes/writes.go:",
		"a function literal assigns the variable k, made by the call at testdata/packagestate/writes/writes.go:",
		"a function literal in (seq).Counter assigns the variable c, made by the call at testdata/packagestate/writes/writes.go:",
		"Forward calls f through eachInt while the package initializes",
		"a function literal in Counted assigns the variable n, made by the call at",
	} {
		if !strings.Contains(got, s) {
			t.Errorf("no %q in:\n%s", s, got)
		}
	}
}

// TestNoPackageStateAcceptsInit: variables set only while the package
// initializes (by init, by the functions only init calls, by their
// initializers) and read after are not package state; nor are locals
// and the instance's fields, a copy of a variable's value, nor methods
// that only read their receiver (the package's own pointer methods, an
// interface's whose values' types are seen, String and Error), nor the
// reads and writes of storage code written as Go code is (clean's
// storage.go): a checksum table, zero blocks copied from, a byte order,
// loggers, and lines written to os.Stderr, which, before, its Write and
// WriteString were a change of os.Stderr where fmt.Fprintf was not; and a
// base64 or base32 Encoding that encodes and decodes, a big.Int bound
// read with Cmp, Sign and String, and a time.Location's String, which,
// before, were each a "pointer method" changing the variable; and a
// table's entry read through its address (g := &blockShapes[k]; g.size),
// which, before, "takes the address of" the table; and a byte order
// converted to binary.ByteOrder, whose Uint16 was an interface method
// that might change it; and (clean's lazy.go) tables built once when
// first needed, by a sync.Once's Do or by sync.OnceFunc, OnceValue and
// OnceValues, and locks held only around reads, which, before, were each
// named (the Do, the variable it builds, the lock), and closures that
// exported functions make, which only read what the package's
// initialization made or which no initialization makes.
func TestNoPackageStateAcceptsInit(t *testing.T) {
	if got := failure(t, func(tb testing.TB) { checktest.NoPackageState(tb, "./testdata/packagestate/clean") }); got != "" {
		t.Fatal(got)
	}
}

// TestCatalogueKeepsNoPackageState: the built-in layers keep their state
// in the lower layer.
func TestCatalogueKeepsNoPackageState(t *testing.T) {
	checktest.NoPackageState(t, "github.com/argocheck/argocheck/layers/...")
}

// A wildcard pattern matches packages of tests alone too, as "./..."
// does over a module with an integration test: those are logged, not a
// failure.
func TestNoPackageStateWildcardTestsOnly(t *testing.T) {
	r := record(t, func(tb testing.TB) { checktest.NoPackageState(tb, "./testdata/packagestate/testsonly/...") })
	if r.failed != "" || !strings.Contains(r.logs, "has no Go files but its tests") {
		t.Errorf("failed with %q, logged %q", r.failed, r.logs)
	}
}

func TestNoPackageStateBadInput(t *testing.T) {
	for _, tc := range []struct {
		patterns []string
		want     string
	}{
		{nil, `checktest.NoPackageState: no package named (give "." for the test's own)`},
		{[]string{"./testdata/packagestate/nosuch"}, "checktest.NoPackageState: package "},
		// Its code is all in a test file, which is not read: it fails
		// rather than pass having read nothing.
		{[]string{"./testdata/packagestate/testsonly"}, "has no Go files but its tests"},
		{[]string{"./testdata/packagestate/clean", "./testdata/packagestate/testsonly"}, "has no Go files but its tests"},
	} {
		if got := failure(t, func(tb testing.TB) { checktest.NoPackageState(tb, tc.patterns...) }); !strings.Contains(got, tc.want) {
			t.Errorf("%q: failed with %q, want %q", tc.patterns, got, tc.want)
		}
	}
}
