package model

import (
	"fmt"

	"github.com/cespare/xxhash/v2"
)

// RecoveredEvery is the sampling period, in DeterminismSample past the
// levels checked whole, of the checks of recovered instances: one lower
// state's recovery in RecoveredEvery, once
// per recording, is run again on new instances and followed by
// operations. (A recovery that leaves state in memory usually does so
// from many states.)
const RecoveredEvery = 64

// recoverEachEvery is the sampling period, in DeterminismSample past the
// levels checked whole, of recoverEach among the lower states whose
// recovered instances recoveredOps checks: one in recoverEachEvery of
// them (one lower state in RecoveredEvery*recoverEachEvery) has its
// recovery run again along each of its runs, each followed by an
// operation compared. recoveredEvery is RecoveredEvery, which tests
// change with it (SetRecoveredEvery).
var recoveredEvery, recoverEachEvery uint64 = RecoveredEvery, 16

// recoveredOps checks, for the current Recovering node, that an instance
// that has run recovery behaves as instances that have not: implementation
// code keeps no state of its own between calls, and the search relies on
// it where it runs code on another instance than a real run would.
//
//   - After a real crash the instance that recovered runs the operations,
//     where the search runs them on instances that never recovered: a
//     recovery that leaves state in memory for the operations to read (a
//     flag, a cache) would go unseen.
//   - A composed recovery (see Compose) runs its stages one after the
//     other on one instance, where the search runs each stage from the
//     state the one before ended in, on the instance that ran that
//     stage's last run: a stage that leaves state in memory for the next
//     would go unseen.
//   - A real instance runs the operations one after the other, where the
//     search runs each from its state on an instance that ran others,
//     from other states: an operation that leaves state in memory for the
//     next to read only when it describes the state it left (a cache of
//     what it wrote, checked against the disk) would go unseen.
//
// It runs the recovery from the node's lower state once, whole, the lower
// layer taking its first choice everywhere, on a newly built instance;
// when it has stages, it runs them again, each on a newly built instance,
// and compares the two; then it runs one operation (chosen by the lower
// state, each in turn over the states) and one after it (a stride the
// lower state chooses too after it in the operations' list), from
// the state recovery ended in, on the instance that recovered and each
// on an instance newly built for it, and compares the two runs of each; in
// DeterminismFull, it runs as many operations as there are one after the
// other so, then each right after a recovery of its own; and where every
// run is run twice, it runs recovery again along each of its other runs,
// each followed by one operation so compared (recoverEach). A difference
// is a nondeterminism violation at the
// expansion's next edge. Runs that fail are left to the search, which
// meets them at their own edges. It runs where every run is run twice
// (DeterminismFull, and the first levels), and otherwise for one lower
// state in RecoveredEvery, recoverEach for one of those in
// recoverEachEvery.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) recoveredOps() {
	d := w.determinism()
	fp := xxhash.Sum64(w.lower)
	if d == determinismOff || d != DeterminismFull && fp%recoveredEvery != 0 || len(w.ops) == 0 {
		return
	}
	if !w.recoverNew() {
		return
	}
	if where := w.memoryOf(&w.recovered, w.recoveredSys); where != "" {
		w.kind, w.op, w.crashAfter = StepRecover, nil, 0
		w.violate(KindNondeterminism, memoryMessage(w.procedure(nil, &w.c)+", run whole on a newly built instance, the lower layer taking its first choices,", where))
		return
	}
	if msg := w.compareStages(&w.recoveredC); msg != "" {
		w.kind, w.op, w.crashAfter = StepRecover, nil, 0
		w.violate(KindNondeterminism, fmt.Sprintf("%s, run whole on one instance and then stage by stage on newly built ones, the lower layer taking its first choices, %s%s",
			w.procedure(nil, &w.c), msg, causes(w.anew(), "keeps state of its own between calls (a stage leaves something in memory that the next reads)")))
		return
	}
	// The operation the lower state picks and the one a stride it picks
	// too after it, one after the other; in DeterminismFull, as many
	// operations as there are, each a stride after the one before, then
	// each right after a recovery of its own. The stride, 0 to n-1,
	// changes with the lower state, so that over the states every
	// operation follows every other, not only the next in w.ops.
	n := len(w.ops)
	first, stride := int(fp>>32%uint64(n)), int(fp>>16%uint64(n))
	if w.opts.Determinism != DeterminismFull {
		if !w.compareOps(first, stride, min(n, 2)) && (d == DeterminismFull || fp/recoveredEvery%recoverEachEvery == 0) {
			w.recoverEach(first)
		}
		return
	}
	if w.compareOps(first, stride, n) {
		return
	}
	for i := 1; i < n; i++ {
		if !w.recoverNew() || w.compareOps((first+i)%n, 0, 1) {
			return
		}
	}
	w.recoverEach(first)
}

