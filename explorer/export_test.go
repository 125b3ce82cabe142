package explorer

import "github.com/argocheck/argocheck/model"

// DeepestLevel returns the nodes of the last level of chk's graph, as a
// simple search of its own finds them.
func DeepestLevel(chk model.Checker) map[string]bool {
	_, last := naiveSearch(chk)
	m := map[string]bool{}
	for _, n := range last {
		m[string(n)] = true
	}
	return m
}

// SetRestoreBatchMin sets the fewest keys a resumed search merges into its
// sorted file at once, and returns the function that sets it back.
func SetRestoreBatchMin(n uint64) (undo func()) {
	old := restoreBatchMin
	restoreBatchMin = n
	return func() { restoreBatchMin = old }
}
