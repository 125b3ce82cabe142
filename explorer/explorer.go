package explorer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/argocheck/argocheck/internal/dirlock"
	"github.com/argocheck/argocheck/internal/group"
	"github.com/argocheck/argocheck/internal/prefetch"
	"github.com/argocheck/argocheck/model"
	"github.com/argocheck/argocheck/statestore"
)

// Config configures a search. The zero value is valid: all CPUs, fingerprint
// keys, no bounds, half the physical memory.
type Config struct {
	// Workers is the number of goroutines expanding states, at most
	// MaxWorkers; zero means runtime.NumCPU(), or MaxWorkers if fewer.
	Workers int
	// Exact keys states by their whole encoding instead of a 64-bit
	// fingerprint, so no collision can hide a state.
	Exact bool
	// MaxDepth stops the search, incomplete, before expanding level
	// MaxDepth; zero means no bound.
	MaxDepth int
	// MaxStates stops the search, incomplete, once more states than this
	// are known; zero means no bound.
	MaxStates uint64
	// BatchSize is the number of frontier states a worker takes at a
	// time, except in the last Workers×BatchSize states of a part, which
	// are taken a quarter of BatchSize at a time, so that the workers
	// finishing first wait little at the part's barrier; zero means 256.
	BatchSize int
	// MemoryBytes bounds the memory of the visited set, the parent records
	// and the level table: at the barrier where growing them would pass
	// it, the search moves the visited set and the parent records to disk
	// when Spill is set, and otherwise stops, incomplete. Zero means
	// DefaultMemoryBytes().
	MemoryBytes uint64
	// Spill, when set, is the directory where a search whose visited set
	// outgrows MemoryBytes keeps it (in a fresh directory of its own,
	// removed at the end): the fingerprints sorted in one file, the parent
	// records in another. It needs fingerprint keys. The search makes it
	// at its first spill; one that could not be made is ErrInvalid before
	// the search starts.
	Spill string
	// Continue, when above 1, keeps searching after a violation until this
	// many distinct violations (see Counterexample) are found or the graph
	// is exhausted; otherwise the search stops at the level of the first
	// violation and reports the smallest one.
	Continue int
	// Progress, when set, is called with the figures at every level
	// barrier and every ProgressInterval (default
	// DefaultProgressInterval) from a ticker; calls are never concurrent
	// and none follows Run's return.
	Progress         func(Progress)
	ProgressInterval time.Duration
	// Checkpoint, when set, receives the search's progress, to resume from
	// (see Resume): every completed level, and within a level what is
	// done at least every CheckpointInterval (zero means
	// DefaultCheckpointInterval), and, when the context ends the search
	// in the middle of a part, the units finished from the part's start
	// on. It needs fingerprint keys.
	Checkpoint         statestore.Checkpoint
	CheckpointInterval time.Duration
	// Crashes narrows where crashes strike; the zero value, CrashAll, is
	// the full semantics of recovery refinement.
	Crashes model.CrashMode
	// Determinism says which procedure runs are run twice to check that
	// the layer code is deterministic; the zero value samples them.
	Determinism model.Determinism

	// PartSize is the number of frontier states a level expands between
	// two barriers: a level is expanded part by part, each part's new
	// states numbered, added to the visited set and ready to commit before
	// the next part starts, so that a part's working set (the level table
	// and the workers' successor buffers) stays bounded and a checkpoint
	// can be taken within a level. Zero means DefaultPartSize, or 8,192
	// states for each worker where that is more; it is
	// rounded up to a multiple of BatchSize. States, paths and the counts
	// of a search that ends without a violation do not depend on it (see
	// Result.States).
	PartSize int

	from       *statestore.Saved // the checkpoint Resume continues from
	levelPairs uint64            // the level table's first size; zero means 1<<14
}

// MaxWorkers is the most workers a search takes (Config.Workers). Each
// worker holds buffers of its own, allocated before the search starts,
// and one more than the machine has cores only waits: 4096 is more than
// the cores of any one machine, and refuses a typo (99999999999) before
// it takes all the memory.
const MaxWorkers = 4096

// DefaultCheckpointInterval is the longest time between two commits of a
// Checkpoint whose Config sets no CheckpointInterval.
const DefaultCheckpointInterval = 30 * time.Second

// DefaultBatchSize is the BatchSize of a Config that sets none.
const DefaultBatchSize = 256

// DefaultPartSize is the PartSize of a Config that sets none, with up to
// 2 workers.
const DefaultPartSize = 1 << 14

// partStatesPerWorker is the frontier states a part takes for each worker
// when a Config with more than 2 workers sets no PartSize: 32 units of
// DefaultBatchSize. A part ends at a barrier, where the workers that
// finish first wait for the last units; at repdisk 8x4, going by one
// worker's times per unit, parts of 16,384 states would leave 8% of 8
// workers' time idle and 19% of 16 workers', parts of 32 units a worker
// about 3% and 5%.
const partStatesPerWorker = 32 * DefaultBatchSize

