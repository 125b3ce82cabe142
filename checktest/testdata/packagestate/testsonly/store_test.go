// Package testsonly keeps its layer code in a test file, which
// NoPackageState does not read: it must say so rather than pass.
package testsonly

var writes int

// put changes a package-level variable.
func put() { writes++ }
