package model_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/model"
)

// bufOp is an operation of a bufCell that carries its value in a buffer,
// as a storage API passes the data of a write: it reads the cell when buf
// is nil, and otherwise writes *buf.
type bufOp struct{ buf *uint8 }

// bufCell is a register of 0..2 that a crash may leave holding any of
// them (so that no crash tells a write of one value from another). Its
// operations' buffers are bufs, made with the system, so that Ops returns
// the same list at every call.
type bufCell struct {
	model.Codec[uint8]
	bufs *[3]uint8
}

func (bufCell) Init() []uint8 { return []uint8{0} }
func (c bufCell) Ops() []bufOp {
	return []bufOp{{}, {&c.bufs[0]}, {&c.bufs[1]}, {&c.bufs[2]}}
}
func (bufCell) Crash(s *uint8, ch model.Chooser) { *s = uint8(ch.Choose(3)) }
func (bufCell) Step(s *uint8, op bufOp, _ model.Chooser) uint8 {
	if op.buf != nil {
		*s = *op.buf
	}
	return *s
}

// bufUse says what a bufStore does with a write's buffer.
type bufUse int

const (
	// copiesBuffer reads the buffer.
	copiesBuffer bufUse = iota
	// clampsBuffer writes at most 1, clamping the buffer in place: a
	// write of 2 stores 1.
	clampsBuffer
	// scratchBuffer uses the buffer as scratch space, and restores it
	// before it returns.
	scratchBuffer
)

// bufStore is the cell on a slotDisk.
type bufStore struct {
	d   model.Caller[uint8, uint8]
	use bufUse
}

func (s bufStore) Call(op bufOp) uint8 {
	if op.buf == nil {
		return s.d.Call(0)
	}
	v := *op.buf
	switch s.use {
	case clampsBuffer:
		*op.buf = min(*op.buf, 1)
		v = *op.buf
	case scratchBuffer:
		*op.buf = 7
		*op.buf = v
	}
	s.d.Call(v + 1)
	return v
}

func bufSystem(use bufUse) model.Checker {
	impl := func(d model.Caller[uint8, uint8]) model.Instance[model.Caller[bufOp, uint8]] {
		return model.Instance[model.Caller[bufOp, uint8]]{API: bufStore{d: d, use: use}, Recover: func() {}}
	}
	return model.NewSystem(model.NewLayer[uint8, uint8, uint8]("slot", slotDisk{}),
		model.NewLayer[uint8, bufOp, uint8]("cell", bufCell{bufs: &[3]uint8{0, 1, 2}}),
		impl, func(c *uint8) (uint8, bool) { return *c, true })
}

// An operation whose buffer the implementation changes is a
// nondeterminism violation that names it. Without the check,
// clampsBuffer verified, in every mode: from its first run the search ran
// and checked a write of 1 where the client wrote 2, as the upper
// specification read the clamped buffer, and its crashes allow any value.
// A buffer read, or used as scratch space and restored, passes.
func TestOperationMemoryChanged(t *testing.T) {
	for _, tc := range []struct {
		name string
		use  bufUse
		want string // "": verified
	}{
		{"copies", copiesBuffer, ""},
		{"clamps in place", clampsBuffer, "memory of the upper operations at Ops[3].buf"},
		{"scratch restored", scratchBuffer, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantInEveryMode(t, func() model.Checker { return bufSystem(tc.use) }, tc.want)
		})
	}
}

// undoingCaller is a bufCell implemented by a func, whose captured
// variables no check of an instance's memory sees.
type undoingCaller func(bufOp) uint8

func (f undoingCaller) Call(op bufOp) uint8 { return f(op) }

// undoingSystem is the cell on a slotDisk whose write of 1 clamps the
// client's buffer to 0 in place, and whose other runs put the 1 back:
// when the search ends, the buffers hold what they held before it.
func undoingSystem() model.Checker {
	var clamped *uint8
	undo := func() {
		if clamped != nil {
			*clamped, clamped = 1, nil
		}
	}
	impl := func(d model.Caller[uint8, uint8]) model.Instance[model.Caller[bufOp, uint8]] {
		call := func(op bufOp) uint8 {
			if op.buf == nil {
				undo()
				return d.Call(0)
			}
			if *op.buf == 1 || op.buf == clamped {
				*op.buf, clamped = 0, op.buf
			} else {
				undo()
			}
			d.Call(*op.buf + 1)
			return *op.buf
		}
		return model.Instance[model.Caller[bufOp, uint8]]{API: undoingCaller(call), Recover: undo}
	}
	return model.NewSystem(model.NewLayer[uint8, uint8, uint8]("slot", slotDisk{}),
		model.NewLayer[uint8, bufOp, uint8]("cell", bufCell{bufs: &[3]uint8{0, 1, 2}}),
		impl, func(c *uint8) (uint8, bool) { return *c, true })
}

