package shard

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync/atomic"

	"github.com/argocheck/argocheck/internal/group"
	"github.com/argocheck/argocheck/model"
	"github.com/argocheck/argocheck/statestore"
)

// Edge keys pack a state's number and an edge's ordinal in the state's
// expansion, as the explorer's parent records do.
const (
	ordinalBits = 24
	maxOrdinal  = 1<<ordinalBits - 1
	// rootParent marks an initial state; its ordinal is its initial index.
	rootParent = 1<<(64-ordinalBits) - 1
)

func edgeKey(state uint64, ordinal uint32) uint64 { return state<<ordinalBits | uint64(ordinal) }

func splitEdge(key uint64) (state uint64, ordinal uint32) {
	return key >> ordinalBits, uint32(key & maxOrdinal)
}

// batchSize is the number of frontier states a worker takes at a time.
const batchSize = 256

// ref is a candidate state: its key, a discovering edge and its
// encoding, which lives in a worker's outbox or a received object.
type ref struct {
	key, edge uint64
	node      []byte
}

// byKeyThenEdge orders candidates by key, then smallest edge first.
func byKeyThenEdge(a, b ref) int {
	if c := cmp.Compare(a.key, b.key); c != 0 {
		return c
	}
	return cmp.Compare(a.edge, b.edge)
}

// smallestPerKey sorts refs by key and keeps, of each key, the smallest
// edge.
func smallestPerKey(refs []ref) []ref {
	slices.SortFunc(refs, byKeyThenEdge)
	return slices.CompactFunc(refs, func(a, b ref) bool { return a.key == b.key })
}

// outbox holds what a worker found for one shard in the current level.
type outbox struct {
	keys, edges []uint64
	nodes       nodes
}

func (o *outbox) reset() {
	o.keys, o.edges = o.keys[:0], o.edges[:0]
	o.nodes.reset()
}

// worker expands frontier states with its own model.Worker. It implements
// model.Emitter.
type worker struct {
	s *search
	m model.Worker
	// k is the index of the state being expanded in the shard's frontier.
	k       uint64
	prev    []byte // the previous successor of the state being expanded
	stopped bool   // the state's expansion stopped at a violation
	bound   *atomic.Uint64
	work    counts
	found   *violation        // the smallest violation of the level, edge within the frontier
	out     []outbox          // by destination shard
	seen    *statestore.Table // the keys of out, to keep one edge per key
	err     error
}

func (w *worker) reset() {
	w.work, w.found, w.err = counts{}, nil, nil
	for i := range w.out {
		w.out[i].reset()
	}
	n := max(w.seen.Len(), 1024)
	w.seen.Clear() // its large arrays go back now, not when it is collected
	w.seen = statestore.NewTable(n)
}

// Again implements model.Repeater: edges to nodes this expansion offered
// already, or to the state being expanded, which Successor would count and
// pass over.
func (w *worker) Again(o, n, crashes uint32) bool {
	w.work.transitions += uint64(n)
	w.work.crashes += uint64(crashes)
	if uint64(o)+uint64(n)-1 > maxOrdinal {
		w.err = errTooManySuccessors
		return true
	}
	return false
}

// errTooManySuccessors stops a shard at a state whose edges outnumber what
// parent records can number: the system is past argocheck's limits, as
// in the explorer (model.ErrLimit).
var errTooManySuccessors = fmt.Errorf("%w: a state has more than 2^24 successors, more than parent records can number", model.ErrLimit)

// Successor implements model.Emitter: it keeps each state's first, and
// so smallest, discovering edge in this worker, for the shard that owns
// the state, leaving out the states this shard owns and has visited.
func (w *worker) Successor(o uint32, node []byte, crash bool) bool {
	w.work.transitions++
	if crash {
		w.work.crashes++
	}
	if o > maxOrdinal {
		w.err = errTooManySuccessors
		return true
	}
	// The same node as the previous edge of this state (a crash after a
	// step that changed nothing) was offered already, with a smaller edge.
	if bytes.Equal(node, w.prev) {
		return false
	}
	w.prev = append(w.prev[:0], node...)
	key := statestore.Fingerprint(node)
	dest := w.s.owner(key)
	if dest == w.s.cfg.Index {
		if w.s.visited.Has(key) {
			return false
		}
	} else if w.s.sent.has(key) {
		return false
	}
	// Workers take the frontier in increasing order, so a key seen
	// before in this worker came with a smaller edge.
	if w.seen.Len() >= uint64(float64(w.seen.Cap())*statestore.MaxLoad) {
		if _, _, err := w.seen.Reserve(2*w.seen.Len(), 1, 0); err != nil {
			w.err = err
			return true
		}
	}
	if added, err := w.seen.Insert(key); err != nil || !added {
		w.err = err
		return err != nil
	}
	b := &w.out[dest]
	b.keys = append(b.keys, key)
	b.edges = append(b.edges, edgeKey(w.k, o))
	b.nodes.add(node)
	return false
}