func (c Config) validate() (Config, error) {
	if c.Workers < 0 || c.Workers > MaxWorkers {
		return c, fmt.Errorf("workers must be between 1 and %d (0: one per CPU), not %d", MaxWorkers, c.Workers)
	}
	if c.Workers == 0 {
		c.Workers = min(runtime.NumCPU(), MaxWorkers)
	}
	if err := c.Crashes.Check(); err != nil {
		return c, err
	}
	if err := c.Determinism.Check(); err != nil {
		return c, err
	}
	if c.MaxDepth < 0 {
		return c, fmt.Errorf("max depth must not be negative, not %d", c.MaxDepth)
	}
	if err := validateCheckpoint(c); err != nil {
		return c, err
	}
	if err := validateSpill(c); err != nil {
		return c, err
	}
	if c.BatchSize <= 0 {
		c.BatchSize = DefaultBatchSize
	}
	if c.MemoryBytes == 0 {
		c.MemoryBytes = DefaultMemoryBytes()
	}
	if c.levelPairs == 0 {
		// At most 1<<14 pairs, and an eighth of the memory budget.
		c.levelPairs = min(1<<14, max(64, c.MemoryBytes/8/16))
	}
	if c.PartSize <= 0 {
		c.PartSize = max(DefaultPartSize, c.Workers*partStatesPerWorker)
	}
	c.PartSize = (c.PartSize + c.BatchSize - 1) / c.BatchSize * c.BatchSize
	if c.CheckpointInterval <= 0 {
		c.CheckpointInterval = DefaultCheckpointInterval
	}
	return c, nil
}

// Verdict is the outcome of a search.
type Verdict string

// Verdicts.
const (
	// Verified: the whole reachable graph was searched and no check failed.
	Verified Verdict = "verified"
	// Violated: a check failed; Result.Violation and Result.Trace say how.
	Violated Verdict = "violation"
	// Incomplete: a bound or a cancellation stopped the search first.
	Incomplete Verdict = "incomplete"
)

// Result is the outcome of a search with its figures.
type Result struct {
	Verdict Verdict
	// States is the number of distinct nodes found: on a violation found
	// while expanding level Depth, the states of levels 0 to Depth, which
	// do not depend on the number of workers or the part size.
	// Transitions is the number of edges followed, CrashPoints the crash
	// edges among them: on a violation (not continuing past it), those of
	// the states numbered before the violating one and the violating
	// state's before the violating edge, which do not depend on the number
	// of workers or the part size.
	States      uint64
	Transitions uint64
	CrashPoints uint64
	// Depth is the deepest level reached (initial states are level 0).
	Depth int
	// Elapsed is the search's wall time; a resumed search's holds the
	// runs before it too.
	Elapsed time.Duration
	// Ran is the wall time of this Run or Resume call alone: Elapsed less,
	// for a resumed search, the runs before it.
	Ran time.Duration
	// Expanding is the time this call's workers spent expanding frontier
	// states, summed over the workers (see ExpandingShare).
	Expanding time.Duration
	// MemoryBytes is the memory held at the end by the visited set and the
	// parent records (and, with Exact, the interned encodings): what grows
	// with the number of states.
	MemoryBytes uint64
	// LevelBytes is the most memory held at once by the per-level working
	// set: the level table of new states, the current and next frontier and
	// the workers' successor buffers.
	LevelBytes uint64
	// SpillBytes is what a search that spilled (Config.Spill) held on disk
	// at the end: the sorted fingerprints and the parent records; Spills
	// counts the times it moved its visited set to disk.
	SpillBytes uint64
	Spills     int
	// Collision is the estimated probability that a fingerprint collision
	// hid a state, n(g-n)/2^64 for n distinct states of g generated; zero
	// with Exact.
	Collision float64
	// Violation and Trace are set when Verdict is Violated; Trace is the
	// shortest path to the violation.
	Violation *model.Violation
	Trace     *model.Trace
	// Violations are the distinct violations found, Violation and Trace
	// first, in the order of their violating edges (at most
	// Config.Continue of them, or one).
	Violations []Counterexample
	// Stopped says which bound or cancellation ended the search before
	// closure: the reason of an Incomplete verdict, or of a Violation
	// verdict with fewer than Config.Continue violations.
	Stopped string
}

// StatesPerSecond returns the exploration rate.
func (r *Result) StatesPerSecond() float64 {
	s := r.Elapsed.Seconds()
	if s <= 0 {
		return 0
	}
	return float64(r.States) / s
}

// ExpandingShare returns Expanding over workers×Ran: the share of the
// workers' time spent expanding states in this call. The rest went to the
// barriers: waiting there for the last units of a part, numbering and
// storing the part's new states, and what one goroutine does while the
// others wait. It is 0 for a Result no search made (Ran is 0).
func (r *Result) ExpandingShare(workers int) float64 {
	if workers <= 0 || r.Ran <= 0 {
		return 0
	}
	return r.Expanding.Seconds() / (float64(workers) * r.Ran.Seconds())
}

// BytesPerState returns MemoryBytes per state.
func (r *Result) BytesPerState() float64 {
	if r.States == 0 {
		return 0
	}
	return float64(r.MemoryBytes) / float64(r.States)
}

