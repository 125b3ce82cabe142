package cli

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/explorer"
)

// TestModular: --modular runs the checks of each layer and the stack, and
// exits with the worst verdict's status.
func TestModular(t *testing.T) {
	tests := []struct {
		variant  string
		status   int
		verdicts []string // repdisk, log, log/repdisk
	}{
		{"", exitVerified, []string{"verified", "verified", "verified"}},
		{"recover-upper-first", exitViolation, []string{"verified", "verified", "violation"}},
		{"log:apply-backwards", exitViolation, []string{"verified", "violation", "violation"}},
		{"rep:write-d0-only", exitViolation, []string{"violation", "verified", "violation"}},
	}
	for _, tt := range tests {
		t.Run("variant="+tt.variant, func(t *testing.T) {
			args := []string{"check", "log/repdisk", "--modular", "--blocks", "1", "--values", "2", "--log", "2", "--workers", "2", "--variant", tt.variant}
			var out, errOut bytes.Buffer
			if got := run(args, &out, &errOut); got != tt.status {
				t.Fatalf("exit status %d, want %d; stderr %s", got, tt.status, errOut.String())
			}
			text := out.String()
			want := "repdisk=" + tt.verdicts[0] + " log=" + tt.verdicts[1] + " log/repdisk=" + tt.verdicts[2]
			if !strings.Contains(text, want) {
				t.Errorf("summary lacks %q:\n%s", want, text)
			}
			if !regexp.MustCompile(`(?m)^system=repdisk variant=\S+ blocks=5 values=2 `).MatchString(text) {
				t.Errorf("replicated disk not checked at the stack's size (1+2+2 blocks):\n%s", text)
			}

			out.Reset()
			if got := run(append(args, "--json"), &out, &errOut); got != tt.status {
				t.Fatalf("--json: exit status %d, want %d", got, tt.status)
			}
			var mr struct {
				Modular bool   `json:"modular"`
				Verdict string `json:"verdict"`
				Checks  []struct {
					System  string `json:"system"`
					Verdict string `json:"verdict"`
				} `json:"checks"`
			}
			if err := json.Unmarshal(out.Bytes(), &mr); err != nil {
				t.Fatal(err)
			}
			if !mr.Modular || len(mr.Checks) != 3 {
				t.Fatalf("json: %s", out.String())
			}
			for i, c := range mr.Checks {
				if c.Verdict != tt.verdicts[i] {
					t.Errorf("json: check %s: %s, want %s", c.System, c.Verdict, tt.verdicts[i])
				}
			}
			if wantV := map[int]string{exitVerified: "verified", exitViolation: "violation"}[tt.status]; mr.Verdict != wantV {
				t.Errorf("json verdict %s, want %s", mr.Verdict, wantV)
			}
		})
	}
}

func TestModularIncompleteAndUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	// A depth bound leaves every check incomplete.
	if got := run([]string{"check", "log/repdisk", "--modular", "--max-depth", "1"}, &out, &errOut); got != exitIncomplete {
		t.Errorf("--max-depth 1: exit status %d, want %d", got, exitIncomplete)
	}
	errOut.Reset()
	if got := run([]string{"check", "repdisk", "--modular"}, &out, &errOut); got != exitUsage || !strings.Contains(errOut.String(), "no modular check") {
		t.Errorf("repdisk --modular: exit status %d, stderr %q", got, errOut.String())
	}
}

func TestWorse(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"violation", "incomplete", true},
		{"incomplete", "verified", true},
		{"verified", "violation", false},
		{"incomplete", "violation", false},
	} {
		if got := worse(verdict(tt.a), verdict(tt.b)); got != tt.want {
			t.Errorf("worse(%s, %s) = %v", tt.a, tt.b, got)
		}
	}
}

func verdict(s string) explorer.Verdict { return explorer.Verdict(s) }
