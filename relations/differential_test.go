package relations_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers/asyncdisk"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/model"
	"github.com/argocheck/argocheck/relations"
	"pgregory.net/rapid"
)

// The drawn systems' sizes: below, an AsyncDisk of three blocks holding
// values 0..2; above, a layer of eight states and three operations. A
// check of rapid's draws three systems.
const (
	blocks  = 3
	values  = 3
	states  = 8
	ops     = 3
	systems = 3
)

// instr is one step of a drawn procedure: one or two primitive calls,
// or a branch on the value last read.
type instr struct {
	kind            byte // 'r' read, 'w' write val, 'x' read from, write it plus val, 'f' flush, '?' skip the next step if the value last read is 0
	addr, val, from uint8
}

func (i instr) String() string {
	switch i.kind {
	case 'r':
		return fmt.Sprintf("r=read(%d)", i.addr)
	case 'w':
		return fmt.Sprintf("write(%d,%d)", i.addr, i.val)
	case 'x':
		return fmt.Sprintf("write(%d,read(%d)+%d)", i.addr, i.from, i.val)
	case 'f':
		return "flush"
	}
	return "if r!=0:"
}

// run runs procedure p on d and returns the value last read: an
// operation's result.
func run(p []instr, d asyncdisk.API) uint8 {
	var r uint8
	for i := 0; i < len(p); i++ {
		switch in := p[i]; in.kind {
		case 'r':
			r = uint8(d.Read(disk.Addr(in.addr)))
		case 'w':
			d.Write(disk.Addr(in.addr), disk.Block(in.val))
		case 'x':
			r = uint8(d.Read(disk.Addr(in.from)))
			d.Write(disk.Addr(in.addr), disk.Block((r+in.val)%values))
		case 'f':
			d.Flush()
		case '?':
			if r == 0 {
				i++
			}
		}
	}
	return r
}

// lower is an AsyncDisk state: each block's current value and its
// may-set, as a bit mask.
type lower struct{ cur, may [blocks]uint8 }

// outcome is one element of the upper step relation.
type outcome struct{ ret, next uint8 }

// drawn is a random system: the implementation's procedures, the
// abstraction relation, the upper specification as tables, and an
// invariant.
type drawn struct {
	ops      [ops][]instr
	recovery []instr
	abs      [27]int8 // the upper state related to each current contents, as a base-3 number; -1 for none
	durable  int8     // when not -1, only states where this block is durable relate
	init     []uint8
	step     [states][ops][]outcome
	crash    [states][]uint8
	inv      int8 // when not -1, the invariant: block inv/values never holds inv%values
}

// absOf returns the upper state that c relates to.
func (s *drawn) absOf(c lower) (uint8, bool) {
	a := s.abs[int(c.cur[0])*9+int(c.cur[1])*3+int(c.cur[2])]
	if a < 0 || s.durable >= 0 && c.may[s.durable] != 1<<c.cur[s.durable] {
		return 0, false
	}
	return uint8(a), true
}

// holds reports whether the invariant holds of c.
func (s *drawn) holds(c lower) bool { return s.inv < 0 || c.cur[s.inv/values] != uint8(s.inv%values) }

func (s *drawn) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "operations %v\nrecovery %v\n", s.ops, s.recovery)
	fmt.Fprintf(&b, "abstraction of contents 000..222 (-1: none) %v, durable block %d (-1: none)\n", s.abs, s.durable)
	fmt.Fprintf(&b, "initial upper states %v", s.init)
	if s.inv >= 0 {
		fmt.Fprintf(&b, ", invariant: block %d never holds %d", s.inv/values, s.inv%values)
	}
	for a := range states {
		fmt.Fprintf(&b, "\nupper state %d: crash to %v, steps (ret, next) %v", a, s.crash[a], s.step[a])
	}
	return b.String()
}

// spec is the drawn upper specification.
type spec struct {
	model.Codec[uint8]
	s *drawn
}

func (sp spec) Init() []uint8 { return sp.s.init }
func (sp spec) Ops() []uint8  { return []uint8{0, 1, 2}[:ops] }
func (sp spec) Step(a *uint8, op uint8, c model.Chooser) uint8 {
	o := sp.s.step[*a][op][c.Choose(len(sp.s.step[*a][op]))]
	*a = o.next
	return o.ret
}
func (sp spec) Crash(a *uint8, c model.Chooser) { *a = sp.s.crash[*a][c.Choose(len(sp.s.crash[*a]))] }

// procs is the drawn implementation on an AsyncDisk.
type procs struct {
	d asyncdisk.API
	s *drawn
}

