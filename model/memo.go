package model

import (
	"fmt"
	"runtime"
	"slices"
	"unsafe"

	"github.com/cespare/xxhash/v2"
)

// The recovery memo. A Recovering node's successors depend on its lower
// state c and, only through the completion check, on its allowed set:
// recovery from c makes the same runs, with the same crash points and the
// same final states, whatever the allowed set. Nodes with the same lower
// state and different allowed sets are common (a crash before the first
// primitive step of each operation from one Idle node leaves that node's
// lower state, with an allowed set for each operation's outcomes), so a
// worker records what recovery from c does, once, and replays the record
// for each allowed set.
//
// A composed recovery (see Compose) is recorded stage by stage: a stage's
// runs start from the state the previous stage ended in, and its record
// is keyed by that state. The Go code of a procedure cannot be resumed
// in the middle, so a run that takes another choice at step k runs its
// first k steps again; staging saves running a whole earlier stage again
// for each choice of a later one, and many crash states end the bottom
// stage in the same state (a replicated disk's recovery makes its disks
// equal).
//
// The record's edges are exactly those runAll emits, in the same order,
// with the same ordinals: runs in the order of their choice sequences,
// each run's crash points from the first one no earlier run took, and its
// completion. A record whose runs fail (a panic, the step limit, an
// invariant) is not used: the node is expanded by runAll, which reports
// the failure at its edge. The determinism checks run on recorded runs:
// the runs of one stage from one state are sampled by that state and the
// run's position, whichever node asked for them.

// recordRecoveries turns the recovery memo on for new workers; tests turn
// it off to compare.
var recordRecoveries = true

// memoSlots is the number of records a worker keeps per recovery stage.
const memoSlots = 512

// memoMaxBytes bounds the memory of one record; a recovery that needs
// more is expanded without a record.
const memoMaxBytes = 1 << 20

// memoBudget bounds the memory a worker's records hold. A record that
// takes the records past it is used for the node that made it, then
// dropped. Tests lower it.
var memoBudget = 32 << 20

// memoOffAfter is the number of recoveries too large to record after which
// a worker stops recording.
const memoOffAfter = 64

// Kinds of memoEvent.
const (
	evCrash = iota // a crash point: encodings a..b-1, one per crash outcome
	evDone         // the last stage's completion in ends[a], as finals[a]
	evNext         // an earlier stage's completion: the next stage from ends[a], after b steps
	evJoin         // a joined run (see join.go): events a..b-1 again
)

// memoEvent is one crash point or completion of a recorded stage.
type memoEvent struct {
	kind uint8
	a, b uint32
}

// memoFinal is a completed recovery: its abstraction and the encoding of
// the Idle node it reaches (bytes[lo:hi] of the record).
type memoFinal[AS comparable] struct {
	abs     AS
	related bool
	lo, hi  uint32
	// emitted is the last expansion (the worker's count) that emitted the
	// Idle node.
	emitted uint64
}

// memoLink is a record's last known record of the next stage from one of
// its ends: valid while that record is used and still the one made in
// generation gen of its slot.
type memoLink[CS, AS comparable] struct {
	next *memoEntry[CS, AS]
	gen  uint64
}

// memoEntry records the runs of one recovery stage from one lower state.
type memoEntry[CS, AS comparable] struct {
	used  bool   // the record is complete and usable
	gen   uint64 // counts the records made in this slot
	start CS
	// bytes holds the crash outcomes' lower encodings (encoding i is
	// bytes[spans[2i]:spans[2i+1]]) and the final Idle nodes' encodings.
	bytes  []byte
	spans  []uint32
	events []memoEvent
	// ends are the distinct states the runs end in: the next stage's
	// starts, each with its link, or for the last stage the completions,
	// each with its final.
	ends   []CS
	links  []memoLink[CS, AS]
	finals []memoFinal[AS]
	// steps is the most primitive steps of any run.
	steps int
	// replayed is the expansion (the worker's count) in which the record,
	// of the last stage, was last replayed without a failed check; that
	// replay emitted edges edges, crashes of them crashes.
	replayed       uint64
	edges, crashes uint32
}

func (e *memoEntry[CS, AS]) reset(start *CS) {
	e.used, e.start, e.steps, e.replayed = false, *start, 0, 0
	e.gen++
	e.bytes, e.spans, e.events = e.bytes[:0], e.spans[:0], e.events[:0]
	e.ends, e.links, e.finals = e.ends[:0], e.links[:0], e.finals[:0]
}

