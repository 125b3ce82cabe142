// Package catalog describes named, parameterised checks: a System is a
// family of refinement checks (model.Checker) selected by integer
// parameters (disk blocks, client values, log capacity, or a user layer's
// own) and by an implementation variant. A Catalog is the set of systems a
// command line offers: argocheck's built-in ones (package layers) or a
// user's own.
package catalog

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/argocheck/argocheck/model"
)

// Param describes one parameter of a system. Its values are integers in
// [Min, Max]; a Bool parameter takes 0 (false) and 1 (true) and is
// written true or false.
//
// New refuses a parameter that the command line could not offer as it
// is: its Name must be a letter followed by letters, digits, '-' or '_'
// (it is a flag, --NAME, and a plan line's key, NAME=), not one of
// ReservedNames, and not the name of another parameter of the system;
// Min must not be above Max, and Default must lie within Min..Max. A Bool
// parameter's Default is 0 or 1 and its Min and Max are left zero or are
// 0 and 1; where systems of one catalogue share a parameter name, it is
// Bool in all of them or in none (one flag sets it).
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

// Get returns the value of the named parameter. It panics when p has no
// such parameter: the parameters that Build and Modular receive are
// complete (see Complete), so a name they lack is one the system does not
// take, most likely misspelled, and a zero read in its place would check
// another system than the one named. (Index p directly where an absent
// parameter is meant to read as zero.)
func (p Params) Get(name string) int {
	v, ok := p[name]
	if !ok {
		have := "none"
		if len(p) > 0 {
			have = strings.Join(slices.Sorted(maps.Keys(p)), ", ")
		}
		panic(fmt.Sprintf("catalog: no parameter %s (parameters: %s): a misspelled name, or one the system does not take", name, have))
	}
	return v
}

// Bool returns the value of the named Bool parameter. Like Get, it
// panics when p has no such parameter.
func (p Params) Bool(name string) bool { return p.Get(name) != 0 }

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
// is named "" (correct on the command line), and a variant marked Correct
// must verify too. New refuses a variant without a name, one named
// correct, two of one name, and a name that is not a letter or digit
// followed by letters, digits, '-', '_', '.', ':' or '/'.
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

