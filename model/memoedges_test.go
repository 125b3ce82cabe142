package model_test

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"

	"github.com/argocheck/argocheck/model"
)

// compareReplays expands chk's nodes breadth first, up to max of them,
// with a worker that runs every recovery and takes every edge one by one,
// the reference, and with workers that replay recorded recoveries, kept
// from node to node: one that takes every edge one by one, which must
// give the reference's edges exactly (ordinals, nodes, crash flags,
// violations), and one that takes runs of edges through Again, which
// must give them as againList.compare says; each of the two with the
// memo's default budget and with budget bytes. It returns the Recovering
// nodes expanded.
func compareReplays(t interface{ Fatalf(string, ...any) }, chk model.Checker, opts model.Options, budget, max int) (recovering int) {
	ref := func() model.Worker {
		defer model.SetRecordRecoveries(false)()
		return chk.NewWorker(opts)
	}()
	type replayer struct {
		name   string
		w      model.Worker
		budget int
		again  bool
	}
	var ws []replayer
	for _, budget := range []int{0, budget} {
		for _, again := range []bool{false, true} {
			name := map[bool]string{false: "one by one", true: "with Again"}[again]
			if budget > 0 {
				name += fmt.Sprintf(", a memo of %d bytes", budget)
			}
			func() {
				defer model.SetRecordRecoveries(true)()
				ws = append(ws, replayer{name, chk.NewWorker(opts), budget, again})
			}()
		}
	}
	queue, v := ref.Initial()
	if v != nil {
		return 0
	}
	seen := map[string]bool{}
	for _, n := range queue {
		seen[string(n)] = true
	}
	for i := 0; i < len(queue) && i < max; i++ {
		node := queue[i]
		var want edgeList
		ref.Expand(node, &want)
		if model.Recovering(node) {
			recovering++
		}
		for _, r := range ws {
			restore := func() {}
			if r.budget > 0 {
				restore = model.SetMemoBudget(r.budget)
			}
			var err error
			if r.again {
				var got againList
				r.w.Expand(node, &got)
				err = got.compare(node, want.edges)
			} else {
				var got edgeList
				r.w.Expand(node, &got)
				err = sameEdges(got.edges, want.edges)
			}
			restore()
			if err != nil {
				t.Fatalf("node %d (%q), %s: %v", i, node, r.name, err)
			}
		}
		for _, e := range want.edges {
			if e.fail == "" && !seen[e.node] {
				seen[e.node] = true
				queue = append(queue, []byte(e.node))
			}
		}
	}
	return recovering
}

// sameEdges reports where got and want, edges taken one by one, differ.
func sameEdges(got, want []edge) error {
	for k := range min(len(got), len(want)) {
		if got[k] != want[k] {
			return fmt.Errorf("edge %d is %s, and %s running every recovery", k, showEdge(got[k]), showEdge(want[k]))
		}
	}
	if len(got) != len(want) {
		return fmt.Errorf("%d edges, and %d running every recovery", len(got), len(want))
	}
	return nil
}

// showEdge renders e with its node quoted.
func showEdge(e edge) string {
	return fmt.Sprintf("{ordinal %d, node %q, crash %t, fail %q}", e.ordinal, e.node, e.crash, e.fail)
}

// TestReplayedRecoveryIsRunAll: a worker that expands Recovering nodes
// from recorded recoveries emits, node by node, the edges of one that
// runs every recovery: the same crash outcomes, completions and failed
// checks at the same ordinals, and through Again only edges to nodes
// reached before, as many, with as many crashes. The systems are those of
// TestRandomSystems and TestRandomWideSystems but for implementations
// that keep state, more often with an invariant and with states related
// to no abstract state, in every crash mode; the workers keep their
// records from node to node (the nodes of one lower state and other
// allowed sets replay one record), with the memo's default budget and
// with one that drops some or all records once used. The searches of
// TestRandomSystems compare only sums over nodes: a replay that lost an
// edge to a node reached before, or emitted one to a node that another
// edge reaches, changes none of them.
func TestReplayedRecoveryIsRunAll(t *testing.T) {
	recovering := 0
	rapid.Check(t, func(rt *rapid.T) {
		var s *randSys
		var system func() model.Checker
		if rapid.Bool().Draw(rt, "wide") {
			ws := drawWideSystem(rt)
			s, system = ws.randSys, ws.checker
		} else if s = drawSystem(rt); s.stateful == 0 {
			system = s.checker
		} else {
			return
		}
		// More often than drawSystem: completions that the invariant
		// rejects or that relate to no abstract state.
		if rapid.IntRange(0, 2).Draw(rt, "invariant") == 0 {
			s.invReg, s.invVal = int8(rapid.IntRange(0, regs-1).Draw(rt, "invariant register")), uint8(rapid.IntRange(0, 2).Draw(rt, "invariant value"))
		}
		if rapid.IntRange(0, 2).Draw(rt, "unrelated") == 0 {
			s.absBad, s.absBadVal = int8(rapid.IntRange(0, regs-1).Draw(rt, "bad register")), uint8(rapid.IntRange(0, 2).Draw(rt, "bad value"))
		}
		chk := system()
		budget := rapid.SampledFrom([]int{1, 1 << 10, 1 << 12}).Draw(rt, "memo budget")
		for _, crashes := range model.CrashModes {
			recovering += compareReplays(rt, chk, model.Options{Crashes: crashes}, budget, 400)
		}
	})
	if recovering == 0 {
		t.Fatal("no Recovering node expanded")
	}
}