// encoding returns crash outcome i's lower encoding and its span flags.
func (e *memoEntry[CS, AS]) encoding(i uint32) ([]byte, uint32) {
	lo := e.spans[2*i]
	return e.bytes[lo&^spanFlags : e.spans[2*i+1]], lo & spanFlags
}

// Flags of the start of a crash outcome's span.
const (
	// spanRepeats marks an outcome that repeats an earlier one of the
	// record.
	spanRepeats = 1 << 31
	// spanStart marks an outcome of the crash before the first step that
	// equals the record's start state. In a record of the first stage,
	// whose start is the lower state of the Recovering nodes it is
	// replayed for, that outcome reaches the node being expanded itself.
	spanStart = 1 << 30
	spanFlags = spanRepeats | spanStart
)

// outcomeScan is how many of a record's latest crash outcomes addOutcome
// compares a new one with.
const outcomeScan = 8

// addOutcome adds the crash outcome whose encoding bytes has appended to
// e.bytes; start says it is the record's start state. When it equals one
// of the latest, the span repeats that one's, marked, and the appended
// encoding is dropped.
func (e *memoEntry[CS, AS]) addOutcome(bytes []byte, start bool) {
	lo, hi := uint32(len(e.bytes)), uint32(len(bytes))
	e.bytes = bytes
	enc := bytes[lo:]
	for i := len(e.spans) - 2; i >= max(len(e.spans)-2*outcomeScan, 0); i -= 2 {
		if string(bytes[e.spans[i]&^spanFlags:e.spans[i+1]]) == string(enc) {
			e.bytes = bytes[:lo]
			e.spans = append(e.spans, e.spans[i]|spanRepeats, e.spans[i+1])
			return
		}
	}
	if start {
		lo |= spanStart
	}
	e.spans = append(e.spans, lo, hi)
}

// endScan is how many of a record's latest ends end compares a run's end
// with: the runs of a stage often end in a few states.
const endScan = 16

// end returns the index of a run's end state c in e.ends, and whether it
// is new there (added, without its link or final) or one of the latest.
func (e *memoEntry[CS, AS]) end(c *CS) (uint32, bool) {
	for i := len(e.ends) - 1; i >= max(len(e.ends)-endScan, 0); i-- {
		if e.ends[i] == *c {
			return uint32(i), false
		}
	}
	e.ends = append(e.ends, *c)
	return uint32(len(e.ends) - 1), true
}

// size returns the bytes the record's buffers hold.
func (e *memoEntry[CS, AS]) size() int {
	var ev memoEvent
	var f memoFinal[AS]
	var c CS
	var l memoLink[CS, AS]
	return cap(e.bytes) + 4*cap(e.spans) + int(unsafe.Sizeof(ev))*cap(e.events) +
		int(unsafe.Sizeof(f))*cap(e.finals) + int(unsafe.Sizeof(c))*cap(e.ends) +
		int(unsafe.Sizeof(l))*cap(e.links)
}

// drop releases the record's buffers.
func (e *memoEntry[CS, AS]) drop() {
	e.used = false
	e.bytes, e.spans, e.events, e.ends, e.links, e.finals = nil, nil, nil, nil, nil, nil
}

// memo is a worker's records, memoSlots per stage, each slot holding the
// last stage start that hashed to it.
type memo[CS, AS comparable] struct {
	stages   []func()
	slots    [][]memoEntry[CS, AS]
	key      []byte // scratch encoding of a start state
	tooLarge int    // recoveries too large to record
	made     uint64 // records of the first stage made
	// held is the bytes the records hold (see memoBudget); dropping lists
	// the records to drop once the current node is expanded.
	held     int
	dropping []*memoEntry[CS, AS]
}

// fault is why a recording failed: a run's violation (nil when the record
// outgrew its bounds), and whether that violation is a nondeterminism the
// recording itself observed; memory says that it is an instance's memory
// other than a new one's, which a run of the recovery checking every run
// meets again at its own edge.
type fault struct {
	v                *Violation
	nondeterministic bool
	memory           bool
}