// recoverEach runs recovery from the node's lower state whole along each
// of its runs but the first (which recoverNew made), the lower layer
// taking every combination of choices in turn, each on a newly built
// instance, and after each run that completes runs count operations
// (w.ops[first] and those after it) one after the other on the instance
// that recovered, each compared with its run on an instance built anew
// (compareOps). A recovery that leaves state for the operations on some
// of its runs alone (a degraded mode set when a probe of the disk fails,
// kept in a variable its closures capture, which no walk of memory sees)
// shows there, where the first choices never take that course. It
// reports whether it found a difference: a nondeterminism violation.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) recoverEach(first int) bool {
	w.startRuns()
	for k := 0; ; k++ {
		if k > 0 {
			w.run.pick = append(w.run.pick[:0], w.eachRun.pick...)
			w.run.width = append(w.run.width[:0], w.eachRun.width...)
			w.run.at = append(w.run.at[:0], w.eachRun.at...)
			if !w.run.next() {
				return false
			}
		}
		w.recovered, w.recoveredSys = w.buildInstanceAnew()
		w.m.start(&w.c, 0, 0)
		_, done := w.call(&w.recovered, nil)
		w.run.finish()
		w.panicV = nil
		done = done && !w.run.diverged
		w.eachRun.pick = append(w.eachRun.pick[:0], w.run.pick...)
		w.eachRun.width = append(w.eachRun.width[:0], w.run.width...)
		w.eachRun.at = append(w.eachRun.at[:0], w.run.at...)
		if k == 0 || !done {
			continue
		}
		w.recoveredC = w.m.state
		w.eachRunning = true
		differs := w.compareOps((first+k)%len(w.ops), 0, 1)
		w.eachRunning = false
		if differs {
			return true
		}
	}
}

// anew says that the instances these checks build come from Systems
// built anew (see Rebuilt), which causes then names first.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) anew() bool {
	return w.opts.rebuild != nil
}

// recoverNew runs recovery from the node's lower state whole on a newly
// built instance, w.recovered, the lower layer taking its first choices,
// and keeps the state it ends in in w.recoveredC; it reports whether the
// run completed.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) recoverNew() bool {
	w.recovered, w.recoveredSys = w.buildInstanceAnew()
	w.startRuns()
	w.m.start(&w.c, 0, 0)
	_, done := w.call(&w.recovered, nil)
	w.run.finish()
	w.panicV = nil
	w.recoveredC = w.m.state
	return done && !w.run.diverged
}

// compareOps runs count operations one after the other, w.ops[first]
// and each stride after the one before (modulo their number), from
// w.recoveredC, on w.recovered, which has just recovered, and each on an
// instance built anew for it, compares the two runs of each,
// and reports whether it found them different: a nondeterminism
// violation. (An instance built anew that ran the same operations before
// would hold what they left, as the recovered one does, and run alike:
// an operation that reads what the one before it left, as a real
// instance runs them, would go unseen, where the search runs each from
// a state on an instance that ran others.)
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) compareOps(first, stride, count int) bool {
	after := &w.recoveredC
	for i := range count {
		op := &w.ops[(first+i*stride)%len(w.ops)]
		w.clean, _ = w.buildInstanceAnew()
		w.startRuns()
		w.m.start(after, 0, 0)
		w.probe.ret, w.probe.done = w.call(&w.recovered, op)
		w.keepProbe()
		w.m.start(after, 0, 0)
		w.ret, w.done = w.call(&w.clean, op)
		w.run.finish()
		w.panicV = nil
		msg := w.compareProbe()
		if msg == "" && w.run.diverged {
			msg = "took other lower-layer choices the second time"
		}
		if msg != "" {
			w.kind, w.op, w.crashAfter = StepOp, op, 0
			choices := "the lower layer taking its first choices"
			if w.eachRunning {
				choices = fmt.Sprintf("recovery taking the lower layer's choices %v, the operations the first", w.eachRun.pick)
			}
			w.violate(KindNondeterminism, fmt.Sprintf("after recovery from lower state %s and %d operations more (%s), %s, run on the instance that recovered and ran them and then on a newly built one, %s%s",
				w.sys.Lower.Spec.Format(&w.c), i, choices, w.procedure(op, after), msg, causes(w.anew(), "keeps state of its own between calls (recovery, or an operation, leaves something in memory that the operations after it read), or is not deterministic"+nondeterminismHint)))
			return true
		}
		if !w.done {
			return false
		}
		*after = w.m.state
	}
	return false
}

// compareStages runs a composed recovery from the node's lower state
// stage by stage, each stage on a newly built instance, the lower layer
// taking its first choices, and says how it differs from the whole run
// just made, which ended in lower state whole; "" when it does not, or
// when the recovery has one stage or a staged run fails.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) compareStages(whole *CS) string {
	stages := w.recovered.stageCount()
	if stages < 2 {
		return ""
	}
	w.stagedOps = append(w.stagedOps[:0], w.m.operations()...)
	w.stagedRets = append(w.stagedRets[:0], w.m.results()...)
	n := len(w.stagedOps)
	w.startRuns()
	w.m.start(&w.c, 0, 0)
	for s := range stages {
		if s > 0 {
			w.crashC = w.m.state
			w.m.start(&w.crashC, 0, 0)
		}
		w.clean, _ = w.buildInstanceAnew()
		done := w.callStage(w.clean.stage(s))
		w.run.finish()
		w.panicV = nil
		if !done || w.run.diverged {
			return ""
		}
		w.stagedOps = append(w.stagedOps, w.m.operations()...)
		w.stagedRets = append(w.stagedRets, w.m.results()...)
	}
	if msg := diffCalls(w.stagedOps[:n], w.stagedRets[:n], w.stagedOps[n:], w.stagedRets[n:]); msg != "" {
		return msg
	}
	if w.m.state != *whole {
		spec := w.sys.Lower.Spec
		return fmt.Sprintf("left lower state %s the first time and %s the second", spec.Format(whole), spec.Format(&w.m.state))
	}
	return ""
}
