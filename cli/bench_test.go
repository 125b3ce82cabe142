package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/layers"
)

// TestBenchQuick runs a small bench and checks the files it writes.
func TestBenchQuick(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := run([]string{"bench", "--quick", "--systems", "repdisk", "--workers", "1,2", "--out", dir}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	jsons, _ := filepath.Glob(filepath.Join(dir, "bench-*.json"))
	if len(jsons) != 1 {
		t.Fatalf("json files: %v", jsons)
	}
	stem := strings.TrimSuffix(jsons[0], ".json")
	for _, suffix := range []string{".csv", "-scaling.svg", "-scaling.png", "-size.svg", "-size.png"} {
		if st, err := os.Stat(stem + suffix); err != nil || st.Size() == 0 {
			t.Fatalf("%s: %v", suffix, err)
		}
	}
	raw, err := os.ReadFile(jsons[0])
	if err != nil {
		t.Fatal(err)
	}
	var file benchFile
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	// Three sizes, two worker counts, one repeat.
	if len(file.Points) != 6 || file.Machine.Cores == 0 || file.Machine.GoVersion == "" {
		t.Fatalf("%d points, machine %+v", len(file.Points), file.Machine)
	}
	for _, p := range file.Points {
		if p.Verdict != "verified" || p.States == 0 || p.StatesPerSecond <= 0 {
			t.Fatalf("point %+v", p)
		}
	}
	// The same size has the same counts for any number of workers.
	if file.Points[0].States != file.Points[1].States || file.Points[0].Transitions != file.Points[1].Transitions {
		t.Fatalf("counts differ between workers: %+v %+v", file.Points[0], file.Points[1])
	}
	fh, err := os.Open(stem + ".csv")
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	rows, err := csv.NewReader(fh).ReadAll()
	if err != nil || len(rows) != 1+len(file.Points) {
		t.Fatalf("%d csv rows, err %v", len(rows), err)
	}
}

func TestParseBytes(t *testing.T) {
	for _, c := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"", 0, true},
		{"1000", 1000, true},
		{"2KiB", 2048, true},
		{"2k", 2048, true},
		{"1.5GB", 1500000000, true},
		{"3 MiB", 3 << 20, true},
		{"512MB", 512000000, true},
		{"x", 0, false},
		{"-1G", 0, false},
		{"0", 0, false},
		{"GiB", 0, false},
	} {
		got, err := parseBytes(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d, ok %v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestBenchSize(t *testing.T) {
	sys, err := layers.Lookup("log/repdisk")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		spec string
		want catalog.Params
		err  string
	}{
		{"blocks=5,values=2,log=3", catalog.Params{layers.Blocks: 5, layers.Values: 2, layers.Log: 3}, ""},
		{"blocks=4", catalog.Params{layers.Blocks: 4, layers.Values: 2, layers.Log: 2}, ""},
		{"blocks=x", catalog.Params{}, "want key=number"},
		{"disks=2", catalog.Params{}, `unknown size "disks"`},
		{"blocks=99", catalog.Params{}, "--blocks must be between"},
	}
	for _, tc := range cases {
		p, err := parseSize(sys, tc.spec)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.spec, err, tc.err)
			}
			continue
		}
		if err != nil || p != tc.want {
			t.Errorf("%s: %+v %v, want %+v", tc.spec, p, err, tc.want)
		}
	}
}