// An operation whose buffer the implementation changes, and other runs
// change back, is a nondeterminism violation: the memory of the
// operation is compared as each run of its procedure begins and ends.
// Compared only when the search ended, it verified in every mode: every
// check of write(1) read the clamped buffer, the upper specification
// took it for a write of 0, and the buffer held 1 again at the end.
func TestOperationMemoryChangedAndUndone(t *testing.T) {
	wantInEveryMode(t, undoingSystem, "memory of the upper operations at Ops[2].buf")
}

// readerOp is an operation of a readerCell that carries the value it
// writes in a reader, as an API handed an io.Reader does: it reads the
// cell when src is nil.
type readerOp struct{ src *bytes.Reader }

// readerCell is a bufCell whose writes read their value from the
// operation's reader, with ReadAt, which leaves it as it was. Its readers
// are made with the system.
type readerCell struct {
	bufCell
	srcs []*bytes.Reader
}

func newReaderCell() readerCell {
	return readerCell{srcs: []*bytes.Reader{bytes.NewReader([]byte{0}), bytes.NewReader([]byte{1}), bytes.NewReader([]byte{2})}}
}

func (c readerCell) Ops() []readerOp {
	return []readerOp{{}, {c.srcs[0]}, {c.srcs[1]}, {c.srcs[2]}}
}
func (readerCell) Step(s *uint8, op readerOp, _ model.Chooser) uint8 {
	if op.src != nil {
		b := make([]byte, 1)
		op.src.ReadAt(b, 0)
		*s = b[0]
	}
	return *s
}

// readerStore is the cell on a slotDisk; with next, it reads a write's
// value with the reader's Read, which moves it on.
type readerStore struct {
	d    model.Caller[uint8, uint8]
	next bool
}

func (s readerStore) Call(op readerOp) uint8 {
	if op.src == nil {
		return s.d.Call(0)
	}
	b := make([]byte, 1)
	if s.next {
		io.ReadFull(op.src, b)
	} else {
		op.src.ReadAt(b, 0)
	}
	s.d.Call(b[0] + 1)
	return b[0]
}

// An operation carrying a reader that the implementation reads with
// ReadAt passes; one it reads with Read, which moves the reader on so
// that later runs of the operation read nothing, is a nondeterminism
// violation whose message says so and how to read it instead, in the
// search and in the Semantics. Before, the search said that the
// procedure was not deterministic, or kept state of its own, and
// Semantics.Exec that a replay took a different course.
func TestOperationReader(t *testing.T) {
	for _, tc := range []struct {
		name string
		next bool
		want string // "": verified
	}{
		{"ReadAt", false, ""},
		{"Read", true, "at Ops[1].src.i (a reader, which each Read moves on"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			build := func() model.Checker {
				impl := func(d model.Caller[uint8, uint8]) model.Instance[model.Caller[readerOp, uint8]] {
					return model.Instance[model.Caller[readerOp, uint8]]{API: readerStore{d: d, next: tc.next}, Recover: func() {}}
				}
				return model.NewSystem(model.NewLayer[uint8, uint8, uint8]("slot", slotDisk{}),
					model.NewLayer[uint8, readerOp, uint8]("cell", newReaderCell()),
					impl, func(c *uint8) (uint8, bool) { return *c, true })
			}
			wantInEveryMode(t, build, tc.want)
			sem, _ := model.SemanticsOf(build())
			for _, r := range sem.Exec(1, sem.LowerInit()[0]) {
				if tc.want == "" && r.Fault != nil || tc.want != "" && (r.Fault == nil || !strings.Contains(r.Fault.Message, tc.want)) {
					t.Errorf("Semantics.Exec: fault %v, want %q", r.Fault, tc.want)
				}
			}
		})
	}
}

// freshBufCell is a bufCell whose Ops makes its operations' buffers at
// each call, as a specification written alone does; from its turn-th
// call on, when turn > 0, it writes 0 where it wrote 2.
type freshBufCell struct {
	bufCell
	turn  int
	calls *int
}

