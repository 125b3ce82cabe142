package model

import (
	"fmt"

	"github.com/cespare/xxhash/v2"
)

// Determinism says how much of a check is spent making sure the layer code
// is deterministic. Layer code must behave the same whenever it runs from
// the same lower state with the same lower-layer choices: the explorer
// runs each procedure once per choice and takes every crash point from
// that one run, and rebuilds paths by running it again.
//
// Every mode checks, on every run, that a run replaying an earlier run's
// choices repeats its primitive calls, and that no call reaches the lower
// layer while no procedure is running (a goroutine left behind by layer
// code). The modes differ in how many runs are also run twice, the two
// runs' primitive calls, their results, the procedure's result and the
// final state compared.
type Determinism uint8

// Determinism modes.
const (
	// DeterminismSample runs twice every procedure run from a fixed
	// sample of the nodes: those whose encoding's fingerprint is 0 modulo
	// SampleEvery. The sample depends on the node alone, so counts are the
	// same for any number of workers.
	DeterminismSample Determinism = iota
	// DeterminismFull runs every procedure run twice.
	DeterminismFull
)

// SampleEvery is the sampling period of DeterminismSample: one node in
// SampleEvery has its runs run twice.
const SampleEvery = 16

// DeterminismModes lists the modes in order, for usage messages.
var DeterminismModes = []Determinism{DeterminismSample, DeterminismFull}

// String returns the mode's name as the command line spells it.
func (d Determinism) String() string {
	switch d {
	case DeterminismSample:
		return "sample"
	case DeterminismFull:
		return "full"
	}
	return fmt.Sprintf("Determinism(%d)", uint8(d))
}

// ParseDeterminism returns the mode named s.
func ParseDeterminism(s string) (Determinism, error) {
	for _, d := range DeterminismModes {
		if d.String() == s {
			return d, nil
		}
	}
	return 0, fmt.Errorf("unknown determinism mode %q (modes: sample, full)", s)
}

// checks reports whether the runs expanding node are run twice.
func (d Determinism) checks(node []byte) bool {
	return d == DeterminismFull || xxhash.Sum64(node)%SampleEvery == 0
}
