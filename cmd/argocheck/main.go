// Command argocheck checks the built-in crash-safe layered storage systems
// for recovery refinement; see package cli for its commands and flags.
package main

import (
	// The object stores a sharded run exchanges its states through, besides
	// a directory: s3://, gs:// and azblob:// URLs.
	_ "gocloud.dev/blob/azureblob"
	_ "gocloud.dev/blob/gcsblob"
	_ "gocloud.dev/blob/s3blob"

	"github.com/argocheck/argocheck/cli"
	"github.com/argocheck/argocheck/layers"
)

func main() { cli.Main(layers.Catalog()) }
