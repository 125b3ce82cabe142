package catalog_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/model"
)

func testSystem() *catalog.System {
	return &catalog.System{
		Name: "repdisk",
		Params: []catalog.Param{
			{Name: "blocks", Default: 2, Min: 1, Max: 8},
			{Name: "oob", Bool: true},
		},
		Variants: catalog.Variants{{Name: "no-recovery"}},
		Build:    func(catalog.Params, string) (model.Checker, error) { return nil, errors.New("not built") },
	}
}

// TestValidateNoVariants: the variants an unknown variant's error lists
// are those of the system, the correct one alone when it has no other.
func TestValidateNoVariants(t *testing.T) {
	sys := testSystem()
	sys.Variants = nil
	err := sys.Validate(catalog.Params{"blocks": 2, "oob": 1}, "nosuch")
	if want := `repdisk: unknown variant "nosuch" (variants: correct)`; err == nil || err.Error() != want {
		t.Fatalf("Validate: %v, want %s", err, want)
	}
}

// TestValidateWords: Validate names a parameter as a parameter, in no
// syntax of a command line, and a value out of range is a RangeError,
// which a caller words as it writes the parameter.
func TestValidateWords(t *testing.T) {
	sys := testSystem()
	for _, tc := range []struct {
		params  catalog.Params
		variant string
		want    string
		says    string // RangeError.Says("--NAME"), "" when not a RangeError
	}{
		{catalog.Params{"blocks": 99, "oob": 0}, "", "repdisk: blocks must be between 1 and 8, not 99", "--blocks must be between 1 and 8, not 99"},
		{catalog.Params{"blocks": 0, "oob": 0}, "", "repdisk: blocks must be between 1 and 8, not 0", "--blocks must be between 1 and 8, not 0"},
		{catalog.Params{"blocks": 2, "oob": 2}, "", "repdisk: oob must be true or false, not 2", "--oob must be true or false, not 2"},
		{catalog.Params{"blocks": 2}, "", "repdisk: no value for oob", ""},
		{catalog.Params{"blocks": 2, "oob": 1}, "nosuch", `repdisk: unknown variant "nosuch" (variants: correct, no-recovery)`, ""},
		{catalog.Params{"blocks": 8, "oob": 1}, "no-recovery", "", ""},
	} {
		err := sys.Validate(tc.params, tc.variant)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%v %q: %v", tc.params, tc.variant, err)
			}
			continue
		}
		if err == nil || err.Error() != tc.want || strings.Contains(err.Error(), "--") {
			t.Errorf("%v %q: error %v, want %q", tc.params, tc.variant, err, tc.want)
			continue
		}
		e, ok := errors.AsType[*catalog.RangeError](err)
		switch {
		case ok != (tc.says != ""):
			t.Errorf("%v: RangeError %v, want %v", tc.params, ok, tc.says != "")
		case ok:
			if got := e.Says("--" + e.Param.Name); got != tc.says {
				t.Errorf("%v: Says %q, want %q", tc.params, got, tc.says)
			}
		}
	}
	// Check and a catalogue's Check say the same.
	cat, err := catalog.New(sys)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cat.Check("repdisk", catalog.Params{"blocks": 9}, ""); err == nil || err.Error() != "repdisk: blocks must be between 1 and 8, not 9" {
		t.Errorf("Check: %v", err)
	}
}

// newSystems returns two systems that make a valid catalogue: repdisk,
// with benchmark sizes, and other, whose modular check is repdisk's at
// its default blocks, then other's own.
func newSystems() []*catalog.System {
	rep := testSystem()
	rep.Bench = catalog.BenchSizes{
		Full:  []catalog.Params{{"blocks": 2}, {"blocks": 3, "oob": 1}},
		Quick: []catalog.Params{{"blocks": 1}},
	}
	other := testSystem()
	other.Name = "other"
	other.Params = []catalog.Param{{Name: "oob", Bool: true, Max: 1}}
	other.Modular = func(p catalog.Params, variant string) ([]catalog.Part, error) {
		return []catalog.Part{
			{System: "repdisk", Params: catalog.Params{"oob": p["oob"]}, Variant: variant},
			{System: "other", Params: p, Variant: variant},
		}, nil
	}
	return []*catalog.System{rep, other}
}

