package relations_test

import (
	"testing"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/layers/replicated"
	"github.com/argocheck/argocheck/layers/twodisk"
	"github.com/argocheck/argocheck/model"
	"github.com/argocheck/argocheck/relations"
)

// scrub is a test layer of OneDisk on OneDisk: operations pass through,
// and recovery rewrites every block with its own value (or, broken,
// zeroes block 0).
func scrub(broken bool) model.Impl[onedisk.API, onedisk.API] {
	return func(d onedisk.API) model.Instance[onedisk.API] {
		return model.Instance[onedisk.API]{API: d, Recover: func() {
			for a := 0; a < d.Size(); a++ {
				b := d.Read(disk.Addr(a))
				if broken && a == 0 {
					b = 0
				}
				d.Write(disk.Addr(a), b)
			}
		}}
	}
}

func same(c *onedisk.State) (onedisk.State, bool) { return *c, true }

type stackSystem = model.System[twodisk.State, twodisk.Op, twodisk.Ret, twodisk.API,
	onedisk.State, disk.Op, disk.Ret, onedisk.API]

type scrubSystem = model.System[onedisk.State, disk.Op, disk.Ret, onedisk.API,
	onedisk.State, disk.Op, disk.Ret, onedisk.API]

var stackSizes = disk.Sizes{Blocks: 2, Values: 2}

// stack is scrub composed over the replicated disk, end to end on TwoDisk.
func stack(broken bool) *stackSystem {
	return &stackSystem{
		Lower: twodisk.Layer(stackSizes),
		Upper: onedisk.Layer(stackSizes),
		Impl:  model.Compose(replicated.Impl(replicated.Correct), scrub(broken)),
		Abs:   model.ComposeRelations(same, replicated.Abs),
	}
}

func repLayer() *stackSystem {
	return &stackSystem{
		Lower: twodisk.Layer(stackSizes),
		Upper: onedisk.Layer(stackSizes),
		Impl:  replicated.Impl(replicated.Correct),
		Abs:   replicated.Abs,
	}
}

func scrubLayer(broken bool) *scrubSystem {
	return &scrubSystem{
		Lower: onedisk.Layer(stackSizes),
		Upper: onedisk.Layer(stackSizes),
		Impl:  scrub(broken),
		Abs:   same,
	}
}

// TestStackRecovery: the composed recovery of a stack, lower then upper
// with a crash anywhere restarting the lower one, written three ways (the
// whole composed procedure, its stages in sequence, and each layer's crash
// loop split out by (p ∪ q)* = p* (q p*)*), is one relation over the
// reachable states; and the oracle's verdicts on the stack, end to end,
// staged, and layer by layer, agree with the explorer's.
func TestStackRecovery(t *testing.T) {
	for _, broken := range []bool{false, true} {
		sem := stack(broken).Semantics()
		if n := sem.RecoveryStages(); n != 2 {
			t.Fatalf("the stack's recovery has %d stages, want 2", n)
		}
		crash := func(c string) []relations.Out { return unit(sem.LowerCrash(c)) }
		// Recovery starts from the states a crash during an operation
		// leaves, some with the disks differing.
		var crashed []relations.Rel
		for i := range sem.Ops() {
			crashed = append(crashed, relations.RunsOf(func(c string) []model.Execution { return sem.Exec(i, c) }, crash, nil).ExecCrash)
		}
		reach := relations.Reachable(sem, relations.Options{})
		var domain []string
		for _, c := range reach {
			for _, o := range relations.Or(crashed...)(c) {
				domain = append(domain, o.State)
			}
		}
		if len(domain) <= len(reach) {
			t.Fatalf("only %d crash states from %d reachable states", len(domain), len(reach))
		}
		stage := func(k int) relations.Proc {
			return relations.RunsOf(func(c string) []model.Execution { return sem.Recover(k, c) }, crash, nil)
		}
		whole := relations.ExecRecover(stage(-1))
		staged := relations.StackRecover(stage(0), stage(1))
		split := relations.StackRecoverSplit(stage(0), stage(1))
		if !relations.Equal(whole, staged, domain) || !relations.Equal(whole, split, domain) {
			t.Errorf("broken=%v: composed recovery differs between its forms", broken)
		}
		// The relation is not trivial: a crash in recovery reaches more
		// states than recovery's completed runs.
		if relations.Equal(relations.Star(stage(-1).ExecCrash), relations.Identity, domain) {
			t.Errorf("broken=%v: recovery has no crash points", broken)
		}

		end := relations.Check(sem, relations.Options{})
		byStage := relations.Check(stack(broken).Semantics(), relations.Options{Staged: true})
		lower := relations.Check(repLayer().Semantics(), relations.Options{})
		upper := relations.Check(scrubLayer(broken).Semantics(), relations.Options{})
		res := explore(t, stack(broken), model.CrashAll)
		t.Logf("broken=%v: end to end %v; staged %v; lower %v; upper %v; explorer %s", broken, end, byStage, lower, upper, res.Verdict)
		if end.Verified == broken || byStage.Verified == broken || !lower.Verified || upper.Verified == broken {
			t.Errorf("broken=%v: end to end %v; staged %v; lower %v; upper %v", broken, end, byStage, lower, upper)
		}
		if (res.Verdict == explorer.Verified) != end.Verified {
			t.Errorf("broken=%v: explorer %s, oracle %v", broken, res.Verdict, end)
		}
	}
}

// TestComposeAbstraction: the composition of the two layers' abstraction
// relations, as relations, is the stack's abstraction relation on every
// reachable state, and on some state it is undefined (both disks differ).
func TestComposeAbstraction(t *testing.T) {
	stackSem, lower, upper := stack(false).Semantics(), repLayer().Semantics(), scrubLayer(false).Semantics()
	domain := relations.Reachable(stackSem, relations.Options{})
	composed := relations.Compose(relations.Func(upper.Abs), relations.Func(lower.Abs))
	if !relations.Equal(composed, relations.Func(stackSem.Abs), domain) {
		t.Error("R2 ;; R1 differs from the stack's relation")
	}
	mismatch := string(twodisk.NewSpec(stackSizes).AppendEncode(nil, &twodisk.State{Disks: [2]disk.Disk{{1}, {0}}}))
	if outs := composed(mismatch); len(outs) != 0 {
		t.Errorf("R2 ;; R1 relates disks that differ to %v", outs)
	}
}

func unit(states []string) []relations.Out {
	out := make([]relations.Out, len(states))
	for i, s := range states {
		out[i] = relations.Out{State: s}
	}
	return out
}
