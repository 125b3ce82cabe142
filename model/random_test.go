package model_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/internal/naivetest"
	"github.com/argocheck/argocheck/model"
)

// Random systems: a lower layer of a few registers, an upper layer of a
// few keys, an implementation whose operations and recovery are small
// programs over the registers, and an abstraction relation, all drawn by
// rapid. Some are correct by construction, some mutated.

const regs = 3 // lower registers

type rState struct {
	R        [regs]uint8
	Glitched bool // register Decay-1 glitched, as it does at most once
}

type rOp struct {
	Write bool
	A, V  uint8
}

// rCrash is one outcome of the lower crash relation: nothing, register J
// zeroed, or register J copied into register K.
type rCrash struct{ Kind, J, K uint8 }

func (c rCrash) String() string {
	return [...]string{"keep", fmt.Sprintf("zero r%d", c.J), fmt.Sprintf("r%d:=r%d", c.K, c.J)}[c.Kind]
}

type regSpec struct {
	model.Codec[rState]
	Values       uint8
	Inits        [2]rState
	NInits       int
	WriteMayFail bool // a write may fail (returns 1) and change nothing
	Crashes      [3]rCrash
	NCrashes     int
	// Before each step, register Decay-1 may decay to 0 (a choice
	// offered while it holds another value) or, with Glitch, once in
	// the life of the registers, to its value plus one; 0: no register
	// decays.
	Decay  uint8
	Glitch bool
}

func (sp regSpec) Init() []rState { return append([]rState(nil), sp.Inits[:sp.NInits]...) }
func (sp regSpec) Ops() []rOp     { return nil }

func (sp regSpec) Step(s *rState, op rOp, c model.Chooser) uint8 {
	if d := sp.Decay; d > 0 && sp.Glitch && !s.Glitched && c.Choose(2) == 1 {
		s.R[d-1], s.Glitched = (s.R[d-1]+1)%sp.Values, true
	} else if d > 0 && !sp.Glitch && s.R[d-1] != 0 && c.Choose(2) == 1 {
		s.R[d-1] = 0
	}
	a := op.A % regs
	if !op.Write {
		return s.R[a]
	}
	if sp.WriteMayFail && c.Choose(2) == 1 {
		return 1
	}
	s.R[a] = op.V % sp.Values
	return 0
}

func (sp regSpec) Crash(s *rState, c model.Chooser) {
	i := 0
	if sp.NCrashes > 1 {
		i = c.Choose(sp.NCrashes)
	}
	switch o := sp.Crashes[i]; o.Kind {
	case 1:
		s.R[o.J] = 0
	case 2:
		s.R[o.K] = s.R[o.J]
	}
}

type kState [2]uint8

type kOp struct {
	Write bool
	K, V  uint8
}

type keySpec struct {
	model.Codec[kState]
	Keys, Values uint8
	Inits        [2]kState
	NInits       int
	WriteMayFail bool
	CrashZero    int8 // a crash may zero this key; -1: a crash changes nothing
	Decay        int8 // before each operation, this key may decay to 0; -1: none
}

func (sp keySpec) Init() []kState { return append([]kState(nil), sp.Inits[:sp.NInits]...) }

func (sp keySpec) Ops() []kOp {
	var ops []kOp
	for k := range sp.Keys {
		ops = append(ops, kOp{K: k})
		for v := range sp.Values {
			ops = append(ops, kOp{Write: true, K: k, V: v})
		}
	}
	return ops
}

func (sp keySpec) Step(s *kState, op kOp, c model.Chooser) uint8 {
	if d := sp.Decay; d >= 0 && s[d] != 0 && c.Choose(2) == 1 {
		s[d] = 0
	}
	if !op.Write {
		return s[op.K]
	}
	if sp.WriteMayFail && c.Choose(2) == 1 {
		return 1
	}
	s[op.K] = op.V
	return 0
}

func (sp keySpec) Crash(s *kState, c model.Chooser) {
	if sp.CrashZero >= 0 && c.Choose(2) == 1 {
		s[sp.CrashZero] = 0
	}
}

// Programs.
const (
	exConst = iota
	exKey   // the operation's key
	exVal   // the operation's value
	exVar   // a variable
)

type expr struct{ Kind, X uint8 }

func (e expr) eval(k, v uint8, vars *[2]uint8) uint8 {
	switch e.Kind {
	case exKey:
		return k + e.X
	case exVal:
		return v
	case exVar:
		return vars[e.X]
	}
	return e.X
}

func (e expr) String() string {
	switch e.Kind {
	case exKey:
		return fmt.Sprintf("k+%d", e.X)
	case exVal:
		return "v"
	case exVar:
		return fmt.Sprintf("t%d", e.X)
	}
	return fmt.Sprint(e.X)
}

const (
	inRead  = iota // T := read(A)
	inWrite        // T := write(A, B)
	inIf           // if t[T] == C { Body } else { Else }
	inLoop         // N times { Body }
	inRet          // return B
)

