package cli

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/argocheck/argocheck/catalog"
)

// A system's parameters reach the command line in four forms, all by
// name and all read through the system's own catalog.Param: the flags of
// check (one per name in the catalogue), the key=value words of plan
// lines and bench --size, the stored form of a persistent run, and the
// parameters of a report.

// setParam sets the named parameter of sys in p from its written value.
func setParam(sys *catalog.System, p catalog.Params, name, value string) error {
	q, ok := sys.Param(name)
	if !ok {
		return fmt.Errorf("system %s has no parameter %s (parameters: %s)", sys.Name, name, strings.Join(paramNames(sys), ", "))
	}
	v, err := q.Parse(value)
	if err != nil {
		return err
	}
	p[name] = v
	return nil
}

// paramValues says in words which values q takes, as the errors that
// refuse a value do ("a whole number from 1 to 8").
func paramValues(q catalog.Param) string {
	switch {
	case q.Bool:
		return "true or false"
	case q.Min >= 0:
		return fmt.Sprintf("a whole number from %d to %d", q.Min, q.Max)
	}
	return fmt.Sprintf("an integer from %d to %d", q.Min, q.Max)
}

// paramNames names the parameters of sys, in order.
func paramNames(sys *catalog.System) []string {
	names := make([]string, len(sys.Params))
	for i, q := range sys.Params {
		names[i] = q.Name
	}
	return names
}

// someSystemTakes reports whether some system of cat takes the parameter name.
func someSystemTakes(cat *catalog.Catalog, name string) bool {
	return slices.ContainsFunc(cat.Systems(), func(s *catalog.System) bool { _, ok := s.Param(name); return ok })
}

// checkParams completes p with sys's defaults and validates it with
// variant.
func checkParams(sys *catalog.System, p catalog.Params, variant string) (catalog.Params, error) {
	p, err := sys.Complete(p)
	if err != nil {
		return nil, err
	}
	return p, sys.Validate(p, variant)
}

// flagRange rewrites the catalogue's error for a parameter's value out of
// its range, which names the parameter, to name the flag that set it:
// "repdisk: --blocks must be between 1 and 8, not 0".
func flagRange(err error) error {
	if e, ok := errors.AsType[*catalog.RangeError](err); ok {
		return fmt.Errorf("%s: %s", e.System, e.Says("--"+e.Param.Name))
	}
	return err
}

// paramValue is the value of one parameter flag, kept as written until a
// system reads it with its catalog.Param.
type paramValue struct {
	text   string
	isBool bool
}

func (v *paramValue) String() string { return v.text }

// Set checks the value's form, an integer or a boolean; the system checks
// its range.
func (v *paramValue) Set(s string) error {
	var err error
	if v.isBool {
		_, err = strconv.ParseBool(s)
	} else {
		_, err = strconv.Atoi(s)
	}
	if err != nil {
		return fmt.Errorf("not %s", v.Type())
	}
	v.text = s
	return nil
}

func (v *paramValue) Type() string {
	if v.isBool {
		return "bool"
	}
	return "int"
}

// paramFlags are the parameter flags of a command, one per parameter name
// of the catalogue's systems.
type paramFlags struct {
	fl     *pflag.FlagSet
	values map[string]*paramValue
}

// registerParams adds to fl a flag per parameter name of cat's systems: a
// bool flag where the systems' parameter of that name is Bool, else an int
// flag. A name that another flag of fl has is refused, though catalog.New
// refuses such a catalogue first (catalog.ReservedNames, which
// TestReservedNames holds to the flags).
func registerParams(fl *pflag.FlagSet, cat *catalog.Catalog) (paramFlags, error) {
	type use struct {
		about   string
		isBool  bool
		systems []string
	}
	uses := map[string]*use{}
	for _, sys := range cat.Systems() {
		for _, q := range sys.Params {
			u := uses[q.Name]
			if u == nil {
				u = &use{about: q.About}
				uses[q.Name] = u
			}
			u.isBool = u.isBool || q.Bool
			u.systems = append(u.systems, sys.Name)
		}
	}
	pf := paramFlags{fl: fl, values: map[string]*paramValue{}}
	for _, name := range slices.Sorted(maps.Keys(uses)) {
		u := uses[name]
		if fl.Lookup(name) != nil {
			return pf, fmt.Errorf("catalog: parameter %s of system %s has the name of a flag of argocheck", name, u.systems[0])
		}
		v := &paramValue{isBool: u.isBool}
		f := fl.VarPF(v, name, "", fmt.Sprintf("%s (%s; default: the system's)", u.about, strings.Join(u.systems, ", ")))
		if u.isBool {
			f.NoOptDefVal = "true"
		}
		pf.values[name] = v
	}
	return pf, nil
}

// params returns the parameters of sys that the flags set, refusing a
// flag sys does not take.
func (pf paramFlags) params(sys *catalog.System) (catalog.Params, error) {
	p := catalog.Params{}
	for _, name := range slices.Sorted(maps.Keys(pf.values)) {
		if !pf.fl.Changed(name) {
			continue
		}
		if _, ok := sys.Param(name); !ok {
			return nil, fmt.Errorf("%s takes no --%s (see 'argocheck list')", sys.Name, name)
		}
		if err := setParam(sys, p, name, pf.values[name].text); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// storedParams is the stored form of sys's parameters p.
func storedParams(sys *catalog.System, p catalog.Params) map[string]string {
	m := map[string]string{}
	for _, q := range sys.Params {
		m[q.Name] = q.Format(p[q.Name])
	}
	return m
}

// readParams reads sys's parameters from their stored form, which must
// hold every one of them.
func readParams(sys *catalog.System, m map[string]string) (catalog.Params, error) {
	p := catalog.Params{}
	for _, name := range slices.Sorted(maps.Keys(m)) {
		if err := setParam(sys, p, name, m[name]); err != nil {
			return nil, err
		}
	}
	for _, q := range sys.Params {
		if _, ok := m[q.Name]; !ok {
			return nil, fmt.Errorf("no value for parameter %s", q.Name)
		}
	}
	return p, nil
}

// reportParams returns sys's parameters p as a report's JSON holds them
// (a Bool parameter as a boolean, others as integers) and as its text
// writes them (name=value words, in the system's order).
func reportParams(sys *catalog.System, p catalog.Params) (map[string]any, []string) {
	values := map[string]any{}
	words := make([]string, 0, len(sys.Params))
	for _, q := range sys.Params {
		v := p[q.Name]
		if q.Bool {
			values[q.Name] = v != 0
		} else {
			values[q.Name] = v
		}
		words = append(words, q.Name+"="+q.Format(v))
	}
	return values, words
}
