package model

// DeterminismOff is determinismOff, for the benchmarks of the determinism
// checks.
const DeterminismOff = determinismOff
