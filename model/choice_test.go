package model

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"
)

// The odometer runs every combination of answers exactly once, for any
// tree of choice points (the width of a later choice may depend on earlier
// answers).
func TestChoicesEnumerateEveryCombinationOnce(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		depth := rapid.IntRange(0, 4).Draw(t, "depth")
		seed := rapid.IntRange(1, 1000).Draw(t, "seed")
		// width of the choice at level i after answers prefix
		width := func(i int, prefix []int) int {
			h := seed + 7*i
			for _, p := range prefix {
				h = h*31 + p
			}
			return 1 + h%3
		}
		want := map[string]bool{}
		var walk func(prefix []int)
		walk = func(prefix []int) {
			if len(prefix) == depth {
				want[fmt.Sprint(prefix)] = true
				return
			}
			for a := 0; a < width(len(prefix), prefix); a++ {
				walk(append(append([]int(nil), prefix...), a))
			}
		}
		walk(nil)

		var c choices
		c.reset()
		got := map[string]bool{}
		for {
			var run []int
			for i := 0; i < depth; i++ {
				run = append(run, c.Choose(width(i, run)))
			}
			c.finish()
			if c.diverged {
				t.Fatalf("deterministic run reported divergence")
			}
			key := fmt.Sprint(run)
			if got[key] {
				t.Fatalf("combination %s ran twice", key)
			}
			got[key] = true
			if !c.next() {
				break
			}
		}
		if len(got) != len(want) {
			t.Fatalf("ran %d combinations, want %d", len(got), len(want))
		}
		for k := range want {
			if !got[k] {
				t.Fatalf("combination %s never ran", k)
			}
		}
	})
}

// A replay that asks a different number of alternatives, or asks at a
// different step, is divergence.
func TestChoicesDetectDivergence(t *testing.T) {
	var c choices
	c.reset()
	c.Choose(2)
	c.Choose(3)
	c.finish()
	if !c.next() {
		t.Fatal("no second run")
	}
	c.Choose(4) // the first choice point had 2 alternatives
	c.Choose(3)
	c.finish()
	if !c.diverged {
		t.Fatal("divergence not detected")
	}
	// The same widths, but the second choice point at another step.
	c.reset()
	c.Choose(2)
	c.step = 1
	c.Choose(3)
	c.finish()
	if !c.next() {
		t.Fatal("no second run")
	}
	c.step = 0
	c.Choose(2)
	c.Choose(3) // recorded at step 1
	c.finish()
	if !c.diverged {
		t.Fatal("a choice point at another step is not detected")
	}
}

// A replay that makes fewer choices than the prefix it replays, stopping
// before the choice point the run was to change, is divergence: the
// combination that run was to reach would never run.
func TestChoicesDetectShortReplay(t *testing.T) {
	var c choices
	c.reset()
	c.Choose(2)
	c.Choose(3)
	c.finish()
	if !c.next() {
		t.Fatal("no second run")
	}
	c.Choose(2) // the second choice point, the one next advanced, is not reached
	c.finish()
	if !c.diverged {
		t.Fatal("a replay that stops short is not detected")
	}
}

// A choice among no alternatives is a fault of the specification that
// asks it (a step with no outcome), not an answer of 0.
func TestChooseAmongNonePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Choose(0) returned")
		}
	}()
	var c choices
	c.reset()
	c.Choose(0)
}

// A divergence is the run's own: the run after one that diverged, and the
// first run of a new enumeration, start undiverged, so that a search that
// goes on past the violation neither reports the runs after it as
// diverged nor drops their successors.
func TestDivergenceEndsWithItsRun(t *testing.T) {
	var c choices
	c.reset()
	c.Choose(2)
	c.Choose(2)
	c.finish()
	if !c.next() {
		t.Fatal("no second run")
	}
	c.Choose(3) // the first choice point had 2 alternatives
	c.Choose(2)
	c.finish()
	if !c.diverged {
		t.Fatal("divergence not detected")
	}
	if !c.next() {
		t.Fatal("no third run")
	}
	if c.diverged {
		t.Fatal("the run after a diverged one starts diverged")
	}
	c.Choose(3)
	c.finish()
	c.reset()
	if c.diverged {
		t.Fatal("a new enumeration starts diverged")
	}
}
