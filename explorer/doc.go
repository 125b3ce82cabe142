// Package explorer searches the state graph of a model.Checker breadth
// first, level by level, with several workers, to closure or to the first
// level that holds a violation.
//
// Determinism: each level's states are numbered in the order of their
// discovering edge (parent number, edge ordinal), taking the smallest such
// edge when several parents reach a state in the same level. State and
// transition counts, and the violation reported with its shortest path,
// are therefore the same for any number of workers.
package explorer
