package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/model"
)

// panickyInit is a disk specification whose Init panics.
type panickyInit struct{ onedisk.Spec }

func (panickyInit) Init() []onedisk.State { panic("no initial disk") }

// brokenSystem is a disk passed through to a disk whose variant eager
// reads block 0 while its Instance is built, and whose variant init has
// a lower specification whose Init panics: systems that cannot run. Its
// Build returns no check and no error for variant nil, an error for
// variant error, panics for variant build-panics, reads a parameter
// by a misspelled name for variant misspelled, and returns the check it
// built first again for variant kept, which no determinism check could
// run on a System built anew.
func brokenSystem() *catalog.System {
	var kept model.Checker
	return &catalog.System{
		Name:   "broken",
		Params: []catalog.Param{{Name: "blocks", Min: 1, Max: 1, Default: 1, About: "blocks of the disk"}},
		Variants: catalog.Variants{
			{Name: "eager", About: "reads block 0 while its Instance is built"},
			{Name: "init", About: "the lower Init panics"},
			{Name: "nil", About: "Build returns no check and no error"},
			{Name: "error", About: "Build returns an error"},
			{Name: "build-panics", About: "Build panics"},
			{Name: "misspelled", About: "Build reads parameter blokcs"},
			{Name: "kept", About: "Build returns the one check it built first"},
		},
		Build: func(p catalog.Params, variant string) (model.Checker, error) {
			switch variant {
			case "kept":
				if kept == nil {
					sizes := disk.Sizes{Blocks: 1, Values: 2}
					impl := func(lower onedisk.API) model.Instance[onedisk.API] {
						return model.Instance[onedisk.API]{API: lower, Recover: func() {}}
					}
					kept = model.NewSystem(onedisk.Layer(sizes), onedisk.Layer(sizes), impl, func(c *onedisk.State) (onedisk.State, bool) { return *c, true })
				}
				return kept, nil
			case "nil":
				return nil, nil
			case "error":
				return nil, errors.New("no disk")
			case "build-panics":
				panic("no such system")
			}
			sizes := disk.Sizes{Blocks: p.Get("blocks"), Values: 2}
			if variant == "misspelled" {
				sizes.Blocks = p.Get("blokcs")
			}
			impl := func(lower onedisk.API) model.Instance[onedisk.API] {
				if variant == "eager" {
					lower.Read(0)
				}
				return model.Instance[onedisk.API]{API: lower, Recover: func() {}}
			}
			same := func(c *onedisk.State) (onedisk.State, bool) { return *c, true }
			lower := onedisk.Layer(sizes)
			if variant == "init" {
				lower.Spec = panickyInit{onedisk.NewSpec(sizes)}
			}
			return model.NewSystem(lower, onedisk.Layer(sizes), impl, same), nil
		},
	}
}

// TestCheckOfASystemThatCannotRun: check of a system whose layer code
// panics, or calls the lower layer while its Instance is built, when
// the system is validated exits with status 2 and one line on stderr
// naming the code, the panic's value or the call, and the line, and
// prints nothing on stdout; so does a Build that panics or returns no
// check and no error, or returns an error (the line is the error's), with
// check, shard and a plan line, and one that
// reads a parameter the system does not take (a zero in its place would
// check another system than the one named).
func TestCheckOfASystemThatCannotRun(t *testing.T) {
	cat, err := catalog.New(brokenSystem())
	if err != nil {
		t.Fatal(err)
	}
	plan := filepath.Join(t.TempDir(), "broken.plan")
	if err := os.WriteFile(plan, []byte("broken variant=build-panics expect=verified\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"check", "broken", "--variant", "eager"}, []string{
			"argocheck: broken: model: Impl called the lower layer (read(0) at onedisk/onedisk.go:",
			", called from cli/validate_test.go:",
			"while the implementation's Instance was built"}},
		{[]string{"check", "broken", "--variant", "init", "--json"}, []string{
			"argocheck: broken: model: Lower.Spec.Init panicked at cli/validate_test.go:", ": no initial disk\n"}},
		{[]string{"check", "broken", "--variant", "nil"}, []string{
			"argocheck: broken: Build returned no check (a nil model.Checker) and no error, for variant nil\n"}},
		{[]string{"check", "broken", "--variant", "error"}, []string{"argocheck: broken: no disk\n"}},
		{[]string{"check", "broken", "--variant", "build-panics", "--json"}, []string{
			"argocheck: broken: Build panicked at cli/validate_test.go:", ", for variant build-panics: no such system\n"}},
		{[]string{"check", "broken", "--variant", "misspelled"}, []string{
			"argocheck: broken: Build panicked at cli/validate_test.go:", ", for variant misspelled: catalog: no parameter blokcs (parameters: blocks): a misspelled name, or one the system does not take\n"}},
		{[]string{"check", "broken", "--variant", "kept"}, []string{
			"argocheck: broken: model: building the check again gave the same *model.System[", "must build it anew each time"}},
		{[]string{"shard", "broken", "--variant", "nil", "--shards", "1", "--index", "0", "--exchange", "file://" + t.TempDir()}, []string{
			"argocheck: broken: Build returned no check (a nil model.Checker) and no error, for variant nil\n"}},
		{[]string{"run", plan}, []string{
			"argocheck: " + plan + ":1: broken: Build panicked at cli/validate_test.go:", ", for variant build-panics: no such system\n"}},
	} {
		var out, errb bytes.Buffer
		code := Run(cat, tc.args, &out, &errb)
		if code != ExitUsage || out.Len() != 0 || strings.Count(errb.String(), "\n") != 1 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d and one line on stderr", tc.args, code, out.String(), errb.String(), ExitUsage)
		}
		for _, w := range tc.want {
			if !strings.Contains(errb.String(), w) {
				t.Errorf("%v: stderr %q, want it to say %q", tc.args, errb.String(), w)
			}
		}
	}
}
