// Package graphtest is a state graph of one's own for the tests of the
// search and of its shards, for the shapes the catalogue's systems do not
// have: its nodes, successors, failures and timing are the test's to give.
package graphtest

import (
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/argocheck/argocheck/model"
)

// Graph is a model.Checker of a graph whose nodes are uint32s, each
// encoded as Node does. Edge i of node n reaches Succ(n)[i], every third
// edge (i%3 == 2) a crash. A node n that Fails violates an invariant,
// "node n fails", at edge len(Succ(n)), the one after its successors,
// which replays as an operation of its own, "fail-n": each failing node's
// violation is a counterexample of its own. The zero Graph has no
// initial node.
//
// Set its fields before a search; the graph's hooks are called from its
// workers' goroutines.
type Graph struct {
	// Inits are the initial nodes, in order, repeats included.
	Inits []uint32
	// Succ returns node n's successors, by edge; nil: none has any.
	Succ func(n uint32) []uint32
	// Fails reports whether node n fails; nil: none does.
	Fails func(n uint32) bool
	// Initial, when set, is the violation of the initial nodes: Initial
	// then gives it, and no node.
	Initial *model.Violation
	// Wait makes expanding node n, when Wait holds n, first wait, up to a
	// second, until node Wait[n] has been expanded by some worker.
	Wait map[uint32]uint32
	// Before, when set, is called with node n on expanding it, after
	// Wait, before its successors.
	Before func(n uint32)
	// Replay, when set, is called with node n on replaying any edge of
	// it, before the edge is replayed.
	Replay func(n uint32)
	// Leak, unless 0, is the node whose expansion leaves behind a call
	// that the expanding worker's Stray reports, once.
	Leak uint32
	// StrayWorker, unless 0, is the worker, counted from 1 in the order
	// NewWorker makes them, whose Stray reports a call left behind, once.
	StrayWorker int32

	made     atomic.Int32 // workers made so far
	mu       sync.Mutex
	expanded map[uint32]chan struct{}
}

// Node returns the encoding of node n: its four bytes, little endian.
func Node(n uint32) []byte { return binary.LittleEndian.AppendUint32(nil, n) }

func decode(node []byte) uint32 { return binary.LittleEndian.Uint32(node) }

// Chain returns the graph of a path from node first through node
// first+n-1, its only initial node first.
func Chain(first, n uint32) *Graph {
	return &Graph{Inits: []uint32{first}, Succ: func(m uint32) []uint32 {
		if m+1 < first+n {
			return []uint32{m + 1}
		}
		return nil
	}}
}

// Validate implements model.Checker; the graph is always valid.
func (g *Graph) Validate() error { return nil }

// NewWorker implements model.Checker.
func (g *Graph) NewWorker(model.Options) model.Worker {
	return &worker{g: g, leaked: g.made.Add(1) == g.StrayWorker}
}

// Done returns the channel closed once node n has been expanded by some
// worker: its expansion returned, whether it emitted every edge or not.
func (g *Graph) Done(n uint32) <-chan struct{} { return g.done(n) }

func (g *Graph) done(n uint32) chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.expanded == nil {
		g.expanded = map[uint32]chan struct{}{}
	}
	c, ok := g.expanded[n]
	if !ok {
		c = make(chan struct{})
		g.expanded[n] = c
	}
	return c
}

// markExpanded closes node n's channel from done, once.
func (g *Graph) markExpanded(n uint32) {
	c := g.done(n)
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-c:
	default:
		close(c)
	}
}

func (g *Graph) succ(n uint32) []uint32 {
	if g.Succ == nil {
		return nil
	}
	return g.Succ(n)
}

func (g *Graph) fails(n uint32) bool { return g.Fails != nil && g.Fails(n) }

func violation(n, edge uint32) *model.Violation {
	return &model.Violation{Kind: model.KindInvariant, Message: fmt.Sprintf("node %d fails", n), Edge: edge}
}

type worker struct {
	g      *Graph
	leaked bool // a call left behind, not yet reported
}

func (w *worker) Initial() ([][]byte, *model.Violation) {
	if w.g.Initial != nil {
		return nil, w.g.Initial
	}
	var inits [][]byte
	for _, n := range w.g.Inits {
		inits = append(inits, Node(n))
	}
	return inits, nil
}

func (w *worker) Expand(node []byte, e model.Emitter) {
	n := decode(node)
	if m, ok := w.g.Wait[n]; ok {
		select {
		case <-w.g.done(m):
		case <-time.After(time.Second):
		}
	}
	if w.g.Before != nil {
		w.g.Before(n)
	}
	defer w.g.markExpanded(n)
	if n == w.g.Leak && n != 0 {
		w.leaked = true
	}
	s := w.g.succ(n)
	for i, m := range s {
		if e.Successor(uint32(i), Node(m), i%3 == 2) {
			return
		}
	}
	if w.g.fails(n) {
		e.Fail(violation(n, uint32(len(s))))
	}
}

func (w *worker) Replay(node []byte, edge uint32) (model.Step, []byte) {
	n := decode(node)
	if w.g.Replay != nil {
		w.g.Replay(n)
	}
	s := w.g.succ(n)
	switch {
	case edge < uint32(len(s)):
		return model.Step{Kind: model.StepOp, Op: fmt.Sprintf("to-%d", s[edge]), Node: w.View(Node(s[edge]))}, Node(s[edge])
	case edge == uint32(len(s)) && w.g.fails(n):
		return model.Step{Kind: model.StepOp, Op: fmt.Sprintf("fail-%d", n), Violation: violation(n, edge)}, nil
	}
	return model.Step{}, nil
}

func (w *worker) CheckAll(bool) {}

func (w *worker) Stray() *model.Violation {
	if !w.leaked {
		return nil
	}
	w.leaked = false
	return &model.Violation{Kind: model.KindPanic, Message: "a call from a goroutine left behind"}
}

// View gives node n's view: n in decimal as its lower state.
func (w *worker) View(node []byte) model.NodeView {
	return model.NodeView{Lower: fmt.Sprint(decode(node))}
}
