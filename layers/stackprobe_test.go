package layers_test

import (
	"context"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/layers/asyncdisk"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/layers/replicated"
	"github.com/argocheck/argocheck/layers/twoasyncdisk"
	"github.com/argocheck/argocheck/layers/twodisk"
	"github.com/argocheck/argocheck/layers/txndisk"
	"github.com/argocheck/argocheck/layers/wal"
	"github.com/argocheck/argocheck/model"
)

// Wrong layers written over the catalogue's, stacked with model.Compose,
// that a check must catch: a bug of the third stage of a composed
// recovery that only a crash during that stage reveals, a flush left out
// only after a disk fails, and a note that one stage of a recovery leaves
// in memory for the next.

// marked is TxnDisk of one block on TxnDisk of two: block 1 is a marker
// that recovery sets and clears in two transactions. bad: a recovery that
// finds the marker set, which only a crash between those transactions
// leaves, zeroes the data block.
type marked struct {
	d   txndisk.API
	bad bool
}

func (m *marked) Read(a disk.Addr) disk.Block          { return m.d.Read(a) }
func (m *marked) Write(a disk.Addr, b disk.Block) bool { return m.d.Write(a, b) }
func (m *marked) Commit()                              { m.d.Commit() }
func (m *marked) Size() int                            { return 1 }

func (m *marked) Recover() {
	if m.d.Read(1) == 1 {
		if m.bad {
			m.d.Write(0, 0)
		}
		m.d.Write(1, 0)
		m.d.Commit()
		return
	}
	m.d.Write(1, 1)
	m.d.Commit()
	m.d.Write(1, 0)
	m.d.Commit()
}

func markedImpl(bad bool) model.Impl[txndisk.API, txndisk.API] {
	return func(d txndisk.API) model.Instance[txndisk.API] {
		m := &marked{d: d, bad: bad}
		return model.Instance[txndisk.API]{API: m, Recover: m.Recover}
	}
}

// markedAbs relates a disk whose marker is clear to its data block.
func markedAbs(c *txndisk.State) (txndisk.State, bool) {
	if c.Old[1] != 0 || c.New[1] != 0 {
		return txndisk.State{}, false
	}
	var s txndisk.State
	s.Old[0], s.New[0] = c.Old[0], c.New[0]
	return s, true
}

