//go:build unix

package persist

import (
	"io/fs"
	"syscall"
)

// allocated returns the disk space a file takes: its allocated blocks.
func allocated(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Blocks) * 512
	}
	return uint64(fi.Size())
}
