package relations

import "github.com/argocheck/argocheck/model"

// Proc is the semantics of a procedure over lower states, as two
// relations: Exec relates a start state to the results and final states
// of its completed runs; ExecCrash relates it to the states after a crash
// that strikes after any prefix of a run (none, some or all of its
// steps), the lower crash relation applied.
type Proc struct {
	Exec      Rel
	ExecCrash Rel
}

// RunsOf returns the procedure whose runs from each state are runs(s),
// with the lower layer's crash relation crash. A run with a fault has no
// completed outcome, and its faults are passed to fault (which may be nil).
func RunsOf(runs func(s string) []model.Execution, crash Rel, fault func(from string, v *model.Violation)) Proc {
	runs = memoRuns(runs)
	exec := func(s string) []Out {
		var out []Out
		for _, r := range runs(s) {
			if r.Fault != nil {
				if fault != nil {
					fault(s, r.Fault)
				}
				continue
			}
			out = append(out, Out{r.Ret, r.Final()})
		}
		return set(out)
	}
	prefixes := func(s string) []Out {
		var out []Out
		for _, r := range runs(s) {
			for _, t := range r.Snapshots {
				out = append(out, Out{Unit, t})
			}
		}
		return set(out)
	}
	return Proc{Exec: Memo(exec), ExecCrash: Memo(Then(prefixes, crash))}
}

func memoRuns(runs func(s string) []model.Execution) func(s string) []model.Execution {
	m := map[string][]model.Execution{}
	return func(s string) []model.Execution {
		if rs, ok := m[s]; ok {
			return rs
		}
		rs := runs(s)
		m[s] = rs
		return rs
	}
}

// SeqProc is the procedure p; q (q's result): a crash strikes during p, or
// after p completes, during q.
func SeqProc(p, q Proc) Proc {
	return Proc{
		Exec:      Then(p.Exec, q.Exec),
		ExecCrash: Or(p.ExecCrash, Then(p.Exec, q.ExecCrash)),
	}
}

// ExecRecover is recovery's semantics: crashes during recovery, each
// restarting it from the beginning, any number of times, then one
// completed run. exec_recover rec = (exec_crash rec)* ; exec rec.
func ExecRecover(rec Proc) Rel {
	return Then(Star(rec.ExecCrash), rec.Exec)
}

// Rexec is an operation interrupted by a crash, then recovery:
// rexec p rec = exec_crash p ; exec_recover rec.
func Rexec(p, rec Proc) Rel {
	return Then(p.ExecCrash, ExecRecover(rec))
}

// StackRecover is the composed recovery of a stack whose layers' recovery
// procedures are stages, the bottom layer's first, each running on the
// bottom layer (the upper ones through the implementations below them): a
// crash anywhere in it restarts it from the bottom layer's recovery. It is
// ExecRecover of the stages in sequence; StackRecoverSplit is the same
// relation with its crash loop split by (p ∪ q)* = p* (q p*)*.
func StackRecover(stages ...Proc) Rel {
	whole := stages[0]
	for _, st := range stages[1:] {
		whole = SeqProc(whole, st)
	}
	return ExecRecover(whole)
}

// StackRecoverSplit is StackRecover of two stages written with each
// layer's crash loop on its own, the form that lets each layer's recovery
// be reasoned about separately when two layers, each refining its
// specification, are composed: with p = exec_crash rec1 and
// q = exec rec1 ; exec_crash rec2, (p ∪ q)* = p* (q p*)*, then
// exec rec1 ; exec rec2.
func StackRecoverSplit(rec1, rec2 Proc) Rel {
	p := rec1.ExecCrash
	q := Then(rec1.Exec, rec2.ExecCrash)
	loop := Then(Star(p), Star(Then(q, Star(p))))
	return Then(loop, Then(rec1.Exec, rec2.Exec))
}
