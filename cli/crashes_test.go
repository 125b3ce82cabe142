package cli

import (
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
		{[]string{"--variant", "no-recovery"}, ExitViolation, "verdict=violation", ""},
		{[]string{"--variant", "no-recovery", "--crashes", "all"}, ExitViolation, "verdict=violation", ""},
		{[]string{"--variant", "no-recovery", "--crashes", "no-nested"}, ExitViolation, "crashes=no-nested", ""},
		{[]string{"--variant", "no-recovery", "--crashes", "between-ops"}, ExitVerified, "oob=false crashes=between-ops workers=1\nverdict=verified", ""},
		{[]string{"--variant", "write-d0-only", "--crashes", "between-ops"}, ExitViolation, "verdict=violation", ""},
		{[]string{"--crashes", "none"}, ExitUsage, "", "argocheck: --crashes: unknown crash mode \"none\" (modes: all, no-nested, between-ops)\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			args := append([]string{"check", "repdisk", "--blocks", "2", "--workers", "1"}, tt.args...)
			stdout, stderr, got := cli(t, args...)
			if got != tt.status {
				t.Errorf("status %d, want %d; stderr %q", got, tt.status, stderr)
			}
			if !strings.Contains(stdout, tt.out) {
				t.Errorf("stdout lacks %q:\n%s", tt.out, stdout)
			}
			if stderr != tt.err {
				t.Errorf("stderr %q, want %q", stderr, tt.err)
			}
		})
	}
}
