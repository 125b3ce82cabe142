package model_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The explorer never sees a layer, and layers never see the explorer:
// dependencies point one way, model at the bottom. The persistent store
// alone uses badger, the command line alone cobra, the sharded search
// knows checks only through model, and the command line knows no
// catalogue of its own: it is given one.
func TestDependenciesPointOneWay(t *testing.T) {
	const (
		mod    = "github.com/argocheck/argocheck/"
		badger = "github.com/dgraph-io/badger"
		cobra  = "github.com/spf13/cobra"
	)
	own := func(pkgs ...string) []string {
		for i, p := range pkgs {
			pkgs[i] = mod + p
		}
		return pkgs
	}
	forbidden := map[string][]string{
		"model/...":          append(own("explorer", "statestore", "layers", "relations", "catalog", "cli", "viz", "cmd"), badger, cobra),
		"catalog/...":        append(own("explorer", "statestore", "layers", "relations", "cli", "viz", "cmd"), badger, cobra),
		"layers/...":         append(own("explorer", "statestore", "relations", "cli", "viz", "cmd"), badger, cobra),
		"explorer/...":       append(own("layers", "relations", "catalog", "cli", "viz", "cmd", "statestore/persist"), badger, cobra),
		"statestore":         append(own("model", "explorer", "layers", "relations", "catalog", "cli", "viz", "cmd", "statestore/persist"), badger, cobra),
		"statestore/persist": append(own("model", "explorer", "layers", "relations", "catalog", "cli", "viz", "cmd"), cobra),
		"relations/...":      append(own("explorer", "statestore", "layers", "catalog", "cli", "viz", "cmd"), badger, cobra),
		"viz/...":            append(own("explorer", "statestore", "layers", "relations", "catalog", "cli", "cmd"), badger, cobra),
		"checktest/...":      append(own("layers", "relations", "catalog", "cli", "viz", "cmd", "statestore/persist"), badger, cobra),
		"shard/...":          append(own("layers", "relations", "catalog", "cli", "viz", "cmd", "statestore/persist"), badger, cobra),
		"cli/...":            own("layers"),
	}
	for pkgs, bad := range forbidden {
		out, err := exec.Command("go", "list", "-deps", mod+pkgs).CombinedOutput()
		if err != nil {
			if strings.Contains(string(out), "matched no packages") {
				continue
			}
			t.Fatalf("go list -deps %s: %v\n%s", pkgs, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, b := range bad {
				if dep == b || strings.HasPrefix(dep, b+"/") {
					t.Errorf("%s depends on %s", pkgs, dep)
				}
			}
		}
	}
}