// modular returns the change of a catalogue of newSystems whose other
// system's modular check gives its first part changed by mod.
func modular(mod func(*catalog.Part)) func([]*catalog.System) {
	return func(systems []*catalog.System) {
		orig := systems[1].Modular
		systems[1].Modular = func(p catalog.Params, variant string) ([]catalog.Part, error) {
			parts, err := orig(p, variant)
			mod(&parts[0])
			return parts, err
		}
	}
}

// TestNewRefuses: New refuses each mistake in a system or a parameter
// with an error that names the system and the parameter; each row is a
// valid catalogue but for one mistake.
func TestNewRefuses(t *testing.T) {
	param := func(mod func(*catalog.Param)) func([]*catalog.System) {
		return func(systems []*catalog.System) { mod(&systems[0].Params[0]) }
	}
	for _, tc := range []struct {
		name string
		mod  func([]*catalog.System)
		want string
	}{
		{"nil system", func(s []*catalog.System) { s[1] = nil }, "catalog: system 2 of 2 is nil"},
		{"no name", func(s []*catalog.System) { s[1].Name = "" }, "catalog: a system has no name"},
		{"name with a space", func(s []*catalog.System) { s[1].Name = "rep disk" },
			`catalog: system "rep disk": the name is not a letter or digit followed by letters, digits, '-', '_', '.' or '/'`},
		{"name like a flag", func(s []*catalog.System) { s[1].Name = "-rep" },
			`catalog: system "-rep": the name is not a letter or digit followed by letters, digits, '-', '_', '.' or '/'`},
		{"no Build", func(s []*catalog.System) { s[1].Build = nil }, "catalog: system other has no Build"},
		{"two systems of a name", func(s []*catalog.System) { s[1].Name = "repdisk" }, "catalog: two systems are named repdisk"},
		{"parameter without a name", param(func(q *catalog.Param) { q.Name = "" }), "catalog: system repdisk: a parameter has no name"},
		{"parameter name with =", param(func(q *catalog.Param) { q.Name = "blocks=2" }),
			`catalog: system repdisk: parameter "blocks=2": the name is not a letter followed by letters, digits, '-' or '_'`},
		{"parameter name like a flag", param(func(q *catalog.Param) { q.Name = "-blocks" }),
			`catalog: system repdisk: parameter "-blocks": the name is not a letter followed by letters, digits, '-' or '_'`},
		{"parameter named as a search flag", param(func(q *catalog.Param) { q.Name = "workers" }),
			"catalog: system repdisk: parameter workers: the name is reserved for the command line (a flag of check or shard, or a key of plan lines)"},
		{"parameter named as a plan key", param(func(q *catalog.Param) { q.Name = "expect" }),
			"catalog: system repdisk: parameter expect: the name is reserved for the command line (a flag of check or shard, or a key of plan lines)"},
		{"two parameters of a name", func(s []*catalog.System) { s[0].Params[1].Name = "blocks"; s[0].Params[1].Bool = false },
			"catalog: system repdisk: two parameters are named blocks"},
		{"Min above Max", param(func(q *catalog.Param) { q.Min, q.Max, q.Default = 8, 1, 1 }),
			"catalog: system repdisk: parameter blocks: Min 8 is above Max 1"},
		{"default below Min", param(func(q *catalog.Param) { q.Default = 0 }),
			"catalog: system repdisk: parameter blocks: default 0 is not within 1..8"},
		{"default above Max", param(func(q *catalog.Param) { q.Default = 9 }),
			"catalog: system repdisk: parameter blocks: default 9 is not within 1..8"},
		{"Bool default", func(s []*catalog.System) { s[0].Params[1].Default = 2 },
			"catalog: system repdisk: parameter oob: default 2 is not 0 (false) or 1 (true)"},
		{"Bool range", func(s []*catalog.System) { s[0].Params[1].Max = 2 },
			"catalog: system repdisk: parameter oob: a Bool parameter takes 0 and 1; its Min..Max is 0..2, not 0..1 or unset"},
		{"variant without a name", func(s []*catalog.System) { s[0].Variants[0].Name = "" },
			`catalog: system repdisk: variant "": every system has the correct implementation already, as variant correct (Build gets ""): leave it out of Variants, which list the others`},
		{"variant named correct", func(s []*catalog.System) { s[0].Variants[0].Name = "correct" },
			`catalog: system repdisk: variant "correct": every system has the correct implementation already, as variant correct (Build gets ""): leave it out of Variants, which list the others`},
		{"variant name with a space", func(s []*catalog.System) { s[0].Variants[0].Name = "no recovery" },
			`catalog: system repdisk: variant "no recovery": the name is not a letter or digit followed by letters, digits, '-', '_', '.', ':' or '/'`},
		{"two variants of a name", func(s []*catalog.System) { s[0].Variants = append(s[0].Variants, catalog.Variant{Name: "no-recovery"}) },
			"catalog: system repdisk: two variants are named no-recovery"},
		{"Bool in one system, not in another", func(s []*catalog.System) { s[1].Params[0].Bool = false },
			"catalog: system other: parameter oob: Bool is false, but true in system repdisk, and one flag --oob sets both"},
		{"Bench size with a parameter the system does not take", func(s []*catalog.System) { s[0].Bench.Full[1] = catalog.Params{"blokcs": 3} },
			"catalog: system repdisk: Bench.Full size 2 of 2: repdisk takes no parameter blokcs (parameters: blocks, oob)"},
		{"Bench size out of range", func(s []*catalog.System) { s[0].Bench.Quick[0]["blocks"] = 9 },
			"catalog: system repdisk: Bench.Quick size 1 of 1: blocks must be between 1 and 8, not 9"},
		{"Bench size of a Bool out of range", func(s []*catalog.System) { s[0].Bench.Quick[0]["oob"] = 2 },
			"catalog: system repdisk: Bench.Quick size 1 of 1: oob must be true or false, not 2"},
		{"Bench size twice", func(s []*catalog.System) { s[0].Bench.Full[1] = catalog.Params{"blocks": 2, "oob": 0} },
			"catalog: system repdisk: Bench.Full sizes 1 and 2 are the same size, repdisk blocks=2 oob=false"},
		{"Modular part of no system", modular(func(pt *catalog.Part) { pt.System = "repdsk" }),
			`catalog: system other: Modular part 1 of 2, at the defaults, variant correct: no system "repdsk" in the catalogue`},
		{"Modular part with a parameter its system does not take", modular(func(pt *catalog.Part) { pt.Params = catalog.Params{"blokcs": 2} }),
			"catalog: system other: Modular part 1 of 2, at the defaults, variant correct: repdisk takes no parameter blokcs (parameters: blocks, oob)"},
		{"Modular part out of range", modular(func(pt *catalog.Part) { pt.Params = catalog.Params{"blocks": 0} }),
			"catalog: system other: Modular part 1 of 2, at the defaults, variant correct: repdisk: blocks must be between 1 and 8, not 0"},
		{"Modular part of a variant its system does not have", modular(func(pt *catalog.Part) {
			if pt.Variant != "" {
				pt.Variant = "no-recover"
			}
		}), `catalog: system other: Modular part 1 of 2, at the defaults, variant no-recovery: repdisk: unknown variant "no-recover" (variants: correct, no-recovery)`},
		{"Modular that fails for the correct implementation", func(s []*catalog.System) {
			s[1].Modular = func(catalog.Params, string) ([]catalog.Part, error) { return nil, errors.New("no layers") }
		}, "catalog: system other: Modular fails at the defaults, variant correct: no layers"},
		{"Modular that panics", func(s []*catalog.System) {
			s[1].Modular = func(catalog.Params, string) ([]catalog.Part, error) { panic("no layers") }
		}, "catalog: system other: Modular fails at the defaults, variant correct: panic: no layers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			systems := newSystems()
			if _, err := catalog.New(systems...); err != nil {
				t.Fatalf("without the mistake: %v", err)
			}
			tc.mod(systems)
			cat, err := catalog.New(systems...)
			if err == nil || err.Error() != tc.want {
				t.Errorf("New: %v, %v; want %q", cat, err, tc.want)
			}
		})
	}
}