func (c freshBufCell) Ops() []bufOp {
	*c.calls++
	last := uint8(2)
	if c.turn > 0 && *c.calls >= c.turn {
		last = 0
	}
	return []bufOp{{}, {new(uint8)}, {&[]uint8{1}[0]}, {&last}}
}

// An upper Ops whose operations point to buffers it makes at each call,
// with the same values, is valid, and its system verifies: each worker
// runs the operations it was given. Before, Validate refused it, as
// returning other operations when called again. One whose buffers hold
// other values from some call on is refused.
func TestValidateOpsBuffersMadeAnew(t *testing.T) {
	build := func(turn int) model.Checker {
		impl := func(d model.Caller[uint8, uint8]) model.Instance[model.Caller[bufOp, uint8]] {
			return model.Instance[model.Caller[bufOp, uint8]]{API: bufStore{d: d}, Recover: func() {}}
		}
		return model.NewSystem(model.NewLayer[uint8, uint8, uint8]("slot", slotDisk{}),
			model.NewLayer[uint8, bufOp, uint8]("cell", freshBufCell{turn: turn, calls: new(int)}),
			impl, func(c *uint8) (uint8, bool) { return *c, true })
	}
	if err := build(0).Validate(); err != nil {
		t.Fatalf("buffers made anew, alike: %v", err)
	}
	wantInEveryMode(t, func() model.Checker { return build(0) }, "")
	const want = "model: Upper.Spec.Ops returns other operations"
	if err := build(100).Validate(); err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("buffers made anew, other from the 100th call: %v, want an error saying %q", err, want)
	}
}

// readAtOp is an operation of a readAtCell: a read that fills the
// client's buffer, as io.ReaderAt's ReadAt does, or a write of *buf.
type readAtOp struct {
	read bool
	buf  *uint8
}

// readAtCell is a register of 0..2 whose read fills the buffer its
// operation carries and returns 1, as a count of the bytes read.
type readAtCell struct {
	model.Codec[uint8]
	bufs *[4]uint8
}

func (readAtCell) Init() []uint8 { return []uint8{0} }
func (c readAtCell) Ops() []readAtOp {
	return []readAtOp{{true, &c.bufs[3]}, {false, &c.bufs[0]}, {false, &c.bufs[1]}, {false, &c.bufs[2]}}
}
func (readAtCell) Crash(*uint8, model.Chooser) {}
func (readAtCell) Step(s *uint8, op readAtOp, _ model.Chooser) uint8 {
	if op.read {
		*op.buf = *s
	} else {
		*s = *op.buf
	}
	return 1
}

// readAtStore is the readAtCell on a slotDisk; with wrong, its read
// fills the buffer with 2 whatever the cell holds.
type readAtStore struct {
	d     model.Caller[uint8, uint8]
	wrong bool
}

func (s readAtStore) Call(op readAtOp) uint8 {
	if !op.read {
		s.d.Call(*op.buf + 1)
		return 1
	}
	*op.buf = s.d.Call(0)
	if s.wrong {
		*op.buf = 2
	}
	return 1
}

// A read that fills the buffer its operation carries (ReadAt's way)
// returns its data through the operation, where neither the result
// check (the specification's Step fills the same buffer) nor later runs
// (which are handed the filled buffer) can see it: a right read and a
// wrong one are both refused, as operations whose memory changed, and the
// message says how to check such a read, which it did not name before.
func TestOperationFillsReadBuffer(t *testing.T) {
	for _, wrong := range []bool{false, true} {
		sys := func() model.Checker {
			impl := func(d model.Caller[uint8, uint8]) model.Instance[model.Caller[readAtOp, uint8]] {
				return model.Instance[model.Caller[readAtOp, uint8]]{API: readAtStore{d: d, wrong: wrong}, Recover: func() {}}
			}
			return model.NewSystem(model.NewLayer[uint8, uint8, uint8]("slot", slotDisk{}),
				model.NewLayer[uint8, readAtOp, uint8]("cell", readAtCell{bufs: &[4]uint8{0, 1, 2, 0}}),
				impl, func(c *uint8) (uint8, bool) { return *c, true })
		}
		wantInEveryMode(t, sys, "memory of the upper operations at Ops[0].buf changed during the search")
		wantInEveryMode(t, sys, "as io.ReaderAt's ReadAt does, is such a result: let the operation carry the length to read, and the procedure, or Dispatch, make the buffer in the call and return the bytes read")
	}
}
