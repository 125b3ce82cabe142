package checktest

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

// load loads the packages that patterns name (as the go command names
// them), with their syntax and types, for the reader of layer code named
// helper ("NoPackageState"). It fails t on no pattern, on a load error,
// on no package matched, and on a package whose only Go files are test
// files, which would pass having read nothing, unless a pattern has a
// "..." wildcard: those it logs.
func load(t testing.TB, helper string, patterns []string) []*packages.Package {
	t.Helper()
	if len(patterns) == 0 {
		t.Fatalf(`checktest.%s: no package named (give "." for the test's own)`, helper)
	}
	mode := packages.NeedName | packages.NeedFiles | packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo
	pkgs, err := packages.Load(&packages.Config{Mode: mode}, patterns...)
	if err != nil {
		t.Fatalf("checktest.%s: loading %s: %v", helper, strings.Join(patterns, " "), err)
	}
	if len(pkgs) == 0 {
		t.Fatalf("checktest.%s: no package matches %s", helper, strings.Join(patterns, " "))
	}
	for _, p := range pkgs {
		for _, e := range p.Errors {
			t.Fatalf("checktest.%s: package %s: %v", helper, p.PkgPath, e)
		}
	}
	wildcard := slices.ContainsFunc(patterns, func(p string) bool { return strings.Contains(p, "...") })
	for _, p := range pkgs {
		switch {
		case len(p.Syntax) > 0:
		case wildcard:
			t.Logf("checktest.%s: package %s has no Go files but its tests, which are not read: name it alone to make that a failure", helper, p.PkgPath)
		default:
			t.Errorf("checktest.%s: package %s has no Go files but its tests, which %s does not read: the layer code kept there goes unchecked (move it into a file that is not a _test.go file)", helper, p.PkgPath, helper)
		}
	}
	return pkgs
}