// collision returns the estimated probability that some fingerprint
// collision hid one of the n distinct states among g generated ones.
func collision(n, g uint64) float64 {
	if g < n {
		g = n
	}
	return math.Min(1, float64(n)*float64(g-n)/math.Exp2(64))
}

// search is the state of one run.
type search struct {
	cfg     Config
	chk     model.Checker
	keys    statestore.Keyer // nil: fingerprints
	visited *statestore.Table
	parents records // discovering edge of every state, by state number
	roots   uint64  // initial states
	// upTo is, once a violation stopped the search in a level, the
	// states of the levels up to that one: the States reported.
	upTo uint64
	// strayV is the violation a worker's Stray reported (a call left
	// behind, memory the instances share or the operations point to
	// changed), kept until the search reports it at the end of the level.
	strayV  *model.Violation
	level   levelTable
	workers []*worker
	prog    *progress
	cp      checkpointState

	// The spilled part of the visited set, when Config.Spill is set.
	spillDir  string
	spillLock *dirlock.Lock
	disk      *statestore.SortedFile
	spillKeys []uint64 // buffer of the keys moved to disk
	spills    int

	frontier, next frontier
	expanded       int      // frontier states expanded so far
	lastPart       int      // frontier states of the last part
	tableBytes     uint64   // bytes a level table needs for the last part's entries
	out            []*batch // successors found, by unit of the part
	cut            units    // how the current part is cut into units
	units          int      // units of the current part
	levelBytes     uint64
	// unitMu guards the units of the current part left to expand: redo,
	// those abandoned when the level table filled, and the units from
	// nextUnit on, which no worker has taken yet.
	unitMu   sync.Mutex
	redo     []int
	nextUnit int
}

type worker struct {
	s       *search
	m       model.Worker
	out     *batch
	state   uint64 // number of the state being expanded
	stopped bool   // the state's expansion stopped at a violation
	bound   *atomic.Uint64
	seen    seen // the successors' keys of the state being expanded
	pending pending
	// unvisited holds the indices, in pending, of the successors that
	// lookUp found not visited.
	unvisited [pendingMax]uint8
	// frontier reads the level's frontier, block by block.
	frontier reader
	added    uint64 // keys this worker added to the level table, not yet counted
	full     bool   // the level table was full: the unit must be redone
	err      error

	transitions, crashes uint64
	// The counts when the current part started.
	partTransitions, partCrashes uint64
	reported                     uint64        // transitions already counted in progress
	expanding                    time.Duration // time spent in expandUnit
	// The smallest violation this worker found in the current level.
	violation *model.Violation
	violKey   uint64
	// Every violation found in the current level, when continuing.
	found []found
	_     [64]byte // keep workers' counters off each other's cache lines
}

// ErrInvalid marks the error of a search that cannot start: a bad Config,
// or a Checker that does not validate.
var ErrInvalid = errors.New("invalid search")

// ErrNoChecker is the error (with ErrInvalid) of a search of a nil
// Checker: a catalogue's Build that returned neither a check nor an
// error, for instance.
var ErrNoChecker = errors.New("there is no checker (a nil model.Checker): nothing to check")

// ErrNoInitial is the error (with ErrInvalid) of a search whose Checker
// gives no initial node and no violation: a search of no states would
// verify having checked nothing. A model.System never does (Validate
// refuses a Spec with no initial state); a Checker of one's own, such as
// a wrapper of a System, may.
var ErrNoInitial = errors.New("the checker gives no initial state: a search of no states checks nothing")

