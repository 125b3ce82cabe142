package explorer_test

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers"
	"github.com/argocheck/argocheck/model"
	"github.com/argocheck/argocheck/statestore"
)

// memCheckpoint keeps every committed level in memory, as a persistent
// store keeps it on disk.
type memCheckpoint struct {
	levels  []statestore.Level
	parents [][]uint64
	nodes   [][][]byte
}

func (m *memCheckpoint) CommitLevel(l *statestore.Level) error {
	c := *l
	c.Parents, c.Frontier = nil, nil
	var ps []uint64
	for i := 0; i < l.Parents.Len(); i++ {
		ps = append(ps, l.Parents.At(i))
	}
	var ns [][]byte
	for i := 0; i < l.Frontier.Len(); i++ {
		ns = append(ns, slices.Clone(l.Frontier.At(i)))
	}
	m.levels = append(m.levels, c)
	m.parents = append(m.parents, ps)
	m.nodes = append(m.nodes, ns)
	return nil
}

// saved is the checkpoint of level d.
func (m *memCheckpoint) saved(d int) *statestore.Saved {
	l := m.levels[d]
	s := &statestore.Saved{Depth: d, Transitions: l.Transitions, CrashPoints: l.CrashPoints, Elapsed: l.Elapsed}
	for i := 0; i <= d; i++ {
		s.Parents = append(s.Parents, m.parents[i]...)
		for _, n := range m.nodes[i] {
			s.Keys = append(s.Keys, statestore.Fingerprint(n))
		}
	}
	s.Frontier = m.nodes[d]
	return s
}

func buildChecker(t testing.TB, system string, p catalog.Params, variant string) model.Checker {
	t.Helper()
	chk, err := layers.Build(system, p, variant)
	if err != nil {
		t.Fatal(err)
	}
	return chk
}

// The levels a checkpoint receives number the states consecutively, level
// after level, and their totals are those of the finished search.
func TestCheckpointLevels(t *testing.T) {
	chk := buildChecker(t, "repdisk", catalog.Params{layers.Blocks: 3, layers.Values: 2}, "")
	cp := &memCheckpoint{}
	res, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 2, Checkpoint: cp})
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != explorer.Verified || res.States != 144 {
		t.Fatalf("verdict %s, %d states; want verified, 144", res.Verdict, res.States)
	}
	// Levels 0..depth hold states; the last level committed is empty.
	if len(cp.levels) != res.Depth+2 {
		t.Fatalf("%d levels committed, want depth+2 = %d", len(cp.levels), res.Depth+2)
	}
	next := uint64(0)
	for d, l := range cp.levels {
		if l.Depth != d || l.First != next || l.States != l.First+uint64(len(cp.parents[d])) || len(cp.nodes[d]) != len(cp.parents[d]) {
			t.Fatalf("level %d: %+v after %d states", d, l, next)
		}
		next = l.States
	}
	last := cp.levels[len(cp.levels)-1]
	if len(cp.parents[len(cp.parents)-1]) != 0 || last.States != res.States || last.Transitions != res.Transitions || last.CrashPoints != res.CrashPoints {
		t.Fatalf("last level %+v, result %+v", last, res)
	}
}