type instr struct {
	Kind       uint8
	T, C, N    uint8
	A, B       expr
	Body, Else []instr
}

func showProg(p []instr) string {
	var b strings.Builder
	for i, in := range p {
		if i > 0 {
			b.WriteString("; ")
		}
		switch in.Kind {
		case inRead:
			fmt.Fprintf(&b, "t%d=read(%v)", in.T, in.A)
		case inWrite:
			fmt.Fprintf(&b, "t%d=write(%v,%v)", in.T, in.A, in.B)
		case inIf:
			fmt.Fprintf(&b, "if t%d==%d {%s} else {%s}", in.T, in.C, showProg(in.Body), showProg(in.Else))
		case inLoop:
			fmt.Fprintf(&b, "%d×{%s}", in.N, showProg(in.Body))
		case inRet:
			fmt.Fprintf(&b, "return %v", in.B)
		}
	}
	return b.String()
}

type machine struct {
	lower      model.Caller[rOp, uint8]
	k, v       uint8
	vars       [2]uint8
	ret        uint8
	terminated bool
}

func (m *machine) run(p []instr) {
	for _, in := range p {
		if m.terminated {
			return
		}
		switch in.Kind {
		case inRead:
			m.vars[in.T] = m.lower.Call(rOp{A: in.A.eval(m.k, m.v, &m.vars)})
		case inWrite:
			m.vars[in.T] = m.lower.Call(rOp{Write: true, A: in.A.eval(m.k, m.v, &m.vars), V: in.B.eval(m.k, m.v, &m.vars)})
		case inIf:
			if m.vars[in.T] == in.C {
				m.run(in.Body)
			} else {
				m.run(in.Else)
			}
		case inLoop:
			for range in.N {
				m.run(in.Body)
			}
		case inRet:
			m.ret, m.terminated = in.B.eval(m.k, m.v, &m.vars), true
		}
	}
}

// progs is an implementation: a program for read(k), one for write(k, v)
// and the recovery.
type progs struct{ Read, Write, Recover []instr }

type impl struct {
	lower model.Caller[rOp, uint8]
	p     *progs
	// With stateful 1, every other call on the instance writes the value
	// plus one; with stateful 2, every call after a recovery on it does.
	stateful uint8
	mem      *uint8
}

func (im impl) Call(op kOp) uint8 {
	switch im.stateful {
	case 1:
		*im.mem++
		op.V += *im.mem % 2
	case 2:
		op.V += *im.mem
	}
	return im.p.call(machine{lower: im.lower, k: op.K, v: op.V}, op.Write)
}

// midImpl is the register layer on itself, by programs.
type midImpl struct {
	lower model.Caller[rOp, uint8]
	p     *progs
}

func (im midImpl) Call(op rOp) uint8 {
	return im.p.call(machine{lower: im.lower, k: op.A, v: op.V}, op.Write)
}

// call runs the write program, or the read program, on m, and returns
// its result.
func (p *progs) call(m machine, write bool) uint8 {
	if write {
		m.run(p.Write)
	} else {
		m.run(p.Read)
	}
	return m.ret
}

// randSys is one drawn system.
type randSys struct {
	lower regSpec
	upper keySpec
	progs progs
	// mid, when set, is a register layer between the two, implemented on
	// the lower one by mid's programs (a read's and a write's address in
	// k, a write's value in v) and its recovery, the identity relating
	// them: the composed recovery runs in two stages.
	mid *progs
	// stateful, when set, makes the implementation keep state of its own
	// (see impl): it is not deterministic.
	stateful  uint8
	absMap    [2]uint8 // key k is register absMap[k]
	absBad    int8     // a state whose register absBad holds absBadVal relates to none; -1: none
	absBadVal uint8
	invReg    int8 // the invariant: register invReg never holds invVal; -1: none
	invVal    uint8
	stepLimit int
}

func (s *randSys) String() string {
	mid := ""
	if s.mid != nil {
		mid = fmt.Sprintf("\non a register layer: read: %s; write: %s; recover: %s", showProg(s.mid.Read), showProg(s.mid.Write), showProg(s.mid.Recover))
	}
	return fmt.Sprintf("lower{values %d, inits %v, write may fail %v, crashes %v, decays r%d glitch %v}\nupper{keys %d, values %d, inits %v, write may fail %v, crash zeroes %d, decays %d}\n"+
		"read: %s\nwrite: %s\nrecover: %s\nabs %v bad r%d=%d, invariant r%d!=%d, step limit %d, stateful %d%s",
		s.lower.Values, s.lower.Inits[:s.lower.NInits], s.lower.WriteMayFail, s.lower.Crashes[:s.lower.NCrashes], int(s.lower.Decay)-1, s.lower.Glitch,
		s.upper.Keys, s.upper.Values, s.upper.Inits[:s.upper.NInits], s.upper.WriteMayFail, s.upper.CrashZero, s.upper.Decay,
		showProg(s.progs.Read), showProg(s.progs.Write), showProg(s.progs.Recover),
		s.absMap, s.absBad, s.absBadVal, s.invReg, s.invVal, s.stepLimit, s.stateful, mid)
}

