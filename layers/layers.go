// Package layers is the catalogue of built-in systems: each a refinement
// check of an implementation on a lower layer, with its parameters and
// variants (deliberately broken or alternative implementations).
//
// The layers themselves live in sub-packages: disk (shared types), twodisk,
// onedisk, replicated, txndisk, wal; log.go registers the write-ahead log
// and its composition with the replicated disk.
package layers

import (
	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/layers/replicated"
	"github.com/argocheck/argocheck/layers/twodisk"
	"github.com/argocheck/argocheck/model"
)

// Parameter names of the built-in systems.
const (
	Blocks = "blocks" // data blocks per disk
	Values = "values" // client values 0..values-1
	Log    = "log"    // log capacity (write-ahead log systems)
	OOB    = "oob"    // include one out-of-bounds address in the alphabet
)

var systems []*catalog.System

func register(s *catalog.System) {
	// Every built-in Build only constructs its check from its parameters,
	// so the search's workers may call it at once (TestConcurrentBuild,
	// which CI runs under the race detector).
	s.ConcurrentBuild = true
	systems = append(systems, s)
}

// Catalog returns the built-in systems.
func Catalog() *catalog.Catalog {
	c, err := catalog.New(systems...)
	if err != nil {
		panic(err)
	}
	return c
}

// Systems returns every built-in system, by name.
func Systems() []*catalog.System { return Catalog().Systems() }

// Lookup returns the named built-in system.
func Lookup(name string) (*catalog.System, error) { return Catalog().Lookup(name) }

// Build builds the named built-in system's check at p, completed with the
// system's defaults, and variant.
func Build(name string, p catalog.Params, variant string) (model.Checker, error) {
	return Catalog().Check(name, p, variant)
}

// diskSizes returns the disk sizes of parameters p.
func diskSizes(p catalog.Params) disk.Sizes {
	return disk.Sizes{Blocks: p.Get(Blocks), Values: p.Get(Values), OOB: p.Bool(OOB)}
}

var oobParam = catalog.Param{Name: OOB, Bool: true, Max: 1, About: "include one out-of-bounds address in the operations"}

// valuesParam is the client values of a built-in system: two at least.
// With one, every block the client writes holds 0 forever and no
// transaction differs from another, so a variant that breaks the
// client's data (a replicated disk that writes d0 only, a log that
// applies its entries backwards or commits before its entries are
// durable) verifies: a check that checks nothing of the client's data.
func valuesParam(most int) catalog.Param {
	return catalog.Param{Name: Values, Default: 2, Min: 2, Max: most, About: "client values 0..values-1"}
}

var diskParams = []catalog.Param{
	{Name: Blocks, Default: 3, Min: 1, Max: 8, About: "blocks per disk"},
	valuesParam(8),
	oobParam,
}

func init() {
	register(&catalog.System{
		Name:     "repdisk",
		About:    "replicated disk (OneDisk) on two fail-stop disks (TwoDisk)",
		Params:   diskParams,
		Variants: replicated.Variants,
		Bench: catalog.BenchSizes{
			Full:  []catalog.Params{{Blocks: 6, Values: 3}, {Blocks: 7, Values: 3}, {Blocks: 7, Values: 4}},
			Quick: []catalog.Params{{Blocks: 4, Values: 3}, {Blocks: 5, Values: 3}, {Blocks: 6, Values: 3}},
		},
		Build: func(p catalog.Params, variant string) (model.Checker, error) {
			v, err := replicated.ParseVariant(variant)
			if err != nil {
				return nil, err
			}
			sizes := diskSizes(p)
			return model.NewSystem(twodisk.Layer(sizes), onedisk.Layer(sizes), replicated.Impl(v), replicated.Abs), nil
		},
	})
}
