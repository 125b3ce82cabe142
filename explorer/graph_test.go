package explorer

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/argocheck/argocheck/model"
)

// graph is a state graph of its own, for the shapes the built-in systems
// do not have: a node is a uint32, edge i of node n reaches succ(n)[i]
// (every third edge a crash), and a node that fails does so at the edge
// after its successors, in an operation of its own ("fail-n"), so that
// each node's violation is a counterexample of its own. Expanding node n
// first waits, up to a second, until node wait[n] has been expanded by
// some worker, then calls before(n) when set; replaying an edge of node
// n first calls replay(n) when set. The worker made stray-th (from 1)
// reports a call left behind by its layer code, once, when asked for one.
type graph struct {
	inits  []uint32
	succ   func(n uint32) []uint32
	fails  func(n uint32) bool
	wait   map[uint32]uint32
	before func(n uint32)
	replay func(n uint32)
	stray  int32

	made     atomic.Int32 // workers made so far
	mu       sync.Mutex
	expanded map[uint32]chan struct{}
}

func (g *graph) Validate() error { return nil }

func (g *graph) NewWorker(model.Options) model.Worker {
	return &graphWorker{g: g, leaked: g.made.Add(1) == g.stray}
}

// done returns the channel closed once node n has been expanded.
func (g *graph) done(n uint32) chan struct{} {
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

type graphWorker struct {
	g      *graph
	leaked bool
}

func graphNode(n uint32) []byte { return binary.LittleEndian.AppendUint32(nil, n) }

func (w *graphWorker) succ(n uint32) []uint32 {
	if w.g.succ == nil {
		return nil
	}
	return w.g.succ(n)
}

func (w *graphWorker) fails(n uint32) bool { return w.g.fails != nil && w.g.fails(n) }

func graphViolation(n, edge uint32) *model.Violation {
	return &model.Violation{Kind: model.KindInvariant, Message: fmt.Sprintf("node %d fails", n), Edge: edge}
}

func (w *graphWorker) Initial() ([][]byte, *model.Violation) {
	var inits [][]byte
	for _, n := range w.g.inits {
		inits = append(inits, graphNode(n))
	}
	return inits, nil
}

func (w *graphWorker) Expand(node []byte, e model.Emitter) {
	n := binary.LittleEndian.Uint32(node)
	if m, ok := w.g.wait[n]; ok {
		select {
		case <-w.g.done(m):
		case <-time.After(time.Second):
		}
	}
	if w.g.before != nil {
		w.g.before(n)
	}
	defer func() {
		c := w.g.done(n)
		w.g.mu.Lock()
		select {
		case <-c:
		default:
			close(c)
		}
		w.g.mu.Unlock()
	}()
	s := w.succ(n)
	for i, m := range s {
		if e.Successor(uint32(i), graphNode(m), i%3 == 2) {
			return
		}
	}
	if w.fails(n) {
		e.Fail(graphViolation(n, uint32(len(s))))
	}
}

func (w *graphWorker) Replay(node []byte, edge uint32) (model.Step, []byte) {
	n := binary.LittleEndian.Uint32(node)
	if w.g.replay != nil {
		w.g.replay(n)
	}
	s := w.succ(n)
	switch {
	case edge < uint32(len(s)):
		return model.Step{Kind: model.StepOp, Op: fmt.Sprintf("to-%d", s[edge]), Node: w.View(graphNode(s[edge]))}, graphNode(s[edge])
	case edge == uint32(len(s)) && w.fails(n):
		return model.Step{Kind: model.StepOp, Op: fmt.Sprintf("fail-%d", n), Violation: graphViolation(n, edge)}, nil
	}
	return model.Step{}, nil
}

func (w *graphWorker) CheckAll(bool) {}

func (w *graphWorker) Stray() *model.Violation {
	if !w.leaked {
		return nil
	}
	w.leaked = false
	return &model.Violation{Kind: model.KindPanic, Message: "a call from a goroutine left behind"}
}

func (w *graphWorker) View(node []byte) model.NodeView {
	return model.NodeView{Lower: fmt.Sprint(binary.LittleEndian.Uint32(node))}
}

// pathNodes returns the nodes along t, the initial one first.
func pathNodes(t *model.Trace) []string {
	var nodes []string
	for _, s := range t.Steps {
		if s.Violation == nil {
			nodes = append(nodes, s.Node.Lower)
		}
	}
	return nodes
}

// runGraph searches g with cfg, failing the test on an error.
func runGraph(t *testing.T, g *graph, cfg Config) *Result {
	t.Helper()
	res, err := Run(context.Background(), g, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// chain returns the graph of a chain of n nodes, 0 to n-1.
func chain(n uint32) *graph {
	return &graph{inits: []uint32{0}, succ: func(m uint32) []uint32 {
		if m+1 < n {
			return []uint32{m + 1}
		}
		return nil
	}}
}