func (p procs) Call(op uint8) uint8 { return run(p.s.ops[op], p.d) }

// onDisk returns the lower state of an AsyncDisk.
func onDisk(d *asyncdisk.Disk) lower {
	var c lower
	for a := range blocks {
		c.cur[a] = uint8(d.Cur[a])
		for _, v := range d.May(disk.Addr(a)) {
			c.may[a] |= 1 << v
		}
	}
	return c
}

// system returns the drawn system as argocheck checks it.
func (s *drawn) system() model.Checker {
	impl := func(d asyncdisk.API) model.Instance[model.Caller[uint8, uint8]] {
		return model.Instance[model.Caller[uint8, uint8]]{API: procs{d, s}, Recover: func() { run(s.recovery, d) }}
	}
	abs := func(c *asyncdisk.State) (uint8, bool) { return s.absOf(onDisk(&c.Disk)) }
	sys := model.NewSystem(asyncdisk.Layer(disk.Sizes{Blocks: blocks, Values: values}),
		model.NewLayer[uint8, uint8, uint8]("drawn", spec{model.NewCodec[uint8](), s}), impl, abs)
	if s.inv >= 0 {
		sys.Invariant = func(c *asyncdisk.State) error {
			if !s.holds(onDisk(&c.Disk)) {
				return errors.New("forbidden value")
			}
			return nil
		}
	}
	return sys
}

// trace is AsyncDisk as documented: the state after each call so far.
type trace []lower

func (d *trace) Size() int { return blocks }

func (d *trace) Read(a disk.Addr) disk.Block {
	c := (*d)[len(*d)-1]
	*d = append(*d, c)
	return disk.Block(c.cur[a])
}

func (d *trace) Write(a disk.Addr, v disk.Block) {
	c := (*d)[len(*d)-1]
	c.cur[a], c.may[a] = uint8(v), c.may[a]|1<<v
	*d = append(*d, c)
}

func (d *trace) Flush() {
	c := (*d)[len(*d)-1]
	for a := range blocks {
		c.may[a] = 1 << c.cur[a]
	}
	*d = append(*d, c)
}

// exec runs p from c and returns its result and the states after each
// prefix of the run, c first.
func exec(p []instr, c lower) (uint8, []lower) {
	d := trace{c}
	return run(p, &d), d
}

// images returns the states a crash may leave c in: every block takes
// any value of its may-set.
func images(c lower) []lower {
	out := []lower{{}}
	for a := range blocks {
		var next []lower
		for _, d := range out {
			for v := range uint8(values) {
				if c.may[a]&(1<<v) != 0 {
					d.cur[a], d.may[a] = v, 1<<v
					next = append(next, d)
				}
			}
		}
		out = next
	}
	return out
}

// crashSet returns the crash images of the upper states in as, as a bit
// mask.
func (s *drawn) crashSet(as ...uint8) uint8 {
	var m uint8
	for _, a := range as {
		for _, x := range s.crash[a] {
			m |= 1 << x
		}
	}
	return m
}

// node is a node of the documented graph: Idle(c, abs(c)), or, when
// recovering, Recovering(c, allowed), allowed a bit mask of upper states.
type node struct {
	c          lower
	recovering bool
	allowed    uint8
}

// verdict is a brute-force decision: verified, with its number of nodes
// and of Idle nodes, or the kinds of the violations at the end of the
// shortest violating paths, and their length. Fix, when not nil, makes
// the upper specification allow the first completed run found whose
// final state relates to an upper state the specification does not
// allow there.
type verdict struct {
	ok          bool
	nodes, idle int
	kinds       []string
	length      int
	fix         func()
}