func (s *randSys) abs(c *rState) (kState, bool) {
	var a kState
	if s.absBad >= 0 && c.R[s.absBad] == s.absBadVal {
		return a, false
	}
	for k := range s.upper.Keys {
		x := c.R[s.absMap[k]]
		if x >= s.upper.Values {
			return a, false
		}
		a[k] = x
	}
	return a, true
}

func (s *randSys) checker() model.Checker {
	p := s.progs
	top := model.Impl[model.Caller[rOp, uint8], model.Caller[kOp, uint8]](
		func(lower model.Caller[rOp, uint8]) model.Instance[model.Caller[kOp, uint8]] {
			mem := new(uint8)
			return model.Instance[model.Caller[kOp, uint8]]{
				API: impl{lower: lower, p: &p, stateful: s.stateful, mem: mem},
				Recover: func() {
					m := machine{lower: lower}
					m.run(p.Recover)
					if s.stateful == 2 {
						*mem = 1
					}
				},
			}
		})
	abs := model.Relation[kState, rState](s.abs)
	if s.mid != nil {
		mp := *s.mid
		mid := func(lower model.Caller[rOp, uint8]) model.Instance[model.Caller[rOp, uint8]] {
			return model.Instance[model.Caller[rOp, uint8]]{
				API: midImpl{lower: lower, p: &mp},
				Recover: func() {
					m := machine{lower: lower}
					m.run(mp.Recover)
				},
			}
		}
		top = model.Compose(mid, top)
		abs = model.ComposeRelations(abs, func(c *rState) (rState, bool) { return *c, true })
	}
	return s.system(s.lower, top, abs)
}

// system is the checker of the drawn system with lower as its lower
// layer's spec, top as its implementation and abs as its abstraction
// relation.
func (s *randSys) system(lower model.Spec[rState, rOp, uint8], top model.Impl[model.Caller[rOp, uint8], model.Caller[kOp, uint8]], abs model.Relation[kState, rState]) model.Checker {
	sys := model.NewSystem(
		model.NewLayer[rState, rOp, uint8]("regs", lower),
		model.NewLayer[kState, kOp, uint8]("keys", s.upper),
		top, abs)
	if s.invReg >= 0 {
		r, v := s.invReg, s.invVal
		sys.Invariant = func(c *rState) error {
			if c.R[r] == v {
				return fmt.Errorf("r%d holds %d", r, v)
			}
			return nil
		}
	}
	sys.StepLimit = s.stepLimit
	return sys
}

func drawExpr(t *rapid.T, name string) expr {
	e := expr{Kind: uint8(rapid.IntRange(0, 3).Draw(t, name+" kind"))}
	switch e.Kind {
	case exConst:
		e.X = uint8(rapid.IntRange(0, 3).Draw(t, name+" const"))
	case exKey, exVar:
		e.X = uint8(rapid.IntRange(0, 1).Draw(t, name+" x"))
	}
	return e
}

func drawProg(t *rapid.T, depth int, name string) []instr {
	n := rapid.IntRange(0, 3).Draw(t, name+" length")
	p := make([]instr, n)
	for i := range p {
		p[i] = drawInstr(t, depth, name)
	}
	return p
}

func drawInstr(t *rapid.T, depth int, name string) instr {
	kinds := 5
	if depth <= 0 {
		kinds = 2
	}
	in := instr{Kind: uint8(rapid.IntRange(0, kinds-1).Draw(t, name+" instr"))}
	if in.Kind == 2 || in.Kind == 3 {
		in.Kind = []uint8{inIf, inLoop, inRet}[rapid.IntRange(0, 2).Draw(t, name+" control")]
	}
	switch in.Kind {
	case inRead:
		in.T, in.A = uint8(rapid.IntRange(0, 1).Draw(t, name+" var")), drawExpr(t, name+" addr")
	case inWrite:
		in.T, in.A, in.B = uint8(rapid.IntRange(0, 1).Draw(t, name+" var")), drawExpr(t, name+" addr"), drawExpr(t, name+" val")
	case inIf:
		in.T, in.C = uint8(rapid.IntRange(0, 1).Draw(t, name+" var")), uint8(rapid.IntRange(0, 2).Draw(t, name+" cmp"))
		in.Body, in.Else = drawProg(t, depth-1, name+" then"), drawProg(t, depth-1, name+" else")
	case inLoop:
		in.N, in.Body = uint8(rapid.IntRange(1, 3).Draw(t, name+" n")), drawProg(t, depth-1, name+" body")
	case inRet:
		in.B = drawExpr(t, name+" ret")
	}
	return in
}

