package main

import (
	"bytes"
	"encoding/json"
	"strconv"
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

// At the smallest client values the catalogue takes, every broken variant
// is still caught, and one value fewer is refused: the smallest check the
// command line offers checks what the store promises.
func TestSmallestValuesCatchEveryVariant(t *testing.T) {
	cat, err := catalog.New(kvSystem)
	if err != nil {
		t.Fatal(err)
	}
	var least int
	for _, p := range kvSystem.Params {
		if p.Name == "values" {
			least = p.Min
		}
	}
	values := func(v int) string { return strconv.Itoa(v) }
	for _, v := range kv.Variants {
		if v.Correct {
			continue
		}
		var out, errOut bytes.Buffer
		code := cli.Run(cat, []string{"check", "kv", "--values", values(least), "--variant", v.Name, "--workers", "2", "--quiet"}, &out, &errOut)
		if code != cli.ExitViolation {
			t.Errorf("check kv --values %d --variant %s: exit status %d, want %d (a violation)\n%s%s", least, v.Name, code, cli.ExitViolation, out.String(), errOut.String())
		}
	}
	var out, errOut bytes.Buffer
	if code := cli.Run(cat, []string{"check", "kv", "--values", values(least - 1)}, &out, &errOut); code != cli.ExitUsage {
		t.Errorf("check kv --values %d: exit status %d, want %d (refused)\n%s%s", least-1, code, cli.ExitUsage, out.String(), errOut.String())
	}
}
