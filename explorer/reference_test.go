package explorer_test

import (
	"github.com/argocheck/argocheck/model"
)

// reference is a deliberately simple explorer, written apart from the
// parallel one: one goroutine, a FIFO queue and a map of whole encodings.
// It shares only the model's node expansion, so it cross-checks the
// search (level numbering, deduplication, batching, parent records), not
// the semantics.
type reference struct {
	seen        map[string]bool
	queue       []string
	transitions uint64
}

func (r *reference) Successor(node []byte, crash bool) {
	r.transitions++
	if !r.seen[string(node)] {
		r.seen[string(node)] = true
		r.queue = append(r.queue, string(node))
	}
}

// referenceRun explores chk and returns the number of states and
// transitions, and the first violation in breadth-first order.
func referenceRun(chk model.Checker) (states, transitions uint64, v *model.Violation) {
	w := chk.NewWorker()
	r := &reference{seen: map[string]bool{}}
	inits, v := w.Initial()
	if v != nil {
		return 0, 0, v
	}
	for _, n := range inits {
		r.Successor(n, false)
	}
	r.transitions = 0
	for len(r.queue) > 0 {
		n := r.queue[0]
		r.queue = r.queue[1:]
		if v := w.Expand([]byte(n), r); v != nil {
			return uint64(len(r.seen)), r.transitions, v
		}
	}
	return uint64(len(r.seen)), r.transitions, nil
}
