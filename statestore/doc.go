// Package statestore holds the explorer's sets of visited states. States are
// identified by nonzero 64-bit keys: the XXH3 fingerprint of a node's
// canonical encoding (Fingerprint), or, in exact mode, a unique number per
// distinct encoding (ExactKeys), so that no two states ever share a key. A
// Table holds the keys of the states visited; a Checkpoint receives the
// search's progress part by part, within levels too, so that a stopped
// search can be resumed from its Saved form (see the persist package).
package statestore