// mutate replaces, removes or inserts one instruction of p, at the top.
func mutate(t *rapid.T, p []instr, name string) []instr {
	p = append([]instr(nil), p...)
	switch op := rapid.IntRange(0, 2).Draw(t, name+" mutation"); {
	case op == 0 && len(p) > 0:
		i := rapid.IntRange(0, len(p)-1).Draw(t, name+" at")
		p[i] = drawInstr(t, 1, name)
	case op == 1 && len(p) > 0:
		i := rapid.IntRange(0, len(p)-1).Draw(t, name+" at")
		p = append(p[:i], p[i+1:]...)
	default:
		i := rapid.IntRange(0, len(p)).Draw(t, name+" at")
		p = append(p[:i], append([]instr{drawInstr(t, 1, name)}, p[i:]...)...)
	}
	return p
}

var (
	kExpr = expr{Kind: exKey}
	vExpr = expr{Kind: exVal}
)

// drawSystem draws a system: one of the designs that are correct by
// construction (registers mapped one to one onto keys, a mirrored key
// that recovery copies back), then, unless it is to stay correct,
// mutated.
func drawSystem(t *rapid.T) *randSys {
	// A step limit of 10 keeps the runs of a program with nested loops
	// of writes that may fail to a thousand or so.
	s := &randSys{absBad: -1, invReg: -1, stepLimit: 10}
	values := uint8(rapid.IntRange(2, 4).Draw(t, "values"))
	keys := uint8(rapid.IntRange(1, 2).Draw(t, "keys"))
	mayFail := rapid.Bool().Draw(t, "writes may fail")
	s.lower = regSpec{Codec: model.NewCodec[rState](), Values: values, WriteMayFail: mayFail, NCrashes: 1}
	s.upper = keySpec{Codec: model.NewCodec[kState](), Keys: keys, Values: values, WriteMayFail: mayFail, CrashZero: -1, Decay: -1}
	s.absMap = [2]uint8{0, 1}
	s.lower.NInits = rapid.IntRange(1, 2).Draw(t, "inits")
	for i := range s.lower.NInits {
		for r := range regs {
			s.lower.Inits[i].R[r] = uint8(rapid.IntRange(0, int(values)-1).Draw(t, "init"))
		}
	}
	// A crash may zero a register, one that a key is or one that none is.
	if rapid.Bool().Draw(t, "lossy crash") {
		j := uint8(rapid.IntRange(0, regs-1).Draw(t, "lost register"))
		s.lower.Crashes[1], s.lower.NCrashes = rCrash{Kind: 1, J: j}, 2
		s.upper.CrashZero = int8(j)
	}
	design := rapid.IntRange(0, 3).Draw(t, "design")
	switch design {
	case 0, 1: // one register a key: key k is register k+off
		off := uint8(rapid.IntRange(0, regs-int(keys)).Draw(t, "offset"))
		s.absMap = [2]uint8{off, off + 1}
		if s.upper.CrashZero >= 0 {
			s.upper.CrashZero -= int8(off) // the key of the register lost, if any
		}
		a := expr{Kind: exKey, X: off}
		s.progs.Read = []instr{{Kind: inRead, A: a}, {Kind: inRet, B: expr{Kind: exVar}}}
		s.progs.Write = []instr{{Kind: inWrite, A: a, B: vExpr}, {Kind: inRet, B: expr{Kind: exVar}}}
	case 2: // one key, and a mirror (register 1) of it that recovery copies back into register 0
		s.upper.Keys = 1
		s.lower.Crashes[1], s.lower.NCrashes = rCrash{Kind: 2, J: 1, K: 0}, 2
		s.upper.CrashZero = -1
		s.progs.Read = []instr{{Kind: inRead, A: expr{}}, {Kind: inRet, B: expr{Kind: exVar}}}
		// Write the mirror, then the register; recovery copies the
		// mirror in: a crash in between leaves the new value.
		s.progs.Write = []instr{
			{Kind: inWrite, A: expr{X: 1}, B: vExpr, T: 1},
			{Kind: inIf, T: 1, C: 0, Body: []instr{{Kind: inWrite, A: expr{}, B: vExpr, T: 1}}},
			{Kind: inRet, B: expr{Kind: exVar, X: 1}},
		}
		s.progs.Recover = []instr{
			{Kind: inRead, A: expr{X: 1}},
			{Kind: inLoop, N: 2, Body: []instr{{Kind: inWrite, A: expr{}, B: expr{Kind: exVar}, T: 1}}},
		}
		if mayFail {
			// A failed write of the mirror or the register leaves the
			// two apart; a retrying recovery is out of reach of a
			// bounded loop, so writes do not fail here.
			s.lower.WriteMayFail, s.upper.WriteMayFail = false, false
		}
		for i := range s.lower.NInits {
			s.lower.Inits[i].R[1] = s.lower.Inits[i].R[0]
		}
	default: // random programs
		s.progs = progs{Read: drawProg(t, 2, "read"), Write: drawProg(t, 2, "write"), Recover: drawProg(t, 2, "recover")}
	}
	if rapid.IntRange(0, 2).Draw(t, "decay") == 0 {
		// A register that decays offers a choice before every step,
		// one that steps that do not use it take alike: joined runs.
		r := uint8(rapid.IntRange(0, regs-1).Draw(t, "decaying register"))
		s.lower.Decay = r + 1
		if s.lower.Glitch = rapid.Bool().Draw(t, "glitch"); s.lower.Glitch {
			// A glitch changes a register, which is fine only where
			// the abstraction does not look: no key decays.
			r = regs
		}
		for k := range s.upper.Keys {
			if s.absMap[k] == r {
				s.upper.Decay = int8(k)
			}
		}
	}
	if rapid.Bool().Draw(t, "recovery of its own") && len(s.progs.Recover) == 0 {
		s.progs.Recover = drawProg(t, 1, "recover")
	}
	if s.upper.CrashZero < 0 || s.upper.CrashZero >= int8(s.upper.Keys) {
		s.upper.CrashZero = -1
	}
	s.upper.NInits = s.lower.NInits
	for i := range s.lower.NInits {
		a, ok := s.abs(&s.lower.Inits[i])
		if !ok {
			a = kState{}
		}
		s.upper.Inits[i] = a
	}
	midMutated := false
	if rapid.IntRange(0, 2).Draw(t, "composed") == 0 {
		// The identity, and a recovery that writes back what it reads:
		// correct, its crashes change nothing.
		s.mid = &progs{
			Read:    []instr{{Kind: inRead, A: kExpr}, {Kind: inRet, B: expr{Kind: exVar}}},
			Write:   []instr{{Kind: inWrite, A: kExpr, B: vExpr}, {Kind: inRet, B: expr{Kind: exVar}}},
			Recover: []instr{{Kind: inRead, A: expr{X: 2}}, {Kind: inWrite, A: expr{X: 2}, B: expr{Kind: exVar}}},
		}
		if s.lower.WriteMayFail {
			s.mid.Recover = nil
		}
		if midMutated = rapid.Bool().Draw(t, "mid mutated"); midMutated {
			m := *s.mid
			switch rapid.IntRange(0, 2).Draw(t, "mid part") {
			case 0:
				m.Read = mutate(t, m.Read, "mid read")
			case 1:
				m.Write = mutate(t, m.Write, "mid write")
			case 2:
				m.Recover = mutate(t, m.Recover, "mid recover")
			}
			s.mid = &m
		}
	}
	if rapid.IntRange(0, 3).Draw(t, "tight step limit") == 0 {
		s.stepLimit = rapid.IntRange(1, 8).Draw(t, "step limit")
	}
	correct := design != 3 && (s.mid == nil || !midMutated)
	if rapid.Bool().Draw(t, "mutated") {
		for range rapid.IntRange(1, 2).Draw(t, "mutations") {
			switch rapid.IntRange(0, 6).Draw(t, "mutated part") {
			case 0:
				s.progs.Read = mutate(t, s.progs.Read, "read")
			case 1:
				s.progs.Write = mutate(t, s.progs.Write, "write")
			case 2:
				s.progs.Recover = mutate(t, s.progs.Recover, "recover")
			case 3:
				s.lower.NCrashes = min(s.lower.NCrashes+1, 3)
				s.lower.Crashes[s.lower.NCrashes-1] = rCrash{
					Kind: uint8(rapid.IntRange(0, 2).Draw(t, "crash kind")),
					J:    uint8(rapid.IntRange(0, regs-1).Draw(t, "crash j")),
					K:    uint8(rapid.IntRange(0, regs-1).Draw(t, "crash k")),
				}
			case 4:
				s.absMap[rapid.IntRange(0, 1).Draw(t, "abs key")] = uint8(rapid.IntRange(0, regs-1).Draw(t, "abs register"))
			case 5:
				s.absBad, s.absBadVal = int8(rapid.IntRange(0, regs-1).Draw(t, "bad register")), uint8(rapid.IntRange(0, 2).Draw(t, "bad value"))
			case 6:
				s.invReg, s.invVal = int8(rapid.IntRange(0, regs-1).Draw(t, "invariant register")), uint8(rapid.IntRange(0, 2).Draw(t, "invariant value"))
			}
		}
	} else if correct && rapid.IntRange(0, 4).Draw(t, "stateful") == 0 {
		s.stateful = uint8(rapid.IntRange(1, 2).Draw(t, "kept state"))
	}
	return s
}