// brute decides recovery refinement of s under mode by a breadth-first
// search of the graph of Idle and Recovering nodes, from the description
// in docs/semantics.md ("What is checked"): an operation from Idle(c, a)
// runs to completion, checked against the upper step relation, or crashes
// after any prefix of its run into Recovering with the crash images of a
// and of a's successors; a crash between operations leads to Recovering
// with the crash images of a; recovery must end related to an allowed
// state, and a crash after any prefix of it keeps the allowed set.
func (s *drawn) brute(mode model.CrashMode) verdict {
	start := lower{may: [blocks]uint8{1, 1, 1}}
	if a, ok := s.absOf(start); !ok || !slices.Contains(s.init, a) {
		return verdict{kinds: []string{model.KindInitial}}
	}
	if !s.holds(start) {
		return verdict{kinds: []string{model.KindInvariant}}
	}
	level := []node{{c: start}}
	seen := map[node]bool{level[0]: true}
	v := verdict{idle: 1}
	for depth := 1; len(level) > 0; depth++ {
		kinds := map[string]bool{}
		var next []node
		add := func(n node) {
			if !seen[n] {
				seen[n], next = true, append(next, n)
				if !n.recovering {
					v.idle++
				}
			}
		}
		crashes := func(after []lower, allowed uint8) {
			for _, c := range after {
				for _, d := range images(c) {
					add(node{d, true, allowed})
				}
			}
		}
		// complete checks a completed run ending in c, which the
		// specification allows when ok, or would with fix.
		complete := func(c lower, kind string, ok bool, fix func()) {
			switch {
			case !ok:
				kinds[kind] = true
				if _, related := s.absOf(c); related && v.fix == nil {
					v.fix = fix
				}
			case !s.holds(c):
				kinds[model.KindInvariant] = true
			default:
				add(node{c: c})
			}
		}
		for _, n := range level {
			if n.recovering {
				_, after := exec(s.recovery, n.c)
				if mode == model.CrashAll {
					crashes(after, n.allowed)
				}
				c := after[len(after)-1]
				a, ok := s.absOf(c)
				complete(c, model.KindRecovery, ok && n.allowed&(1<<a) != 0, func() {
					for x := range s.crash {
						if s.crashSet(uint8(x))&^n.allowed == 0 {
							s.crash[x] = append(s.crash[x], a)
						}
					}
				})
				continue
			}
			a, _ := s.absOf(n.c)
			for o := range ops {
				ret, after := exec(s.ops[o], n.c)
				if mode != model.CrashBetweenOps {
					allowed := s.crashSet(a)
					for _, x := range s.step[a][o] {
						allowed |= s.crashSet(x.next)
					}
					crashes(after, allowed)
				}
				c := after[len(after)-1]
				a2, ok := s.absOf(c)
				complete(c, model.KindRefinement, ok && slices.Contains(s.step[a][o], outcome{ret, a2}), func() {
					s.step[a][o] = append(s.step[a][o], outcome{ret, a2})
				})
			}
			crashes([]lower{n.c}, s.crashSet(a))
		}
		if len(kinds) > 0 {
			v.kinds, v.length = slices.Sorted(maps.Keys(kinds)), depth
			return v
		}
		level = next
	}
	v.ok, v.nodes = true, len(seen)
	return v
}

func (v verdict) String() string {
	if v.ok {
		return fmt.Sprintf("verified, %d nodes of which %d Idle", v.nodes, v.idle)
	}
	return fmt.Sprintf("violation %v, path of %d steps", v.kinds, v.length)
}

// drawSystem draws a system. Its upper specification starts with one
// drawn outcome for each step and a crash that changes nothing, learns
// what the implementation does (what the brute force finds missing,
// under a drawn crash mode, until it finds nothing more: so the modes
// that allow more crashes may still fail), and then loses or gains an
// outcome or two at random.
func drawSystem(t *rapid.T) *drawn {
	s := &drawn{durable: -1, inv: -1}
	// Calls drawn first are drawn more often: recoveries that read what
	// they write are the ones that crashes during recovery break.
	instrs := func(kinds string) *rapid.Generator[instr] {
		return rapid.Custom(func(t *rapid.T) instr {
			kind, addr := rapid.SampledFrom([]byte(kinds)).Draw(t, "kind"), rapid.IntRange(0, blocks-1).Draw(t, "addr")
			val, shift := rapid.IntRange(1, values).Draw(t, "val")%values, rapid.IntRange(0, blocks-1).Draw(t, "shift")
			return instr{kind, uint8(addr), uint8(val), uint8((addr + shift) % blocks)}
		})
	}
	for o := range ops {
		s.ops[o] = rapid.SliceOfN(instrs("wxrf?"), 1, 7).Draw(t, fmt.Sprint("op", o))
	}
	s.recovery = rapid.SliceOfN(instrs("xwfr?"), 2, 7).Draw(t, "recovery")
	for i := range s.abs {
		s.abs[i] = int8(i % states)
	}
	copy(s.abs[:], rapid.Permutation(s.abs[:]).Draw(t, "abs"))
	if rapid.IntRange(0, 3).Draw(t, "partial?") == 3 {
		for _, i := range rapid.SliceOfN(rapid.IntRange(1, len(s.abs)-1), 1, 3).Draw(t, "unrelated") {
			s.abs[i] = -1
		}
	}
	if rapid.IntRange(0, 3).Draw(t, "durable?") == 3 {
		s.durable = int8(rapid.IntRange(0, blocks-1).Draw(t, "durable"))
	}
	if rapid.IntRange(0, 3).Draw(t, "invariant?") == 3 {
		s.inv = int8(rapid.IntRange(0, blocks-1).Draw(t, "invariant block")*values + rapid.IntRange(1, 2*values-1).Draw(t, "invariant value")%values)
	}
	s.init = []uint8{uint8(rapid.IntRange(0, states-1).Draw(t, "init"))}
	if rapid.IntRange(0, 9).Draw(t, "initial state unrelated?") < 9 {
		s.init = append(s.init, uint8(s.abs[0]))
	}
	outcomes := rapid.Custom(func(t *rapid.T) outcome {
		return outcome{uint8(rapid.IntRange(0, values-1).Draw(t, "ret")), uint8(rapid.IntRange(0, states-1).Draw(t, "next"))}
	})
	for a := range states {
		s.crash[a] = []uint8{uint8(a)}
		for o := range ops {
			s.step[a][o] = []outcome{outcomes.Draw(t, "outcome")}
		}
	}
	mode := rapid.SampledFrom(model.CrashModes).Draw(t, "learned under")
	for v := s.brute(mode); v.fix != nil; v = s.brute(mode) {
		v.fix()
	}
	for _, k := range rapid.SliceOfN(rapid.IntRange(0, states*(ops+1)-1), 0, 2).Draw(t, "perturbed") {
		if a, o := k/(ops+1), k%(ops+1); o == ops {
			s.crash[a] = perturb(t, s.crash[a], rapid.Uint8Range(0, states-1))
		} else {
			s.step[a][o] = perturb(t, s.step[a][o], outcomes)
		}
	}
	return s
}

