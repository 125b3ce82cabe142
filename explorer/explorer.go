package explorer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/argocheck/argocheck/model"
	"github.com/argocheck/argocheck/statestore"
)

// Config configures a search. The zero value is valid: all CPUs, fingerprint
// keys, no bounds.
type Config struct {
	// Workers is the number of goroutines expanding states; zero means
	// runtime.NumCPU().
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
	// BatchSize is the number of frontier states a worker takes at a time;
	// zero means 256.
	BatchSize int
	// Checkpoint, when set, receives every completed level, to resume
	// from (see Resume); it needs fingerprint keys.
	Checkpoint statestore.Checkpoint

	from *statestore.Saved // the checkpoint Resume continues from
}

func (c Config) validate() (Config, error) {
	if c.Workers < 0 {
		return c, fmt.Errorf("workers must be positive, not %d", c.Workers)
	}
	if c.Workers == 0 {
		c.Workers = runtime.NumCPU()
	}
	if c.MaxDepth < 0 {
		return c, fmt.Errorf("max depth must not be negative, not %d", c.MaxDepth)
	}
	if err := validateCheckpoint(c); err != nil {
		return c, err
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 256
	}
	return c, nil
}

// Verdict is the outcome of a search.
type Verdict string

// Verdicts.
const (
	// Verified: the whole reachable graph was searched and no check failed.
	Verified Verdict = "verified"
	// Violation: a check failed; Result.Violation and Result.Trace say how.
	Violation Verdict = "violation"
	// Incomplete: a bound or a cancellation stopped the search first.
	Incomplete Verdict = "incomplete"
)

