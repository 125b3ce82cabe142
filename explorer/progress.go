package explorer

import (
	"context"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"

	"github.com/argocheck/argocheck/statestore"
)

// Progress is a snapshot of a running search, passed to Config.Progress.
type Progress struct {
	// Level is the level being expanded (initial states are level 0).
	Level int
	// States counts the distinct states of the finished levels plus the
	// states found so far in the level being expanded (a state reached by
	// several parents of that level may count more than once until the
	// level ends).
	States uint64
	// Transitions counts the edges followed so far.
	Transitions uint64
	// Frontier is the number of states of the level being expanded.
	Frontier int
	// StatesPerSecond is States over Elapsed.
	StatesPerSecond float64
	// HeapBytes is the Go heap in use by live and not yet swept objects.
	HeapBytes uint64
	// MappedBytes is the memory of the visited set's arrays mapped
	// outside the Go heap (statestore.MappedBytes).
	MappedBytes uint64
	// Elapsed is the time since the search started.
	Elapsed time.Duration
	// Violations counts the distinct violations found so far.
	Violations int
	// Barrier is true for the call made at the barrier that starts a level
	// (with exact States and Transitions), false for a call from the
	// interval ticker, which reports the level of the last barrier call
	// and comes only after the first.
	Barrier bool
}

// DefaultProgressInterval is the ticker interval of a Config that sets a
// Progress callback and no ProgressInterval.
const DefaultProgressInterval = time.Second

// progress feeds Config.Progress from atomic counters that workers update
// once per batch, never per state.
type progress struct {
	fn    func(Progress)
	start time.Time
	mu    sync.Mutex // serialises calls of fn and barriers' updates
	stop  chan struct{}
	done  chan struct{}

	level       atomic.Int64  // -1 until the first barrier
	known       atomic.Uint64 // states up to the last barrier
	found       atomic.Uint64 // candidate new states of the current level
	transitions atomic.Uint64
	frontier    atomic.Int64
	violations  atomic.Int64

	sample []metrics.Sample
}

// startProgress starts the ticker when cfg asks for progress; it returns
// nil, on which every method is a no-op, when it does not.
func startProgress(cfg Config, start time.Time) *progress {
	if cfg.Progress == nil {
		return nil
	}
	p := &progress{
		fn: cfg.Progress, start: start,
		stop: make(chan struct{}), done: make(chan struct{}),
		sample: []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}},
	}
	p.level.Store(-1)
	interval := cfg.ProgressInterval
	if interval <= 0 {
		interval = DefaultProgressInterval
	}
	go func() {
		defer close(p.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.tick()
			}
		}
	}()
	return p
}

// close stops the ticker; no call of fn follows its return.
func (p *progress) close() {
	if p == nil {
		return
	}
	close(p.stop)
	<-p.done
}

// barrier records the figures at the start of a level and reports them,
// holding mu so that no tick mixes them with the previous level's.
func (p *progress) barrier(level int, states uint64, frontier int, transitions uint64) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.level.Store(int64(level))
	p.known.Store(states)
	p.found.Store(0)
	p.frontier.Store(int64(frontier))
	p.transitions.Store(transitions)
	p.report(true)
}

// batch adds one finished batch's figures: its transitions first, so that
// a report, which reads found before transitions, counts every edge that
// led to a state it counts.
func (p *progress) batch(newStates int, transitions uint64) {
	if p == nil {
		return
	}
	p.transitions.Add(transitions)
	p.found.Add(uint64(newStates))
}

// violationCount records the number of distinct violations found so far.
func (p *progress) violationCount(n int) {
	if p == nil {
		return
	}
	p.violations.Store(int64(n))
}

// tick reports the figures of the level in progress; before the first
// barrier there are none.
func (p *progress) tick() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.level.Load() >= 0 {
		p.report(false)
	}
}

// report calls fn with the current figures; p.mu is held.
func (p *progress) report(barrier bool) {
	metrics.Read(p.sample)
	var heap uint64
	if p.sample[0].Value.Kind() == metrics.KindUint64 {
		heap = p.sample[0].Value.Uint64()
	}
	el := time.Since(p.start)
	states := p.known.Load() + p.found.Load() // before transitions: see batch
	var rate float64
	if s := el.Seconds(); s > 0 {
		rate = float64(states) / s
	}
	p.fn(Progress{
		Level: int(p.level.Load()), States: states, Transitions: p.transitions.Load(),
		Frontier: int(p.frontier.Load()), StatesPerSecond: rate, HeapBytes: heap, MappedBytes: statestore.MappedBytes(),
		Elapsed: el, Violations: int(p.violations.Load()), Barrier: barrier,
	})
}

// stopReason says why ctx ended a search: its cause when one was given
// (context.WithTimeoutCause, WithCancelCause), else "cancelled" or
// "deadline exceeded".
func stopReason(ctx context.Context) string {
	switch cause := context.Cause(ctx); cause {
	case nil, context.Canceled:
		return "cancelled"
	case context.DeadlineExceeded:
		return "deadline exceeded"
	default:
		return cause.Error()
	}
}

// batchDone adds w's last batch to the progress figures.
func (s *search) batchDone(w *worker) {
	if s.prog == nil {
		return
	}
	s.prog.batch(len(w.out.keys), w.transitions-w.reported)
	w.reported = w.transitions
}

// levelStart reports the figures at a level barrier.
func (s *search) levelStart(depth, frontier int) {
	if s.prog == nil {
		return
	}
	var t uint64
	for _, w := range s.workers {
		t += w.transitions
	}
	s.prog.barrier(depth, s.parents.len(), frontier, t)
}