// TestNewAcceptsModular: New accepts the parts of a system that name a
// system listed after it, and a Modular that refuses a variant (it gives
// no parts to check for it).
func TestNewAcceptsModular(t *testing.T) {
	systems := newSystems()
	if _, err := catalog.New(systems[1], systems[0]); err != nil {
		t.Errorf("parts of a system listed after: %v", err)
	}
	systems = newSystems()
	systems[0].Variants = append(systems[0].Variants, catalog.Variant{Name: "flat"})
	systems[1].Variants = append(systems[1].Variants, catalog.Variant{Name: "flat"})
	orig := systems[1].Modular
	systems[1].Modular = func(p catalog.Params, variant string) ([]catalog.Part, error) {
		if variant == "flat" {
			return nil, errors.New("flat has no layers")
		}
		return orig(p, variant)
	}
	if _, err := catalog.New(systems...); err != nil {
		t.Errorf("a Modular that refuses a variant: %v", err)
	}
	// Each variant's parts are asked for at the defaults, whatever an
	// earlier call wrote into the parameters it was handed.
	systems = newSystems()
	orig = systems[1].Modular
	systems[1].Modular = func(p catalog.Params, variant string) ([]catalog.Part, error) {
		parts, err := orig(maps.Clone(p), variant)
		p["oob"] = 5 // out of range, were it read by the next call
		return parts, err
	}
	if _, err := catalog.New(systems...); err != nil {
		t.Errorf("a Modular that writes into its parameters: %v", err)
	}
}