// refResult is what refSearch finds.
type refResult struct {
	states, transitions, crashes uint64
	depth                        int
	violation                    *model.Violation
	traceLen                     int
}

// refSearch is the reference explorer: a breadth-first search over a
// worker's Expand, one worker, a map of whole encodings, no recovery memo,
// no joined runs, every run checked twice.
func refSearch(chk model.Checker, crashes model.CrashMode) refResult {
	defer model.SetRecordRecoveries(false)()
	defer model.SetJoinRuns(false)()
	r, _ := naivetest.Search(chk.NewWorker(model.Options{Crashes: crashes, Determinism: model.DeterminismFull}))
	return refResult{states: r.States, transitions: r.Transitions, crashes: r.Crashes, depth: r.Depth, violation: r.Violation, traceLen: r.TraceLen}
}

// traceLen is the length of res's path, -1 when it has none.
func traceLen(res *explorer.Result) int {
	if res.Trace == nil {
		return -1
	}
	return res.Trace.Len()
}

// sampled is a Checker whose workers ignore CheckAll: DeterminismSample
// samples the runs of every level, as it does on large systems, and runs
// that are not checked twice are joined.
type sampled struct{ model.Checker }

func (c sampled) NewWorker(o model.Options) model.Worker {
	return sampledWorker{c.Checker.NewWorker(o)}
}

