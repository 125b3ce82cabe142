package model

import (
	"bytes"
	"context"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"
)

// Goroutines that a procedure leaves running.
//
// A procedure that starts a goroutine and returns without waiting for it
// leaves code running outside every run the search checks: a "scrub"
// that a recovery starts and that sets a mode in the instance's memory
// some milliseconds later, under which reads return 0. A real instance
// meets that mode; the search, whose runs are over by then, does not.
// Calls such a goroutine makes to the lower layer are stray calls (see
// Machine.Call); memory it writes is seen only if a walk of memory
// happens to run after the write. So each worker runs its procedures
// under profiler labels that name the procedure and the worker, which
// the goroutines they start inherit (runtime/pprof), and Stray, asked
// at the end of every level and before a verdict, looks for goroutines
// still carrying this worker's labels. A goroutine that replaced its
// labels is looked for by its creator (see unlabelled).
//
// A timer that a procedure arms (time.AfterFunc) and does not stop is not
// seen: until it fires there is no goroutine, only a timer that the
// runtime holds and that nothing in a goroutine profile, a goroutine's
// stack or runtime.NumGoroutine shows; the goroutine that runs its
// function, once it fires, is started by the runtime's timers: it
// carries no labels, and its stack names no goroutine as its creator
// ("created by time.goFunc"). What it writes is seen only where a walk
// of memory or a compared run comes after it, by chance
// (TestAfterFuncLeftPending). The calls to time.AfterFunc in a layer's
// code are the place to look.

// Profiler labels of the goroutine running a procedure, and of the
// goroutines it starts.
const (
	// procedureLabel names the procedure: an operation as paths show it,
	// or "recovery".
	procedureLabel = "argocheck.procedure"
	// workerLabel tells the workers apart, of this search and of any
	// other in the process.
	workerLabel = "argocheck.worker"
	// instanceLabel marks the goroutines that Impl starts, an instance's
	// own, with the worker's number: set on the worker's goroutine while
	// Impl runs, it tells them from goroutines a procedure started that
	// set labels of their own (see unlabelled).
	instanceLabel = "argocheck.instance"
)

// workerCount numbers the workers of the process, for workerLabel.
var workerCount atomic.Uint64

// procLabels holds the label contexts of one worker's procedures, made
// once with the worker, so that setting them allocates nothing.
type procLabels struct {
	id string // workerLabel's value
	// ops[i] is the context of the procedure of the worker's operation i,
	// recovery that of recovery (and its stages), other that of an
	// operation not in the worker's list.
	ops             []context.Context
	recovery, other context.Context
	// own is what the goroutine running the worker carries again once
	// it runs no procedure (see unlabel): no labels (the explorer's
	// workers carry none).
	own context.Context
	// impl is what the goroutine carries while Impl runs (instanceLabel).
	impl context.Context
	// buf holds the goroutine profile that leftRunning reads.
	buf bytes.Buffer
	// gids are the goroutines that ran this worker's procedures where a
	// compared run left more goroutines than it found (leftBy), and
	// stacks the goroutines' stacks that unlabelled reads.
	gids   []int64
	stacks []byte
}

// newProcLabels returns the labels of a new worker whose operations are
// ops.
func newProcLabels[Op any](ops []Op) procLabels {
	l := procLabels{id: strconv.FormatUint(workerCount.Add(1), 10), own: context.Background()}
	with := func(name string) context.Context {
		return pprof.WithLabels(context.Background(), pprof.Labels(procedureLabel, name, workerLabel, l.id))
	}
	l.ops = make([]context.Context, len(ops))
	for i, op := range ops {
		l.ops[i] = with(show(op))
	}
	l.recovery, l.other = with("recovery"), with("an operation")
	l.impl = pprof.WithLabels(context.Background(), pprof.Labels(instanceLabel, l.id))
	return l
}