// recoverMemo expands the current Recovering node, node, from the records
// of its recovery, recording what is missing. It reports whether the
// emitter stopped the expansion.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) recoverMemo(node []byte) bool {
	defer w.dropRecords()
	e, f := w.prepare(0, &w.c, w.lower, 0)
	if f == nil {
		return w.replayRecord(e, 0, 0)
	}
	if f.v == nil { // too large to record
		w.memo.tooLarge++
		return w.recoverAll(node)
	}
	if f.nondeterministic && !f.memory {
		return w.fail(f.v) || w.recoverAll(node)
	}
	// A deterministic failure, or a flag left in memory: runAll meets it
	// again at its own edge, as a replay of the path does, checking every
	// run, as the record's sample by stage and state is not the node's,
	// on an instance built anew, as the records' runs used this one.
	fails := w.fails
	w.built = false
	w.wholeNode = true
	stop := w.recoverAll(node)
	w.wholeNode = false
	if stop {
		return true
	}
	if w.fails == fails && f.memory {
		return w.fail(f.v)
	}
	if w.fails == fails {
		return w.violate(KindNondeterminism, fmt.Sprintf("recovery from lower state %s failed once (%s: %s) and not when run again: the layer code is not deterministic",
			w.sys.Lower.Spec.Format(&w.c), f.v.Kind, f.v.Message))
	}
	return false
}

// dropRecords drops the records that took the memo past its budget.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) dropRecords() {
	mm := &w.memo
	for _, e := range mm.dropping {
		mm.held -= e.size()
		e.drop()
	}
	mm.dropping = mm.dropping[:0]
}

// useMemo reports whether Recovering nodes are expanded from records.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) useMemo() bool {
	return !w.noMemo && !w.m.tracing && w.memo.tooLarge < memoOffAfter
}

// prepare returns the record of stage s from start, and makes sure the
// records of the later stages it leads to exist, recording what is
// missing; enc is start's encoding when the caller has it, or nil, and
// prefix is the steps the earlier stages took. It returns a fault when a
// run fails, a record outgrows its bounds, or the stages together exceed
// the step limit.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) prepare(s int, start *CS, enc []byte, prefix int) (*memoEntry[CS, AS], *fault) {
	e, f := w.record(s, start, enc)
	if f != nil {
		return nil, f
	}
	return e, w.prepareAfter(e, s, prefix)
}

// prepareAfter is prepare for record e of stage s, made or found.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) prepareAfter(e *memoEntry[CS, AS], s, prefix int) *fault {
	if prefix+e.steps > w.m.limit {
		return &fault{v: &Violation{Kind: KindStepLimit, Message: stepLimitError{w.m.limit}.Error()}}
	}
	if s == len(w.memo.stages)-1 { // the last stage leads to none
		return nil
	}
	for _, ev := range e.events {
		if ev.kind != evNext {
			continue
		}
		if _, f := w.next(e, ev, s, prefix); f != nil {
			return f
		}
	}
	return nil
}

// next returns the record of stage s+1 that event ev of record e of
// stage s leads to, prepared as prepare does, through e's link when it
// is still valid.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) next(e *memoEntry[CS, AS], ev memoEvent, s, prefix int) (*memoEntry[CS, AS], *fault) {
	l := &e.links[ev.a]
	if n := l.next; n != nil && n.used && n.gen == l.gen {
		return n, w.prepareAfter(n, s+1, prefix+int(ev.b))
	}
	n, f := w.prepare(s+1, &e.ends[ev.a], nil, prefix+int(ev.b))
	if f == nil {
		*l = memoLink[CS, AS]{next: n, gen: n.gen}
	}
	return n, f
}

// record returns the record of stage s from start, recording it when its
// slot holds another; enc is start's encoding, or nil.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) record(s int, start *CS, enc []byte) (*memoEntry[CS, AS], *fault) {
	mm := &w.memo
	if enc == nil {
		mm.key = w.sys.Lower.Spec.AppendEncode(mm.key[:0], start)
		enc = mm.key
	}
	fp := memoKey(enc, s)
	e := &mm.slots[s][fp%memoSlots]
	if e.used && e.start == *start {
		return e, nil
	}
	mm.held -= e.size()
	e.reset(start)
	f := w.recordRuns(e, s, fp)
	if s == 0 {
		mm.made++
	}
	mm.held += e.size()
	tooLarge := f != nil && f.v == nil
	if (mm.held > memoBudget || tooLarge) && !slices.Contains(mm.dropping, e) {
		mm.dropping = append(mm.dropping, e)
	}
	if f != nil {
		return nil, f
	}
	e.used = true
	return e, nil
}

