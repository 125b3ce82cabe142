package layers

import (
	"fmt"
	"strings"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/layers/asyncdisk"
	"github.com/argocheck/argocheck/layers/replicated"
	"github.com/argocheck/argocheck/layers/twoasyncdisk"
	"github.com/argocheck/argocheck/layers/txndisk"
	"github.com/argocheck/argocheck/layers/wal"
	"github.com/argocheck/argocheck/model"
)

// The systems on disks with write caches (package asyncdisk) keep every
// may-set within asyncdisk.MaxMay = 8 values: a client value block holds
// at most Values <= 8 values; a log header at most the 2L+2 <= 8 headers a
// log of capacity L <= 3 can write; a log descriptor at most L+1 between
// two flushes of the correct log or of a log missing one flush. Only a log
// that never flushes (no-flush, or on a replicated disk that never flushes
// d1) writes more descriptors between flushes, and with two values or
// more it fails in at most four operations, before five descriptors. With
// one value no transaction can be told from another, such a log verifies,
// and its descriptors pile up: the logs take two values at least.

// asyncLogParams are the parameters of the log on a disk with a write
// cache: one data block by default (two entries to it already tell every
// missing flush apart).
var asyncLogParams = []catalog.Param{
	{Name: Blocks, Default: 1, Min: 1, Max: wal.MaxBlocks, About: "data blocks"},
	valuesParam(asyncdisk.MaxMay),
	{Name: Log, Default: 2, Min: 1, Max: wal.MaxLog, About: "log capacity (entries per transaction)"},
	oobParam,
}

// asyncStackParams are the parameters of the log on the replicated disk on
// disks with write caches: one data block only. A crash there may leave any
// combination of the two disks' cached blocks, and with two data blocks a
// check follows 29 million edges (50 times the synchronous stack's), too
// many for the tests that run every system of the catalogue at one block
// more than its default.
var asyncStackParams = []catalog.Param{
	{Name: Blocks, Default: 1, Min: 1, Max: 1, About: "data blocks (one)"},
	asyncLogParams[1], asyncLogParams[2], oobParam,
}

// asyncDiskParams are the parameters of the replicated disk on disks with
// write caches; values^blocks must be at most model.MaxAllowed
// (asyncdisk.CheckUpper).
var asyncDiskParams = []catalog.Param{
	{Name: Blocks, Default: 2, Min: 1, Max: 8, About: "blocks per disk"},
	valuesParam(asyncdisk.MaxMay),
	oobParam,
}

// logAsyncDisk is the AsyncDisk specification with a Format that shows the
// log's layout.
type logAsyncDisk struct {
	asyncdisk.Spec
	cfg wal.Config
}

func (s logAsyncDisk) Format(st *asyncdisk.State) string { return wal.FormatAsync(s.cfg, &st.Disk) }

// logTwoAsyncDisk is the TwoAsyncDisk specification with a Format that
// shows the log's layout on each working disk.
type logTwoAsyncDisk struct {
	twoasyncdisk.Spec
	cfg wal.Config
}

func (s logTwoAsyncDisk) Format(st *twoasyncdisk.State) string {
	return twoasyncdisk.FormatWith(st, func(d *asyncdisk.Disk) string { return wal.FormatAsync(s.cfg, d) })
}

// AsyncLogSystem returns the check of the write-ahead log on AsyncDisk.
func AsyncLogSystem(p catalog.Params, v wal.Variant) (model.Checker, error) {
	cfg, upper, lower, err := logSizes(p)
	if err != nil {
		return nil, err
	}
	low := asyncdisk.Layer(lower)
	low.Spec = logAsyncDisk{asyncdisk.NewSpec(lower), cfg}
	return model.NewSystem(low, txndisk.Layer(upper), wal.AsyncImpl(cfg, v), wal.AsyncAbs(cfg)), nil
}

// AsyncRepdiskSystem returns the check of the replicated disk on
// TwoAsyncDisk against AsyncDisk.
func AsyncRepdiskSystem(p catalog.Params, v replicated.Variant) (model.Checker, error) {
	sizes := diskSizes(p)
	if err := asyncdisk.CheckUpper(sizes); err != nil {
		return nil, err
	}
	return model.NewSystem(twoasyncdisk.Layer(sizes), asyncdisk.Layer(sizes), replicated.AsyncImpl(v), replicated.AsyncAbs), nil
}

// AsyncStackSystem returns the end-to-end check of the write-ahead log on
// the replicated disk on TwoAsyncDisk, as StackSystem does on TwoDisk.
func AsyncStackSystem(p catalog.Params, lv wal.Variant, rv replicated.Variant, upperFirst bool) (model.Checker, error) {
	cfg, upper, lower, err := logSizes(p)
	if err != nil {
		return nil, err
	}
	low := twoasyncdisk.Layer(lower)
	low.Spec = logTwoAsyncDisk{twoasyncdisk.NewSpec(lower), cfg}
	compose := model.Compose[twoasyncdisk.API, asyncdisk.API, txndisk.API]
	if upperFirst {
		compose = composeUpperFirst[twoasyncdisk.API, asyncdisk.API, txndisk.API]
	}
	return model.NewSystem(low, txndisk.Layer(upper), compose(replicated.AsyncImpl(rv), wal.AsyncImpl(cfg, lv)),
		model.ComposeRelations(wal.AsyncAbs(cfg), replicated.AsyncAbs)), nil
}