// System is a named family of checks. New refuses a system with no
// Build, or whose Name is not a letter or digit followed by letters,
// digits, '-', '_', '.' or '/' (it is the SYSTEM argument of the command
// line and the first word of a plan line), or is the name of another
// system of the catalogue; its Params obey the rules of Param.
// New also refuses Bench sizes a benchmark could not run, and Modular
// parts that a modular check at the defaults could not build (see New).
type System struct {
	Name     string
	About    string
	Params   []Param
	Variants Variants
	// Build returns the check for parameters p, complete and validated
	// (see Complete), and variant ("" is the correct implementation).
	// A Build that returns neither a check nor an error, or panics, is
	// refused as an error naming the system (Check; the command line
	// exits with status 2), never searched. The search calls it again, at
	// the same p and variant (a copy of p as it was given the first time,
	// so that a Build may write into its parameters), one call at a
	// time unless ConcurrentBuild is set, for the determinism checks'
	// instances of a System built anew (see BuildRebuilt): it must build
	// the check anew each time, alike.
	Build func(p Params, variant string) (model.Checker, error)
	// ConcurrentBuild says that Build may run in several goroutines at
	// once: no call writes memory that another call reads or writes
	// (a Build that only constructs the check from its parameters). The
	// search's workers then build their instances without waiting for
	// each other. Unset, the workers call Build one call at a time, and
	// with many workers a search spends a part of its time waiting for
	// that one call (repdisk 7x4: a Build for about one state in three).
	ConcurrentBuild bool
	// Modular, when set, splits the system into the checks of its layers,
	// each against the specification below it, followed by the system's
	// own end-to-end check. Its inputs are complete and validated; the
	// parameters are a copy of the check's, which it may write into
	// without changing the end-to-end check or another call's.
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
	return fmt.Errorf("%s: unknown variant %q (variants: %s)", s.Name, variant, strings.Join(append([]string{"correct"}, s.Variants.names()...), ", "))
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
// builds the check. A Build that returns neither a check nor an error
// is an error naming the system: a nil check has nothing to search.
func (s *System) Check(p Params, variant string) (model.Checker, error) {
	p, err := s.Complete(p)
	if err != nil {
		return nil, err
	}
	if err := s.Validate(p, variant); err != nil {
		return nil, err
	}
	chk, err := s.BuildRebuilt(p, variant)
	if err == nil && chk == nil {
		return nil, fmt.Errorf("%s: Build returned no check (a nil model.Checker) and no error, for variant %s", s.Name, cmp.Or(variant, "correct"))
	}
	return chk, err
}

// BuildRebuilt calls Build at p and variant and returns its check made
// with model.Rebuilt, so that the determinism checks build their new
// instances from a check that Build builds anew, as a new process would:
// memory that the check's closures share is new in them too. Each call
// of Build again is given a copy of p as the first call was given it
// (Build may write into its parameters). A nil check or an error is
// returned as Build returned it.
func (s *System) BuildRebuilt(p Params, variant string) (model.Checker, error) {
	given := maps.Clone(p)
	chk, err := s.Build(p, variant)
	if err != nil || chk == nil {
		return chk, err
	}
	return s.rebuilt(chk, given, variant), nil
}

// rebuilt returns chk, built by Build at p (as Build was given it) and
// variant, made with model.Rebuilt (see BuildRebuilt).
func (s *System) rebuilt(chk model.Checker, p Params, variant string) model.Checker {
	build, concurrent := s.Build, s.ConcurrentBuild
	var first atomic.Bool // the first call returns chk, built already
	first.Store(true)
	var mu sync.Mutex // the workers build one at a time, unless concurrent
	return model.Rebuilt(func() model.Checker {
		if first.CompareAndSwap(true, false) {
			return chk
		}
		given := maps.Clone(p) // before the lock: only Build waits its turn
		if !concurrent {
			mu.Lock()
			defer mu.Unlock()
		}
		again, err := build(given, variant)
		if err != nil {
			panic(fmt.Sprintf("%s: Build failed when called again: %v", s.Name, err))
		}
		return again
	})
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

// New returns a catalog of systems. It refuses, with an error that names
// the system and the parameter, a system or parameter that breaks the
// rules of System and Param: a nil system, one with no name, an
// ill-formed name or the name of another, no Build; a parameter with no
// name, an ill-formed or reserved name or the name of another of its
// system, Min above Max, a Default outside Min..Max, or a Bool parameter
// of a name that another system's parameter has as an integer; a Bench
// size with a parameter the system does not take or a value out of its
// range, or the same size as another of its list; and a Modular that, at
// the system's defaults, fails or panics for the correct implementation,
// or gives, for it or a variant, a part that names no system of the
// catalogue, a parameter or variant its system does not take, or a
// value out of range.
func New(systems ...*System) (*Catalog, error) {
	c := &Catalog{systems: map[string]*System{}}
	// first: the first system to have each parameter name, whose
	// parameter's Bool the others must share.
	first := map[string]*System{}
	for i, s := range systems {
		switch {
		case s == nil:
			return nil, fmt.Errorf("catalog: system %d of %d is nil", i+1, len(systems))
		case s.Name == "":
			return nil, fmt.Errorf("catalog: a system has no name")
		case !systemName.MatchString(s.Name):
			return nil, fmt.Errorf("catalog: system %q: the name is not a letter or digit followed by letters, digits, '-', '_', '.' or '/'", s.Name)
		case s.Build == nil:
			return nil, fmt.Errorf("catalog: system %s has no Build", s.Name)
		case c.systems[s.Name] != nil:
			return nil, fmt.Errorf("catalog: two systems are named %s", s.Name)
		}
		seen := map[string]bool{}
		for _, q := range s.Params {
			if err := q.check(); err != nil {
				return nil, fmt.Errorf("catalog: system %s: %w", s.Name, err)
			}
			if seen[q.Name] {
				return nil, fmt.Errorf("catalog: system %s: two parameters are named %s", s.Name, q.Name)
			}
			seen[q.Name] = true
			if f := first[q.Name]; f == nil {
				first[q.Name] = s
			} else if fq, _ := f.Param(q.Name); fq.Bool != q.Bool {
				return nil, fmt.Errorf("catalog: system %s: parameter %s: Bool is %t, but %t in system %s, and one flag --%s sets both",
					s.Name, q.Name, q.Bool, fq.Bool, f.Name, q.Name)
			}
		}
		names := map[string]bool{}
		for _, v := range s.Variants {
			switch {
			case v.Name == "" || v.Name == "correct":
				return nil, fmt.Errorf("catalog: system %s: variant %q: every system has the correct implementation already, as variant correct (Build gets \"\"): leave it out of Variants, which list the others", s.Name, v.Name)
			case !variantName.MatchString(v.Name):
				return nil, fmt.Errorf("catalog: system %s: variant %q: the name is not a letter or digit followed by letters, digits, '-', '_', '.', ':' or '/'", s.Name, v.Name)
			case names[v.Name]:
				return nil, fmt.Errorf("catalog: system %s: two variants are named %s", s.Name, v.Name)
			}
			names[v.Name] = true
		}
		if err := s.checkBench(); err != nil {
			return nil, fmt.Errorf("catalog: system %s: %w", s.Name, err)
		}
		c.systems[s.Name] = s
	}
	// The parts of one system may name systems listed after it.
	for _, s := range systems {
		if err := c.checkModular(s); err != nil {
			return nil, fmt.Errorf("catalog: system %s: %w", s.Name, err)
		}
	}
	return c, nil
}

// checkBench checks the system's benchmark sizes as a benchmark would run
// them: each names only parameters of the system, and completed with the
// defaults is within their ranges; and no two sizes of a list are the
// same size.
func (s *System) checkBench() error {
	for _, list := range []struct {
		name  string
		sizes []Params
	}{{"Bench.Full", s.Bench.Full}, {"Bench.Quick", s.Bench.Quick}} {
		done := make([]Params, len(list.sizes))
		for i, p := range list.sizes {
			q, err := s.Complete(p)
			if err == nil {
				err = s.Validate(q, "")
			}
			if e, ok := errors.AsType[*RangeError](err); ok {
				// The error names the system already.
				return fmt.Errorf("%s size %d of %d: %s", list.name, i+1, len(list.sizes), e.Says(e.Param.Name))
			}
			if err != nil {
				return fmt.Errorf("%s size %d of %d: %w", list.name, i+1, len(list.sizes), err)
			}
			if j := slices.IndexFunc(done[:i], func(d Params) bool { return maps.Equal(d, q) }); j >= 0 {
				return fmt.Errorf("%s sizes %d and %d are the same size, %s", list.name, j+1, i+1, s.String(q, ""))
			}
			done[i] = q
		}
	}
	return nil
}

// checkModular checks the parts of the system's modular check, when it
// has one, at the system's defaults: for the correct implementation,
// where Modular must give parts, and for every variant that it gives
// parts for (it may refuse a variant). Each part names a system of c, and
// its parameters and variant are that system's, within their ranges,
// once completed with its defaults. A panic of Modular is an error too.
func (c *Catalog) checkModular(s *System) error {
	if s.Modular == nil {
		return nil
	}
	p := s.Defaults()
	for _, variant := range append([]string{""}, s.Variants.names()...) {
		at := "at the defaults, variant " + cmp.Or(variant, "correct")
		parts, err := modularParts(s, maps.Clone(p), variant)
		if err != nil {
			if variant == "" {
				return fmt.Errorf("Modular fails %s: %w", at, err)
			}
			continue
		}
		for i, pt := range parts {
			part, ok := c.systems[pt.System]
			if !ok {
				return fmt.Errorf("Modular part %d of %d, %s: no system %q in the catalogue", i+1, len(parts), at, pt.System)
			}
			q, err := part.Complete(pt.Params)
			if err == nil {
				err = part.Validate(q, pt.Variant)
			}
			if err != nil {
				return fmt.Errorf("Modular part %d of %d, %s: %w", i+1, len(parts), at, err)
			}
		}
	}
	return nil
}

// modularParts calls s.Modular, its panic an error.
func modularParts(s *System, p Params, variant string) (parts []Part, err error) {
	defer func() {
		if r := recover(); r != nil {
			parts, err = nil, fmt.Errorf("panic: %v", r)
		}
	}()
	return s.Modular(p, variant)
}

var (
	systemName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_./-]*$`)
	paramName  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)
	// variantName takes the names Variants.Prefixed makes, layer:name.
	variantName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:/-]*$`)
)

