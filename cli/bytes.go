package cli

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// byteUnits are the suffixes parseBytes accepts, longest first.
var byteUnits = []struct {
	suffix string
	factor uint64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
	{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"T", 1 << 40},
	{"B", 1},
}

// parseBytes reads a size such as "512MiB", "2G" or "1000000"; the empty
// string is zero (the default).
func parseBytes(s string) (uint64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	factor := uint64(1)
	num := s
	for _, u := range byteUnits {
		if n := len(s) - len(u.suffix); n >= 0 && strings.EqualFold(s[n:], u.suffix) {
			num, factor = strings.TrimSpace(s[:n]), u.factor
			break
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	bytes := v * float64(factor)
	if err != nil || math.IsNaN(v) || bytes < 1 || bytes >= 1<<63 {
		return 0, fmt.Errorf("%q is not a positive size such as 512MiB or 2GB (units B, KB, MB, GB, TB, and KiB, MiB, GiB, TiB or K, M, G, T for powers of 1024; no unit: bytes)", s)
	}
	return uint64(bytes), nil
}