func asyncStackVariants() catalog.Variants {
	vs := append(wal.AsyncVariants.Prefixed(LogPrefix, "log: "), replicated.AsyncVariants.Prefixed(RepPrefix, "replicated disk: ")...)
	return append(vs, catalog.Variant{Name: RecoverUpperFirst, About: "the stack's recovery runs the log's recovery before the replicated disk's"})
}

// parseAsyncStackVariant splits a log/async-repdisk variant name as
// parseStackVariant does.
func parseAsyncStackVariant(name string) (lv wal.Variant, rv replicated.Variant, upperFirst bool, err error) {
	switch {
	case name == "":
	case name == RecoverUpperFirst:
		upperFirst = true
	case strings.HasPrefix(name, LogPrefix):
		lv, err = wal.ParseAsyncVariant(strings.TrimPrefix(name, LogPrefix))
	case strings.HasPrefix(name, RepPrefix):
		rv, err = replicated.ParseAsyncVariant(strings.TrimPrefix(name, RepPrefix))
	default:
		err = fmt.Errorf("unknown log/async-repdisk variant %q", name)
	}
	return
}

func init() {
	register(&catalog.System{
		Name:     "log/async",
		About:    "write-ahead log (TxnDisk) on one disk with a write cache (AsyncDisk)",
		Params:   asyncLogParams,
		Variants: wal.AsyncVariants,
		Bench: catalog.BenchSizes{
			Full:  []catalog.Params{{Blocks: 2, Values: 2, Log: 2}, {Blocks: 3, Values: 2, Log: 2}, {Blocks: 4, Values: 2, Log: 2}},
			Quick: []catalog.Params{{Blocks: 1, Values: 2, Log: 2}, {Blocks: 2, Values: 2, Log: 2}, {Blocks: 3, Values: 2, Log: 2}},
		},
		Build: func(p catalog.Params, variant string) (model.Checker, error) {
			v, err := wal.ParseAsyncVariant(variant)
			if err != nil {
				return nil, err
			}
			return AsyncLogSystem(p, v)
		},
	})
	register(&catalog.System{
		Name:     "repdisk/async",
		About:    "replicated disk (AsyncDisk) on two fail-stop disks with write caches (TwoAsyncDisk)",
		Params:   asyncDiskParams,
		Variants: replicated.AsyncVariants,
		Bench: catalog.BenchSizes{
			Full:  []catalog.Params{{Blocks: 4, Values: 2}, {Blocks: 5, Values: 2}, {Blocks: 6, Values: 2}},
			Quick: []catalog.Params{{Blocks: 3, Values: 2}, {Blocks: 4, Values: 2}, {Blocks: 5, Values: 2}},
		},
		Build: func(p catalog.Params, variant string) (model.Checker, error) {
			v, err := replicated.ParseAsyncVariant(variant)
			if err != nil {
				return nil, err
			}
			return AsyncRepdiskSystem(p, v)
		},
	})
	register(&catalog.System{
		Name:     "log/async-repdisk",
		About:    "write-ahead log (TxnDisk) on the replicated disk on two fail-stop disks with write caches (TwoAsyncDisk), end to end",
		Params:   asyncStackParams,
		Variants: asyncStackVariants(),
		Bench: catalog.BenchSizes{
			Full:  []catalog.Params{{Blocks: 1, Values: 2, Log: 2}, {Blocks: 1, Values: 2, Log: 3}, {Blocks: 1, Values: 3, Log: 3}},
			Quick: []catalog.Params{{Blocks: 1, Values: 2, Log: 1}, {Blocks: 1, Values: 2, Log: 2}, {Blocks: 1, Values: 3, Log: 2}},
		},
		Build: func(p catalog.Params, variant string) (model.Checker, error) {
			lv, rv, upperFirst, err := parseAsyncStackVariant(variant)
			if err != nil {
				return nil, err
			}
			return AsyncStackSystem(p, lv, rv, upperFirst)
		},
		Modular: func(p catalog.Params, variant string) ([]catalog.Part, error) {
			lv, rv, _, err := parseAsyncStackVariant(variant)
			if err != nil {
				return nil, err
			}
			_, _, lower, err := logSizes(p)
			if err != nil {
				return nil, err
			}
			if err := asyncdisk.CheckUpper(lower); err != nil {
				return nil, fmt.Errorf("the replicated disk's own check at the %d blocks the log uses: %w", lower.Blocks, err)
			}
			return []catalog.Part{
				// As for log/repdisk, the replicated disk's check with the
				// client values stands for the log's header and
				// descriptor values.
				{System: "repdisk/async", Params: catalog.Params{Blocks: lower.Blocks, Values: lower.Values, OOB: p.Get(OOB)}, Variant: string(rv)},
				{System: "log/async", Params: p, Variant: string(lv)},
				{System: "log/async-repdisk", Params: p, Variant: variant},
			}, nil
		},
	})
}