func probe(t *testing.T, chk model.Checker, crashes model.CrashMode, d model.Determinism) *explorer.Result {
	t.Helper()
	r, err := explorer.Run(context.Background(), chk, explorer.Config{Crashes: crashes, Determinism: d, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestThreeStageRecovery: marked on the log on the replicated disk, a
// recovery of three stages, composed either way. The correct one verifies
// with as many states either way; the bad one is a recovery violation
// whose path crashes during recovery, and so verifies (narrowed) with no
// crash during recovery.
func TestThreeStageRecovery(t *testing.T) {
	cfg := wal.Config{Blocks: 2, Log: 2}
	lower := disk.Sizes{Blocks: cfg.DiskBlocks(), Values: 2}
	rel := model.ComposeRelations(model.Relation[txndisk.State, txndisk.State](markedAbs),
		model.ComposeRelations(wal.Abs(cfg), replicated.Abs))
	for _, bad := range []bool{false, true} {
		for _, nest := range []string{"(rep;log);marked", "rep;(log;marked)"} {
			impl := model.Compose(model.Compose(replicated.Impl(""), wal.Impl(cfg, "")), markedImpl(bad))
			if nest == "rep;(log;marked)" {
				impl = model.Compose(replicated.Impl(""), model.Compose(wal.Impl(cfg, ""), markedImpl(bad)))
			}
			for _, m := range []model.CrashMode{model.CrashAll, model.CrashNoNested} {
				for _, d := range model.DeterminismModes {
					chk := model.NewSystem(twodisk.Layer(lower), txndisk.Layer(disk.Sizes{Blocks: 1, Values: 2}), impl, rel)
					r := probe(t, chk, m, d)
					switch {
					case !bad || m != model.CrashAll:
						want := map[model.CrashMode]uint64{model.CrashAll: 887, model.CrashNoNested: 419}[m]
						if r.Verdict != explorer.Verified || r.States != want {
							t.Errorf("bad=%v %s %s %s: %s with %d states, want verified with %d: %v", bad, nest, m, d, r.Verdict, r.States, want, r.Violation)
						}
					case r.Verdict != explorer.Violated || r.Violation.Kind != model.KindRecovery || r.Trace.Len() != 5 || !hasCrashInRecovery(r.Trace):
						t.Errorf("bad %s %s %s: %s %v, want a recovery violation in 5 steps, crashing during recovery", nest, m, d, r.Verdict, r.Violation)
					case !strings.Contains(r.Trace.String(), "stage 3 of 3"):
						t.Errorf("bad %s %s %s: the path marks no third stage\n%s", nest, m, d, r.Trace)
					}
				}
			}
		}
	}
}

// skipFlush is the replicated disk on disks with write caches whose flush
// leaves d1 unflushed when d0's flush fails (d0 has failed).
type skipFlush struct {
	asyncdisk.API
	d twoasyncdisk.API
}

func (s skipFlush) Flush() {
	if s.d.Flush(twodisk.D0) {
		s.d.Flush(twodisk.D1)
	}
}

func skipFlushImpl(d twoasyncdisk.API) model.Instance[asyncdisk.API] {
	in := replicated.AsyncImpl(replicated.Correct)(d)
	return model.Instance[asyncdisk.API]{API: skipFlush{in.API, d}, Recover: in.Recover}
}

// recoverySkipsFlush is the replicated disk on disks with write caches
// whose recovery returns without its flushes when it meets a failed disk,
// leaving its repairs in d1's cache.
func recoverySkipsFlush(d twoasyncdisk.API) model.Instance[asyncdisk.API] {
	in := replicated.AsyncImpl(replicated.Correct)(d)
	rec := func() {
		n, ok := d.Size(twodisk.D0)
		if !ok {
			n, _ = d.Size(twodisk.D1)
		}
		for a := disk.Addr(n); a > 0; a-- {
			b0, ok0 := d.Read(twodisk.D0, a-1)
			if !ok0 {
				return
			}
			b1, ok1 := d.Read(twodisk.D1, a-1)
			if !ok1 {
				return
			}
			if b0 != b1 {
				d.Write(twodisk.D1, a-1, b0)
			}
		}
		d.Flush(twodisk.D0)
		d.Flush(twodisk.D1)
	}
	return model.Instance[asyncdisk.API]{API: in.API, Recover: rec}
}

// TestFlushLeftOutAfterAFailure: a flush left out only once a disk has
// failed is caught in every crash and determinism mode, alone and under
// the log, where it needs a failure, a crash and the cache's loss. The
// recovery that leaves its repairs in the cache after a failure is caught
// alone; under the log the stack verifies with the correct stack's states,
// and rightly: the log's recovery always ends with a flush, which makes
// the repairs durable before any operation (the layer's own check, a part
// of check --modular, is what reports it).
func TestFlushLeftOutAfterAFailure(t *testing.T) {
	sizes := disk.Sizes{Blocks: 2, Values: 2}
	cfg := wal.Config{Blocks: 1, Log: 2}
	lower := disk.Sizes{Blocks: cfg.DiskBlocks(), Values: 2}
	alone := func(impl model.Impl[twoasyncdisk.API, asyncdisk.API]) model.Checker {
		return model.NewSystem(twoasyncdisk.Layer(sizes), asyncdisk.Layer(sizes), impl, replicated.AsyncAbs)
	}
	stacked := func(impl model.Impl[twoasyncdisk.API, asyncdisk.API]) model.Checker {
		return model.NewSystem(twoasyncdisk.Layer(lower), txndisk.Layer(disk.Sizes{Blocks: 1, Values: 2}),
			model.Compose(impl, wal.AsyncImpl(cfg, "")), model.ComposeRelations(wal.AsyncAbs(cfg), replicated.AsyncAbs))
	}
	for _, m := range model.CrashModes {
		for _, d := range model.DeterminismModes {
			for _, tc := range []struct {
				name   string
				chk    model.Checker
				kind   string
				length int
			}{
				{"flush alone", alone(skipFlushImpl), model.KindRefinement, 2},
				{"flush under the log", stacked(skipFlushImpl), model.KindRecovery, 4},
				{"recovery alone", alone(recoverySkipsFlush), model.KindRecovery, map[bool]int{true: 3, false: 2}[m == model.CrashBetweenOps]},
				{"recovery under the log", stacked(recoverySkipsFlush), "", 0},
			} {
				r := probe(t, tc.chk, m, d)
				if tc.kind == "" {
					want := map[bool]uint64{true: 504, false: 1042}[m == model.CrashBetweenOps]
					if r.Verdict != explorer.Verified || r.States != want {
						t.Errorf("%s, %s %s: %s with %d states, want verified with %d: %v", tc.name, m, d, r.Verdict, r.States, want, r.Violation)
					}
					continue
				}
				if r.Verdict != explorer.Violated || r.Violation.Kind != tc.kind || r.Trace.Len() != tc.length {
					t.Errorf("%s, %s %s: %s %v, want %s in %d steps", tc.name, m, d, r.Verdict, r.Violation, tc.kind, tc.length)
				}
			}
		}
	}
}

// noteField is the replicated disk whose recovery leaves a note in a
// field that the next read consumes: that read returns 0 without reading.
type noteField struct {
	onedisk.API
	skip bool
}

func (o *noteField) Read(a disk.Addr) disk.Block {
	if o.skip {
		o.skip = false
		return 0
	}
	return o.API.Read(a)
}

func noteFieldImpl(d twodisk.API) model.Instance[onedisk.API] {
	in := replicated.Impl("")(d)
	o := &noteField{API: in.API}
	return model.Instance[onedisk.API]{API: o, Recover: func() { in.Recover(); o.skip = true }}
}

// noteClosure is noteField with the note in a variable its closures
// capture, which no walk of memory sees.
type noteClosure struct {
	onedisk.API
	read func(disk.Addr) disk.Block
}

func (h noteClosure) Read(a disk.Addr) disk.Block { return h.read(a) }

func noteClosureImpl(d twodisk.API) model.Instance[onedisk.API] {
	in := replicated.Impl("")(d)
	skip := false
	read := func(a disk.Addr) disk.Block {
		if skip {
			skip = false
			return 0
		}
		return in.API.Read(a)
	}
	return model.Instance[onedisk.API]{API: noteClosure{in.API, read}, Recover: func() { in.Recover(); skip = true }}
}

// TestRecoveryNoteForTheNextStage: a note that the replicated disk's
// recovery leaves in memory, which the log's recovery (the next stage)
// consumes with its first read, is a nondeterminism violation in both
// determinism modes, in a field or in a closure's variable: a search
// runs each stage from the state the stage before ended in, and the runs
// of a whole recovery on one instance and stage by stage on new ones are
// compared.
func TestRecoveryNoteForTheNextStage(t *testing.T) {
	cfg := wal.Config{Blocks: 1, Log: 2}
	lower := disk.Sizes{Blocks: cfg.DiskBlocks(), Values: 2}
	for _, tc := range []struct {
		name string
		impl model.Impl[twodisk.API, onedisk.API]
	}{{"field", noteFieldImpl}, {"closure", noteClosureImpl}} {
		for _, d := range model.DeterminismModes {
			chk := model.NewSystem(twodisk.Layer(lower), txndisk.Layer(disk.Sizes{Blocks: 1, Values: 2}),
				model.Compose(tc.impl, wal.Impl(cfg, "")), model.ComposeRelations(wal.Abs(cfg), replicated.Abs))
			if r := probe(t, chk, model.CrashAll, d); r.Verdict != explorer.Violated || r.Violation.Kind != model.KindNondeterminism {
				t.Errorf("%s, %s: %s %v, want a nondeterminism violation", tc.name, d, r.Verdict, r.Violation)
			}
		}
	}
}
