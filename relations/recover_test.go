package relations

import (
	"testing"

	"pgregory.net/rapid"
)

// genProc draws a random procedure: its completed runs and its crash
// outcomes.
func genProc(t *rapid.T, label string) Proc {
	return Proc{Exec: genRel(t, label+".exec"), ExecCrash: genRel(t, label+".crash")}
}

// Property: recovery's combinators are their definitions. An operation
// interrupted by a crash recovers through crashes during recovery; the
// composed recovery of a stack is ExecRecover of its stages in sequence,
// a crash in any of them restarting it; and its split form, each layer's
// crash loop on its own, is the same relation.
func TestRecoveryCombinators(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		op, rec1, rec2 := genProc(t, "op"), genProc(t, "rec1"), genProc(t, "rec2")
		requireEqual(t, "rexec op rec = exec_crash op ; (exec_crash rec)* ; exec rec", Rexec(op, rec1),
			Then(op.ExecCrash, Then(Star(rec1.ExecCrash), rec1.Exec)))
		requireEqual(t, "StackRecover(rec1, rec2) = ExecRecover(rec1 ; rec2)", StackRecover(rec1, rec2),
			ExecRecover(SeqProc(rec1, rec2)))
		requireEqual(t, "StackRecoverSplit(rec1, rec2) = StackRecover(rec1, rec2)", StackRecoverSplit(rec1, rec2),
			StackRecover(rec1, rec2))
	})
}