// Run searches chk's state graph breadth first. A violation is a result,
// not an error; errors are a search that cannot start (ErrInvalid), limits
// of the encoding (model.ErrLimit) and the checkpoint's failures.
func Run(ctx context.Context, chk model.Checker, cfg Config) (*Result, error) {
	cfg, err := cfg.validate()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if chk == nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, ErrNoChecker)
	}
	if err := chk.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	start := time.Now()
	s := &search{cfg: cfg, chk: chk, visited: statestore.NewTable(1024)}
	if cfg.Exact {
		s.keys = statestore.NewExactKeys()
	}
	for i := 0; i < cfg.Workers; i++ {
		m, err := model.NewWorker(chk, model.Options{Crashes: cfg.Crashes, Determinism: cfg.Determinism})
		if err != nil {
			return nil, err
		}
		s.workers = append(s.workers, &worker{s: s, m: m})
	}
	s.level.init(cfg.levelPairs)
	if cfg.Spill != "" {
		if err := CheckSpill(cfg.Spill); err != nil {
			return nil, err
		}
	}
	defer s.endSpill()
	defer func() { s.visited.Clear() }() // its large arrays go back now, not when it is collected
	res := &Result{}
	s.prog = startProgress(cfg, start)
	defer func() {
		s.prog.close()
		if len(res.Violations) > 0 {
			res.Verdict = Violated
		}
		res.Elapsed = time.Since(start)
		res.Ran = res.Elapsed
		res.States = s.parents.len()
		if s.upTo > 0 {
			res.States = s.upTo
		}
		generated := s.roots
		for _, w := range s.workers {
			res.Transitions += w.transitions
			res.CrashPoints += w.crashes
			res.Expanding += w.expanding
		}
		generated += res.Transitions
		res.MemoryBytes = s.visited.Bytes() + s.parents.bytes()
		if s.disk != nil {
			res.MemoryBytes += s.disk.Bytes()
			res.SpillBytes, res.Spills = s.disk.DiskBytes()+8*s.parents.spilled, s.spills
		}
		if s.keys != nil {
			res.MemoryBytes += s.keys.Bytes()
		} else {
			res.Collision = collision(s.parents.len(), generated) // every state the set holds
		}
		res.LevelBytes = s.levelBytes
	}()

	inits, v := s.workers[0].m.Initial()
	if v != nil {
		t := &model.Trace{Steps: []model.Step{{Kind: model.StepInit, Violation: v}}}
		res.addCounterexample(newCounterexample(t, edgeKey(rootParent, 0)))
		return res, nil
	}
	if len(inits) == 0 {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, ErrNoInitial)
	}
	for i, n := range inits {
		if added, _ := s.visited.Insert(s.key(n)); added {
			s.parents.set(s.parents.extend(1), edgeKey(rootParent, uint32(i)))
			s.next.add(n)
			s.roots++
		}
	}
	base, depth0, err := s.restore() // number and depth of the first frontier state
	if err != nil {
		return nil, err
	}
	if stop := s.pastMaxStates(); stop != "" && s.frontier.len() > 0 {
		// Resumed (or started) with more states than the bound: stop
		// before expanding anything, leaving the checkpoint as it is.
		res.Verdict, res.Stopped, res.Depth = Incomplete, stop, depth0
		if s.next.len() > 0 {
			res.Depth = depth0 + 1
		}
		return res, nil
	}
	for depth := depth0; s.frontier.len() > 0; depth++ {
		res.Depth = depth
		s.levelStart(depth, s.frontier.len())
		if cfg.MaxDepth > 0 && depth >= cfg.MaxDepth {
			res.Verdict, res.Stopped = Incomplete, fmt.Sprintf("max depth %d reached", cfg.MaxDepth)
			return res, nil
		}
		for s.expanded < s.frontier.len() {
			stop, done, err := s.expandPart(ctx, res, base, depth)
			if err != nil {
				return nil, err
			}
			if done {
				// The states the parts expanded so far found in the
				// next level depend on the part size: they are left out.
				s.upTo = base + uint64(s.frontier.len())
				return res, nil
			}
			if stop == "" {
				stop = s.pastMaxStates()
			}
			if err := s.commit(depth+1, stop != ""); err != nil {
				return nil, err
			}
			if stop != "" {
				res.Verdict, res.Stopped = Incomplete, stop
				if s.next.len() > 0 {
					res.Depth = depth + 1
				}
				return res, nil
			}
		}
		if !s.continuing() {
			// What only Stray sees is reported with the level that
			// made it, as a sharded search reports it, and before the
			// checkpoint holds the level's end (see commit).
			if v := s.pendingStray(); v != nil {
				s.upTo = base + uint64(s.frontier.len())
				res.addCounterexample(strayCounterexample(v))
				return res, nil
			}
		}
		base += uint64(s.frontier.len())
		s.frontier, s.next = s.next, s.frontier
		s.next.reset()
		s.expanded = 0
	}
	if v := s.pendingStray(); v != nil {
		res.addCounterexample(strayCounterexample(v))
		return res, nil
	}
	res.Verdict = Verified
	return res, nil
}

// pastMaxStates returns why the search must stop when it knows more
// states than Config.MaxStates, and "" otherwise.
func (s *search) pastMaxStates() string {
	if s.cfg.MaxStates > 0 && s.parents.len() > s.cfg.MaxStates {
		return fmt.Sprintf("max states %d reached", s.cfg.MaxStates)
	}
	return ""
}

// stray returns the violation of a call that reached the lower layer
// outside any procedure run and that no run has reported yet: a goroutine
// left behind by layer code whose call came late. The goroutines still
// runnable get the processor first.
func (s *search) stray() *model.Violation {
	runtime.Gosched()
	for _, w := range s.workers {
		if v := w.m.Stray(); v != nil {
			return v
		}
	}
	return nil
}

// pendingStray returns the violation a worker's Stray reported, asking
// the workers (stray) until one does; once reported it is kept, as Stray
// reports a call left behind once.
func (s *search) pendingStray() *model.Violation {
	if s.strayV == nil {
		s.strayV = s.stray()
	}
	return s.strayV
}

// strayCounterexample is the violation v of Stray, whose path is the
// start: it belongs to no edge.
func strayCounterexample(v *model.Violation) Counterexample {
	t := &model.Trace{Steps: []model.Step{{Kind: model.StepInit, Violation: v}}}
	return newCounterexample(t, edgeKey(rootParent, 0))
}

// key returns the visited-set key of an encoded node.
func (s *search) key(node []byte) uint64 {
	if s.keys == nil {
		return statestore.Fingerprint(node)
	}
	return s.keys.Key(node)
}