// Fail implements model.Emitter: it keeps the worker's smallest violation
// of the level and stops the state's expansion.
func (w *worker) Fail(v *model.Violation) bool {
	e := edgeKey(w.k, v.Edge)
	if w.found == nil || e < w.found.edge {
		w.found = &violation{edge: e, v: *v}
	}
	for {
		cur := w.bound.Load()
		if w.k >= cur || w.bound.CompareAndSwap(cur, w.k) {
			break
		}
	}
	w.stopped = true
	return true
}

// expandUnit expands frontier states lo..hi-1. After a violation it
// stops: the unit's later states can hold no smaller one.
func (w *worker) expandUnit(lo, hi int) (err error) {
	defer func() {
		if p := recover(); p != nil {
			if e, ok := p.(error); ok {
				err = fmt.Errorf("expanding state %d of the frontier: %w", w.k, e)
			} else {
				err = fmt.Errorf("expanding state %d of the frontier: %v", w.k, p)
			}
		}
	}()
	f := &w.s.front
	for i := lo; i < hi; i++ {
		w.k, w.prev, w.stopped = uint64(i), w.prev[:0], false
		w.m.Expand(f.nodes.at(i), w)
		if w.err != nil || w.stopped {
			return w.err
		}
	}
	return nil
}

// expansion is what a shard's expansion of a level found.
type expansion struct {
	work  counts
	found *violation
	stray *model.Violation
	// boxes are the workers' outboxes, by destination shard: each
	// worker's holds a key once, with its smallest edge in that worker;
	// a key may be in several workers' boxes.
	boxes [][]*outbox
}

// count returns the candidates found for shard dest.
func (x *expansion) count(dest int) uint64 {
	var n uint64
	for _, b := range x.boxes[dest] {
		n += uint64(len(b.keys))
	}
	return n
}

// refs returns the candidates found for shard dest.
func (x *expansion) refs(dest int) []ref {
	refs := make([]ref, 0, x.count(dest))
	for _, b := range x.boxes[dest] {
		for i, k := range b.keys {
			refs = append(refs, ref{key: k, edge: b.edges[i], node: b.nodes.at(i)})
		}
	}
	return refs
}

// expand expands the shard's frontier on its workers, taking units of
// batchSize states in order. After a violation, units past the violating
// state are skipped: only smaller states can still hold a smaller one.
// Then it asks its workers for stray calls.
func (s *search) expand(ctx context.Context) (*expansion, error) {
	f := &s.front
	n := f.nodes.len()
	units := (n + batchSize - 1) / batchSize
	var next atomic.Int64
	var bound atomic.Uint64
	bound.Store(math.MaxUint64)
	g, gctx := group.WithContext(ctx)
	for _, w := range s.workers {
		w.reset()
		w.bound = &bound
		w.m.CheckAll(f.base < model.CheckAllStates)
		g.Go(func() error {
			for u := int(next.Add(1) - 1); u < units; u = int(next.Add(1) - 1) {
				if uint64(u*batchSize) > bound.Load() {
					continue
				}
				if err := gctx.Err(); err != nil {
					return err
				}
				if err := w.expandUnit(u*batchSize, min((u+1)*batchSize, n)); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	x := &expansion{boxes: make([][]*outbox, s.cfg.Shards)}
	size := f.nodes.bytes()
	for _, w := range s.workers {
		x.work.add(w.work)
		if w.found != nil && (x.found == nil || w.found.edge < x.found.edge) {
			x.found = w.found
		}
		for dest := range x.boxes {
			b := &w.out[dest]
			x.boxes[dest] = append(x.boxes[dest], b)
			size += b.nodes.bytes() + 16*uint64(cap(b.keys))
		}
		size += w.seen.Bytes()
	}
	s.levelBytes = max(s.levelBytes, size)
	// What only Stray sees is asked for at every level, as the explorer
	// asks: the marker carries it, so that a process of this shard
	// started again, whose workers never ran the level, cannot lose it.
	runtime.Gosched()
	for _, w := range s.workers {
		if v := w.m.Stray(); v != nil {
			x.stray = v
			break
		}
	}
	return x, nil
}
