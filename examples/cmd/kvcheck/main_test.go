package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/cli"
	"github.com/argocheck/argocheck/examples/kv"
)

// The nightly plan runs through kvcheck's own command line, every check
// reaches its expected verdict, and every variant of the store is in it.
func TestNightlyPlan(t *testing.T) {
	cat, err := catalog.New(kvSystem)
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := cli.Run(cat, []string{"run", "../../kv/nightly.plan", "--workers", "2", "--quiet", "--json"}, &out, &errOut)
	if code != cli.ExitVerified {
		t.Fatalf("kvcheck run: exit status %d\n%s%s", code, out.String(), errOut.String())
	}
	var report struct {
		OK      bool
		Results []struct{ Variant, Verdict string }
	}
	if err := json.Unmarshal(out.Bytes(), &report); err != nil {
		t.Fatal(err)
	}
	if !report.OK {
		t.Errorf("the plan's report is not ok:\n%s", out.String())
	}
	ran := map[string]bool{}
	for _, r := range report.Results {
		ran[r.Variant] = true
	}
	for _, v := range append(catalog.Variants{{Name: "correct"}}, kv.Variants...) {
		if !ran[v.Name] {
			t.Errorf("kv/nightly.plan checks no %s", v.Name)
		}
	}
}
