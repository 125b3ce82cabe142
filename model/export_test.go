package model

// DeterminismOff is determinismOff, for the benchmarks of the determinism
// checks, whose searches Determinism.Check accepts it in.
const DeterminismOff = determinismOff

func init() { offAllowed = true }

// SetRecordRecoveries turns the recovery memo on or off for the workers
// made from now on, and returns a function that restores the setting.
func SetRecordRecoveries(on bool) (restore func()) {
	old := recordRecoveries
	recordRecoveries = on
	return func() { recordRecoveries = old }
}

// SetMemoBudget sets the memory a worker's recovery records may hold, and
// returns a function that restores it.
func SetMemoBudget(bytes int) (restore func()) {
	old := memoBudget
	memoBudget = bytes
	return func() { memoBudget = old }
}

// SetJoinRuns turns joined runs on or off for the workers made from now
// on, and returns a function that restores the setting.
func SetJoinRuns(on bool) (restore func()) {
	old := joinRuns
	joinRuns = on
	return func() { joinRuns = old }
}

// SetRecoveredEvery sets the sampling periods of the checks of recovered
// instances past the levels checked whole (RecoveredEvery, and of
// recoverEach among those), and returns a function that restores them.
func SetRecoveredEvery(every, each uint64) (restore func()) {
	oldEvery, oldEach := recoveredEvery, recoverEachEvery
	recoveredEvery, recoverEachEvery = every, each
	return func() { recoveredEvery, recoverEachEvery = oldEvery, oldEach }
}

// Recovering reports whether node is a Recovering node.
func Recovering(node []byte) bool { return len(node) > 0 && node[0] == tagRecovering }

// MemoSlot returns the slot of the record of stage s from the lower state
// whose encoding is enc.
func MemoSlot(enc []byte, s int) int { return int(memoKey(enc, s) % memoSlots) }
