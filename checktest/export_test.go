package checktest

// SetSpecStates makes Spec check n states breadth-first, until the test
// ends.
func SetSpecStates(t interface{ Cleanup(func()) }, n int) {
	old := specStates
	specStates = n
	t.Cleanup(func() { specStates = old })
}

// Kinds are the kinds of violation Violates takes.
var Kinds = kinds
