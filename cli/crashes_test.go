package cli

import (
	"bytes"
	"strings"
	"testing"
)

// TestCrashesFlag: --crashes narrows the search (a variant broken only by
// crashes inside procedures verifies under between-ops), shows in the
// summary, and a bad value is one usage error.
func TestCrashesFlag(t *testing.T) {
	tests := []struct {
		args   []string
		status int
		out    string // expected substring of stdout
		err    string // expected stderr
	}{
		{[]string{"--variant", "no-recovery"}, exitViolation, "verdict=violation", ""},
		{[]string{"--variant", "no-recovery", "--crashes", "all"}, exitViolation, "verdict=violation", ""},
		{[]string{"--variant", "no-recovery", "--crashes", "no-nested"}, exitViolation, "crashes=no-nested", ""},
		{[]string{"--variant", "no-recovery", "--crashes", "between-ops"}, exitVerified, "crashes=between-ops workers=1\nverdict=verified", ""},
		{[]string{"--variant", "write-d0-only", "--crashes", "between-ops"}, exitViolation, "verdict=violation", ""},
		{[]string{"--crashes", "none"}, exitUsage, "", "argocheck: --crashes: unknown crash mode \"none\" (modes: all, no-nested, between-ops)\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"check", "repdisk", "--blocks", "2", "--workers", "1"}, tt.args...)
			if got := run(args, &stdout, &stderr); got != tt.status {
				t.Errorf("status %d, want %d; stderr %q", got, tt.status, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.out) {
				t.Errorf("stdout lacks %q:\n%s", tt.out, stdout.String())
			}
			if stderr.String() != tt.err {
				t.Errorf("stderr %q, want %q", stderr.String(), tt.err)
			}
		})
	}
}
