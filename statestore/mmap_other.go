//go:build !unix

package statestore

import "os"

// mapFile reads the file name into memory where mapping it is not
// available.
func mapFile(name string, size int) ([]byte, func() error, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, nil, err
	}
	return data[:size], nil, nil
}

// mapWords returns nil: the words are allocated in Go's heap instead.
func mapWords(n uint64) []uint64 { return nil }

// unmapWords is never called where mapWords returns nil.
func unmapWords(w []uint64) {}
