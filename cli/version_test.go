package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"sync"
	"testing"

	"github.com/argocheck/argocheck/layers"
)

// TestBuildVersion: argocheck's own command names argocheck and its
// revision; a user's program built on argocheck names itself, its
// module and the revision of that module, which holds the layer code,
// and the argocheck version it is built on, in the --version line and in
// the reports' JSON.
func TestBuildVersion(t *testing.T) {
	vcs := []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.modified", Value: "true"}}
	tests := []struct {
		name string
		info *debug.BuildInfo
		line string
		json string
	}{
		{
			name: "argocheck",
			info: &debug.BuildInfo{Path: modulePath + "/cmd/argocheck", Main: debug.Module{Path: modulePath, Version: "v1.2.0"}, Settings: vcs},
			line: "argocheck version=v1.2.0 revision=abc123 modified=true",
			json: `{"version":"v1.2.0","revision":"abc123","modified":true}`,
		},
		{
			name: "user program",
			info: &debug.BuildInfo{Path: "example.com/store/cmd/storecheck", Main: debug.Module{Path: "example.com/store", Version: "(devel)"},
				Deps: []*debug.Module{{Path: modulePath, Version: "v1.2.0"}}, Settings: vcs},
			line: "storecheck module=example.com/store version=(devel) revision=abc123 modified=true argocheck=v1.2.0",
			json: `{"version":"v1.2.0","revision":"unknown","modified":false,"program":{"command":"storecheck","module":"example.com/store","version":"(devel)","revision":"abc123","modified":true}}`,
		},
		{
			name: "user program, argocheck replaced",
			info: &debug.BuildInfo{Path: "example.com/store/cmd/storecheck", Main: debug.Module{Path: "example.com/store"},
				Deps: []*debug.Module{{Path: modulePath, Version: "v1.2.0", Replace: &debug.Module{Path: "../argocheck"}}}},
			line: "storecheck module=example.com/store version=(devel) revision=unknown modified=false argocheck=v1.2.0",
			json: `{"version":"v1.2.0","revision":"unknown","modified":false,"program":{"command":"storecheck","module":"example.com/store","version":"(devel)","revision":"unknown","modified":false}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func(old func() (*debug.BuildInfo, bool)) { readBuildInfo = old }(readBuildInfo)
			readBuildInfo = func() (*debug.BuildInfo, bool) { return tt.info, true }
			v := buildVersion()
			if got := v.String(); got != tt.line {
				t.Errorf("line %q, want %q", got, tt.line)
			}
			if got, err := json.Marshal(v); err != nil || string(got) != tt.json {
				t.Errorf("JSON %s (%v), want %s", got, err, tt.json)
			}
			stdout, stderr, code := cli(t, "check", "repdisk", "--blocks", "1", "--values", "2", "--json", "-q")
			if code != ExitVerified {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var r struct {
				Argocheck version `json:"argocheck"`
			}
			validJSON(t, reportSchema(t), []byte(stdout), &r)
			if v.Build = buildID(); r.Argocheck != v {
				t.Errorf("report's argocheck %+v, want %+v", r.Argocheck, v)
			}
		})
	}
}

// TestReportsNameTheBuild: every report names the build that wrote it,
// the one --version prints, in its JSON argocheck object and among its
// JUnit properties: a check's, a plan's, and a sharded check's, shard
// 0's check report and another shard's shard report. A nightly job of a
// build with no VCS information can tell which binary reached a verdict.
func TestReportsNameTheBuild(t *testing.T) {
	out, stderr, code := cli(t, "--version")
	m := regexp.MustCompile(` build=(\S+)\n$`).FindStringSubmatch(out)
	if code != ExitVerified || m == nil {
		t.Fatalf("--version: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	build := m[1]
	sch := reportSchema(t)
	dir := t.TempDir()
	// named checks the JSON report (of a plan, or a shard, or a check)
	// in file and the JUnit report in junit.
	named := func(what, file, junit string) {
		t.Helper()
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		var r struct {
			Argocheck version `json:"argocheck"`
		}
		validJSON(t, sch, data, &r)
		if r.Argocheck.Build != build {
			t.Errorf("%s: the JSON report's build is %q, --version's %q\n%s", what, r.Argocheck.Build, build, data)
		}
		var doc junitSuites
		readXML(t, junit, &doc)
		var got []string
		for _, s := range doc.Suites {
			for _, p := range s.Properties {
				if p.Name == "argocheck.build" {
					got = append(got, p.Value)
				}
			}
		}
		if len(got) != 1 || got[0] != build {
			t.Errorf("%s: the JUnit report's argocheck.build properties are %q, want one, --version's %q", what, got, build)
		}
	}
	small := []string{"repdisk", "--blocks", "1", "--values", "2"}

	report, junit := filepath.Join(dir, "check.json"), filepath.Join(dir, "check.xml")
	if _, stderr, code := cli(t, append([]string{"check", "-q", "--workers", "1", "--report", report, "--junit", junit}, small...)...); code != ExitVerified {
		t.Fatalf("check: exit %d: %s", code, stderr)
	}
	named("check", report, junit)

	plan := writeFile(t, dir, "p.plan", "repdisk blocks=1 values=2 expect=verified\nrepdisk blocks=2 values=2 variant=no-recovery expect=violation\n")
	report, junit = filepath.Join(dir, "plan.json"), filepath.Join(dir, "plan.xml")
	if _, stderr, code := cli(t, "run", plan, "-q", "--workers", "1", "--report", report, "--junit", junit); code != ExitVerified {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	named("plan", report, junit)

	url := exchange(t)
	file := func(i int, ext string) string { return filepath.Join(dir, fmt.Sprintf("shard%d.%s", i, ext)) }
	var wg sync.WaitGroup
	runs := make([]shardRun, 2)
	for i := range runs {
		wg.Go(func() {
			var out, errb bytes.Buffer
			args := append([]string{"shard", "--shards", "2", "--index", fmt.Sprint(i), "--exchange", url, "-q", "--workers", "1",
				"--report", file(i, "json"), "--junit", file(i, "xml")}, small...)
			runs[i] = shardRun{out.String(), errb.String(), Run(layers.Catalog(), args, &out, &errb)}
		})
	}
	wg.Wait()
	for i, r := range runs {
		if r.code != ExitVerified {
			t.Fatalf("shard %d: exit %d: %s", i, r.code, r.stderr)
		}
		named(fmt.Sprintf("shard %d", i), file(i, "json"), file(i, "xml"))
	}
}
