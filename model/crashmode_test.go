package model

import (
	"fmt"
	"testing"
)

func TestParseCrashMode(t *testing.T) {
	tests := []struct {
		in   string
		want CrashMode
		ok   bool
	}{
		{"all", CrashAll, true},
		{"no-nested", CrashNoNested, true},
		{"between-ops", CrashBetweenOps, true},
		{"", 0, false},
		{"All", 0, false},
		{"nested", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseCrashMode(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseCrashMode(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if tt.ok && got.String() != tt.in {
			t.Errorf("%v.String() = %q, want %q", got, got.String(), tt.in)
		}
	}
	if s := CrashMode(9).String(); s != "CrashMode(9)" {
		t.Errorf("String of an unknown mode = %q", s)
	}
}

func TestCrashModeNarrowing(t *testing.T) {
	tests := []struct {
		mode             CrashMode
		inOps, inRecover bool
	}{
		{CrashAll, true, true},
		{CrashNoNested, true, false},
		{CrashBetweenOps, false, false},
	}
	for _, tt := range tests {
		if tt.mode.crashesInOps() != tt.inOps || tt.mode.crashesInRecovery() != tt.inRecover {
			t.Errorf("%v: crashes in ops %v, in recovery %v; want %v, %v", tt.mode,
				tt.mode.crashesInOps(), tt.mode.crashesInRecovery(), tt.inOps, tt.inRecover)
		}
	}
}

func TestParseDeterminism(t *testing.T) {
	for _, d := range DeterminismModes {
		got, err := ParseDeterminism(d.String())
		if err != nil || got != d {
			t.Errorf("ParseDeterminism(%q) = %v, %v", d.String(), got, err)
		}
	}
	for _, in := range []string{"none", "", "Full", "off"} {
		const modes = " (modes: sample, full)"
		if _, err := ParseDeterminism(in); err == nil || err.Error() != fmt.Sprintf("unknown determinism mode %q", in)+modes {
			t.Errorf("ParseDeterminism(%q): %v, want an unknown mode listing the modes", in, err)
		}
	}
}
