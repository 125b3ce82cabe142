// Package catalog describes named, parameterised checks: a System is a
// family of refinement checks (model.Checker) selected by integer
// parameters (disk blocks, client values, log capacity, or a user layer's
// own) and by an implementation variant. A Catalog is the set of systems a
// command line offers: argocheck's built-in ones (package layers) or a
// user's own.
package catalog

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/argocheck/argocheck/model"
)

// Param describes one parameter of a system. Its values are integers in
// [Min, Max]; a Bool parameter takes 0 (false) and 1 (true) and is
// written true or false.
type Param struct {
	Name     string
	Default  int
	Min, Max int
	Bool     bool
	About    string
}

// Format renders value v of the parameter as it is written: an integer,
// or true or false.
func (q Param) Format(v int) string {
	if q.Bool {
		return strconv.FormatBool(v != 0)
	}
	return strconv.Itoa(v)
}

// Parse reads a value of the parameter as Format writes it; its error
// names the parameter.
func (q Param) Parse(s string) (int, error) {
	if q.Bool {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return 0, fmt.Errorf("%s: %q is not true or false", q.Name, s)
		}
		if b {
			return 1, nil
		}
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not an integer", q.Name, s)
	}
	return n, nil
}

// Params are the values of a system's parameters, by name.
type Params map[string]int

// Get returns the value of the named parameter, zero when absent.
func (p Params) Get(name string) int { return p[name] }

// Bool returns the value of the named Bool parameter.
func (p Params) Bool(name string) bool { return p[name] != 0 }

// With returns a copy of p with the named parameter set to v.
func (p Params) With(name string, v int) Params {
	q := maps.Clone(p)
	if q == nil {
		q = Params{}
	}
	q[name] = v
	return q
}

// Variant is a named implementation variant: the correct implementation
// is named "", and a variant marked Correct must verify too.
type Variant struct {
	Name    string
	Correct bool
	About   string
}

// Variants are the variants of one implementation, the correct one left
// out.
type Variants []Variant

// Parse returns name as a V when it names a variant of l or is "" (the
// correct implementation); layer names the implementation in the error.
func Parse[V ~string](l Variants, layer, name string) (V, error) {
	if name == "" {
		return "", nil
	}
	for _, v := range l {
		if v.Name == name {
			return V(name), nil
		}
	}
	return "", fmt.Errorf("unknown %s variant %q (variants: %s)", layer, name, strings.Join(l.names(), ", "))
}

// Prefixed returns l with prefix before every name and about before every
// description, for a variant of one layer in a stack.
func (l Variants) Prefixed(prefix, about string) Variants {
	out := make(Variants, len(l))
	for i, v := range l {
		out[i] = Variant{Name: prefix + v.Name, Correct: v.Correct, About: about + v.About}
	}
	return out
}

func (l Variants) names() []string {
	names := make([]string, len(l))
	for i, v := range l {
		names[i] = v.Name
	}
	return names
}

// System is a named family of checks.
type System struct {
	Name     string
	About    string
	Params   []Param
	Variants Variants
	// Build returns the check for parameters p, complete and validated
	// (see Complete), and variant ("" is the correct implementation).
	Build func(p Params, variant string) (model.Checker, error)
	// Modular, when set, splits the system into the checks of its layers,
	// each against the specification below it, followed by the system's
	// own end-to-end check. Its inputs are complete and validated.
	Modular func(p Params, variant string) ([]Part, error)
	// Bench, when set, holds the sizes a benchmark runs the system at.
	Bench BenchSizes
}

// BenchSizes are the sizes a benchmark runs a system at, smallest first:
// Full for the whole matrix, Quick for a run of under a minute. A size
// names only the parameters it sets; the others take their defaults.
type BenchSizes struct {
	Full, Quick []Params
}

// Part is one check of a modular check: the named system at the given
// parameters and variant.
type Part struct {
	System  string
	Params  Params
	Variant string
}

// Param returns the named parameter of s.
func (s *System) Param(name string) (Param, bool) {
	for _, q := range s.Params {
		if q.Name == name {
			return q, true
		}
	}
	return Param{}, false
}

// Defaults returns the system's default parameters.
func (s *System) Defaults() Params {
	p := Params{}
	for _, q := range s.Params {
		p[q.Name] = q.Default
	}
	return p
}