// memoKey is the fingerprint of the start of stage s whose encoding is
// enc: its record's slot is memoKey % memoSlots.
func memoKey(enc []byte, s int) uint64 {
	return xxhash.Sum64(enc) ^ uint64(s+1)*0x9E3779B97F4A7C15
}

// recordRuns runs stage s from e.start over every choice of the lower
// layer and records its crash points and completions, as runAll and
// afterRun emit them.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) recordRuns(e *memoEntry[CS, AS], s int, fp uint64) *fault {
	proc, last := w.memo.stages[s], s == len(w.memo.stages)-1
	crashes := w.opts.Crashes.crashesInRecovery()
	w.sample.startFingerprint(w.determinism(), fp)
	var zero ARet
	w.ret, w.probe.ret = zero, zero
	w.startRuns()
	for first := true; first || w.nextRun(len(e.events)); first = false {
		from := w.run.newFrom()
		if t := w.join(true); t != nil {
			if crashes {
				w.check = false // a joined run is not run
				if f := w.recordCrash(e, &w.joinC, false); f != nil {
					return f
				}
			}
			e.events = append(e.events, memoEvent{kind: evJoin, a: uint32(t.start.event), b: uint32(t.end.event)})
			continue
		}
		w.check = w.sample.next()
		left := "" // a goroutine the compared run left running (leftBy)
		if w.check {
			stage := w.freshInstance().stage(s)
			w.m.startFrom(&e.start, from)
			before := runtime.NumGoroutine()
			w.probe.done = w.callStage(stage)
			w.keepProbe()
			left = w.leftBy(before)
		}
		w.m.startFrom(&e.start, from)
		w.done = w.callStage(proc)
		w.run.finish()
		if f := w.runFault(s, &e.start); f != nil {
			return f
		}
		if left != "" {
			return &fault{v: &Violation{Kind: KindNondeterminism, Message: left}}
		}
		steps := w.m.steps()
		e.steps = max(e.steps, steps)
		// Crash points: a later stage's first is the earlier stage's last.
		lo := from
		if s > 0 && lo == 0 {
			lo = 1
		}
		for k := lo; crashes && k <= steps; k++ {
			c := w.m.snapshot(k)
			if k > lo && *c == *w.m.snapshot(k - 1) {
				e.events = append(e.events, e.events[len(e.events)-1])
				continue
			}
			if f := w.recordCrash(e, c, k == 0); f != nil {
				return f
			}
		}
		c := w.m.snapshot(steps)
		i, isNew := e.end(c)
		switch {
		case !last:
			if isNew {
				e.links = append(e.links, memoLink[CS, AS]{})
			}
			e.events = append(e.events, memoEvent{kind: evNext, a: i, b: uint32(steps)})
		case isNew:
			var related bool
			var msg string
			if w.absA, related, msg = w.abs(c); msg != "" {
				return specFault(msg)
			}
			if w.sys.Invariant != nil {
				err, msg := w.invariant(c)
				if msg != "" {
					return specFault(msg)
				}
				if err != nil {
					return &fault{v: &Violation{Kind: KindInvariant, Message: err.Error()}}
				}
			}
			lo := uint32(len(e.bytes))
			checks := w.check
			if checks {
				w.preC, w.preA = *c, w.absA
			}
			e.bytes = w.appendIdle(e.bytes, c, &w.absA)
			if msg := w.idleRoundTrip(e.bytes[lo:], c, &w.absA, checks); msg != "" {
				return specFault(msg)
			}
			e.finals = append(e.finals, memoFinal[AS]{abs: w.absA, related: related, lo: lo, hi: uint32(len(e.bytes))})
			fallthrough
		default:
			e.events = append(e.events, memoEvent{kind: evDone, a: i})
		}
		if e.size() > memoMaxBytes {
			return &fault{}
		}
	}
	if where := w.leftMemory(fp); where != "" {
		return &fault{v: &Violation{Kind: KindNondeterminism, Message: memoryMessage("compared runs of "+w.stageRun(s, &e.start)+" on a newly built instance", where)}, nondeterministic: true, memory: true}
	}
	return nil
}

