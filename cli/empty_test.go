package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/argocheck/argocheck/layers"
)

// TestEmptyValuesRefused gives each flag of each command that takes
// words an empty value, as a script's "$REPORT" of a variable not set
// does, and wants bad usage naming the flag: an empty value is never
// taken for the flag's default or for none, also after a value given
// before it. A flag that mustName marks is refused in its own words.
func TestEmptyValuesRefused(t *testing.T) {
	root, err := newRoot(layers.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	plan := writeFile(t, dir, "plan", "repdisk blocks=1\n")
	store := filepath.Join(dir, "store")
	if _, stderr, code := cli(t, "check", "repdisk", "--blocks", "1", "-q", "--store", store); code != ExitVerified {
		t.Fatalf("storing a run: status %d, %s", code, stderr)
	}
	// Arguments with which each command runs, and succeeds, without
	// the flag under test.
	args := map[string][]string{
		"check":  {"repdisk", "--blocks", "1", "-q"},
		"shard":  {"repdisk", "--blocks", "1", "-q", "--shards", "1", "--index", "0", "--exchange", "file://" + filepath.ToSlash(filepath.Join(dir, "objects"))},
		"run":    {plan, "-q"},
		"bench":  {"--quick", "--systems", "repdisk", "--size", "blocks=1", "--out", filepath.Join(dir, "bench")},
		"resume": {store, "-q"},
		"trace":  {store},
		"list":   nil,
	}
	tried := 0
	for _, cmd := range root.Commands() {
		if help, _, _ := cli(t, cmd.Name(), "--help"); strings.Contains(help, "(default [])") || strings.Contains(help, `(default "")`) {
			t.Errorf("%s --help shows an empty default:\n%s", cmd.Name(), help)
		}
		cmd.Flags().VisitAll(func(f *pflag.Flag) {
			_, list := f.Value.(pflag.SliceValue)
			if f.Value.Type() != "string" && !list {
				return
			}
			t.Run(cmd.Name()+"/"+f.Name, func(t *testing.T) {
				base, ok := args[cmd.Name()]
				if !ok {
					t.Fatalf("no arguments to run %s with", cmd.Name())
				}
				_, stderr, code := cli(t, append(append([]string{cmd.Name()}, base...), "--"+f.Name+"=")...)
				if code != ExitUsage || !strings.Contains(stderr, "--"+f.Name) {
					t.Fatalf("--%s= gave status %d (want %d, bad usage naming the flag):\n%s", f.Name, code, ExitUsage, stderr)
				}
				if v, ok := f.Value.(mustNameValue); ok {
					if want := "argocheck: --" + f.Name + " must " + v.what + ", not \"\"\n"; stderr != want {
						t.Fatalf("stderr %q, want %q", stderr, want)
					}
				}
			})
			tried++
		})
	}
	if tried < 15 {
		t.Fatalf("only %d flags tried: the commands were not all visited", tried)
	}
}