// expandPart expands the next part of the frontier, and, unless it holds
// a violation, adds the new states it found to the visited set, the
// parent records and the next frontier. It returns why the search must
// stop there (a cancellation or a bound), or done when the search has
// its verdict.
//
// Since every edge of a part comes from a state numbered below those of
// the parts after it, a state first found in a part has its smallest
// discovering edge there, and numbering each part's new states in edge
// order numbers the level's as one search of the whole level would. For
// the same reason the first part that holds a violation holds the
// level's smallest.
func (s *search) expandPart(ctx context.Context, res *Result, base uint64, depth int) (stop string, done bool, err error) {
	if ctx.Err() != nil {
		return stopReason(ctx), false, nil
	}
	lo := s.expanded
	hi := min(lo+s.partSize(), s.frontier.len())
	s.lastPart = hi - lo
	s.cutPart(hi - lo)
	for _, w := range s.workers {
		w.partTransitions, w.partCrashes = w.transitions, w.crashes
	}
	for _, b := range s.out[:s.units] {
		b.done = false
	}
	if err := s.expandUnits(ctx, base, lo); err != nil {
		if ctx.Err() != nil {
			if w := s.settledViolation(base, lo); w != nil {
				s.countTo(base, lo, w.violKey)
				res.addCounterexample(newCounterexample(s.trace(w.violKey, w.violation), w.violKey))
				return "", true, nil
			}
			if err := s.keepDone(lo); err != nil {
				return "", false, err
			}
			return stopReason(ctx), false, nil
		}
		return "", false, err
	}
	if s.continuing() {
		if s.collect(ctx, res) {
			return "", true, nil
		}
		if ctx.Err() != nil { // collect stopped: the part's paths are not all rebuilt
			s.rollback()
			return stopReason(ctx), false, nil
		}
	} else if w := s.smallestViolation(); w != nil {
		s.countTo(base, lo, w.violKey)
		res.addCounterexample(newCounterexample(s.trace(w.violKey, w.violation), w.violKey))
		return "", true, nil
	}
	stop, err = s.barrier()
	if err != nil || stop != "" {
		s.rollback()
		return stop, false, err
	}
	s.expanded = hi
	return "", false, nil
}

// keepDone ends the part from frontier state lo, cancelled in the
// middle, when there is a checkpoint to commit it to: the units at the
// part's start that were expanded completely (a unit being expanded when
// the cancellation came is finished) make a shorter part, which goes
// through the barrier, so that a search resumed from the checkpoint goes
// on after them. Without a checkpoint, or when the barrier stops, the
// whole part is forgotten.
func (s *search) keepDone(lo int) error {
	n := 0
	var transitions, crashes uint64
	if s.cfg.Checkpoint != nil {
		for n < s.units && s.out[n].done {
			transitions += s.out[n].transitions
			crashes += s.out[n].crashes
			n++
		}
	}
	if n == 0 {
		s.rollback()
		return nil
	}
	for _, w := range s.workers {
		w.transitions, w.crashes = w.partTransitions, w.partCrashes
	}
	w := s.workers[0]
	w.transitions += transitions
	w.crashes += crashes
	s.units = n
	stop, err := s.barrier()
	if err != nil || stop != "" {
		s.rollback()
		return err
	}
	s.expanded = lo + s.cut.start(n)
	return nil
}

// cutPart cuts a part of n frontier states into units, with a batch for
// each.
func (s *search) cutPart(n int) {
	s.cut = cutUnits(n, s.cfg.BatchSize, s.cfg.Workers)
	s.units = s.cut.count()
	for len(s.out) < s.units {
		s.out = append(s.out, &batch{})
	}
}

// settledViolation returns, in a part from frontier state lo cancelled
// in the middle, the worker holding the part's smallest violation when
// every unit before the violating one was expanded completely: then it is
// the violation the whole part would report. Otherwise, or when the
// search continues past violations, it returns nil.
func (s *search) settledViolation(base uint64, lo int) *worker {
	w := s.smallestViolation()
	if w == nil || s.continuing() {
		return nil
	}
	state, _ := splitEdge(w.violKey)
	u := s.cut.of(int(state - base - uint64(lo)))
	for _, b := range s.out[:u] {
		if !b.done {
			return nil
		}
	}
	return w
}

// countTo sets the counts of edges of a part from frontier state lo that
// a violation at edge key ends: the edges of the states before the
// violating one, and the violating state's up to the violating edge,
// which are the same for any number of workers and part size. Those of
// the states after it, which workers may have expanded before they knew
// of the violation, are left out. Every unit before the violating one was
// expanded completely, and the violating unit up to its violation.
func (s *search) countTo(base uint64, lo int, key uint64) {
	state, _ := splitEdge(key)
	u := s.cut.of(int(state - base - uint64(lo)))
	for _, w := range s.workers {
		w.transitions, w.crashes = w.partTransitions, w.partCrashes
	}
	w := s.workers[0]
	for _, b := range s.out[:u+1] {
		w.transitions += b.transitions
		w.crashes += b.crashes
	}
}