// label puts labels ctx on the goroutine running worker w's procedures,
// unless it carries them already. They stay from one run to the next
// (setting them costs a few loads and a store, per run), so every call
// of layer code that must run with none, Impl's above all, whose
// goroutines are an instance's own, calls unlabel first, and so does
// Expand as it returns, which Replay calls too: the goroutine carries
// none between two of the explorer's calls.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) label(ctx context.Context) {
	if w.labelled != ctx {
		pprof.SetGoroutineLabels(ctx)
		w.labelled = ctx
	}
}

// unlabel puts back the labels the goroutine running w carried before
// w's procedures ran: none.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) unlabel() {
	if w.labelled != nil {
		pprof.SetGoroutineLabels(w.labels.own)
		w.labelled = nil
	}
}

// implLabel puts on the goroutine running worker w the labels that Impl
// runs under (instanceLabel), always: layer code may have set others
// (pprof.Do) since w last set them.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) implLabel() {
	pprof.SetGoroutineLabels(w.labels.impl)
	w.labelled = w.labels.impl
}

// labelsOf returns the labels of op's procedure, op pointing into ops,
// or of recovery when op is nil.
func labelsOf[Op any](l *procLabels, ops []Op, op *Op) context.Context {
	if op == nil {
		return l.recovery
	}
	if size := unsafe.Sizeof(*op); size > 0 && len(ops) > 0 {
		d := uintptr(unsafe.Pointer(op)) - uintptr(unsafe.Pointer(&ops[0]))
		if i := d / size; d%size == 0 && i < uintptr(len(ops)) {
			return l.ops[i]
		}
	}
	return l.other
}

// leftBy returns the message of a goroutine that the compared run just
// made left running, or "": where the process holds more goroutines than
// the before it held as the run began, it looks for one carrying this
// worker's labels (leftRunning). So a goroutine that ends within a level
// (a scrub that sleeps a few milliseconds, writes and ends) is seen while
// it runs, where Stray's look at the level's end would come too late.
// Only compared runs look, which the determinism checks sample, as a
// look costs a goroutine profile; counting the goroutines costs a few
// loads.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) leftBy(before int) string {
	if runtime.NumGoroutine() <= before {
		return ""
	}
	w.unlabel() // the worker's own goroutine carries the labels now
	return w.labels.leftByCaller()
}

// leftByCaller is leftRunning where the calling goroutine has just run
// one of this worker's procedures, which it adds to gids, and carries
// none of its labels.
func (l *procLabels) leftByCaller() string {
	if id := goroutineID(); !slices.Contains(l.gids, id) {
		l.gids = append(l.gids, id)
	}
	return l.leftRunning()
}

// leftLooks are the waits between the looks of leftRunning: a goroutine
// that the procedure waited for (a sync.WaitGroup's Done, a channel's
// send) may still be on its way out as the procedure returns, and is gone
// at the next look; one still there after them all was left running.
// They are short: a goroutine that sleeps a little and then writes is
// caught while it sleeps, not after; one seen in time.Sleep at any look
// is reported at once.
var leftLooks = []time.Duration{0, time.Millisecond, 2 * time.Millisecond, 4 * time.Millisecond}

// leftRunning returns the message of a goroutine that one of this
// worker's procedures started and that is still running, or "" when
// there is none.
func (l *procLabels) leftRunning() string {
	var first leftGoroutine
	for i, wait := range leftLooks {
		// A goroutine just started runs first (to its first wait: a
		// sleep is then seen at this look).
		runtime.Gosched()
		if wait > 0 {
			time.Sleep(wait)
		}
		g, ok := l.look()
		if !ok {
			g, ok = l.unlabelled()
		}
		if !ok {
			return ""
		}
		if g.now == "time.Sleep" {
			// It sleeps after its procedure returned: no goroutine on its
			// way out does; one that writes, sleeps a few milliseconds and
			// writes again would be gone at the last look, its first write
			// seen by no run (a real instance's next call may meet it).
			return leftMessage(g)
		}
		if i == 0 {
			first = g
		}
	}
	return leftMessage(first)
}

// leftGoroutine describes a goroutine left running: the procedure that
// started it (procedureLabel), the function it runs and the one it is in
// now.
type leftGoroutine struct{ procedure, fn, now string }

