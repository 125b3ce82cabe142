package cli

import (
	"encoding/json"
	"runtime/debug"
	"testing"
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
			if r.Argocheck != v {
				t.Errorf("report's argocheck %+v, want %+v", r.Argocheck, v)
			}
		})
	}
}
