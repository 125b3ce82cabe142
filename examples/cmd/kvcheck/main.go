// Command kvcheck is argocheck's command line over the key-value store of
// package kv: list, check, run PLAN, resume, trace, bench and the rest.
package main

import (
	"log"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/cli"
	"github.com/argocheck/argocheck/examples/kv"
	"github.com/argocheck/argocheck/model"
)

func main() {
	cat, err := catalog.New(kvSystem)
	if err != nil {
		log.Fatal(err)
	}
	cli.Main(cat)
}

// kvSystem is the store with its parameters (a flag of check and a key of
// plan lines each) and variants.
var kvSystem = &catalog.System{
	Name:  "kv",
	About: "a key-value store on one disk: a log of records and a commit pointer",
	Params: []catalog.Param{
		{Name: "keys", Default: 2, Min: 1, Max: kv.MaxKeys, About: "keys 0..keys-1"},
		{Name: "values", Default: 2, Min: 2, Max: kv.MaxValues, About: "values 0..values-1"},
		{Name: "records", Default: 3, Min: 1, Max: kv.MaxRecords, About: "room for this many puts"},
	},
	Variants: kv.Variants,
	Build: func(p catalog.Params, variant string) (model.Checker, error) {
		sizes := kv.Sizes{Keys: p.Get("keys"), Values: p.Get("values"), Records: p.Get("records")}
		return kv.System(sizes, kv.Variant(variant)), nil
	},
	ConcurrentBuild: true, // Build shares nothing between calls
}