// TestReservedNames: ReservedNames is sorted, a copy, and every name on
// it is refused as a parameter's.
func TestReservedNames(t *testing.T) {
	names := catalog.ReservedNames()
	if !slices.IsSorted(names) || len(names) == 0 {
		t.Errorf("ReservedNames not sorted: %v", names)
	}
	names[0] = "changed"
	if catalog.ReservedNames()[0] == "changed" {
		t.Error("ReservedNames returns its own slice")
	}
	for _, name := range catalog.ReservedNames() {
		sys := testSystem()
		sys.Params[0].Name = name
		if _, err := catalog.New(sys); err == nil || !strings.Contains(err.Error(), "parameter "+name+": the name is reserved") {
			t.Errorf("parameter %s: %v", name, err)
		}
	}
}

// TestCheckRefusesNoCheck: Check of a system whose Build returns neither
// a check nor an error is an error naming the system and the variant,
// not a nil check with no error; Build's own error passes through.
func TestCheckRefusesNoCheck(t *testing.T) {
	for _, tc := range []struct {
		variant string
		err     error
		want    string
	}{
		{"", nil, "repdisk: Build returned no check (a nil model.Checker) and no error, for variant correct"},
		{"no-recovery", nil, "repdisk: Build returned no check (a nil model.Checker) and no error, for variant no-recovery"},
		{"", errors.New("not built"), "not built"},
	} {
		sys := testSystem()
		sys.Build = func(catalog.Params, string) (model.Checker, error) { return nil, tc.err }
		chk, err := sys.Check(nil, tc.variant)
		if chk != nil || err == nil || err.Error() != tc.want {
			t.Errorf("variant %q, Build's error %v: Check gave %v, %v; want the error %q", tc.variant, tc.err, chk, err, tc.want)
		}
	}
}

// TestParamsGetRefusesAMissingName: Get and Bool return the values of
// parameters that p has, and panic, naming the parameter and those p
// has, at a name it lacks: the parameters Build receives are complete,
// so a name they lack is misspelled, and a zero in its place would check
// another system than the one named.
func TestParamsGetRefusesAMissingName(t *testing.T) {
	p := catalog.Params{"blocks": 3, "oob": 1}
	if p.Get("blocks") != 3 || !p.Bool("oob") {
		t.Errorf("Get(blocks) %d, Bool(oob) %t; want 3 and true", p.Get("blocks"), p.Bool("oob"))
	}
	for _, tc := range []struct {
		p    catalog.Params
		get  func(catalog.Params) any
		want string
	}{
		{p, func(p catalog.Params) any { return p.Get("blokcs") }, "catalog: no parameter blokcs (parameters: blocks, oob): a misspelled name, or one the system does not take"},
		{p, func(p catalog.Params) any { return p.Bool("obb") }, "catalog: no parameter obb (parameters: blocks, oob): a misspelled name, or one the system does not take"},
		{nil, func(p catalog.Params) any { return p.Get("blocks") }, "catalog: no parameter blocks (parameters: none): a misspelled name, or one the system does not take"},
	} {
		got := func() (r any) {
			defer func() { r = recover() }()
			return tc.get(tc.p)
		}()
		if got != tc.want {
			t.Errorf("got %v, want the panic %q", got, tc.want)
		}
	}
}