type sampledWorker struct{ model.Worker }

func (sampledWorker) CheckAll(bool) {}

// ReplayEdges is the worker's: the paths to the violations of one node
// take one replay of its expansion.
func (w sampledWorker) ReplayEdges(node []byte, edges []uint32) []model.Step {
	return w.Worker.(model.EdgesReplayer).ReplayEdges(node, edges)
}

// searchConfig is one configuration of a search: the explorer's Config and
// the model's switches.
type searchConfig struct {
	name        string
	cfg         explorer.Config
	memoOff     bool
	joinOff     bool
	memoBudget  int
	sampled     bool // CheckAll is ignored (see sampled)
	exactCounts bool // transitions and crash points are exact on a violation too (one worker)
	limit       time.Duration
}

func (c searchConfig) run(chk model.Checker) (*explorer.Result, error) {
	if c.memoOff {
		defer model.SetRecordRecoveries(false)()
	}
	if c.joinOff {
		defer model.SetJoinRuns(false)()
	}
	if c.memoBudget > 0 {
		defer model.SetMemoBudget(c.memoBudget)()
	}
	if c.sampled {
		chk = sampled{chk}
	}
	ctx := context.Background()
	if c.limit > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.limit)
		defer cancel()
	}
	return explorer.Run(ctx, chk, c.cfg)
}

// TestRandomSystems checks randomly drawn small systems under every crash
// mode, and requires every configuration of the search to agree exactly
// with one worker checking every run twice: the same verdict, violation
// and path, states and depth, and (verified, or with one worker)
// transitions and crash points. The systems: a layer of three registers
// whose writes may fail, one of whose registers may decay or glitch
// before any step (choices that joined runs skip), with a crash relation
// of one to three outcomes and one or two initial states; a layer of one
// or two keys above it, with a relation that maps keys to registers and
// may relate some states to none; operations and recovery that are small
// programs of reads, writes, conditionals and bounded loops, sometimes on
// a register layer of their own between the two (a composed recovery, in
// two stages), correct by construction or mutated; an invariant and a
// step limit at times. The configurations: one worker and three; the
// recovery memo on, off and holding almost nothing; joined runs on and
// off; determinism checked in full, sampled, and not at all, with the
// first levels not checked whole (as on a large system); batches and
// parts of one to four states; exact keys; and a visited set spilled to
// disk under a budget of 40 KiB. A naive breadth-first search of a
// worker's edges, with no memo and no joins, must find the same figures,
// or the same violation at the same depth. A search of a violated system
// that continues past its first violations finds the same ones, with the
// same paths and figures, with and without the memo and joined runs. An
// implementation made to keep state of its own between calls (a counter,
// a flag set by recovery) is caught by every search that checks every
// run twice. Run longer with -rapid.checks.
func TestRandomSystems(t *testing.T) {
	spill := t.TempDir()
	systems := 0
	rapid.Check(t, func(rt *rapid.T) {
		s := drawSystem(rt)
		chk := s.checker()
		if err := chk.Validate(); err != nil {
			rt.Fatalf("%v\n%s", err, s)
		}
		systems++
		for _, crashes := range model.CrashModes {
			checkConfigs(rt, s, chk, crashes, spill)
		}
	})
	t.Logf("%d systems", systems)
}

// searchLimit bounds one search of a random system, past which the
// watchdog takes it for a search that does not end. Such a search takes
// well under a second on a quiet machine; the bound leaves room for a
// slow one that runs other tests at the same time.
const searchLimit = 2 * time.Minute

// watchdog ends the test, naming the system and the search, when one
// search runs longer than searchLimit: the test's own timeout would end
// it later, and without saying which system it searched.
type watchdog struct {
	timer  *time.Timer
	search atomic.Pointer[string]
}

// newWatchdog returns a watchdog of the searches of s under crashes; it
// is stopped until the first call of watch.
func newWatchdog(s *randSys, crashes model.CrashMode) *watchdog {
	w := &watchdog{}
	w.timer = time.AfterFunc(time.Hour, func() {
		panic(fmt.Sprintf("the search %q of %v takes more than %v\n%s", *w.search.Load(), crashes, searchLimit, s))
	})
	w.timer.Stop()
	return w
}

