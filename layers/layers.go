// Package layers is the catalogue of built-in systems: each a refinement
// check of an implementation on a lower layer, with its parameters and
// variants (deliberately broken or alternative implementations).
//
// The layers themselves live in sub-packages: disk (shared types), twodisk,
// onedisk, replicated, txndisk, wal; log.go registers the write-ahead log
// and its composition with the replicated disk.
package layers

import (
	"fmt"
	"sort"
	"strings"

	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/layers/replicated"
	"github.com/argocheck/argocheck/layers/twodisk"
	"github.com/argocheck/argocheck/layers/variant"
	"github.com/argocheck/argocheck/model"
)

// Params are the sizes of a check. Each system uses some of them.
type Params struct {
	Blocks int  // data blocks per disk
	Values int  // client values 0..Values-1
	Log    int  // log capacity (write-ahead log systems)
	OOB    bool // include one out-of-bounds address in the alphabet
}

// Param describes one parameter of a system: its default and range.
type Param struct {
	Name     string
	Default  int
	Min, Max int
	About    string
}

// Variant is a named implementation variant; Correct ones must verify.
type Variant = variant.Variant

// System is a built-in check.
type System struct {
	Name     string
	About    string
	Params   []Param
	Variants []Variant
	// Build returns the check for the given sizes and variant ("" is the
	// correct implementation); its inputs are validated first.
	Build func(p Params, variant string) (model.Checker, error)
	// Modular, when set, splits the system into the checks of its layers,
	// each against the specification below it, followed by the system's
	// own end-to-end check; its inputs are validated first.
	Modular func(p Params, variant string) ([]Part, error)
}

// Part is one check of a modular check: the named system at the given
// sizes and variant.
type Part struct {
	System  string
	Params  Params
	Variant string
}

// get returns the value of the named parameter in p.
func (p Params) get(name string) int {
	switch name {
	case "blocks":
		return p.Blocks
	case "values":
		return p.Values
	case "log":
		return p.Log
	}
	panic("layers: unknown parameter " + name)
}

// Defaults returns the system's default parameters.
func (s *System) Defaults() Params {
	var p Params
	for _, q := range s.Params {
		switch q.Name {
		case "blocks":
			p.Blocks = q.Default
		case "values":
			p.Values = q.Default
		case "log":
			p.Log = q.Default
		}
	}
	return p
}

// Has reports whether the system takes the named parameter.
func (s *System) Has(name string) bool {
	for _, q := range s.Params {
		if q.Name == name {
			return true
		}
	}
	return false
}

// Validate checks p and variant against the system's ranges and names.
func (s *System) Validate(p Params, variant string) error {
	for _, q := range s.Params {
		if v := p.get(q.Name); v < q.Min || v > q.Max {
			return fmt.Errorf("%s: --%s must be between %d and %d, not %d", s.Name, q.Name, q.Min, q.Max, v)
		}
	}
	if variant == "" {
		return nil
	}
	for _, v := range s.Variants {
		if v.Name == variant {
			return nil
		}
	}
	names := make([]string, len(s.Variants))
	for i, v := range s.Variants {
		names[i] = v.Name
	}
	return fmt.Errorf("%s: unknown variant %q (variants: %s)", s.Name, variant, strings.Join(names, ", "))
}

var catalogue = map[string]*System{}

func register(s *System) { catalogue[s.Name] = s }

// Systems returns every built-in system, by name.
func Systems() []*System {
	out := make([]*System, 0, len(catalogue))
	for _, s := range catalogue {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup returns the named system.
func Lookup(name string) (*System, error) {
	if s, ok := catalogue[name]; ok {
		return s, nil
	}
	names := make([]string, 0, len(catalogue))
	for _, s := range Systems() {
		names = append(names, s.Name)
	}
	return nil, fmt.Errorf("unknown system %q (systems: %s)", name, strings.Join(names, ", "))
}

// Build validates and builds the named system's check.
func Build(name string, p Params, variant string) (model.Checker, error) {
	s, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	if err := s.Validate(p, variant); err != nil {
		return nil, err
	}
	return s.Build(p, variant)
}

var diskParams = []Param{
	{Name: "blocks", Default: 3, Min: 1, Max: 8, About: "blocks per disk"},
	{Name: "values", Default: 2, Min: 1, Max: 8, About: "client values 0..values-1"},
}

func init() {
	register(&System{
		Name:     "repdisk",
		About:    "replicated disk (OneDisk) on two fail-stop disks (TwoDisk)",
		Params:   diskParams,
		Variants: replicated.Variants,
		Build: func(p Params, variant string) (model.Checker, error) {
			v, err := replicated.ParseVariant(variant)
			if err != nil {
				return nil, err
			}
			sizes := disk.Sizes{Blocks: p.Blocks, Values: p.Values, OOB: p.OOB}
			return model.NewSystem(twodisk.Layer(sizes), onedisk.Layer(sizes), replicated.Impl(v), replicated.Abs), nil
		},
	})
}