// look reads the goroutine profile and returns the first goroutine that
// carries this worker's labels, if any.
func (l *procLabels) look() (g leftGoroutine, ok bool) {
	l.buf.Reset()
	if err := pprof.Lookup("goroutine").WriteTo(&l.buf, 1); err != nil {
		return g, false
	}
	mine := strconv.Quote(workerLabel) + ":" + strconv.Quote(l.id)
	key := strconv.Quote(procedureLabel) + ":"
	in := false // in the frames of a group of goroutines that carry mine
	for rest := l.buf.Bytes(); len(rest) > 0; {
		var b []byte
		b, rest, _ = bytes.Cut(rest, []byte("\n"))
		line := string(b)
		switch {
		case strings.HasPrefix(line, "# labels: "):
			labels := line[len("# labels: "):]
			in = strings.Contains(labels, mine)
			if in {
				ok = true
				if _, rest, found := strings.Cut(labels, key); found {
					if q, err := strconv.QuotedPrefix(rest); err == nil {
						g.procedure, _ = strconv.Unquote(q)
					}
				}
			}
		case in && strings.HasPrefix(line, "#\t"):
			// "#\t0x4a1b2c\tpkg.f+0x2f\t/path/file.go:12", innermost
			// frame first.
			f := strings.Split(line, "\t")
			if len(f) < 3 {
				continue
			}
			fn, _, _ := strings.Cut(f[2], "+")
			if g.now == "" && !strings.HasPrefix(fn, "runtime.") {
				g.now = fn
			}
			g.fn = fn
		case in && line == "":
			return g, true
		}
	}
	return g, ok
}

// leftMessage is the message of goroutine g left running.
func leftMessage(g leftGoroutine) string {
	who := "recovery"
	switch g.procedure {
	case "recovery":
	case "":
		// Found by unlabelled: its labels are not argocheck's.
		who = "a procedure (which one is not known: the goroutine carries profiler labels other than those the procedure ran under)"
	default:
		who = "the procedure of " + g.procedure
	}
	where := ""
	if g.fn != "" {
		where = " (running " + g.fn
		if g.now != "" && g.now != g.fn {
			where += ", now in " + g.now
		}
		where += ")"
	}
	return "a goroutine that " + who + " started" + where + " was still running after the procedure had returned, with no run under way: layer code leaves a goroutine of its own running, and what it does later (writing the instance's memory, calling the lower layer) happens outside every run the search checks, where a real instance meets it; start long-lived goroutines in Impl (an instance's own, serving its calls), or wait for the goroutine (a sync.WaitGroup) before the procedure returns"
}