// watch gives the search named search, which begins, searchLimit.
func (w *watchdog) watch(search string) {
	w.search.Store(&search)
	w.timer.Reset(searchLimit)
}

// stop stops the watchdog: the searches are over.
func (w *watchdog) stop() { w.timer.Stop() }

// checkConfigs compares the searches of one system under one crash mode
// (see TestRandomSystems).
func checkConfigs(rt *rapid.T, s *randSys, chk model.Checker, crashes model.CrashMode, spill string) {
	wd := newWatchdog(s, crashes)
	defer wd.stop()
	if s.stateful != 0 {
		checkCaught(rt, s, chk, crashes, wd)
		return
	}
	wd.watch("reference")
	ref := refSearch(chk, crashes)
	base := searchConfig{name: "one worker, full determinism", exactCounts: true,
		cfg: explorer.Config{Workers: 1, Crashes: crashes, Determinism: model.DeterminismFull}}
	wd.watch(base.name)
	want, err := base.run(chk)
	if err != nil {
		rt.Fatalf("%s: %v\n%s", base.name, err, s)
	}
	// Against the reference search.
	if ref.violation != nil {
		if want.Verdict != explorer.Violated || want.Violation.Kind != ref.violation.Kind ||
			want.Violation.Message != ref.violation.Message || traceLen(want) != ref.traceLen ||
			(ref.traceLen > 0 && want.States != ref.states) {
			rt.Fatalf("%s: %s %v (path of %d steps, %d states); the reference search finds %v (%d steps, %d states)\n%s",
				base.name, want.Verdict, want.Violation, traceLen(want), want.States, ref.violation, ref.traceLen, ref.states, s)
		}
	} else {
		got := refResult{states: want.States, transitions: want.Transitions, crashes: want.CrashPoints, depth: want.Depth}
		if want.Verdict != explorer.Verified || got != ref {
			rt.Fatalf("%s: %s %v %+v; the reference search verifies %+v\n%s", base.name, want.Verdict, want.Violation, got, ref, s)
		}
	}
	wantTrace := ""
	if want.Trace != nil {
		wantTrace = want.Trace.String()
	}
	configs := []searchConfig{
		{name: "three workers", cfg: explorer.Config{Workers: 3}},
		{name: "memo off", cfg: explorer.Config{Workers: 1}, memoOff: true, exactCounts: true},
		{name: "joined runs off", cfg: explorer.Config{Workers: 1}, joinOff: true, exactCounts: true},
		{name: "memo off, three workers", cfg: explorer.Config{Workers: 3}, memoOff: true},
		{name: "memo of 512 bytes", cfg: explorer.Config{Workers: 1}, memoBudget: 512, exactCounts: true},
		{name: "sampled determinism", cfg: explorer.Config{Workers: 1, Determinism: model.DeterminismSample}, exactCounts: true},
		{name: "batch 1, part 2", cfg: explorer.Config{Workers: 1, BatchSize: 1, PartSize: 2}, exactCounts: true},
		{name: "batch 1, part 1, three workers", cfg: explorer.Config{Workers: 3, BatchSize: 1, PartSize: 1}},
		{name: "exact", cfg: explorer.Config{Workers: 2, Exact: true, BatchSize: 2}},
		{name: "sampled, joined", cfg: explorer.Config{Workers: 1, Determinism: model.DeterminismSample}, sampled: true, exactCounts: true},
		{name: "unchecked, joined", cfg: explorer.Config{Workers: 1, Determinism: model.DeterminismOff}, sampled: true, exactCounts: true},
		{name: "unchecked, joined, memo off", cfg: explorer.Config{Workers: 1, Determinism: model.DeterminismOff}, sampled: true, memoOff: true, exactCounts: true},
		{name: "unchecked, memo of 512 bytes, three workers", cfg: explorer.Config{Workers: 3, Determinism: model.DeterminismOff}, sampled: true, memoBudget: 512},
		{name: "unchecked, not joined", cfg: explorer.Config{Workers: 1, Determinism: model.DeterminismOff}, sampled: true, joinOff: true, exactCounts: true},
		{name: "spill", cfg: explorer.Config{Workers: 1, Spill: spill, MemoryBytes: 40 << 10, BatchSize: 1, PartSize: 3}, exactCounts: true},
		{name: "spill, three workers", cfg: explorer.Config{Workers: 3, Spill: spill, MemoryBytes: 40 << 10, BatchSize: 2, PartSize: 4}},
	}
	for _, c := range configs {
		c.cfg.Crashes = crashes
		wd.watch(c.name)
		got, err := c.run(chk)
		if err != nil {
			rt.Fatalf("%s: %v\n%s", c.name, err, s)
		}
		if c.cfg.Spill != "" && got.Verdict == explorer.Incomplete {
			continue // the budget is too small for a part's working set
		}
		gotTrace := ""
		if got.Trace != nil {
			gotTrace = got.Trace.String()
		}
		counted := c.exactCounts || want.Verdict == explorer.Verified
		if got.Verdict != want.Verdict || got.States != want.States || got.Depth != want.Depth ||
			counted && (got.Transitions != want.Transitions || got.CrashPoints != want.CrashPoints) {
			rt.Fatalf("%s: %s states=%d transitions=%d crash_points=%d depth=%d (%v); %s: %s %d %d %d %d (%v)\n%s",
				c.name, got.Verdict, got.States, got.Transitions, got.CrashPoints, got.Depth, got.Violation,
				base.name, want.Verdict, want.States, want.Transitions, want.CrashPoints, want.Depth, want.Violation, s)
		}
		if (got.Violation == nil) != (want.Violation == nil) || got.Violation != nil &&
			(got.Violation.Kind != want.Violation.Kind || got.Violation.Message != want.Violation.Message) || gotTrace != wantTrace {
			rt.Fatalf("%s: violation %v\n%s\n%s: %v\n%s\n%s", c.name, got.Violation, gotTrace, base.name, want.Violation, wantTrace, s)
		}
	}
	if want.Verdict != explorer.Violated {
		return
	}
	// Past the first violation, one worker finds the same violations with
	// and without the memo and joined runs. The path of every violation
	// found is rebuilt, those of one node by running its expansion again
	// once, tracing every step, which takes longer than the search on a
	// node with many failing runs of many steps. Searches that take more
	// than the time given are left out.
	cont := searchConfig{name: "continue", cfg: explorer.Config{Workers: 1, Continue: 4, Crashes: crashes, Determinism: model.DeterminismOff}, sampled: true, limit: time.Second / 2}
	wd.watch(cont.name)
	wantAll, err := cont.run(chk)
	if err != nil {
		rt.Fatalf("%s: %v\n%s", cont.name, err, s)
	}
	if wantAll.Stopped != "" {
		return // timed out, with or without violations
	}
	if len(wantAll.Violations) == 0 {
		rt.Fatalf("%s: %s with no violations listed\n%s", cont.name, wantAll.Verdict, s)
	}
	for _, c := range []searchConfig{
		{name: "continue, memo off", memoOff: true},
		{name: "continue, not joined", joinOff: true},
		{name: "continue, memo of 512 bytes", memoBudget: 512},
	} {
		c.cfg, c.sampled, c.limit = cont.cfg, true, 2*cont.limit
		wd.watch(c.name)
		got, err := c.run(chk)
		if err != nil {
			rt.Fatalf("%s: %v\n%s", c.name, err, s)
		}
		if got.Stopped != "" {
			continue
		}
		if got.States != wantAll.States || got.Transitions != wantAll.Transitions || got.CrashPoints != wantAll.CrashPoints ||
			got.Depth != wantAll.Depth || describeAll(got) != describeAll(wantAll) {
			rt.Fatalf("%s: %d states %d transitions %d crash points depth %d\n%s\n%s: %d %d %d %d\n%s\n%s",
				c.name, got.States, got.Transitions, got.CrashPoints, got.Depth, describeAll(got),
				cont.name, wantAll.States, wantAll.Transitions, wantAll.CrashPoints, wantAll.Depth, describeAll(wantAll), s)
		}
	}
}

