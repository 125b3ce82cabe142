// Package systemtest builds the catalogue's systems for the search's own
// tests, past the command line's ranges: one client value, which the
// command line refuses as a check of nothing, gives the smallest graphs.
package systemtest

import (
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/model"
)

// Build returns the check of system's variant at p, its parameters
// completed with the defaults but not held to their ranges; it fails t
// when the system cannot be built.
func Build(t testing.TB, system string, p catalog.Params, variant string) model.Checker {
	t.Helper()
	sys, err := layers.Lookup(system)
	if err == nil {
		p, err = sys.Complete(p)
	}
	var chk model.Checker
	if err == nil {
		chk, err = sys.Build(p, variant)
	}
	if err != nil {
		t.Fatal(err)
	}
	return chk
}

// NoInitial wraps chk in a Checker whose workers give no initial node
// and no violation: a Checker of one's own whose Initial forgot to
// delegate, which a search must refuse rather than verify.
func NoInitial(chk model.Checker) model.Checker { return noInitial{chk} }

type noInitial struct{ model.Checker }

func (c noInitial) NewWorker(o model.Options) model.Worker {
	return noInitialWorker{c.Checker.NewWorker(o)}
}

type noInitialWorker struct{ model.Worker }

func (noInitialWorker) Initial() ([][]byte, *model.Violation) { return nil, nil }
