// Command usermod is argocheck's command line over a system of its own:
// a register kept in block 0 of a disk.
package main

import (
	"log"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/cli"
)

func main() {
	cat, err := catalog.New(registerSystem())
	if err != nil {
		log.Fatal(err)
	}
	cli.Main(cat)
}
