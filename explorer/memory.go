package explorer

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// DefaultMemoryBytes returns the default memory budget of a search: half
// the physical memory, or 4 GiB where it cannot be read.
func DefaultMemoryBytes() uint64 {
	if total := physicalMemory(); total > 0 {
		return total / 2
	}
	return 4 << 30
}

// physicalMemory reads MemTotal from /proc/meminfo; zero when unknown.
func physicalMemory() uint64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			kb, err := strconv.ParseUint(fields[1], 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}

// byteCount writes n bytes as a person reads it: "1 byte", "2048 bytes".
func byteCount(n uint64) string {
	if n == 1 {
		return "1 byte"
	}
	return strconv.FormatUint(n, 10) + " bytes"
}
