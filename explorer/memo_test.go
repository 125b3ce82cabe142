package explorer_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/layers/replicated"
	"github.com/argocheck/argocheck/layers/twodisk"
	"github.com/argocheck/argocheck/model"
)

// Recovering nodes are expanded from records of what recovery from their
// lower state does (see the model package); these tests hold the
// failures of recorded recoveries to what running them reports.

// onRecovery is the replicated disk on TwoDisk with f at the start of its
// recovery.
func onRecovery(f fault) model.Checker {
	sizes := disk.Sizes{Blocks: 3, Values: 2}
	impl := func(d twodisk.API) model.Instance[onedisk.API] {
		in := replicated.Impl(replicated.Correct)(d)
		recover := func() {
			f(func(a disk.Addr) { d.Read(twodisk.D0, a) }, 0)
			in.Recover()
		}
		return model.Instance[onedisk.API]{API: in.API, Recover: recover}
	}
	return model.NewSystem(twodisk.Layer(sizes), onedisk.Layer(sizes), impl, replicated.Abs)
}

// TestNondeterministicRecoveryIsNeverVerified: recovery code that
// behaves differently when run again is reported as nondeterminism.
func TestNondeterministicRecoveryIsNeverVerified(t *testing.T) {
	for _, f := range faults {
		for _, mode := range model.DeterminismModes {
			for _, workers := range []int{1, 2} {
				t.Run(fmt.Sprintf("%s/%s/w%d", f.name, mode, workers), func(t *testing.T) {
					res, err := explorer.Run(context.Background(), onRecovery(f.fault), explorer.Config{Workers: workers, Determinism: mode})
					if err != nil {
						t.Fatal(err)
					}
					if res.Verdict != explorer.Violated || res.Violation.Kind != model.KindNondeterminism {
						t.Fatalf("verdict %s %+v, want a nondeterminism violation", res.Verdict, res.Violation)
					}
				})
			}
		}
	}
}

// readsAtRecovery implements OneDisk on OneDisk by passing every call
// through; its recovery reads block 0 n times.
func readsAtRecovery(n int) model.Impl[onedisk.API, onedisk.API] {
	return func(d onedisk.API) model.Instance[onedisk.API] {
		return model.Instance[onedisk.API]{API: d, Recover: func() {
			for range n {
				d.Read(0)
			}
		}}
	}
}

// TestComposedRecoveryStepLimit: the step limit bounds a composed
// recovery as a whole, although each of its stages is recorded apart.
func TestComposedRecoveryStepLimit(t *testing.T) {
	sizes := disk.Sizes{Blocks: 2, Values: 2}
	for _, tt := range []struct {
		reads int
		want  explorer.Verdict
	}{{1, explorer.Verified}, {5, explorer.Violated}} {
		impl := model.Compose(replicated.Impl(replicated.Correct), readsAtRecovery(tt.reads))
		sys := model.NewSystem(twodisk.Layer(sizes), onedisk.Layer(sizes), impl, replicated.Abs)
		// The replicated disk's recovery takes 5 to 7 steps here, and 5
		// reads take 5 to 10 (2 each once d0 has failed): each stage
		// alone is within the limit.
		sys.StepLimit = 12
		res, err := explorer.Run(context.Background(), sys, explorer.Config{Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		if res.Verdict != tt.want {
			t.Fatalf("%d reads: verdict %s %+v, want %s", tt.reads, res.Verdict, res.Violation, tt.want)
		}
		if tt.want == explorer.Violated && (res.Violation.Kind != model.KindStepLimit || !strings.Contains(res.Violation.Message, "step limit of 12")) {
			t.Fatalf("%d reads: violation %+v, want the step limit", tt.reads, res.Violation)
		}
	}
}

// TestReplacedComposedRecovery: code that replaces or wraps the recovery
// of a composed instance is checked with its own recovery, not with the
// stages Compose made.
func TestReplacedComposedRecovery(t *testing.T) {
	sizes := disk.Sizes{Blocks: 2, Values: 2}
	composed := model.Compose(replicated.Impl(replicated.Correct), readsAtRecovery(1))
	for _, tt := range []struct {
		name   string
		change func(in *model.Instance[onedisk.API])
		want   string // violation kind, or "" for verified
	}{
		{"as composed", func(*model.Instance[onedisk.API]) {}, ""},
		{"replaced by one that does nothing", func(in *model.Instance[onedisk.API]) { in.Recover = func() {} }, model.KindRecovery},
		{"wrapped to write after recovering", func(in *model.Instance[onedisk.API]) {
			rec, api := in.Recover, in.API
			in.Recover = func() {
				rec()
				api.Write(0, 1)
			}
		}, model.KindRecovery},
		{"replaced by another composed instance's", func(in *model.Instance[onedisk.API]) {
			// Stages of its own, on a lower layer no check sees.
			other := composed(twodisk.Handle{C: model.Caller[twodisk.Op, twodisk.Ret](nil)})
			in.Recover = other.Recover
		}, model.KindPanic},
	} {
		impl := func(d twodisk.API) model.Instance[onedisk.API] {
			in := composed(d)
			tt.change(&in)
			return in
		}
		sys := model.NewSystem(twodisk.Layer(sizes), onedisk.Layer(sizes), impl, replicated.Abs)
		for _, mode := range model.DeterminismModes {
			for _, workers := range []int{1, 2} {
				res, err := explorer.Run(context.Background(), sys, explorer.Config{Workers: workers, Determinism: mode})
				if err != nil {
					t.Fatal(err)
				}
				if tt.want == "" && res.Verdict != explorer.Verified ||
					tt.want != "" && (res.Verdict != explorer.Violated || res.Violation.Kind != tt.want) {
					t.Errorf("%s, %s, %d workers: verdict %s %+v, want %q", tt.name, mode, workers, res.Verdict, res.Violation, tt.want)
				}
			}
		}
	}
}