// unlabelled looks for a goroutine that one of this worker's procedures
// started and that carries none of this worker's labels: one that set
// labels of its own (pprof.Do from a context of its own, or
// pprof.SetGoroutineLabels), or that a procedure started after layer code
// had replaced the labels of the procedure's goroutine. The goroutines'
// stacks (runtime.Stack) name each goroutine's creator ("created by ...
// in goroutine N"); a goroutine created by one that ran this worker's
// procedures (gids), or by a goroutine so created, is one of the
// worker's, unless Impl started it (its group in the goroutine profile,
// read just before into buf, carries instanceLabel) or argocheck's own
// code, the testing package or badger did. It is read only where the
// labels found nothing and gids is not empty: where a compared run left
// more goroutines than it found, and at the end of a level after that.
//
// Left unseen: a goroutine whose creator has ended and was not one of
// gids (a goroutine of the procedure that starts another and returns),
// and one that runs the same function as a goroutine Impl started.
func (l *procLabels) unlabelled() (g leftGoroutine, ok bool) {
	if len(l.gids) == 0 {
		return g, false
	}
	for {
		l.stacks = l.stacks[:cap(l.stacks)]
		if len(l.stacks) == 0 {
			l.stacks = make([]byte, 64<<10)
		}
		n := runtime.Stack(l.stacks, true)
		if n < len(l.stacks) {
			l.stacks = l.stacks[:n]
			break
		}
		l.stacks = make([]byte, 2*len(l.stacks))
	}
	type stack struct {
		parent    int64
		fn, now   string // the function the goroutine runs, the one it is in
		createdBy string
	}
	all := map[int64]stack{}
	var order []int64
	for rest := l.stacks; len(rest) > 0; {
		var block []byte
		block, rest, _ = bytes.Cut(rest, []byte("\n\n"))
		lines := strings.Split(string(block), "\n")
		head, _ := strings.CutPrefix(lines[0], "goroutine ")
		num, _, _ := strings.Cut(head, " ")
		id, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			continue
		}
		var s stack
		for _, line := range lines[1:] {
			if line == "" || strings.HasPrefix(line, "\t") {
				continue
			}
			if by, ok := strings.CutPrefix(line, "created by "); ok {
				fn, parent, _ := strings.Cut(by, " in goroutine ")
				s.createdBy = fn
				s.parent, _ = strconv.ParseInt(parent, 10, 64)
				continue
			}
			fn := line
			if i := strings.LastIndexByte(fn, '('); i > 0 {
				fn = fn[:i]
			}
			if strings.HasPrefix(fn, "runtime.") {
				continue
			}
			if s.now == "" {
				s.now = fn
			}
			s.fn = fn
		}
		all[id] = s
		order = append(order, id)
	}
	var mine func(id int64, depth int) bool
	mine = func(id int64, depth int) bool {
		s, found := all[id]
		if !found || depth > 64 || ownCreator(s.createdBy) {
			return false
		}
		if slices.Contains(l.gids, s.parent) {
			return true
		}
		return mine(s.parent, depth+1)
	}
	var excused map[string]bool // functions that Impl's goroutines (and labelled ones) run
	for _, id := range order {
		s := all[id]
		if !mine(id, 0) {
			continue
		}
		if excused == nil {
			excused = l.labelledFunctions()
		}
		if !excused[s.fn] {
			return leftGoroutine{fn: s.fn, now: s.now}, true
		}
	}
	return g, false
}

// ownCreator says whether a goroutine created by function fn is one of
// argocheck's own, the testing package's or badger's, which the workers'
// goroutines may start outside any procedure.
func ownCreator(fn string) bool {
	for _, p := range []string{"testing.", "github.com/dgraph-io/", "github.com/argocheck/argocheck/explorer.", "github.com/argocheck/argocheck/model.", "github.com/argocheck/argocheck/shard.", "github.com/argocheck/argocheck/statestore", "github.com/argocheck/argocheck/relations.", "github.com/argocheck/argocheck/internal/"} {
		if strings.HasPrefix(fn, p) {
			return true
		}
	}
	return false
}

// labelledFunctions reads the goroutine profile and returns the function
// that each goroutine carrying instanceLabel, or this worker's labels,
// runs.
func (l *procLabels) labelledFunctions() map[string]bool {
	fns := map[string]bool{}
	l.buf.Reset()
	if err := pprof.Lookup("goroutine").WriteTo(&l.buf, 1); err != nil {
		return fns
	}
	mine := strconv.Quote(workerLabel) + ":" + strconv.Quote(l.id)
	instance := strconv.Quote(instanceLabel) + ":"
	in, fn := false, ""
	for rest := l.buf.Bytes(); len(rest) > 0; {
		var b []byte
		b, rest, _ = bytes.Cut(rest, []byte("\n"))
		line := string(b)
		switch {
		case strings.HasPrefix(line, "# labels: "):
			in = strings.Contains(line, instance) || strings.Contains(line, mine)
		case in && strings.HasPrefix(line, "#\t"):
			if f := strings.Split(line, "\t"); len(f) >= 3 {
				if name, _, _ := strings.Cut(f[2], "+"); !strings.HasPrefix(name, "runtime.") {
					fn = name
				}
			}
		case line == "":
			if in && fn != "" {
				fns[fn] = true
			}
			in, fn = false, ""
		}
	}
	if in && fn != "" {
		fns[fn] = true
	}
	return fns
}
