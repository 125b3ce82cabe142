//go:build unix && !linux

package statestore

// adviseHugePages does nothing: transparent huge pages are Linux's.
func adviseHugePages([]byte) {}