// rollback forgets the edges of a part that stops before its barrier
// ends: the part is expanded again on resuming, and its edges are counted
// then.
func (s *search) rollback() {
	for _, w := range s.workers {
		w.transitions, w.crashes = w.partTransitions, w.partCrashes
	}
	s.level.reset(s.spread)
}

// expandUnits expands the part from frontier state lo, workers taking
// the units of s.cut in order. After a violation, units past the
// violating state are skipped: only smaller states can still hold a
// smaller violation. When the level table passes half full, workers stop
// taking units, the table grows, and the part continues, first with the
// units abandoned because the table was full (see takeUnit).
func (s *search) expandUnits(ctx context.Context, base uint64, lo int) error {
	var bound atomic.Uint64 // smallest violating state number so far
	bound.Store(math.MaxUint64)
	s.redo, s.nextUnit = s.redo[:0], 0
	for _, w := range s.workers {
		w.violation = nil
		w.frontier.f, w.frontier.block = &s.frontier, -1
		w.m.CheckAll(base < model.CheckAllStates)
	}
	for {
		var pause atomic.Bool
		g, gctx := group.WithContext(ctx)
		for _, w := range s.workers {
			g.Go(func() error {
				for !pause.Load() {
					u, ok := s.takeUnit()
					if !ok {
						return nil
					}
					if base+uint64(lo+s.cut.start(u)) > bound.Load() {
						continue
					}
					if err := gctx.Err(); err != nil {
						return err
					}
					start := time.Now()
					err := w.expandUnit(u, base, lo+s.cut.start(u), lo+s.cut.end(u), &bound)
					w.expanding += time.Since(start)
					if err != nil {
						return err
					}
					if !w.full {
						s.batchDone(w)
					}
					if w.full {
						s.abandonUnit(u)
						pause.Store(true)
					} else if s.level.full() {
						pause.Store(true)
					}
				}
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
		if len(s.redo) == 0 && s.nextUnit >= s.units {
			return nil
		}
		s.level.grow(4*s.level.count.Load(), s.spread)
	}
}

// takeUnit returns the part's next unit to expand: the first of those
// abandoned when the level table filled, then the first not yet taken.
// It returns false when none is left. A unit taken back by abandonUnit
// stays among those to expand until a worker takes it again, whatever
// pause comes first.
func (s *search) takeUnit() (int, bool) {
	s.unitMu.Lock()
	defer s.unitMu.Unlock()
	if len(s.redo) > 0 {
		u := s.redo[0]
		s.redo = s.redo[1:]
		return u, true
	}
	if s.nextUnit < s.units {
		s.nextUnit++
		return s.nextUnit - 1, true
	}
	return 0, false
}

// abandonUnit gives back unit u, abandoned because the level table filled:
// takeUnit hands it out again before any unit not yet taken.
func (s *search) abandonUnit(u int) {
	s.unitMu.Lock()
	s.redo = append(s.redo, u)
	s.unitMu.Unlock()
}

// expandUnit expands frontier states lo..hi-1 into s.out[u]. When the
// level table fills, it leaves w.full set and the unit's counts undone,
// unless the unit stopped at a violation.
// After a violation (unless continuing) it stops: the unit's later states
// can hold no smaller one.
func (w *worker) expandUnit(u int, base uint64, lo, hi int, bound *atomic.Uint64) (err error) {
	s := w.s
	w.out = s.out[u]
	w.out.reset(s.level.gen)
	w.full, w.added, w.bound = false, 0, bound
	w.pending.reset()
	transitions, crashes, nfound := w.transitions, w.crashes, len(w.found)
	defer func() {
		s.level.count.Add(w.added)
		if w.full {
			w.transitions, w.crashes, w.found = transitions, crashes, w.found[:nfound]
		}
		if p := recover(); p != nil {
			if e, ok := p.(error); ok {
				err = fmt.Errorf("expanding state %d: %w", w.state, e)
			} else {
				err = fmt.Errorf("expanding state %d: %v", w.state, p)
			}
		}
	}()
	for i := lo; i < hi; i++ {
		w.state, w.stopped = base+uint64(i), false
		w.seen.reset()
		w.m.Expand(w.frontier.at(i), w)
		w.lookUp()
		if w.err != nil {
			return w.err
		}
		if w.stopped {
			// At a violation: the counts up to it. The part ends at this
			// violation or a smaller one, so its successors are not
			// wanted, and a level table filled by those looked up after
			// the violation calls for no redo, which a cancellation could
			// forestall, leaving the unit without its counts.
			w.full = false
			w.out.transitions, w.out.crashes = w.transitions-transitions, w.crashes-crashes
			return nil
		}
		if w.full {
			return nil
		}
	}
	w.out.done = true
	w.out.transitions, w.out.crashes = w.transitions-transitions, w.crashes-crashes
	return nil
}

// Fail implements model.Emitter: when continuing past violations, it
// records v and lets the expansion go on; otherwise it keeps v if it is
// the smallest the worker found in this level, and the expansion stops.
func (w *worker) Fail(v *model.Violation) bool {
	if v.Edge > maxOrdinal {
		w.err = errTooManySuccessors
		return true
	}
	key := edgeKey(w.state, v.Edge)
	if w.s.continuing() {
		if !w.full {
			w.found = append(w.found, found{key, v})
		}
		return false
	}
	if w.violation == nil || key < w.violKey {
		w.violation, w.violKey = v, key
	}
	for {
		cur := w.bound.Load()
		if w.state >= cur || w.bound.CompareAndSwap(cur, w.state) {
			break
		}
	}
	w.stopped = true
	return true
}

// Successor implements model.Emitter.
func (w *worker) Successor(o uint32, node []byte, crash bool) bool {
	w.transitions++
	if crash {
		w.crashes++
	}
	if w.full {
		return true
	}
	if o > maxOrdinal {
		w.err = errTooManySuccessors
		return true
	}
	key := w.s.key(node)
	if w.seen.add(key) {
		return false
	}
	// Ask for key's line in the visited set now, to have it by the time
	// lookUp needs it.
	prefetch.One(w.s.visited.Line(key))
	if w.pending.add(key, o, node) == pendingMax {
		w.lookUp()
	}
	return w.full
}

// Again implements model.Repeater: edges to nodes this expansion offered
// already, or to the state being expanded, which Successor would count and
// pass over one by one.
func (w *worker) Again(o, n, crashes uint32) bool {
	w.transitions += uint64(n)
	w.crashes += uint64(crashes)
	if w.full {
		return true
	}
	if uint64(o)+uint64(n)-1 > maxOrdinal {
		w.err = errTooManySuccessors
		return true
	}
	return false
}

// errTooManySuccessors stops a search at a state whose edges outnumber
// what parent records can number.
var errTooManySuccessors = fmt.Errorf("%w: a state has more than 2^24 successors, more than parent records can number", model.ErrLimit)

// pendingMax is the number of successors looked up together.
const pendingMax = 32

// pending holds successors of the state being expanded that wait to be
// looked up in the visited set.
type pending struct {
	keys     []uint64
	ordinals []uint32
	nodes    nodes
}

// add appends a successor and returns the number waiting.
func (p *pending) add(key uint64, o uint32, node []byte) int {
	p.keys = append(p.keys, key)
	p.ordinals = append(p.ordinals, o)
	p.nodes.add(node)
	return len(p.keys)
}

// reset empties p.
func (p *pending) reset() {
	p.keys, p.ordinals = p.keys[:0], p.ordinals[:0]
	p.nodes.reset()
}

// lookUp looks up the pending successors in the visited set, whose lines
// Successor asked for as it took them, and offers the new ones to the
// level table, in order. It asks for the level table's lines of the new
// ones only, as it finds them: most successors were visited (three in four
// at repdisk 8x4), and a line asked for in vain is memory traffic that the
// other lookups wait behind.
func (w *worker) lookUp() {
	p := &w.pending
	defer p.reset()
	if w.full {
		return
	}
	n := 0
	for i, key := range p.keys {
		if !w.s.visited.Has(key) {
			w.unvisited[n] = uint8(i)
			n++
			prefetch.One(w.s.level.lineAddr(key))
		}
	}
	for _, u := range w.unvisited[:n] {
		i := int(u)
		key := p.keys[i]
		e := edgeKey(w.state, p.ordinals[i])
		pair, added, smallest, ok := w.s.level.offer(key, e)
		if !ok {
			w.full = true
			return
		}
		if added {
			w.added++
		}
		if smallest {
			b := w.out
			b.nodes.add(p.nodes.at(i))
			b.keys = append(b.keys, key)
			b.edges = append(b.edges, e)
			b.pairs = append(b.pairs, pair)
		}
	}
}

// barrier ends a part from the workers' batches: it keeps each new
// state's smallest discovery, numbers the new states in the order of
// their discovering edges, adds them to the visited set and the parent
// records, and appends their encodings to s.next. It returns why the
// search must stop, when a bound is reached.
func (s *search) barrier() (string, error) {
	out := s.out[:s.units]
	// Phase 1, by batch: keep the entries that are still smallest.
	s.parallel(len(out), func(i int) error {
		b := out[i]
		kept, size := 0, uint64(0)
		for j, key := range b.keys {
			if j%knownRun == 0 {
				b.touched += s.touchKnown(b.keys[j:min(j+knownRun, len(b.keys))])
			}
			pair := b.pairs[j]
			if b.gen != s.level.gen {
				pair = s.level.find(key)
			}
			if s.level.smallest(pair) != b.edges[j] || s.known(key) {
				continue
			}
			node := b.nodes.at(j)
			start := uint32(size)
			size += uint64(len(node))
			copy(b.nodes.data[start:], node)
			b.nodes.ends[kept] = uint32(size)
			b.keys[kept], b.edges[kept] = key, b.edges[j]
			kept++
		}
		b.nodes.data, b.nodes.ends = b.nodes.data[:size], b.nodes.ends[:kept]
		b.keys, b.edges = b.keys[:kept], b.edges[:kept]
		return nil
	})
	// Number the new states.
	n := uint64(0)
	for _, b := range out {
		b.first = n
		n += uint64(len(b.keys))
	}
	s.noteLevelBytes()
	// The level table is done with: make it ready for the next part, at
	// most a quarter of the budget (it grows in the part if it must, and
	// is cut back to a quarter after such a part).
	s.tableBytes = 2 * pairBytes * s.level.count.Load()
	quarter := s.cfg.MemoryBytes / 4 / pairBytes
	if pairs := min(2*n, quarter); s.level.pairs() < pairs || s.level.pairs() > quarter {
		s.level.init(pairs)
	} else {
		s.level.reset(s.spread)
	}
	total := s.parents.len() + n
	if total > maxStates {
		return "", fmt.Errorf("%w: more than %d states, more than parent records can number", model.ErrLimit, uint64(maxStates))
	}
	used := s.parents.bytes() + s.level.bytes()
	if s.keys != nil {
		used += s.keys.Bytes()
	}
	limit := uint64(0)
	if s.cfg.MemoryBytes > used {
		limit = s.cfg.MemoryBytes - used
	}
	if _, need, err := s.visited.Reserve(s.visited.Len()+n, len(s.workers), max(limit, 1)); err != nil {
		return "", err
	} else if need > limit {
		if s.cfg.Spill == "" {
			return "memory budget of " + byteCount(s.cfg.MemoryBytes) + " reached", nil
		}
		if err := s.spill(); err != nil {
			return "", err
		}
		used = s.parents.bytes() + s.level.bytes() + s.disk.Bytes()
		limit = 0
		if s.cfg.MemoryBytes > used {
			limit = s.cfg.MemoryBytes - used
		}
		if _, need, err := s.visited.Reserve(n, len(s.workers), max(limit, 1)); err != nil {
			return "", err
		} else if need > limit {
			return "memory budget of " + byteCount(s.cfg.MemoryBytes) + " reached by a part's working set", nil
		}
	}
	first := s.parents.extend(n)
	// Phase 2, by batch: add to the visited set and the parent records;
	// then, in order, to the next frontier.
	err := s.parallel(len(out), func(i int) error {
		b := out[i]
		if _, err := s.visited.InsertAll(b.keys); err != nil {
			return err
		}
		for j, e := range b.edges {
			s.parents.set(first+b.first+uint64(j), e)
		}
		return nil
	})
	s.next.addAll(out, s.spread)
	return "", err
}

// partSize returns the number of frontier states of the next part: the
// PartSize set, or fewer, so that the level table of a part takes at most
// a quarter of the memory budget, going by the entries per frontier state
// of the last part (the table's size would not do: it only grows, and
// parts sized by it would only shrink).
func (s *search) partSize() int {
	// Before the first part, 1 KiB a state: an overestimate.
	perState := uint64(1 << 10)
	if s.lastPart > 0 && s.tableBytes > 0 {
		perState = max(s.tableBytes/uint64(s.lastPart), 1)
	}
	size := int(min(uint64(s.cfg.PartSize), s.cfg.MemoryBytes/4/perState))
	return max(size/s.cfg.BatchSize*s.cfg.BatchSize, s.cfg.BatchSize)
}

// noteLevelBytes records the memory of the per-level working set.
func (s *search) noteLevelBytes() {
	b := s.level.bytes() + s.frontier.bytes() + s.next.bytes()
	for _, o := range s.out {
		b += o.bytes()
	}
	s.levelBytes = max(s.levelBytes, b)
}

// parallel runs f(0..n-1) on the workers' count of goroutines.
func (s *search) parallel(n int, f func(i int) error) error {
	var next atomic.Int64
	g, _ := group.WithContext(context.Background())
	for range min(len(s.workers), n) {
		g.Go(func() error {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				if err := f(i); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return g.Wait()
}

// spread runs do(i) for every i from 0 to n-1 on up to one goroutine
// a worker (see parallel).
func (s *search) spread(n int, do func(i int)) {
	s.parallel(n, func(i int) error { do(i); return nil })
}

func (s *search) smallestViolation() *worker {
	var best *worker
	for _, w := range s.workers {
		if w.violation != nil && (best == nil || w.violKey < best.violKey) {
			best = w
		}
	}
	return best
}

// trace rebuilds the path to the violation v found at edge key from the
// parent records, replaying it through the executor (see path).
func (s *search) trace(key uint64, v *model.Violation) *model.Trace {
	return s.tracePaths(s.paths(), key, v)
}

// paths returns a builder of paths from the parent records, replaying
// through the executor.
func (s *search) paths() *paths {
	parent := func(st uint64) (uint64, error) {
		p := s.parents.get(st)
		return p, s.parents.err
	}
	return newPaths(s.workers[0].m, parent, s.parents.len())
}

// tracePaths is trace through the builder p.
func (s *search) tracePaths(p *paths, key uint64, v *model.Violation) *model.Trace {
	t, err := p.path(key, v)
	if err != nil {
		return replayError(err)
	}
	return t
}

// replayError is the path of a violation whose rebuilding failed with err.
// In memory the records are whole: only replay can disagree.
func replayError(err error) *model.Trace {
	return &model.Trace{Steps: []model.Step{{Violation: &model.Violation{Kind: model.KindNondeterminism, Message: err.Error()}}}}
}
