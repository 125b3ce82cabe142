package relations

import (
	"fmt"
	"sort"
	"strings"
)

// Out is one outcome of a relation: the output value and the state reached.
type Out struct {
	Val   string
	State string
}

// Rel is a finite transition relation with outputs: Rel(s) is the set of
// outcomes from state s, sorted and without duplicates. Relations over
// states alone (star, crash, abstraction) output the unit value "".
type Rel func(s string) []Out

// Unit is the output value of relations that return nothing.
const Unit = ""

// set sorts outs and removes duplicates, in place.
func set(outs []Out) []Out {
	sort.Slice(outs, func(i, j int) bool {
		if outs[i].Val != outs[j].Val {
			return outs[i].Val < outs[j].Val
		}
		return outs[i].State < outs[j].State
	})
	n := 0
	for i, o := range outs {
		if i == 0 || o != outs[n-1] {
			outs[n] = o
			n++
		}
	}
	return outs[:n]
}

// None is the empty relation, the unit of Or.
func None(string) []Out { return nil }

// Pure returns v and leaves the state unchanged.
func Pure(v string) Rel {
	return func(s string) []Out { return []Out{{v, s}} }
}

// Identity relates every state to itself, returning the unit value.
var Identity Rel = Pure(Unit)

// Seq is bind: run p, then f of p's output from the state p reached.
func Seq(p Rel, f func(v string) Rel) Rel {
	return func(s string) []Out {
		var out []Out
		for _, o := range p(s) {
			out = append(out, f(o.Val)(o.State)...)
		}
		return set(out)
	}
}

// Then runs p, then q, with q's output: Seq(p, func(string) Rel { return q }).
func Then(p, q Rel) Rel {
	return Seq(p, func(string) Rel { return q })
}

// Before runs p, then q, with p's output: p's result survives q.
func Before(p, q Rel) Rel {
	return Seq(p, func(v string) Rel { return Then(q, Pure(v)) })
}

// Or is the union of ps.
func Or(ps ...Rel) Rel {
	return func(s string) []Out {
		var out []Out
		for _, p := range ps {
			out = append(out, p(s)...)
		}
		return set(out)
	}
}

// Star is the reflexive-transitive closure of p on states (p's outputs are
// ignored): every state reached by zero or more steps of p, with the unit
// value.
func Star(p Rel) Rel {
	return func(s string) []Out {
		seen := map[string]bool{s: true}
		queue := []string{s}
		for len(queue) > 0 {
			t := queue[0]
			queue = queue[1:]
			for _, o := range p(t) {
				if !seen[o.State] {
					seen[o.State] = true
					queue = append(queue, o.State)
				}
			}
		}
		out := make([]Out, 0, len(seen))
		for t := range seen {
			out = append(out, Out{Unit, t})
		}
		return set(out)
	}
}

// Test relates the states that satisfy pred to themselves.
func Test(pred func(s string) bool) Rel {
	return func(s string) []Out {
		if pred(s) {
			return []Out{{Unit, s}}
		}
		return nil
	}
}

// Any relates every state to every state of the finite universe, with the
// unit value: the relation that allows anything.
func Any(universe []string) Rel {
	out := make([]Out, len(universe))
	for i, t := range universe {
		out[i] = Out{Unit, t}
	}
	out = set(out)
	return func(string) []Out { return out }
}

// Func is the relation of a partial function, with the unit value: s is
// related to f(s) when f is defined there. Abstraction relations of
// model.Relation have this form.
func Func(f func(s string) (string, bool)) Rel {
	return func(s string) []Out {
		if t, ok := f(s); ok {
			return []Out{{Unit, t}}
		}
		return nil
	}
}

// Table is a relation given by its finite table; states not in it have no
// outcome.
func Table(t map[string][]Out) Rel {
	norm := make(map[string][]Out, len(t))
	for s, outs := range t {
		norm[s] = set(append([]Out(nil), outs...))
	}
	return func(s string) []Out { return norm[s] }
}

// Memo remembers p's outcomes per state, for relations that are costly to
// compute (procedure runs). The outcomes returned are shared: read only.
func Memo(p Rel) Rel {
	m := map[string][]Out{}
	return func(s string) []Out {
		if outs, ok := m[s]; ok {
			return outs
		}
		outs := p(s)
		m[s] = outs
		return outs
	}
}

// Compose is the composition of abstraction relations R2 ;; R1:
// upper relates B-states to A-states, lower C-states to B-states (each
// from the concrete side), and the result relates c to a when some b has
// lower(c) = b and upper(b) = a.
func Compose(upper, lower Rel) Rel { return Then(lower, upper) }

// Counterexample is a witness that an inclusion fails: an outcome of the
// left relation from State that the right relation lacks.
type Counterexample struct {
	State string
	Out   Out
}

// String renders the counterexample as one line.
func (c *Counterexample) String() string {
	return fmt.Sprintf("from %q: outcome (%q, %q) not included", c.State, c.Out.Val, c.Out.State)
}

// Included decides p ⊆ q over domain: every outcome of p from a domain
// state is an outcome of q from it. It returns nil when the inclusion
// holds, else the first counterexample in domain order.
func Included(p, q Rel, domain []string) *Counterexample {
	for _, s := range domain {
		qs := set(append([]Out(nil), q(s)...))
		for _, o := range p(s) {
			if !contains(qs, o) {
				return &Counterexample{State: s, Out: o}
			}
		}
	}
	return nil
}

// Equal decides p = q over domain.
func Equal(p, q Rel, domain []string) bool {
	return Included(p, q, domain) == nil && Included(q, p, domain) == nil
}

// contains reports whether the sorted set outs holds o.
func contains(outs []Out, o Out) bool {
	i := sort.Search(len(outs), func(i int) bool {
		if outs[i].Val != o.Val {
			return outs[i].Val >= o.Val
		}
		return outs[i].State >= o.State
	})
	return i < len(outs) && outs[i] == o
}

// Format renders p over domain, one state a line, for a person.
func Format(p Rel, domain []string) string {
	var b strings.Builder
	for _, s := range domain {
		fmt.Fprintf(&b, "%q ->", s)
		for _, o := range p(s) {
			fmt.Fprintf(&b, " (%q, %q)", o.Val, o.State)
		}
		b.WriteByte('\n')
	}
	return b.String()
}
