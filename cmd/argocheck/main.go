// Command argocheck checks the built-in crash-safe layered storage systems
// for recovery refinement; see package cli for its commands and flags.
package main

import (
	"github.com/argocheck/argocheck/cli"
	"github.com/argocheck/argocheck/layers"
)

func main() { cli.Main(layers.Catalog()) }
