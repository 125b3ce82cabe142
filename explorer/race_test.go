//go:build race

package explorer

// raceEnabled: the race detector slows the search some twenty times, so
// the heaviest cross-checks run fewer configurations under it.
const raceEnabled = true
