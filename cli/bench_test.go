package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/model"
)

// TestBenchFiles runs a small bench and checks the files it writes.
func TestBenchFiles(t *testing.T) {
	dir := t.TempDir()
	_, stderr, code := cli(t, "bench", "--quick", "--systems", "repdisk", "--workers", "1,2", "--out", dir,
		"--size", "blocks=2", "--size", "blocks=3", "--size", "blocks=3,values=3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
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
	file := readBenchFile(t, jsons[0])
	// Three sizes, two worker counts, one repeat.
	if len(file.Points) != 6 || file.Machine.Cores == 0 || file.Machine.GoVersion == "" {
		t.Fatalf("%d points, machine %+v", len(file.Points), file.Machine)
	}
	for _, p := range file.Points {
		if p.Verdict != "verified" || p.States == 0 || p.StatesPerSecond <= 0 || p.ExpandingShare == nil || *p.ExpandingShare <= 0 || *p.ExpandingShare > 1 {
			t.Fatalf("point %+v", p)
		}
	}
	if p := file.Points[4]; p.Size != "blocks=3,values=3,oob=false" || p.SizeIndex != 2 ||
		mustJSON(t, p.Params) != `{"blocks":3,"oob":false,"values":3}` {
		t.Errorf("third size: %+v", p)
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
	// The CSV's last column is the JSON's expanding share.
	last := len(rows[0]) - 1
	if rows[0][last] != "expanding_share" {
		t.Fatalf("csv columns %v, want expanding_share last", rows[0])
	}
	for i, p := range file.Points {
		if got := rows[1+i][last]; got != strconv.FormatFloat(*p.ExpandingShare, 'f', -1, 64) {
			t.Errorf("row %d: expanding_share %s, JSON %v", i+1, got, *p.ExpandingShare)
		}
	}
}

// TestBenchOneFastSize: one size, one worker and one repeat, under a
// second: the size plot's log axes each span a single value.
func TestBenchOneFastSize(t *testing.T) {
	dir := t.TempDir()
	_, stderr, code := cli(t, "bench", "--systems", "repdisk", "--size", "blocks=5,values=3", "--workers", "1", "--repeats", "1", "--out", dir)
	if code != ExitVerified {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, pattern := range []string{"bench-*-size.svg", "bench-*-size.png"} {
		files, _ := filepath.Glob(filepath.Join(dir, pattern))
		if len(files) != 1 {
			t.Fatalf("%s: %v", pattern, files)
		}
		if st, err := os.Stat(files[0]); err != nil || st.Size() == 0 {
			t.Fatalf("%s: %v", files[0], err)
		}
	}
}

// brokenCatalog is a catalogue of repdisk and of broken, repdisk whose
// correct implementation is repdisk's no-recovery: bench's runs of broken
// find a violation.
func brokenCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	rep, err := layers.Lookup("repdisk")
	if err != nil {
		t.Fatal(err)
	}
	broken := *rep
	broken.Name = "broken"
	broken.Build = func(p catalog.Params, _ string) (model.Checker, error) { return rep.Build(p, "no-recovery") }
	cat, err := catalog.New(rep, &broken)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// TestBenchVerdicts: a run whose verdict is not verified is named on
// stderr, one line each, and in its row on stdout, and bench exits with the worst verdict's status
// once its files are written, the run among them with its verdict.
func TestBenchVerdicts(t *testing.T) {
	cat := brokenCatalog(t)
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := Run(cat, []string{"bench", "--size", "blocks=2", "--workers", "1,2", "--repeats", "1", "--out", dir}, &stdout, &stderr)
	if code != ExitViolation {
		t.Fatalf("exit %d, want %d\n%s%s", code, ExitViolation, &stdout, &stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("stderr %q, want a line for each of broken's two runs", &stderr)
	}
	for i, line := range lines {
		want := fmt.Sprintf("argocheck: broken blocks=2,values=2,oob=false workers=%d repeat=0: verdict violation, not verified", i+1)
		if !strings.HasPrefix(line, want) {
			t.Errorf("stderr line %q, want it to start %q", line, want)
		}
	}
	// The rows on stdout say it too, each of its own run: stdout may
	// be read without stderr.
	for row := range strings.SplitSeq(stdout.String(), "\n") {
		if strings.HasPrefix(row, "broken ") != strings.HasSuffix(row, " verdict=violation (not verified)") {
			t.Errorf("stdout row %q", row)
		}
	}
	jsons, _ := filepath.Glob(filepath.Join(dir, "bench-*.json"))
	if len(jsons) != 1 {
		t.Fatalf("json files: %v", jsons)
	}
	file := readBenchFile(t, jsons[0])
	verdicts := map[string]string{}
	for _, p := range file.Points {
		verdicts[fmt.Sprintf("%s/%d", p.System, p.Workers)] = p.Verdict
	}
	want := map[string]string{"repdisk/1": "verified", "repdisk/2": "verified", "broken/1": "violation", "broken/2": "violation"}
	if !maps.Equal(verdicts, want) {
		t.Errorf("verdicts %v, want %v", verdicts, want)
	}
	// The plots' legends mark broken's lines, and only those.
	for _, plot := range []string{"scaling", "size"} {
		svg, err := os.ReadFile(strings.TrimSuffix(jsons[0], ".json") + "-" + plot + ".svg")
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Count(string(svg), "(NOT VERIFIED)"); got != b2i(plot == "scaling")+2*b2i(plot == "size") || !strings.Contains(string(svg), "broken") {
			t.Errorf("%s plot marks %d lines not verified", plot, got)
		}
	}
}

// TestBenchBuildsFirst: a point that cannot be built is refused, status
// 2, before any point runs: nothing printed, no file written.
func TestBenchBuildsFirst(t *testing.T) {
	sys := testSystem()
	build := sys.Build
	sys.Build = func(p catalog.Params, variant string) (model.Checker, error) {
		if p.Get("width") == 2 {
			return nil, errors.New("no check at width 2")
		}
		return build(p, variant)
	}
	cat, err := catalog.New(sys)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := Run(cat, []string{"bench", "--size", "width=1", "--size", "width=2", "--workers", "1", "--repeats", "1", "--out", dir}, &stdout, &stderr)
	if code != ExitUsage || stdout.Len() != 0 || stderr.String() != "argocheck: pass: no check at width 2\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q; want %d, no output and the bad point", code, &stdout, &stderr, ExitUsage)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("bench wrote %s", entries[0].Name())
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
		{"blocks=5,values=2,log=3", catalog.Params{layers.Blocks: 5, layers.Values: 2, layers.Log: 3, layers.OOB: 0}, ""},
		{"blocks=4", catalog.Params{layers.Blocks: 4, layers.Values: 2, layers.Log: 2, layers.OOB: 0}, ""},
		{"oob=true,log=1", catalog.Params{layers.Blocks: 2, layers.Values: 2, layers.Log: 1, layers.OOB: 1}, ""},
		{"blocks=x", nil, `blocks: "x" is not an integer`},
		{"blocks", nil, `want name=value, not "blocks"`},
		{"disks=2", nil, "system log/repdisk has no parameter disks"},
		{"blocks=99", nil, "log/repdisk: blocks must be between 1 and 8, not 99"},
		{"values=2,blocks=0", nil, "log/repdisk: blocks must be between 1 and 8, not 0"},
	}
	for _, tc := range cases {
		p, err := parseSize(sys, tc.spec)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.spec, err, tc.err)
			}
			continue
		}
		if err != nil || !maps.Equal(p, tc.want) {
			t.Errorf("%s: %v %v, want %v", tc.spec, p, err, tc.want)
		}
	}
}