// perturb drops an element of xs, leaving one at least, or adds one.
func perturb[T any](t *rapid.T, xs []T, gen *rapid.Generator[T]) []T {
	if len(xs) > 1 && rapid.Bool().Draw(t, "drop?") {
		i := rapid.IntRange(0, len(xs)-1).Draw(t, "drop")
		return slices.Delete(xs, i, i+1)
	}
	return append(xs, gen.Draw(t, "add"))
}

// TestDifferential: on drawn systems of a few procedures over a small
// AsyncDisk, where a crash may leave any combination of the cached
// writes, with an upper specification whose steps and crashes have
// several outcomes, a partial abstraction relation and sometimes an
// invariant, the explorer (one and two workers, every determinism mode)
// and the oracle reach the brute force's verdict in every crash mode.
// The brute force shares no code with either: it follows the graph that
// docs/semantics.md describes, so that a misreading of the semantics that the
// explorer and the oracle share, which their comparison cannot see,
// shows here. The explorer must also find a shortest path as long as the
// brute force's, ending in the same kind of violation when all the
// shortest end in one kind, and on a verified system as many nodes; the
// oracle as many reachable lower states as there are Idle nodes. Longer
// runs: go test ./relations -run Differential -rapid.checks=2000.
func TestDifferential(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		for range systems {
			s := drawSystem(t)
			for _, mode := range model.CrashModes {
				want := s.brute(mode)
				sem, _ := model.SemanticsOf(s.system())
				if got := relations.Check(sem, relations.Options{Crashes: mode}); got.Verified != want.ok || want.ok && got.States != want.idle {
					t.Fatalf("crashes=%s: brute force %v; oracle %v\n%v", mode, want, got, s)
				}
				for workers := 1; workers <= 2; workers++ {
					for _, det := range model.DeterminismModes {
						cfg := explorer.Config{Workers: workers, Crashes: mode, Determinism: det}
						res, err := explorer.Run(context.Background(), s.system(), cfg)
						if err != nil {
							t.Fatal(err)
						}
						if want.ok && res.Verdict == explorer.Verified && res.States == uint64(want.nodes) ||
							!want.ok && res.Verdict == explorer.Violated && res.Trace.Len() == want.length &&
								(len(want.kinds) > 1 || res.Violation.Kind == want.kinds[0]) {
							continue
						}
						got := fmt.Sprintf("%s, %d nodes", res.Verdict, res.States)
						if res.Violation != nil {
							got = fmt.Sprintf("%s %s, path of %d steps: %s\n%s", res.Verdict, res.Violation.Kind, res.Trace.Len(), res.Violation.Message, res.Trace)
						}
						t.Fatalf("crashes=%s workers=%d determinism=%s: brute force %v; explorer %s\n%v", mode, workers, det, want, got, s)
					}
				}
			}
		}
	})
}