// checkCaught requires every search that checks every run twice to find
// a violation in s, whose implementation keeps state of its own.
func checkCaught(rt *rapid.T, s *randSys, chk model.Checker, crashes model.CrashMode, wd *watchdog) {
	wd.watch("reference")
	if ref := refSearch(chk, crashes); ref.violation == nil {
		rt.Fatalf("the reference search verifies an implementation that keeps state\n%s", s)
	}
	for _, c := range []searchConfig{
		{name: "one worker", cfg: explorer.Config{Workers: 1}},
		{name: "three workers", cfg: explorer.Config{Workers: 3}},
		{name: "memo off", cfg: explorer.Config{Workers: 1}, memoOff: true},
		{name: "memo of 512 bytes, three workers", cfg: explorer.Config{Workers: 3}, memoBudget: 512},
		{name: "full determinism, batch 1, part 2", cfg: explorer.Config{Workers: 1, BatchSize: 1, PartSize: 2, Determinism: model.DeterminismFull}},
	} {
		c.cfg.Crashes = crashes
		wd.watch(c.name)
		got, err := c.run(chk)
		if err != nil {
			rt.Fatalf("%s: %v\n%s", c.name, err, s)
		}
		if got.Verdict != explorer.Violated {
			rt.Fatalf("%s: %s, of an implementation that keeps state\n%s", c.name, got.Verdict, s)
		}
	}
}

// describeAll renders the violations of a search that continued past
// violations, with their paths.
func describeAll(res *explorer.Result) string {
	var b strings.Builder
	for _, c := range res.Violations {
		fmt.Fprintf(&b, "%s: %s\n%s\n", c.Violation.Kind, c.Violation.Message, c.Trace)
	}
	return b.String()
}
