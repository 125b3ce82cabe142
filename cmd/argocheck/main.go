// Command argocheck checks the built-in crash-safe layered storage systems
// for recovery refinement; see package cli for its commands and flags.
//
// Built with the tag cloud (go build -tags cloud), it also shards through
// S3, GCS and Azure (see cloud.go); without it, through a directory only,
// and it builds in a fraction of the time.
package main

import (
	"github.com/argocheck/argocheck/cli"
	"github.com/argocheck/argocheck/layers"
)

func main() { cli.Main(layers.Catalog()) }