// recordCrash records in e a crash point at lower state c: its outcomes,
// as an evCrash event. atStart says c is e's start state, before the
// first step; only there are outcomes compared with it.
//
// On a run that is run twice it checks the outcomes as crashAt does, and
// returns a spec fault.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) recordCrash(e *memoEntry[CS, AS], c *CS, atStart bool) *fault {
	lower := w.sys.Lower.Spec
	first := uint32(len(e.spans) / 2)
	w.lcrash.reset()
	for {
		w.crashC = *c
		lower.Crash(&w.crashC, &w.lcrash)
		w.lcrash.finish()
		checks := w.check
		if checks {
			w.preC = w.crashC
		}
		lo := len(e.bytes)
		enc := lower.AppendEncode(e.bytes, &w.crashC)
		if checks || w.lowerTrips {
			// The outcome followed by bytes, as in a Recovering node:
			// fixed ones, since the record serves nodes of every
			// allowed set, and its checks depend on its stage and
			// start alone.
			w.rtNode = append(append(w.rtNode[:0], enc[lo:]...), recordTrailer...)
			if msg := w.crashOutcomeFault(c, w.rtNode, len(enc)-lo); msg != "" {
				e.bytes = enc[:lo]
				return specFault(msg)
			}
		}
		e.addOutcome(enc, atStart && w.crashC == e.start)
		if !w.lcrash.next() {
			break
		}
	}
	e.events = append(e.events, memoEvent{kind: evCrash, a: first, b: uint32(len(e.spans) / 2)})
	return nil
}

// recordTrailer follows a recorded crash outcome's encoding when
// recordCrash checks that it decodes: an allowed set's count, then bytes.
var recordTrailer = []byte{1, 0xa5, 0x5a}

// stageRun names the runs of recovery stage s from lower state start, as
// procedure names a whole recovery's; a composed recovery's later stages
// start from the state the earlier ones ended in, not from a node's.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) stageRun(s int, start *CS) string {
	run := w.procedure(nil, start)
	if n := len(w.memo.stages); n > 1 {
		run = fmt.Sprintf("stage %d of %d of %s", s+1, n, run)
	}
	return run
}

// specFault is a spec violation found while recording. recoverMemo
// runs the recovery again, which meets it at its own edge when it checks
// the same run (every run, in DeterminismFull).
func specFault(msg string) *fault {
	return &fault{v: &Violation{Kind: KindSpec, Message: msg}}
}

// runFault is checkRun for a recorded run: it reports the run's failure
// without emitting it. The stray flag stays set, for runAll to report.
// The run is of recovery stage s from lower state start.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) runFault(s int, start *CS) *fault {
	nondet := func(msg string) *fault {
		return &fault{v: &Violation{Kind: KindNondeterminism, Message: msg}, nondeterministic: true}
	}
	if msg := lateCalls.take(w.m.ownerID); msg != "" {
		return &fault{v: &Violation{Kind: KindNondeterminism, Message: msg}}
	}
	switch {
	case w.m.stray.Load():
		return &fault{v: &Violation{Kind: KindNondeterminism, Message: strayMessage}}
	case w.run.diverged:
		return nondet(divergedMessage(w.stageRun(s, start), w.rebuiltRun()))
	}
	if w.check {
		if msg := w.compareProbe(); msg != "" {
			return nondet(probeMessage(w.stageRun(s, start), msg, w.freshRebuilt, w.rebuiltRun()))
		}
		if where := w.doneMemory(true); where != "" {
			f := nondet(memoryMessage("run on a newly built instance, "+w.stageRun(s, start), where))
			f.memory = true
			return f
		}
	}
	if w.done {
		return nil
	}
	if kind, msg, ok := runFailure(w.panicV); ok {
		return &fault{v: &Violation{Kind: kind, Message: msg}}
	}
	return &fault{v: &Violation{Kind: KindPanic, Message: fmt.Sprintf("layer code panicked: %v", w.panicV)}}
}

// callStage runs one stage of recovery once, and reports whether it
// completed; a panic is kept in w.panicV.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) callStage(proc func()) (done bool) {
	w.label(w.labels.recovery)
	defer func() {
		p := recover()
		w.m.end()
		repanicLimit(p)
		if p != nil {
			w.panicV = p
		}
	}()
	proc()
	if b := w.m.broken(); b != nil {
		w.panicV = b
		return false
	}
	return true
}

