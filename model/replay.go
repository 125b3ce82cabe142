package model

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
)

// replayer is the Emitter of Replay: it lets the expansion run up to the
// target edge, describes that edge, and stops.
type replayer[CS, COp, CRet comparable, CAPI any, AS, AOp, ARet comparable, AAPI any] struct {
	w      *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]
	target uint32
	found  bool
	step   Step
	succ   []byte
}

func (r *replayer[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) Successor(edge uint32, node []byte, _ bool) bool {
	if edge == r.target {
		r.found, r.step = true, r.w.describe(nil, node)
		r.succ = append([]byte(nil), node...)
	}
	return edge >= r.target
}

func (r *replayer[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) Fail(v *Violation) bool {
	if v.Edge == r.target {
		r.found, r.step = true, r.w.describe(v, nil)
	}
	return v.Edge >= r.target
}

// Replay implements Worker: it expands node again, tracing every primitive
// step, up to edge.
func (w *worker[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]) Replay(node []byte, edge uint32) (Step, []byte) {
	r := &replayer[CS, COp, CRet, CAPI, AS, AOp, ARet, AAPI]{w: w, target: edge}
	w.m.tracing = true
	defer func() { w.m.tracing = false }()
	w.Expand(node, r)
	if !r.found {
		return Step{}, nil
	}
	return r.step, r.succ
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
		s.Calls = collapse(calls)
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
