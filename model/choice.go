package model

import (
	"errors"
	"fmt"
	"math"
)

// Chooser resolves nondeterminism in a specification: Choose(n) returns one
// of the n alternatives 0..n-1. The executor enumerates every answer. A
// search refuses n above MaxChoices: it stops with an error wrapping
// ErrLimit, not a verdict.
type Chooser interface {
	Choose(n int) int
}

// MaxChoices is the most alternatives one Choose may offer a search, which
// numbers them in 32 bits. (A search could not enumerate that many anyway:
// a state has fewer than 2^24 successors.)
const MaxChoices = math.MaxInt32

// tooManyChoices is the panic of a Choose among n alternatives, more than
// MaxChoices: an error wrapping ErrLimit, which the search returns.
func tooManyChoices(n int) error {
	return fmt.Errorf("%w: a specification's Choose among %d alternatives, more than %d (model.MaxChoices)", ErrLimit, n, MaxChoices)
}

// noChoices is the panic of a Choose(n) with n below 1: a specification
// that builds n from a list that can be empty.
func noChoices(n int) string {
	return fmt.Sprintf("model: Choose(%d) offers no alternatives: a specification's Choose(n) needs n of at least 1", n)
}

// repanicLimit panics again with p, recovered from a run of layer code,
// when it is an error wrapping ErrLimit: the search stops with it, as a
// limit of argocheck, not a violation of the layer.
func repanicLimit(p any) {
	if err, ok := p.(error); ok && errors.Is(err, ErrLimit) {
		panic(p)
	}
}

// choices enumerates the answers to a sequence of Choose calls, as an
// odometer over the recorded choice points: a run replays the fixed prefix
// and takes alternative 0 at every new choice point; next advances the
// deepest choice point that has alternatives left.
type choices struct {
	pick  []int32 // chosen alternative at each choice point
	width []int32 // number of alternatives at each choice point
	at    []int32 // primitive step during which each choice was made
	pos   int     // next choice point of the current run
	fixed int     // choice points replayed from the previous run
	step  int32   // current primitive step, set by the caller
	// diverged records that a replayed choice point asked for a different
	// number of alternatives, or at a different step, than when recorded:
	// the code under test is not deterministic.
	diverged bool
}

// reset starts a new enumeration.
func (c *choices) reset() {
	c.pick, c.width, c.at = c.pick[:0], c.width[:0], c.at[:0]
	c.pos, c.fixed, c.step, c.diverged = 0, 0, 0, false
}

// Choose implements Chooser.
func (c *choices) Choose(n int) int {
	if n <= 1 {
		if n < 1 {
			panic(noChoices(n))
		}
		return 0
	}
	if n > MaxChoices {
		panic(tooManyChoices(n))
	}
	i := c.pos
	c.pos++
	if i < c.fixed {
		if c.width[i] != int32(n) || c.at[i] != c.step {
			c.diverged = true
		}
		return int(c.pick[i])
	}
	c.pick = append(c.pick, 0)
	c.width = append(c.width, int32(n))
	c.at = append(c.at, c.step)
	return 0
}

// finish checks the end of a run: a run must replay its whole prefix.
func (c *choices) finish() {
	if c.pos < c.fixed {
		c.diverged = true
	}
	// Drop choice points recorded past the ones this run reached (never
	// happens for deterministic code, which makes the same calls).
	if c.pos < len(c.pick) {
		c.pick, c.width, c.at = c.pick[:c.pos], c.width[:c.pos], c.at[:c.pos]
	}
}

// next advances to the next run; it reports false when every combination
// has been run. After next, newFrom tells the first primitive step whose
// snapshot differs from the previous runs.
func (c *choices) next() bool {
	for i := len(c.pick) - 1; i >= 0; i-- {
		if c.pick[i]+1 < c.width[i] {
			c.pick[i]++
			c.pick, c.width, c.at = c.pick[:i+1], c.width[:i+1], c.at[:i+1]
			c.fixed = i + 1
			c.pos = 0
			c.step = 0
			c.diverged = false
			return true
		}
	}
	return false
}

// rewind makes the next run replay every choice point of the run just
// finished: the second of two runs compared for determinism.
func (c *choices) rewind() {
	c.fixed = len(c.pick)
	c.pos = 0
	c.step = 0
}

// newFrom returns the first snapshot index that the current run can differ
// in from earlier runs of the same enumeration: snapshots up to and
// including the step of the last replayed choice are shared.
func (c *choices) newFrom() int {
	if c.fixed == 0 {
		return 0
	}
	return int(c.at[c.fixed-1]) + 1
}

// path returns the choices of the current run, for traces.
func (c *choices) path() []int {
	out := make([]int, len(c.pick))
	for i, p := range c.pick {
		out[i] = int(p)
	}
	return out
}

// Answers is a Chooser that answers with its alternatives in turn, for
// tests of a specification's steps; it panics when it has no answer left
// or one out of range.
type Answers []int

// Choose implements Chooser.
func (a *Answers) Choose(n int) int {
	if len(*a) == 0 {
		panic(fmt.Sprintf("model: Answers has no answer left for a choice among %d", n))
	}
	x := (*a)[0]
	*a = (*a)[1:]
	if x < 0 || x >= n {
		panic(fmt.Sprintf("model: answer %d is not among %d alternatives", x, n))
	}
	return x
}
