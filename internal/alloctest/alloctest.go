// Package alloctest counts the allocations a piece of code makes, by the
// functions on their stacks, for tests that hold code to allocating
// nothing outside the places allowed to.
package alloctest

import (
	"runtime"
	"strings"
)

// Count runs f with every allocation recorded and returns the number of
// allocations made with a function whose name contains under on the
// stack: allowed of them with one whose name contains allow too, and the
// others, the stack of one of which is where. The runtime's caches of
// type assertions and interface switches, which it fills at random
// moments, are not counted.
func Count(f func(), under, allow string) (allowed, others int, where string) {
	old := runtime.MemProfileRate
	runtime.MemProfileRate = 1
	defer func() { runtime.MemProfileRate = old }()
	before := snapshot()
	f()
	for stack, n := range snapshot() {
		n -= before[stack]
		switch {
		case n == 0 || !strings.Contains(stack, under) ||
			strings.Contains(stack, "runtime.buildTypeAssertCache") || strings.Contains(stack, "runtime.buildInterfaceSwitchCache"):
		case strings.Contains(stack, allow):
			allowed += int(n)
		default:
			others += int(n)
			where = stack
		}
	}
	return allowed, others, where
}

// snapshot returns the allocations recorded so far, by stack (the
// functions' names, inlined ones included, one a line).
func snapshot() map[string]int64 {
	// The profile is that of the last completed collection, and a record
	// reaches it in the cycle after the one it was made in.
	runtime.GC()
	runtime.GC()
	var records []runtime.MemProfileRecord
	n, _ := runtime.MemProfile(nil, true)
	for {
		records = make([]runtime.MemProfileRecord, n+50)
		var ok bool
		if n, ok = runtime.MemProfile(records, true); ok {
			records = records[:n]
			break
		}
	}
	out := make(map[string]int64, len(records))
	for _, r := range records {
		var b strings.Builder
		frames := runtime.CallersFrames(r.Stack())
		for {
			fr, more := frames.Next()
			b.WriteString(fr.Function)
			b.WriteByte('\n')
			if !more {
				break
			}
		}
		out[b.String()] += r.AllocObjects
	}
	return out
}
