package relations

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"pgregory.net/rapid"
)

// TestMain fixes rapid's seed unless one is given, so that CI runs the
// same cases every time. Longer runs: go test ./relations -rapid.checks=20000
// (and -rapid.seed=0 for a random seed).
func TestMain(m *testing.M) {
	flag.Parse()
	seeded := false
	flag.Visit(func(f *flag.Flag) { seeded = seeded || f.Name == "rapid.seed" })
	if !seeded {
		if err := flag.Set("rapid.seed", "2019"); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}

// universe is the state space of the random relations.
var universe = []string{"a", "b", "c", "d"}

// values are the output values of the random relations.
var values = []string{"", "0", "1"}

// genRel draws a random finite relation over universe.
func genRel(t *rapid.T, label string) Rel {
	tab := map[string][]Out{}
	for _, s := range universe {
		tab[s] = rapid.SliceOfN(rapid.Custom(func(t *rapid.T) Out {
			return Out{rapid.SampledFrom(values).Draw(t, "v"), rapid.SampledFrom(universe).Draw(t, "s")}
		}), 0, 3).Draw(t, label+"["+s+"]")
	}
	return Table(tab)
}

// genFamily draws a random relation for every output value: the second
// argument of bind.
func genFamily(t *rapid.T, label string) func(string) Rel {
	fam := map[string]Rel{}
	for _, v := range values {
		fam[v] = genRel(t, label+"("+v+")")
	}
	return func(v string) Rel { return fam[v] }
}

func requireEqual(t *rapid.T, law string, p, q Rel) {
	if !Equal(p, q, universe) {
		t.Fatalf("%s fails:\nleft:\n%sright:\n%s", law, Format(p, universe), Format(q, universe))
	}
}

func TestLaws(t *testing.T) {
	laws := []struct {
		name string
		prop func(t *rapid.T)
	}{
		{"seq associative", func(t *rapid.T) {
			p, f, g := genRel(t, "p"), genFamily(t, "f"), genFamily(t, "g")
			requireEqual(t, "(p >>= f) >>= g = p >>= (v -> f v >>= g)",
				Seq(Seq(p, f), g), Seq(p, func(v string) Rel { return Seq(f(v), g) }))
		}},
		{"pure left unit", func(t *rapid.T) {
			f, v := genFamily(t, "f"), rapid.SampledFrom(values).Draw(t, "v")
			requireEqual(t, "pure v >>= f = f v", Seq(Pure(v), f), f(v))
		}},
		{"pure right unit", func(t *rapid.T) {
			p := genRel(t, "p")
			requireEqual(t, "p >>= pure = p", Seq(p, Pure), p)
		}},
		{"seq distributes over or on the left", func(t *rapid.T) {
			p, q, r := genRel(t, "p"), genRel(t, "q"), genRel(t, "r")
			requireEqual(t, "p ; (q ∪ r) = p ; q ∪ p ; r", Then(p, Or(q, r)), Or(Then(p, q), Then(p, r)))
		}},
		{"seq distributes over or on the right", func(t *rapid.T) {
			p, q, r := genRel(t, "p"), genRel(t, "q"), genRel(t, "r")
			requireEqual(t, "(p ∪ q) ; r = p ; r ∪ q ; r", Then(Or(p, q), r), Or(Then(p, r), Then(q, r)))
		}},
		{"or associative, commutative, idempotent, unit none", func(t *rapid.T) {
			p, q, r := genRel(t, "p"), genRel(t, "q"), genRel(t, "r")
			requireEqual(t, "(p ∪ q) ∪ r = p ∪ (q ∪ r)", Or(Or(p, q), r), Or(p, Or(q, r)))
			requireEqual(t, "p ∪ q = q ∪ p", Or(p, q), Or(q, p))
			requireEqual(t, "p ∪ p = p", Or(p, p), p)
			requireEqual(t, "p ∪ none = p", Or(p, None), p)
		}},
		{"star unfolds", func(t *rapid.T) {
			p := genRel(t, "p")
			requireEqual(t, "p* = id ∪ p ; p*", Star(p), Or(Identity, Then(p, Star(p))))
			requireEqual(t, "p* = id ∪ p* ; p ; id", Star(p), Or(Identity, Then(Star(p), Then(p, Identity))))
		}},
		{"star idempotent and transitive", func(t *rapid.T) {
			p := genRel(t, "p")
			requireEqual(t, "p** = p*", Star(Star(p)), Star(p))
			requireEqual(t, "p* ; p* = p*", Then(Star(p), Star(p)), Star(p))
		}},
		{"star de-nests", func(t *rapid.T) {
			p, q := genRel(t, "p"), genRel(t, "q")
			requireEqual(t, "(p ∪ q)* = p* ; (q ; p*)*", Star(Or(p, q)), Then(Star(p), Star(Then(q, Star(p)))))
		}},
		{"test is a sub-identity", func(t *rapid.T) {
			p := genRel(t, "p")
			keep := rapid.SliceOfDistinct(rapid.SampledFrom(universe), func(s string) string { return s }).Draw(t, "keep")
			pred := func(s string) bool { return containsString(keep, s) }
			requireEqual(t, "test ; test = test", Then(Test(pred), Test(pred)), Test(pred))
			if ce := Included(Test(pred), Identity, universe); ce != nil {
				t.Fatalf("test ⊄ id: %v", ce)
			}
			if ce := Included(Then(Test(pred), p), p, universe); ce != nil {
				t.Fatalf("test ; p ⊄ p: %v", ce)
			}
		}},
		{"any includes every unit relation", func(t *rapid.T) {
			p := genRel(t, "p")
			if ce := Included(Then(p, Identity), Any(universe), universe); ce != nil {
				t.Fatalf("p ; id ⊄ any: %v", ce)
			}
			requireEqual(t, "any ; any = any", Then(Any(universe), Any(universe)), Any(universe))
		}},
		{"inclusion is union", func(t *rapid.T) {
			p, q := genRel(t, "p"), genRel(t, "q")
			incl := Included(p, q, universe) == nil
			if eq := Equal(Or(p, q), q, universe); incl != eq {
				t.Fatalf("p ⊆ q is %v but p ∪ q = q is %v", incl, eq)
			}
		}},
	}
	for _, l := range laws {
		t.Run(l.name, func(t *testing.T) { rapid.Check(t, l.prop) })
	}
}

// TestLawsCanFail checks that the equality the laws rest on tells
// relations apart: seq does not commute, and star is not p ∪ id.
func TestLawsCanFail(t *testing.T) {
	p := Table(map[string][]Out{"a": {{"", "b"}}})
	q := Table(map[string][]Out{"b": {{"", "c"}}})
	if Equal(Then(p, q), Then(q, p), universe) {
		t.Error("p ; q = q ; p for p = a->b, q = b->c")
	}
	pq := Or(p, q)
	if Equal(Star(pq), Or(Identity, pq), universe) {
		t.Error("(p ∪ q)* = id ∪ p ∪ q, but a reaches c in two steps")
	}
	if ce := Included(Star(pq), Or(Identity, pq), universe); ce == nil || ce.State != "a" || ce.Out != (Out{"", "c"}) {
		t.Errorf("counterexample = %v, want a -> c", ce)
	}
}

// TestCombinators pins each combinator's outcomes on one small relation.
func TestCombinators(t *testing.T) {
	p := Table(map[string][]Out{
		"a": {{"1", "b"}, {"0", "a"}},
		"b": {{"1", "c"}},
	})
	q := Table(map[string][]Out{"b": {{"x", "d"}}, "c": {{"y", "a"}}})
	isB := func(s string) bool { return s == "b" }
	tests := []struct {
		name string
		rel  Rel
		want string
	}{
		{"pure", Pure("v"), `"a" -> ("v", "a")` + "\n" + `"b" -> ("v", "b")` + "\n" + `"c" -> ("v", "c")` + "\n" + `"d" -> ("v", "d")`},
		{"then", Then(p, q), `"a" -> ("x", "d")` + "\n" + `"b" -> ("y", "a")` + "\n" + `"c" ->` + "\n" + `"d" ->`},
		{"before", Before(p, q), `"a" -> ("1", "d")` + "\n" + `"b" -> ("1", "a")` + "\n" + `"c" ->` + "\n" + `"d" ->`},
		{"seq", Seq(p, func(v string) Rel { return Pure(v + v) }), `"a" -> ("00", "a") ("11", "b")` + "\n" + `"b" -> ("11", "c")` + "\n" + `"c" ->` + "\n" + `"d" ->`},
		{"or", Or(p, q), `"a" -> ("0", "a") ("1", "b")` + "\n" + `"b" -> ("1", "c") ("x", "d")` + "\n" + `"c" -> ("y", "a")` + "\n" + `"d" ->`},
		{"star", Star(p), `"a" -> ("", "a") ("", "b") ("", "c")` + "\n" + `"b" -> ("", "b") ("", "c")` + "\n" + `"c" -> ("", "c")` + "\n" + `"d" -> ("", "d")`},
		{"test", Test(isB), `"a" ->` + "\n" + `"b" -> ("", "b")` + "\n" + `"c" ->` + "\n" + `"d" ->`},
		{"any", Then(Test(isB), Any([]string{"c", "a"})), `"a" ->` + "\n" + `"b" -> ("", "a") ("", "c")` + "\n" + `"c" ->` + "\n" + `"d" ->`},
		{"func", Func(func(s string) (string, bool) { return s + s, s != "a" }), `"a" ->` + "\n" + `"b" -> ("", "bb")` + "\n" + `"c" -> ("", "cc")` + "\n" + `"d" -> ("", "dd")`},
		{"compose", Compose(Func(func(s string) (string, bool) { return "A" + s, true }), Func(func(s string) (string, bool) { return s + "1", s != "d" })),
			`"a" -> ("", "Aa1")` + "\n" + `"b" -> ("", "Ab1")` + "\n" + `"c" -> ("", "Ac1")` + "\n" + `"d" ->`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Format(tt.rel, universe); got != tt.want+"\n" {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func ExampleStar() {
	next := Table(map[string][]Out{"0": {{"", "1"}}, "1": {{"", "2"}}})
	fmt.Print(Format(Star(next), []string{"0"}))
	// Output: "0" -> ("", "0") ("", "1") ("", "2")
}