// check checks the parameter against the rules of Param, but for the
// uniqueness of its name; its error names the parameter.
func (q Param) check() error {
	switch {
	case q.Name == "":
		return fmt.Errorf("a parameter has no name")
	case !paramName.MatchString(q.Name):
		return fmt.Errorf("parameter %q: the name is not a letter followed by letters, digits, '-' or '_'", q.Name)
	case slices.Contains(reservedNames, q.Name):
		return fmt.Errorf("parameter %s: the name is reserved for the command line (a flag of check or shard, or a key of plan lines)", q.Name)
	case q.Bool && (q.Min != 0 || q.Max != 0 && q.Max != 1):
		return fmt.Errorf("parameter %s: a Bool parameter takes 0 and 1; its Min..Max is %d..%d, not 0..1 or unset", q.Name, q.Min, q.Max)
	case q.Bool && q.Default != 0 && q.Default != 1:
		return fmt.Errorf("parameter %s: default %d is not 0 (false) or 1 (true)", q.Name, q.Default)
	case q.Min > q.Max:
		return fmt.Errorf("parameter %s: Min %d is above Max %d", q.Name, q.Min, q.Max)
	case !q.Bool && (q.Default < q.Min || q.Default > q.Max):
		return fmt.Errorf("parameter %s: default %d is not within %d..%d", q.Name, q.Default, q.Min, q.Max)
	}
	return nil
}

// reservedNames are the names of the command line's flags of check and
// shard, the commands with a flag per parameter, and the keys of a plan
// line other than the parameters'. Package cli's tests hold the list to
// them.
var reservedNames = []string{
	"barrier-delay", "checkpoint-interval", "continue", "cpuprofile",
	"crashes", "determinism", "exact", "exchange", "expect", "help",
	"index", "json", "junit", "max-depth", "max-states", "memory",
	"modular", "progress-interval", "quiet", "report", "shards", "spill",
	"store", "time-limit", "trace-dot", "trace-html", "variant", "verbose",
	"wait-report", "workers",
}

// ReservedNames returns, sorted, the names no parameter may take: the
// flags of the command line's check and shard and the keys of a plan
// line (workers, max-depth, crashes, variant, expect, ...), which a
// parameter's flag and key sit beside.
func ReservedNames() []string { return slices.Clone(reservedNames) }

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
