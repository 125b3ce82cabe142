package model

import (
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// replayer is the Emitter of Replay and ReplayEdges: it lets the
// expansion run up to the last of its target edges, describes each target
// edge as it is emitted, and stops.
type replayer[CS, COp, CRet comparable, CAPI any, AS, AOp, ARet comparable, AAPI any] struct {
	w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]
	// targets are the edges to describe, in increasing order; steps holds
	// their descriptions, the zero Step for those not reached yet, and
	// next is the index of the first target not reached yet.
	targets []uint32
	steps   []Step
	next    int
	// succ, when keepSucc is set, is the successor of targets[0].
	keepSucc bool
	succ     []byte
}

// reach describes the targets equal to edge, the edge being emitted, with
// violation v or the node it reaches, and reports whether the expansion
// can stop: no target lies past edge.
func (r *replayer[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) reach(edge uint32, v *Violation, node []byte) bool {
	for r.next < len(r.targets) && r.targets[r.next] < edge {
		r.next++ // not emitted: an expansion numbers its edges in order
	}
	for r.next < len(r.targets) && r.targets[r.next] == edge {
		r.steps[r.next] = r.w.describe(v, node)
		if r.keepSucc && r.next == 0 && node != nil {
			r.succ = append([]byte(nil), node...)
		}
		r.next++
	}
	return r.next == len(r.targets)
}

func (r *replayer[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) Successor(edge uint32, node []byte, _ bool) bool {
	return r.reach(edge, nil, node)
}

func (r *replayer[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) Fail(v *Violation) bool {
	return r.reach(v.Edge, v, nil)
}

// replay expands node again, tracing every primitive step, up to the last
// of r's targets.
func (r *replayer[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) replay(node []byte) {
	if len(r.targets) == 0 {
		return
	}
	w := r.w
	w.m.tracing = true
	defer func() { w.m.tracing = false }()
	w.Expand(node, r)
}

// Replay implements Worker: it expands node again, tracing every primitive
// step, up to edge.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) Replay(node []byte, edge uint32) (Step, []byte) {
	targets := [1]uint32{edge}
	var steps [1]Step
	r := &replayer[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]{w: w, targets: targets[:], steps: steps[:], keepSucc: true}
	r.replay(node)
	return steps[0], r.succ
}

// ReplayEdges implements EdgesReplayer: it expands node again once,
// tracing every primitive step, up to the last of edges.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) ReplayEdges(node []byte, edges []uint32) []Step {
	if !slices.IsSorted(edges) {
		panic("model: ReplayEdges takes edges in increasing order")
	}
	r := &replayer[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]{w: w, targets: edges, steps: make([]Step, len(edges))}
	r.replay(node)
	return r.steps
}

// describe describes the edge being emitted, with violation v or, when v
// is nil, the node it reaches.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) describe(v *Violation, node []byte) Step {
	s := Step{Kind: w.kind, Violation: v}
	if w.op != nil {
		s.Op = show(*w.op)
	}
	if s.Kind == StepOp && w.done {
		s.Ret = show(w.ret)
	}
	if s.Kind != StepCrash {
		s.Choices = w.run.path()
		calls := w.m.calls
		if s.Kind == StepCrashInOp || s.Kind == StepCrashInRecovery {
			calls = calls[:w.crashAfter]
			s.CrashAfter, s.Total = w.crashAfter, len(w.m.calls)
		}
		if (s.Kind == StepRecover || s.Kind == StepCrashInRecovery) && len(w.stageStarts) > 0 {
			// Collapsed stage by stage, so that no Call spans two.
			s.Stages = slices.Clone(w.stageStarts)
			from := 0
			for _, at := range s.Stages {
				at = min(at, len(calls))
				s.Calls = append(s.Calls, collapse(calls[from:at])...)
				from = at
			}
			s.Calls = append(s.Calls, collapse(calls[from:])...)
		} else {
			s.Calls = collapse(calls)
		}
	}
	if v == nil {
		s.Node = w.View(node)
	}
	return s
}

// View implements Worker.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) View(node []byte) NodeView {
	c, a, allowed := w.c, w.a, append([]AS(nil), w.allowed...)
	set := append([]byte(nil), w.set...)
	defer func() { w.c, w.a, w.allowed, w.set = c, a, allowed, set }()
	recovering, err := w.decode(node)
	if err != nil {
		return NodeView{Lower: fmt.Sprintf("undecodable node %x", node)}
	}
	v := NodeView{Recovering: recovering, Lower: w.sys.Lower.Spec.Format(&w.c)}
	if !recovering {
		v.Abstract = w.sys.Upper.Spec.Format(&w.a)
		return v
	}
	for i := range w.allowed {
		v.Allowed = append(v.Allowed, w.sys.Upper.Spec.Format(&w.allowed[i]))
	}
	return v
}

// panicSite returns "dir/file.go:line" of the innermost frame of a panic
// that is neither the runtime's nor the executor's: the layer code that
// panicked. It is called from the deferred function that recovers.
func panicSite() string {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	for {
		f, more := frames.Next()
		fn := f.Function
		if !strings.HasPrefix(fn, "runtime.") && !strings.HasPrefix(fn, modelPackage) && f.File != "" {
			return filepath.Join(filepath.Base(filepath.Dir(f.File)), filepath.Base(f.File)) + fmt.Sprintf(":%d", f.Line)
		}
		if !more {
			return ""
		}
	}
}

// modelPackage prefixes the names of this package's functions.
const modelPackage = "github.com/argocheck/argocheck/model."
