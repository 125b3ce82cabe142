// Package naivetest is the reference search the explorer's tests compare
// with: breadth first over a worker's expansions, one worker, a Go map of
// whole encodings, none of the explorer's optimisations.
package naivetest

import "github.com/argocheck/argocheck/model"

// Result is what a naive search found: its figures, or the first
// violation in breadth-first order and the length of its path, with the
// figures up to it (the edges of the states before the violating one,
// and the violating state's before the violating edge).
type Result struct {
	States, Transitions, Crashes uint64
	Depth                        int
	Violation                    *model.Violation
	TraceLen                     int // edges of the shortest path
}

// Search searches the graph w expands, breadth first, and also returns the
// nodes of the last level it expanded.
func Search(w model.Worker) (r Result, last [][]byte) {
	r, last, _ = search(w, false)
	return r, last
}

// search is Search, and, when all is set, SearchAll: it goes on past
// violations, each violating edge having no successor, and returns them
// all.
func search(w model.Worker, all bool) (r Result, last [][]byte, violations []*model.Violation) {
	inits, v := w.Initial()
	if v != nil {
		r.Violation = v
		return r, nil, []*model.Violation{v}
	}
	seen := map[string]bool{}
	var frontier [][]byte
	for _, n := range inits {
		if !seen[string(n)] {
			seen[string(n)] = true
			frontier = append(frontier, n)
		}
	}
	r.States = uint64(len(frontier))
	for depth := 0; len(frontier) > 0; depth++ {
		r.Depth, last = depth, frontier
		var next [][]byte
		for _, n := range frontier {
			c := collect{all: all}
			w.Expand(n, &c)
			r.Transitions += uint64(len(c.succ))
			r.Crashes += c.crashes
			violations = append(violations, c.violations...)
			if c.violation != nil {
				r.Violation, r.TraceLen = c.violation, depth+1
				return r, last, nil
			}
			for _, s := range c.succ {
				if !seen[string(s)] {
					seen[string(s)] = true
					next = append(next, s)
				}
			}
		}
		r.States += uint64(len(next))
		frontier = next
	}
	return r, last, violations
}

// collect is the emitter of one expansion: its successors' encodings,
// copied, and its violation, or with all its violations, going on past
// them.
type collect struct {
	succ       [][]byte
	crashes    uint64
	violation  *model.Violation
	all        bool
	violations []*model.Violation
}

func (c *collect) Fail(v *model.Violation) bool {
	if c.all {
		c.violations = append(c.violations, v)
		return false
	}
	c.violation = v
	return true
}

func (c *collect) Successor(_ uint32, node []byte, crash bool) bool {
	c.succ = append(c.succ, append([]byte(nil), node...))
	if crash {
		c.crashes++
	}
	return false
}

// SearchAll is Search going on past violations: every state reachable
// from the initial ones is expanded, a violating edge having no successor
// but the other edges of its state followed. It returns the figures of the
// whole graph and every violation, in breadth-first order (an initial
// violation alone).
func SearchAll(w model.Worker) (r Result, violations []*model.Violation) {
	r, _, violations = search(w, true)
	r.Violation = nil
	return r, violations
}