// Complete returns p with the default of every parameter it lacks. It
// fails on a parameter the system does not take.
func (s *System) Complete(p Params) (Params, error) {
	out := s.Defaults()
	for _, name := range slices.Sorted(maps.Keys(p)) {
		if _, ok := s.Param(name); !ok {
			return nil, fmt.Errorf("%s takes no parameter %s (parameters: %s)", s.Name, name, strings.Join(s.paramNames(), ", "))
		}
		out[name] = p[name]
	}
	return out, nil
}

func (s *System) paramNames() []string {
	names := make([]string, len(s.Params))
	for i, q := range s.Params {
		names[i] = q.Name
	}
	return names
}

// Validate checks complete parameters p and variant against the system's
// ranges and names. A value outside its parameter's range is a
// *RangeError.
func (s *System) Validate(p Params, variant string) error {
	for _, q := range s.Params {
		v, ok := p[q.Name]
		if !ok {
			return fmt.Errorf("%s: no value for %s", s.Name, q.Name)
		}
		if q.Bool && v != 0 && v != 1 || !q.Bool && (v < q.Min || v > q.Max) {
			return &RangeError{System: s.Name, Param: q, Value: v}
		}
	}
	if variant == "" || slices.ContainsFunc(s.Variants, func(v Variant) bool { return v.Name == variant }) {
		return nil
	}
	return fmt.Errorf("%s: unknown variant %q (variants: correct, %s)", s.Name, variant, strings.Join(s.Variants.names(), ", "))
}

// RangeError is the error of Validate for the value of a parameter
// outside its range. Its text names the system and the parameter
// ("repdisk: blocks must be between 1 and 8, not 99"); a caller that
// writes the parameter otherwise, as a command line's flag --blocks,
// words it with Says.
type RangeError struct {
	System string
	Param  Param
	Value  int
}

func (e *RangeError) Error() string { return e.System + ": " + e.Says(e.Param.Name) }

// Says says what is wrong with the value, naming the parameter as name:
// "--blocks must be between 1 and 8, not 99" for name "--blocks".
func (e *RangeError) Says(name string) string {
	if e.Param.Bool {
		return fmt.Sprintf("%s must be true or false, not %d", name, e.Value)
	}
	return fmt.Sprintf("%s must be between %d and %d, not %d", name, e.Param.Min, e.Param.Max, e.Value)
}

// Check completes p with the defaults, validates it and variant, and
// builds the check.
func (s *System) Check(p Params, variant string) (model.Checker, error) {
	p, err := s.Complete(p)
	if err != nil {
		return nil, err
	}
	if err := s.Validate(p, variant); err != nil {
		return nil, err
	}
	return s.Build(p, variant)
}

// String names the check of s at p and variant as a plan line does:
// "repdisk blocks=3 values=2 variant=no-recovery".
func (s *System) String(p Params, variant string) string {
	parts := []string{s.Name}
	for _, q := range s.Params {
		parts = append(parts, q.Name+"="+q.Format(p[q.Name]))
	}
	if variant != "" {
		parts = append(parts, "variant="+variant)
	}
	return strings.Join(parts, " ")
}

// Catalog is a set of systems by name.
type Catalog struct {
	systems map[string]*System
}

// New returns a catalog of systems; it fails on a system with no name, no
// Build, or the name of another.
func New(systems ...*System) (*Catalog, error) {
	c := &Catalog{systems: map[string]*System{}}
	for _, s := range systems {
		switch {
		case s.Name == "":
			return nil, fmt.Errorf("catalog: a system has no name")
		case s.Build == nil:
			return nil, fmt.Errorf("catalog: system %s has no Build", s.Name)
		case c.systems[s.Name] != nil:
			return nil, fmt.Errorf("catalog: two systems are named %s", s.Name)
		}
		c.systems[s.Name] = s
	}
	return c, nil
}

// Systems returns every system, by name.
func (c *Catalog) Systems() []*System {
	out := slices.Collect(maps.Values(c.systems))
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup returns the named system.
func (c *Catalog) Lookup(name string) (*System, error) {
	if s, ok := c.systems[name]; ok {
		return s, nil
	}
	names := make([]string, 0, len(c.systems))
	for _, s := range c.Systems() {
		names = append(names, s.Name)
	}
	return nil, fmt.Errorf("unknown system %q (systems: %s)", name, strings.Join(names, ", "))
}

// Check builds the named system's check at p, completed with the
// defaults, and variant.
func (c *Catalog) Check(name string, p Params, variant string) (model.Checker, error) {
	s, err := c.Lookup(name)
	if err != nil {
		return nil, err
	}
	return s.Check(p, variant)
}
