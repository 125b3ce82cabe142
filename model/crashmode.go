package model

import "fmt"

// CrashMode narrows where the explorer lets crashes strike. The full
// semantics of recovery refinement is CrashAll; the narrower modes give
// quicker, weaker checks that miss the bugs only their excluded crashes
// reveal.
type CrashMode uint8

// Crash modes.
const (
	// CrashAll: crashes after every prefix of every procedure, recovery
	// included, nested to any depth, and between operations.
	CrashAll CrashMode = iota
	// CrashNoNested: as CrashAll, but no crash during recovery.
	CrashNoNested
	// CrashBetweenOps: crashes only between operations, none inside an
	// operation's procedure or during recovery.
	CrashBetweenOps
)

// CrashModes lists the modes in order, for usage messages.
var CrashModes = []CrashMode{CrashAll, CrashNoNested, CrashBetweenOps}

// String returns the mode's name as the command line spells it.
func (m CrashMode) String() string {
	switch m {
	case CrashAll:
		return "all"
	case CrashNoNested:
		return "no-nested"
	case CrashBetweenOps:
		return "between-ops"
	}
	return fmt.Sprintf("CrashMode(%d)", uint8(m))
}

// ParseCrashMode returns the mode named s.
func ParseCrashMode(s string) (CrashMode, error) {
	for _, m := range CrashModes {
		if m.String() == s {
			return m, nil
		}
	}
	return 0, fmt.Errorf("unknown crash mode %q (modes: all, no-nested, between-ops)", s)
}

// Check returns an error unless m is one of CrashModes: a search must
// not take another for a narrower one silently.
func (m CrashMode) Check() error {
	if m > CrashBetweenOps {
		return fmt.Errorf("unknown crash mode %d (modes: all, no-nested, between-ops)", uint8(m))
	}
	return nil
}

// crashesInOps reports whether crashes strike inside operations.
func (m CrashMode) crashesInOps() bool { return m != CrashBetweenOps }

// crashesInRecovery reports whether crashes strike during recovery.
func (m CrashMode) crashesInRecovery() bool { return m == CrashAll }
