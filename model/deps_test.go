package model_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The explorer never sees a layer, and layers never see the explorer:
// dependencies point one way, model at the bottom.
func TestDependenciesPointOneWay(t *testing.T) {
	const mod = "github.com/argocheck/argocheck/"
	forbidden := map[string][]string{
		mod + "model/...":      {"explorer", "statestore", "layers", "relations", "cmd"},
		mod + "layers/...":     {"explorer", "statestore", "relations", "cmd"},
		mod + "explorer/...":   {"layers", "relations", "cmd"},
		mod + "statestore/...": {"explorer", "layers", "relations", "cmd"},
		mod + "relations/...":  {"explorer", "statestore", "layers", "cmd"},
	}
	for pkgs, bad := range forbidden {
		out, err := exec.Command("go", "list", "-deps", pkgs).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkgs, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, b := range bad {
				if strings.HasPrefix(dep, mod+b) {
					t.Errorf("%s depends on %s", pkgs, dep)
				}
			}
		}
	}
}
