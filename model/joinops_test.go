package model_test

import (
	"testing"

	"github.com/argocheck/argocheck/model"
)

// bufTagDisk is a disk of two blocks whose writes carry their value in a
// buffer, and on which a write may fail, once: a failed write stores its
// value all the same, and tags the disk with the value and block 1
// (tag = value + 1 + 8*block 1), which reads of address 2 return until a
// clear.
type bufTagDisk struct {
	B   [2]uint8
	Tag uint8
}

// bufTagOp reads block Addr (2: the tag) when Kind is 0, writes *Buf to
// block Addr when it is 1, and clears the tag when it is 2.
type bufTagOp struct {
	Kind, Addr uint8
	Buf        *uint8
}

type bufTagSpec struct{ model.Codec[bufTagDisk] }

func (bufTagSpec) Init() []bufTagDisk               { return []bufTagDisk{{}} }
func (bufTagSpec) Ops() []bufTagOp                  { return nil }
func (bufTagSpec) Crash(*bufTagDisk, model.Chooser) {}
func (bufTagSpec) Step(s *bufTagDisk, op bufTagOp, c model.Chooser) uint8 {
	switch op.Kind {
	case 0:
		if op.Addr == 2 {
			return s.Tag
		}
		return s.B[op.Addr]
	case 1:
		if s.Tag == 0 && c.Choose(2) == 1 {
			s.Tag = *op.Buf + 1 + 8*s.B[1]
		}
		s.B[op.Addr] = *op.Buf
	case 2:
		s.Tag = 0
	}
	return 0
}

// bufTagHandle is the disk's Go interface. A write passes a buffer that
// every handle shares (so that two runs of a procedure make the same
// calls), cleared once the write returns.
type bufTagHandle struct {
	c   model.Caller[bufTagOp, uint8]
	buf *uint8
}

func (h bufTagHandle) read(a uint8) uint8 { return h.c.Call(bufTagOp{Kind: 0, Addr: a}) }
func (h bufTagHandle) clear()             { h.c.Call(bufTagOp{Kind: 2}) }
func (h bufTagHandle) write(a, v uint8) {
	*h.buf = v
	h.c.Call(bufTagOp{Kind: 1, Addr: a, Buf: h.buf})
	*h.buf = 0
}

// markedCell is a register of 0..1 (threeCell's ops 0, 1 and 2) in block
// 0 of a bufTagDisk. A write clears the tag, saves the value in block 1,
// writes a marker, 3 + v, then v; recovery finds a marker and writes the
// saved value back. But where the marker of a write of 0 failed over a
// saved 1, recovery leaves the marker, a bug.
type markedCell struct{ d bufTagHandle }

func (m markedCell) Call(op uint8) uint8 {
	if op == 0 {
		return m.d.read(0)
	}
	v := op - 1
	m.d.clear()
	m.d.write(1, m.d.read(0))
	m.d.write(0, 3+v)
	m.d.write(0, v)
	return v
}

func (m markedCell) recover() {
	if m.d.read(0) < 3 {
		return
	}
	saved := m.d.read(1)
	if m.d.read(0) == 3 && m.d.read(2) == 12 && saved == 1 {
		return
	}
	m.d.write(0, saved)
}

// twoCell is threeCell with its operations on 0..1.
type twoCell struct{ threeCell }

func (twoCell) Ops() []uint8 { return []uint8{0, 1, 2} }

func markedSystem() model.Checker {
	buf := new(uint8)
	lower := model.Layer[bufTagDisk, bufTagOp, uint8, bufTagHandle]{Name: "tag", Spec: bufTagSpec{},
		Handle: func(c model.Caller[bufTagOp, uint8]) bufTagHandle { return bufTagHandle{c, buf} }}
	impl := func(d bufTagHandle) model.Instance[model.Caller[uint8, uint8]] {
		m := markedCell{d}
		return model.Instance[model.Caller[uint8, uint8]]{API: m, Recover: m.recover}
	}
	abs := func(c *bufTagDisk) (uint8, bool) { return c.B[0], c.B[0] < 2 }
	return model.NewSystem(lower, model.NewLayer[uint8, uint8, uint8]("cell", twoCell{}), impl, abs)
}

// joinSink takes a node's edges, keeping its successors and violations; runs
// of edges to nodes reached before go through Again, as in a search.
type joinSink struct {
	nodes [][]byte
	fails []*model.Violation
}

func (s *joinSink) Successor(_ uint32, node []byte, _ bool) bool {
	s.nodes = append(s.nodes, append([]byte(nil), node...))
	return false
}
func (s *joinSink) Fail(v *model.Violation) bool     { s.fails = append(s.fails, v); return false }
func (s *joinSink) Again(_, _, _ uint32) (stop bool) { return false }

// A joined run (see join.go) is computed from the operations the runs
// before it recorded: an operation that points to a buffer, which the
// code changed since the call, gave the joined run the steps of another
// operation, and the edges of a subtree it does not reach. markedCell's
// bug needs the run whose marker write fails, and it was joined in place
// of running, with the buffer cleared: DeterminismSample, past the levels
// it checks whole, verified it. Lower operations and results that are
// not plain values are not joined.
func TestJoinedRunsOfOperationsWithPointers(t *testing.T) {
	w := markedSystem().NewWorker(model.Options{Determinism: model.DeterminismSample})
	queue, v := w.Initial()
	if v != nil {
		t.Fatal(v)
	}
	seen := map[string]bool{string(queue[0]): true}
	for i := 0; i < len(queue); i++ {
		var s joinSink
		w.Expand(queue[i], &s)
		for _, v := range s.fails {
			if v.Kind == model.KindRecovery {
				return
			}
			t.Fatalf("%s violation, want recovery: %s", v.Kind, v.Message)
		}
		for _, n := range s.nodes {
			if !seen[string(n)] {
				seen[string(n)] = true
				queue = append(queue, n)
			}
		}
	}
	t.Fatalf("verified, %d states, want a recovery violation", len(queue))
}