// Result is the outcome of a search with its figures.
type Result struct {
	Verdict Verdict
	// States is the number of distinct nodes found; Transitions the number
	// of edges followed, CrashPoints the crash edges among them.
	States      uint64
	Transitions uint64
	CrashPoints uint64
	// Depth is the deepest level reached (initial states are level 0).
	Depth   int
	Elapsed time.Duration
	// MemoryBytes is the memory held by visited states, parent records and
	// the level table at the end.
	MemoryBytes uint64
	// Violation and Trace are set when Verdict is Violation; Trace is the
	// shortest path to the violation.
	Violation *model.Violation
	Trace     *model.Trace
	// ViolationEdge is the edge key (see EdgeKey) of the violating edge;
	// its state is RootState for a violation of the initial states.
	ViolationEdge uint64
	// Stopped says which bound or cancellation made the verdict Incomplete.
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

// BytesPerState returns MemoryBytes per state.
func (r *Result) BytesPerState() float64 {
	if r.States == 0 {
		return 0
	}
	return float64(r.MemoryBytes) / float64(r.States)
}

// search is the state of one run.
type search struct {
	cfg     Config
	chk     model.Checker
	keys    statestore.Keyer
	visited *statestore.Set
	parents []uint64 // discovering edge of every state, by state number
	inits   [][]byte
	level   levelTable
	workers []*worker
	cp      checkpointState
}

type worker struct {
	s     *search
	m     model.Worker
	out   *batch
	state uint64 // number of the state being expanded
	edge  uint32 // ordinal of the next edge
	err   error

	transitions, crashes uint64
	// The smallest violation this worker found in the current level.
	violation *model.Violation
	violKey   uint64
}

// Run searches chk's state graph breadth first. A violation is a result,
// not an error; errors are bad configuration and exhausted limits of the
// encoding.
func Run(ctx context.Context, chk model.Checker, cfg Config) (*Result, error) {
	cfg, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	s := &search{cfg: cfg, chk: chk, visited: statestore.NewSet(1024)}
	if cfg.Exact {
		s.keys = statestore.NewExactKeys()
	} else {
		s.keys = statestore.FingerprintKeys{}
	}
	for i := 0; i < cfg.Workers; i++ {
		s.workers = append(s.workers, &worker{s: s, m: chk.NewWorker()})
	}
	res := &Result{}
	defer func() {
		res.Elapsed = time.Since(start)
		res.States = uint64(len(s.parents))
		for _, w := range s.workers {
			res.Transitions += w.transitions
			res.CrashPoints += w.crashes
		}
		res.MemoryBytes = s.visited.Bytes() + uint64(cap(s.parents))*8 + s.level.bytes() + s.keys.Bytes()
	}()

	inits, v := s.workers[0].m.Initial()
	if v != nil {
		res.Verdict, res.Violation = Violation, v
		res.ViolationEdge = edgeKey(rootParent, 0)
		res.Trace = &model.Trace{Steps: []model.Step{{Kind: model.StepInit, Violation: v}}}
		return res, nil
	}
	var frontier, next nodes
	for i, n := range inits {
		if s.visited.Add(s.keys.Key(n)) {
			s.parents = append(s.parents, edgeKey(rootParent, uint32(i)))
			frontier.add(n)
			s.inits = append(s.inits, n)
		}
	}
	var batches []*batch
	base, depth0, err := s.restore(&frontier) // number and depth of the first frontier state
	if err != nil {
		return nil, err
	}
	for depth := depth0; frontier.len() > 0; depth++ {
		res.Depth = depth
		if cfg.MaxDepth > 0 && depth >= cfg.MaxDepth {
			res.Verdict, res.Stopped = Incomplete, fmt.Sprintf("max depth %d reached", cfg.MaxDepth)
			return res, nil
		}
		nb := (frontier.len() + cfg.BatchSize - 1) / cfg.BatchSize
		for len(batches) < nb {
			batches = append(batches, &batch{})
		}
		if err := s.expandLevel(ctx, &frontier, base, batches[:nb]); err != nil {
			if ctx.Err() != nil {
				res.Verdict, res.Stopped = Incomplete, "cancelled"
				return res, nil
			}
			return nil, err
		}
		if w := s.smallestViolation(); w != nil {
			parent, _ := splitEdge(w.violKey)
			res.Verdict, res.Violation = Violation, w.violation
			res.ViolationEdge = w.violKey
			res.Trace = s.trace(parent, w.violation.Edge)
			return res, nil
		}
		// Barrier: keep each new state's smallest discovery, in edge order.
		next.reset()
		for _, b := range batches[:nb] {
			for j, key := range b.keys {
				if s.level.smallest(key) != b.edges[j] {
					continue
				}
				s.visited.Add(key)
				s.parents = append(s.parents, b.edges[j])
				next.add(b.nodes.at(j))
			}
		}
		s.level.reset()
		base += uint64(frontier.len())
		frontier, next = next, frontier
		if err := s.commitLevel(depth+1, &frontier); err != nil {
			return nil, err
		}
		if uint64(len(s.parents)) > maxStates {
			return nil, fmt.Errorf("more than %d states: beyond what parent records can number", uint64(maxStates))
		}
		if cfg.MaxStates > 0 && uint64(len(s.parents)) > cfg.MaxStates && frontier.len() > 0 {
			res.Verdict, res.Stopped = Incomplete, fmt.Sprintf("max states %d reached", cfg.MaxStates)
			res.Depth = depth + 1
			return res, nil
		}
	}
	res.Verdict = Verified
	return res, nil
}

// expandLevel expands every frontier state, workers taking batches in
// order. After a violation, batches past the violating state are skipped:
// only smaller states can still hold a smaller violation.
func (s *search) expandLevel(ctx context.Context, frontier *nodes, base uint64, batches []*batch) error {
	var nextBatch atomic.Int64
	var bound atomic.Uint64 // smallest violating state number so far
	bound.Store(math.MaxUint64)
	g, gctx := errgroup.WithContext(ctx)
	bs := s.cfg.BatchSize
	for _, w := range s.workers {
		w.violation = nil
		g.Go(func() error {
			for {
				b := int(nextBatch.Add(1) - 1)
				if b >= len(batches) || base+uint64(b*bs) > bound.Load() {
					return nil
				}
				if err := gctx.Err(); err != nil {
					return err
				}
				w.out = batches[b]
				w.out.reset()
				end := min((b+1)*bs, frontier.len())
				for i := b * bs; i < end; i++ {
					w.state, w.edge = base+uint64(i), 0
					v := w.m.Expand(frontier.at(i), w)
					if w.err != nil {
						return w.err
					}
					if v != nil {
						key := edgeKey(w.state, v.Edge)
						if w.violation == nil || key < w.violKey {
							w.violation, w.violKey = v, key
						}
						for {
							cur := bound.Load()
							if w.state >= cur || bound.CompareAndSwap(cur, w.state) {
								break
							}
						}
						break
					}
				}
			}
		})
	}
	return g.Wait()
}

// Successor implements model.Emitter.
func (w *worker) Successor(node []byte, crash bool) {
	o := w.edge
	w.edge++
	w.transitions++
	if crash {
		w.crashes++
	}
	if o > maxOrdinal {
		w.err = errors.New("a state has more than 2^24 successors: beyond what parent records can number")
		return
	}
	key := w.s.keys.Key(node)
	if w.s.visited.Has(key) {
		return
	}
	e := edgeKey(w.state, o)
	if w.s.level.offer(key, e) {
		w.out.nodes.add(node)
		w.out.keys = append(w.out.keys, key)
		w.out.edges = append(w.out.edges, e)
	}
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

// trace rebuilds the path to state parent by following parent records
// back to an initial state, then replays it forward through the executor,
// ending with the violating edge.
func (s *search) trace(state uint64, edge uint32) *model.Trace {
	var ordinals []uint32
	for {
		p, o := splitEdge(s.parents[state])
		if p == rootParent {
			ordinals = append(ordinals, o)
			break
		}
		ordinals = append(ordinals, o)
		state = p
	}
	// ordinals holds the path backwards, ending with the initial index.
	root := ordinals[len(ordinals)-1]
	m := s.workers[0].m
	node := s.inits[root]
	t := &model.Trace{Steps: []model.Step{{Kind: model.StepInit, Node: m.View(node)}}}
	for i := len(ordinals) - 2; i >= -1; i-- {
		o := edge
		if i >= 0 {
			o = ordinals[i]
		}
		step, succ := m.Replay(node, o)
		if step.Kind == "" || (i >= 0 && succ == nil) {
			t.Steps = append(t.Steps, model.Step{Violation: &model.Violation{
				Kind:    model.KindNondeterminism,
				Message: "replaying the path did not reach the recorded state: the layer code is not deterministic",
			}})
			return t
		}
		t.Steps = append(t.Steps, step)
		node = succ
	}
	return t
}
