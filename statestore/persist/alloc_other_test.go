//go:build !unix

package persist

import "io/fs"

// allocated returns the disk space a file takes: its length, where the
// system does not tell its allocated blocks.
func allocated(fi fs.FileInfo) uint64 { return uint64(fi.Size()) }