// TestParse: Parse returns a variant's name and "" as they are and
// refuses any other name, "correct" among them and any name at all for a
// layer with no variants, with an error naming the layer and its
// variants: a name taken for none of them would build another
// implementation than the one asked for.
func TestParse(t *testing.T) {
	l := catalog.Variants{{Name: "no-recovery"}, {Name: "write-d0-only"}}
	for _, tc := range []struct {
		name, err string
	}{
		{"", ""},
		{"no-recovery", ""},
		{"write-d0-only", ""},
		{"nosuch", `unknown replicated-disk variant "nosuch" (variants: no-recovery, write-d0-only)`},
		{"correct", `unknown replicated-disk variant "correct" (variants: no-recovery, write-d0-only)`},
		{"no-recovery ", `unknown replicated-disk variant "no-recovery " (variants: no-recovery, write-d0-only)`},
	} {
		v, err := catalog.Parse[string](l, "replicated-disk", tc.name)
		switch {
		case tc.err == "" && (err != nil || v != tc.name):
			t.Errorf("Parse(%q): %q, %v; want %q", tc.name, v, err, tc.name)
		case tc.err != "" && (err == nil || err.Error() != tc.err || v != ""):
			t.Errorf("Parse(%q): %q, %v; want the error %q", tc.name, v, err, tc.err)
		}
	}
	// With no variants, only the correct implementation is taken.
	if v, err := catalog.Parse[string](nil, "log", "no-flush"); err == nil || err.Error() != `unknown log variant "no-flush" (variants: )` {
		t.Errorf("Parse with no variants: %q, %v; want an error", v, err)
	}
}

// TestCheckBuildsWhatIsAsked: Check hands Build the parameters asked for,
// completed with the defaults, and the variant asked for; a check built
// at other values or of another variant (the correct implementation in
// place of a broken one) would verify what was not asked. String names
// the same values. An unknown variant is refused before Build.
func TestCheckBuildsWhatIsAsked(t *testing.T) {
	for _, tc := range []struct {
		p       catalog.Params
		variant string
		want    catalog.Params
		str     string
	}{
		{nil, "", catalog.Params{"blocks": 2, "oob": 0}, "repdisk blocks=2 oob=false"},
		{catalog.Params{"blocks": 5}, "no-recovery", catalog.Params{"blocks": 5, "oob": 0}, "repdisk blocks=5 oob=false variant=no-recovery"},
		{catalog.Params{"blocks": 8, "oob": 1}, "no-recovery", catalog.Params{"blocks": 8, "oob": 1}, "repdisk blocks=8 oob=true variant=no-recovery"},
	} {
		sys := testSystem()
		var gotP catalog.Params
		gotV := "not called"
		sys.Build = func(p catalog.Params, variant string) (model.Checker, error) {
			gotP, gotV = p, variant
			return nil, errors.New("not built")
		}
		if _, err := sys.Check(tc.p, tc.variant); err == nil || err.Error() != "not built" {
			t.Fatalf("%v %q: Check: %v, want Build's error", tc.p, tc.variant, err)
		}
		if !maps.Equal(gotP, tc.want) || gotV != tc.variant {
			t.Errorf("%v %q: Build got %v %q, want %v %q", tc.p, tc.variant, gotP, gotV, tc.want, tc.variant)
		}
		if got := sys.String(gotP, gotV); got != tc.str {
			t.Errorf("String: %q, want %q", got, tc.str)
		}
	}
	// An unknown variant is refused before Build, which might take it for
	// the correct implementation.
	sys := testSystem()
	sys.Build = func(catalog.Params, string) (model.Checker, error) {
		t.Error("Build called for an unknown variant")
		return nil, errors.New("not built")
	}
	if _, err := sys.Check(nil, "no-recover"); err == nil || err.Error() != `repdisk: unknown variant "no-recover" (variants: correct, no-recovery)` {
		t.Errorf("Check of an unknown variant: %v", err)
	}
}