// replayRecord emits the edges of record e of stage s, the earlier stages
// having taken prefix steps, for the current node's allowed set. It
// reports whether the emitter stopped the expansion.
//
// A record of the last stage replayed again in the same expansion emits
// the same nodes as before, all reached already: with a Repeater they go
// as one call.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) replayRecord(e *memoEntry[CS, AS], s, prefix int) bool {
	last := s == len(w.memo.stages)-1
	if last && w.rep != nil && e.replayed == w.expansion {
		return w.emitAgain(e.edges, e.crashes)
	}
	start, base := w.mark(0), len(w.marks)
	w.marks = slices.Grow(w.marks, len(e.events)+1)[:base+len(e.events)+1]
	stop := w.replayEvents(e, 0, len(e.events), s, prefix, base, true)
	w.marks = w.marks[:base]
	if !stop && last && w.fails == start.fails {
		e.replayed, e.edges, e.crashes = w.expansion, w.edge-start.edge, w.crashEdges-start.crashes
	}
	return stop
}

// replayEvents emits the edges of events lo..hi-1 of record e (see
// replayRecord). The first time through, mark says so, and the edges
// emitted before each event are kept in w.marks from base on, for the
// joins after it. (Not those of an event a repeated crash point skips: a
// join's subtree starts and ends with a run, and runs end with a
// completion.)
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) replayEvents(e *memoEntry[CS, AS], lo, hi, s, prefix, base int, mark bool) bool {
	for j := lo; j < hi; j++ {
		if mark {
			w.marks[base+j] = w.mark(0)
		}
		switch ev := e.events[j]; ev.kind {
		case evJoin:
			a, b := w.marks[base+int(ev.a)], w.marks[base+int(ev.b)]
			if w.rep != nil && a.fails == b.fails && b.edge > a.edge {
				// The joined subtree's edges passed their checks: again.
				if w.emitAgain(b.edge-a.edge, b.crashes-a.crashes) {
					return true
				}
				continue
			}
			if w.replayEvents(e, int(ev.a), int(ev.b), s, prefix, base, false) {
				return true
			}
		case evCrash:
			if w.rep != nil && j > 0 && e.events[j-1] == ev {
				// The crash point repeats the one before, whose outcomes
				// were the last edges.
				n := 1
				for j+n < hi && e.events[j+n] == ev {
					n++
				}
				again := uint32(n) * (ev.b - ev.a)
				if w.emitAgain(again, again) {
					return true
				}
				j += n - 1
				continue
			}
			for i := ev.a; i < ev.b; i++ {
				enc, flags := e.encoding(i)
				if w.rep != nil && (flags&spanRepeats != 0 || flags&spanStart != 0 && s == 0) {
					// Emitted earlier in this replay, or the node being
					// expanded: a node visited already.
					if w.emitAgain(1, 1) {
						return true
					}
					continue
				}
				w.out = append(append(append(w.out[:0], tagRecovering), enc...), w.set...)
				if w.emitNode(w.out, true) {
					return true
				}
			}
		case evDone:
			f := &e.finals[ev.a]
			if f.emitted == w.expansion && w.rep != nil {
				// Another run to a completion emitted already: it passed
				// its check then.
				if w.emitAgain(1, 0) {
					return true
				}
				continue
			}
			w.absA = f.abs
			node := e.bytes[f.lo:f.hi]
			if related := f.related; !related || !contains(w.allowed, w.absA) {
				var c CS
				if _, err := w.sys.Lower.Spec.Decode(node[1:], &c); err != nil {
					panic(err)
				}
				if failed, stop := w.checkCompletion(nil, &c, related); failed {
					if stop {
						return true
					}
					continue
				}
			}
			f.emitted = w.expansion
			if w.emitNode(node, false) {
				return true
			}
		case evNext:
			next, f := w.next(e, ev, s, prefix)
			if f != nil {
				// The record, made without a failure when the node's
				// records were prepared or before, was dropped from its
				// slot for another start since, made again, and failed
				// this time. A failure of every recording (a panic, the
				// step limit, an invariant) fails the preparation, and
				// the node is expanded by running its recovery (see
				// recoverMemo), which meets it at its own edge: this
				// one is not deterministic, and the violation says how
				// it failed.
				v := f.v
				if v == nil || !f.nondeterministic {
					how := "its record outgrew the memo's bounds"
					if v != nil {
						how = "it failed (" + v.Kind + ": " + v.Message + ")"
					}
					v = &Violation{Kind: KindNondeterminism, Message: w.stageRun(s+1, &e.ends[ev.a]) + " made other runs than before: recorded again, " + how + ": the layer code is not deterministic"}
				}
				if w.fail(v) {
					return true
				}
				continue
			}
			if w.replayRecord(next, s+1, prefix+int(ev.b)) {
				return true
			}
		}
	}
	return false
}