// Property: resuming from any level's checkpoint, with any number of
// workers, reaches the verdict, counts and path of the search that never
// stopped.
func TestResumeEqualsUninterrupted(t *testing.T) {
	variants := []string{"", "no-recovery", "write-d0-only", "read-no-fallback", "recover-block0-only", "recover-copy-back"}
	rapid.Check(t, func(rt *rapid.T) {
		p := catalog.Params{layers.Blocks: rapid.IntRange(1, 4).Draw(rt, "blocks"), layers.Values: rapid.IntRange(1, 3).Draw(rt, "values")}
		variant := rapid.SampledFrom(variants).Draw(rt, "variant")
		chk := buildChecker(t, "repdisk", p, variant)
		cp := &memCheckpoint{}
		want, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: rapid.IntRange(1, 3).Draw(rt, "workers"), Checkpoint: cp})
		if err != nil {
			rt.Fatal(err)
		}
		d := rapid.IntRange(0, len(cp.levels)-1).Draw(rt, "level")
		resumed := &memCheckpoint{levels: cp.levels[: d+1 : d+1], parents: cp.parents[: d+1 : d+1], nodes: cp.nodes[: d+1 : d+1]}
		got, err := explorer.Resume(context.Background(), chk, explorer.Config{Workers: rapid.IntRange(1, 3).Draw(rt, "resume workers"), Checkpoint: resumed}, cp.saved(d))
		if err != nil {
			rt.Fatal(err)
		}
		if got.Verdict != want.Verdict || got.States != want.States || got.Depth != want.Depth {
			rt.Fatalf("resumed at level %d: %s states=%d depth=%d; uninterrupted: %s states=%d depth=%d",
				d, got.Verdict, got.States, got.Depth, want.Verdict, want.States, want.Depth)
		}
		// On a violation the counts of transitions depend on how far the
		// other workers got; a verified search's do not.
		if want.Verdict == explorer.Verified && (got.Transitions != want.Transitions || got.CrashPoints != want.CrashPoints) {
			rt.Fatalf("resumed at level %d: transitions=%d crash_points=%d; uninterrupted: %d, %d",
				d, got.Transitions, got.CrashPoints, want.Transitions, want.CrashPoints)
		}
		if want.Verdict == explorer.Violated {
			if !reflect.DeepEqual(got.Outcome().Violations, want.Outcome().Violations) || got.Trace.String() != want.Trace.String() {
				rt.Fatalf("resumed at level %d: violation %+v:\n%s\nuninterrupted: %+v:\n%s", d, got.Outcome().Violations, got.Trace, want.Outcome().Violations, want.Trace)
			}
		}
		// The resumed search commits the levels the uninterrupted one
		// committed after d, identically.
		if len(resumed.levels) != len(cp.levels) {
			rt.Fatalf("resumed search committed %d levels, uninterrupted %d", len(resumed.levels), len(cp.levels))
		}
		for i := d + 1; i < len(cp.levels); i++ {
			a, b := resumed.levels[i], cp.levels[i]
			if a.First != b.First || !slices.Equal(resumed.parents[i], cp.parents[i]) || a.Transitions != b.Transitions {
				rt.Fatalf("level %d differs after resuming at %d: %+v, uninterrupted %+v", i, d, a, b)
			}
		}
	})
}

// Restore rebuilds, from the stored outcome and parent records alone, the
// path the search reports.
func TestRestoreFromParents(t *testing.T) {
	for _, variant := range []string{"no-recovery", "write-d0-only", "read-no-fallback", "recover-block0-only"} {
		t.Run(variant, func(t *testing.T) {
			chk := buildChecker(t, "repdisk", catalog.Params{layers.Blocks: 3, layers.Values: 2}, variant)
			cp := &memCheckpoint{}
			res, err := explorer.Run(context.Background(), chk, explorer.Config{Workers: 2, Checkpoint: cp})
			if err != nil {
				t.Fatal(err)
			}
			if res.Verdict != explorer.Violated {
				t.Fatalf("verdict %s, want violation", res.Verdict)
			}
			parents := cp.saved(len(cp.levels) - 1).Parents
			got, err := explorer.Restore(chk, explorer.Config{}, res.Outcome(), func(n uint64) (uint64, error) { return parents[n], nil })
			if err != nil {
				t.Fatal(err)
			}
			if got.Trace.String() != res.Trace.String() {
				t.Fatalf("path from parents:\n%s\nsearch's path:\n%s", got.Trace, res.Trace)
			}
			if *got.Violation != *res.Violation || got.States != res.States || got.Verdict != res.Verdict {
				t.Fatalf("restored %s %+v with %d states, want %s %+v with %d", got.Verdict, got.Violation, got.States, res.Verdict, res.Violation, res.States)
			}
		})
	}
}

func TestCheckpointNeedsFingerprints(t *testing.T) {
	chk := buildChecker(t, "repdisk", catalog.Params{layers.Blocks: 1, layers.Values: 1}, "")
	if _, err := explorer.Run(context.Background(), chk, explorer.Config{Exact: true, Checkpoint: &memCheckpoint{}}); err == nil {
		t.Fatal("exact keys with a checkpoint: no error")
	}
	if _, err := explorer.Resume(context.Background(), chk, explorer.Config{Exact: true}, &statestore.Saved{}); err == nil {
		t.Fatal("resume with exact keys: no error")
	}
	if _, err := explorer.Run(context.Background(), chk, explorer.Config{Continue: 2, Checkpoint: &memCheckpoint{}}); err == nil {
		t.Fatal("continuing past violations with a checkpoint: no error")
	}
}
