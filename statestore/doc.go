// Package statestore holds the explorer's sets of visited states. States are
// identified by 64-bit keys: the xxhash fingerprint of a node's canonical
// encoding (FingerprintKeys), or, in exact mode, a unique number per
// distinct encoding (ExactKeys), so that no two states ever share a key.
package statestore
