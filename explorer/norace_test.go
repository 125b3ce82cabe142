//go:build !race

package explorer

// raceEnabled: see race_test.go.
const raceEnabled = false
