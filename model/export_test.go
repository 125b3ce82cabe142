package model

// DeterminismOff is determinismOff, for the benchmarks of the determinism
// checks.
const DeterminismOff = determinismOff

// SetRecordRecoveries turns the recovery memo on or off for the workers
// made from now on, and returns a function that restores the setting.
func SetRecordRecoveries(on bool) (restore func()) {
	old := recordRecoveries
	recordRecoveries = on
	return func() { recordRecoveries = old }
}