// TestSystemsByName: Systems lists the systems by name whatever their
// order in New, and Lookup's error for an unknown name lists them so.
func TestSystemsByName(t *testing.T) {
	systems := newSystems()
	cat, err := catalog.New(systems[1], systems[0])
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range cat.Systems() {
		names = append(names, s.Name)
	}
	if !slices.Equal(names, []string{"other", "repdisk"}) {
		t.Errorf("Systems: %v, want [other repdisk]", names)
	}
	if _, err := cat.Lookup("repdsk"); err == nil || err.Error() != `unknown system "repdsk" (systems: other, repdisk)` {
		t.Errorf("Lookup: %v", err)
	}
}

// TestRebuiltBuildsFromItsOwnParams: the check that Check returns builds
// the System anew, for the determinism checks, from a copy of the
// parameters it was built with: a Build that writes into the parameters
// it is handed (one it reads and then drops, a value it rounds) builds
// the same check again, and Validate passes.
func TestRebuiltBuildsFromItsOwnParams(t *testing.T) {
	real, err := layers.Catalog().Lookup("repdisk")
	if err != nil {
		t.Fatal(err)
	}
	sys := *real
	sys.Build = func(p catalog.Params, variant string) (model.Checker, error) {
		oob := p.Bool("oob")
		delete(p, "oob") // read once, then dropped
		q := maps.Clone(p)
		q["oob"] = 0
		if oob {
			q["oob"] = 1
		}
		return real.Build(q, variant)
	}
	chk, err := sys.Check(nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := chk.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

// TestRebuildsAtOnce: a search's workers call Build again one call at a
// time, unless the system sets ConcurrentBuild, when they call it at
// once. Build counts the calls in progress; in the first calls it holds
// the processor a while (one call at a time) or waits for a second call
// to come in (at once), so that calls that may overlap do.
func TestRebuildsAtOnce(t *testing.T) {
	repdisk, err := layers.Catalog().Lookup("repdisk")
	if err != nil {
		t.Fatal(err)
	}
	for _, concurrent := range []bool{false, true} {
		t.Run(fmt.Sprintf("ConcurrentBuild=%t", concurrent), func(t *testing.T) {
			var calls, inside, most atomic.Int32
			sys := *repdisk
			sys.ConcurrentBuild = concurrent
			sys.Build = func(p catalog.Params, variant string) (model.Checker, error) {
				n := inside.Add(1)
				defer inside.Add(-1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				switch {
				case calls.Add(1) > 200:
				case concurrent: // wait up to 5 ms for a second call
					for end := time.Now().Add(5 * time.Millisecond); most.Load() < 2 && time.Now().Before(end); {
						time.Sleep(50 * time.Microsecond)
					}
				default: // hold the call a while
					time.Sleep(100 * time.Microsecond)
				}
				return repdisk.Build(p, variant)
			}
			chk, err := sys.Check(catalog.Params{layers.Blocks: 2}, "")
			if err != nil {
				t.Fatal(err)
			}
			res, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 4, BatchSize: 1, Determinism: model.DeterminismFull})
			if err != nil {
				t.Fatal(err)
			}
			if res.Verdict != explorer.Verified {
				t.Fatalf("verdict %s %+v, want verified", res.Verdict, res.Violation)
			}
			if calls.Load() < 200 {
				t.Fatalf("Build was called %d times, want the search to call it again at least 200 times", calls.Load())
			}
			switch m := most.Load(); {
			case !concurrent && m != 1:
				t.Errorf("%d calls of Build ran at once, want one at a time", m)
			case concurrent && m < 2:
				t.Errorf("the calls of Build never overlapped in %d calls by 4 workers", calls.Load())
			}
		})
	}
}
