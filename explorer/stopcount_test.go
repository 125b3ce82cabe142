package explorer

import (
	"context"
	"encoding/binary"
	"testing"

	"github.com/argocheck/argocheck/model"
)

// fanChecker is a graph of its own: node 0 reaches nodes 1 to 4; node 1
// reaches fanOut new nodes and then fails; nodes 2 to 4 reach one new node
// each. Node 1's successors outnumber the smallest level table (64
// pairs), and are looked up after its failure, fewer than 32 of them
// then: the table fills at the violation.
type fanChecker struct{ cancel func() }

const fanOut = 70

func (c fanChecker) Validate() error                      { return nil }
func (c fanChecker) NewWorker(model.Options) model.Worker { return &fanWorker{cancel: c.cancel} }

type fanWorker struct {
	model.Worker
	cancel func()
	buf    [4]byte
}

func (w *fanWorker) node(n uint32) []byte {
	binary.LittleEndian.PutUint32(w.buf[:], n)
	return w.buf[:]
}

func (w *fanWorker) succ(n uint32) []uint32 {
	switch {
	case n == 0:
		return []uint32{1, 2, 3, 4}
	case n == 1:
		s := make([]uint32, fanOut)
		for i := range s {
			s[i] = 100 + uint32(i)
		}
		return s
	case n <= 4:
		return []uint32{1000 + n}
	}
	return nil
}

var fanViolation = &model.Violation{Kind: model.KindRecovery, Message: "node 1 fails"}

func (w *fanWorker) Initial() ([][]byte, *model.Violation) { return [][]byte{{0, 0, 0, 0}}, nil }
func (w *fanWorker) CheckAll(bool)                         {}
func (w *fanWorker) Stray() *model.Violation               { return nil }
func (w *fanWorker) View([]byte) model.NodeView            { return model.NodeView{} }

func (w *fanWorker) Expand(node []byte, e model.Emitter) {
	n := binary.LittleEndian.Uint32(node)
	s := w.succ(n)
	for i, m := range s {
		if e.Successor(uint32(i), w.node(m), false) {
			return
		}
	}
	if n == 1 {
		w.cancel()
		v := *fanViolation
		v.Edge = uint32(len(s))
		e.Fail(&v)
	}
}

func (w *fanWorker) Replay(node []byte, edge uint32) (model.Step, []byte) {
	n := binary.LittleEndian.Uint32(node)
	s := w.succ(n)
	switch {
	case edge < uint32(len(s)):
		return model.Step{Kind: model.StepOp}, append([]byte(nil), w.node(s[edge])...)
	case n == 1 && edge == uint32(len(s)):
		v := *fanViolation
		v.Edge = edge
		return model.Step{Kind: model.StepOp, Violation: &v}, nil
	}
	return model.Step{}, nil
}

// TestViolationCountsWhenTableFillsAtViolation: a search cancelled when
// its violating state fails, whose level table fills with the successors
// that state emitted before failing, reports the violation with the
// counts of a search not cancelled: the edges up to the violating one.
func TestViolationCountsWhenTableFillsAtViolation(t *testing.T) {
	cfg := Config{Workers: 1, BatchSize: 4, levelPairs: 1}
	want, err := Run(context.Background(), fanChecker{func() {}}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if want.Verdict != Violated || want.Transitions != 4+fanOut {
		t.Fatalf("uncancelled: %s with %d transitions, want a violation with %d", want.Verdict, want.Transitions, 4+fanOut)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, err := Run(ctx, fanChecker{cancel}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != Violated || res.Transitions != want.Transitions || res.CrashPoints != want.CrashPoints {
		t.Errorf("cancelled at the violation: %s with %d transitions and %d crash points, want %s with %d and %d",
			res.Verdict, res.Transitions, res.CrashPoints, want.Verdict, want.Transitions, want.CrashPoints)
	}
}
