package statestore

import "syscall"

// adviseHugePages asks Linux to back b with transparent huge pages where
// it can. A visited set's lookups land anywhere in its arrays: with 4 KiB
// pages nearly every one also misses the TLB. The advice is only advice:
// where huge pages are off it changes nothing.
func adviseHugePages(b []byte) { _ = syscall.Madvise(b, syscall.MADV_HUGEPAGE) }
