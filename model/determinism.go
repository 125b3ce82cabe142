package model

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cespare/xxhash/v2"
)

// Determinism says how much of a check is spent making sure the layer code
// is deterministic. Layer code must behave the same whenever it runs from
// the same lower state with the same lower-layer choices: the explorer
// runs each procedure once per choice and takes every crash point from
// that one run, and rebuilds paths by running it again.
//
// Every mode checks, on every run, that a run replaying an earlier run's
// choices repeats its primitive calls, and that every call reaches the
// lower layer from the goroutine running the procedure, while it runs (a
// goroutine of the layer code's own, left behind or not, is refused), and
// that every state the run reaches decodes from its encoding back to
// itself (for a specification that is an EncodingTested, only on the
// runs run twice). The modes differ in how many runs are also run twice, the two
// runs' primitive calls, their results, the procedure's result and the
// final state compared. The first of the two runs is made on an instance
// of the implementation built anew for the node being expanded, the
// second on the worker's: state the implementation keeps between calls
// shows as a difference. An instance that ran a compared run of recovery
// or of an operation must hold the values a new one holds; and where every run is run twice,
// and for one lower state in RecoveredEvery elsewhere, a recovery is run
// again on an instance built anew and operations after it are run one
// after the other on the instance that recovered and each on one built
// anew, and compared: state a recovery, or an operation, leaves for the
// operations after it shows. That recovery is run along its first
// choices, and, where every run is run twice and for one of those lower
// states in 16 elsewhere, along each of its runs.
type Determinism uint8

// Determinism modes.
const (
	// DeterminismSample runs twice one procedure run in SampleEvery, a
	// fixed sample chosen by the fingerprint of the node's encoding and
	// the run's position in the node's expansion; a recovery's runs, which
	// depend on the lower state alone, are sampled by that state (each
	// stage of a composed recovery by the state it starts from) and
	// checked once for all the nodes with that state. The sample depends
	// on the node alone, not on which worker expands it or when, so counts
	// are the same for any number of workers. The first levels of a search
	// are checked as in DeterminismFull (see CheckAllStates).
	DeterminismSample Determinism = iota
	// DeterminismFull runs every procedure run twice.
	DeterminismFull
)

// determinismOff runs no run twice: the baseline that the benchmarks of
// the determinism checks measure their cost against. Only tests reach it:
// Check refuses it unless offAllowed.
const determinismOff Determinism = 255

// offAllowed makes Check accept determinismOff. The model's own tests set
// it, for the benchmarks that search with it.
var offAllowed bool

// SampleEvery is the sampling period of DeterminismSample: one run in
// SampleEvery, on average, is run twice.
const SampleEvery = 16

// CheckAllStates bounds the levels that DeterminismSample checks whole:
// every level of a search that begins before this many states have been
// found runs every run twice, as DeterminismFull does. A small system,
// whose few runs a sample could all miss, is so checked in full, and a
// large one spends little on it. Which levels these are depends on the
// state graph alone, so counts and paths are the same for any number of
// workers or shards.
const CheckAllStates = 1 << 12

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
	return 0, fmt.Errorf("unknown determinism mode %q (modes: %s)", s, determinismNames())
}

// Check returns an error unless d is one of DeterminismModes: a search
// must not take another value for DeterminismSample silently, as the
// workers would.
func (d Determinism) Check() error {
	if !slices.Contains(DeterminismModes, d) && !(d == determinismOff && offAllowed) {
		return fmt.Errorf("unknown determinism mode %d (modes: %s)", uint8(d), determinismNames())
	}
	return nil
}

// determinismNames lists the names of DeterminismModes, for errors:
// "sample, full".
func determinismNames() string {
	names := make([]string, len(DeterminismModes))
	for i, d := range DeterminismModes {
		names[i] = d.String()
	}
	return strings.Join(names, ", ")
}

// sampler decides which runs of one node's expansion are run twice.
type sampler struct {
	off  bool
	full bool
	fp   uint64 // fingerprint of the node
	run  uint64 // position of the next run in the expansion
}

// start begins the expansion of node.
func (s *sampler) start(d Determinism, node []byte) {
	s.off, s.full, s.run = d == determinismOff, d == DeterminismFull, 0
	if !s.full && !s.off {
		s.fp = xxhash.Sum64(node)
	}
}

// startFingerprint begins the runs of a recorded recovery stage, sampled
// by fp, the fingerprint of the stage and its start state.
func (s *sampler) startFingerprint(d Determinism, fp uint64) {
	s.off, s.full, s.run, s.fp = d == determinismOff, d == DeterminismFull, 0, fp
}

// RebuiltEvery is the sampling period, in DeterminismSample past the
// levels checked whole, of the compared runs made on an instance of a
// System built anew (see Rebuilt): those of one node or recorded stage in
// RebuiltEvery, by its fingerprint. Building a System costs as much as a
// few runs; a flag that a System's closures share shows in the runs of
// many states.
const RebuiltEvery = 8

// rebuilt reports whether the compared runs of the node, or the recorded
// stage, whose runs are sampled start on an instance of a System built
// anew: all where every run is run twice, and one in RebuiltEvery
// otherwise.
func (s *sampler) rebuilt() bool {
	if s.full || s.off {
		return s.full
	}
	h := s.fp * 0x94D049BB133111EB
	return (h^h>>29)%RebuiltEvery == 0
}

// next reports whether the next run is run twice.
func (s *sampler) next() bool {
	r := s.run
	s.run++
	if s.full || s.off {
		return s.full
	}
	h := (s.fp ^ r*0x9E3779B97F4A7C15) * 0xBF58476D1CE4E5B9
	return (h^h>>31)%SampleEvery == 0
}