// TestBenchMatrix: a system's own benchmark sizes, completed with its
// defaults; a system without sizes at its defaults and one and two blocks
// more; --quick the quick sizes or the defaults alone.
func TestBenchMatrix(t *testing.T) {
	plain := *testSystem()
	plain.Name = "plain"
	withBlocks := plain
	withBlocks.Name = "blocky"
	withBlocks.Params = []catalog.Param{{Name: "blocks", Default: 1, Min: 1, Max: 2}, {Name: "depth", Default: 4, Min: 1, Max: 9}}
	sized := plain
	sized.Name = "sized"
	sized.Bench = catalog.BenchSizes{Full: []catalog.Params{{"width": 2}, {"width": 3}}, Quick: []catalog.Params{{"width": 3}}}
	cat, err := catalog.New(&plain, &withBlocks, &sized)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		quick bool
		want  map[string][]catalog.Params
	}{
		{false, map[string][]catalog.Params{
			"plain":  {{"width": 1}},
			"blocky": {{"blocks": 1, "depth": 4}, {"blocks": 2, "depth": 4}}, // blocks=3 is out of range
			"sized":  {{"width": 2}, {"width": 3}},
		}},
		{true, map[string][]catalog.Params{
			"plain":  {{"width": 1}},
			"blocky": {{"blocks": 1, "depth": 4}},
			"sized":  {{"width": 3}},
		}},
	} {
		_, sizes, err := benchMatrix(cat, benchFlags{quick: tc.quick})
		if err != nil || mustJSON(t, sizes) != mustJSON(t, tc.want) {
			t.Errorf("quick=%v: %v %v, want %v", tc.quick, sizes, err, tc.want)
		}
	}
	// A size of a system's own out of its range is refused when the
	// catalogue is made, named as the system writes it, not as a flag.
	wide := sized
	wide.Name = "wide"
	wide.Bench = catalog.BenchSizes{Full: []catalog.Params{{"width": 2}, {"width": 9}}}
	if _, err := catalog.New(&wide); err == nil || err.Error() != "catalog: system wide: Bench.Full size 2 of 2: width must be between 1 and 3, not 9" {
		t.Errorf("out-of-range size: %v", err)
	}
	// The built-in systems' sizes are valid.
	for _, quick := range []bool{false, true} {
		systems, sizes, err := benchMatrix(layers.Catalog(), benchFlags{quick: quick})
		if err != nil || len(systems) != len(layers.Systems()) {
			t.Fatalf("built-in matrix: %d systems, %v", len(systems), err)
		}
		if got := sizes["log/repdisk"][0]; !maps.Equal(got, catalog.Params{layers.Blocks: 4, layers.Values: 2, layers.Log: 2, layers.OOB: 0}) && !quick {
			t.Errorf("log/repdisk's first size %v", got)
		}
	}
}

// readBenchFile reads the JSON file bench wrote at path.
func readBenchFile(t *testing.T, path string) benchFile {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var file benchFile
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestBenchSameSecond: runs of bench begun in the same second into one
// directory each keep their own files: a later run takes the name
// bench-DATE-2, and so on, and overwrites no earlier run's results.
func TestBenchSameSecond(t *testing.T) {
	saved := benchClock
	defer func() { benchClock = saved }()
	began := time.Date(2026, 12, 4, 21, 2, 57, 0, time.UTC)
	benchClock = func() time.Time { return began }
	dir := t.TempDir()
	for i, size := range []string{"blocks=1", "blocks=2", "blocks=1,values=3"} {
		stdout, stderr, code := cli(t, "bench", "--systems", "repdisk", "--size", size, "--workers", "1", "--repeats", "1", "--out", dir)
		if code != ExitVerified {
			t.Fatalf("run %d: exit %d: %s", i+1, code, stderr)
		}
		stem := filepath.Join(dir, "bench-2026-12-04T210257")
		if i > 0 {
			stem += fmt.Sprintf("-%d", i+1)
		}
		if !strings.Contains(stdout, "wrote "+stem+".{json,csv}") {
			t.Errorf("run %d: stdout %q, want it to name %s", i+1, stdout, stem)
		}
		if file := readBenchFile(t, stem+".json"); len(file.Points) != 1 || !strings.HasPrefix(file.Points[0].Size, size+",") {
			t.Errorf("run %d: %s holds %+v", i+1, stem+".json", file.Points)
		}
	}
	if jsons, _ := filepath.Glob(filepath.Join(dir, "bench-*.json")); len(jsons) != 3 {
		t.Errorf("json files %v, want one for each run", jsons)
	}
}
