package layers

import (
	"fmt"
	"strings"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/layers/replicated"
	"github.com/argocheck/argocheck/layers/twodisk"
	"github.com/argocheck/argocheck/layers/txndisk"
	"github.com/argocheck/argocheck/layers/wal"
	"github.com/argocheck/argocheck/model"
)

// Variant name prefixes of log/repdisk: a variant of one layer of the stack
// is named after the layer, as "log:no-recovery" or "rep:no-recovery".
const (
	LogPrefix = "log:"
	RepPrefix = "rep:"
)

// RecoverUpperFirst is the log/repdisk variant whose composed recovery
// runs the log's recovery before the replicated disk's.
const RecoverUpperFirst = "recover-upper-first"

var logParams = []catalog.Param{
	{Name: Blocks, Default: 2, Min: 1, Max: wal.MaxBlocks, About: "data blocks"},
	valuesParam(8),
	{Name: Log, Default: 2, Min: 1, Max: wal.MaxLog, About: "log capacity (entries per transaction)"},
	oobParam,
}

func stackVariants() catalog.Variants {
	vs := append(wal.Variants.Prefixed(LogPrefix, "log: "), replicated.Variants.Prefixed(RepPrefix, "replicated disk: ")...)
	return append(vs, catalog.Variant{Name: RecoverUpperFirst, About: "the stack's recovery runs the log's recovery before the replicated disk's"})
}

// logSizes returns the geometry of the log and the sizes of its upper
// layer (TxnDisk) and of the disk below it.
func logSizes(p catalog.Params) (cfg wal.Config, upper, lower disk.Sizes, err error) {
	cfg = wal.Config{Blocks: p.Get(Blocks), Log: p.Get(Log)}
	if err = cfg.Validate(); err != nil {
		return
	}
	upper = diskSizes(p)
	lower = upper
	lower.Blocks = cfg.DiskBlocks()
	return
}

// logOneDisk is the OneDisk specification with a Format that shows the
// log's layout.
type logOneDisk struct {
	onedisk.Spec
	cfg wal.Config
}

func (s logOneDisk) Format(st *onedisk.State) string { return wal.Format(s.cfg, &st.Disk) }

// logTwoDisk is the TwoDisk specification with a Format that shows the
// log's layout on each working disk.
type logTwoDisk struct {
	twodisk.Spec
	cfg wal.Config
}

func (s logTwoDisk) Format(st *twodisk.State) string {
	var b strings.Builder
	for _, d := range []twodisk.ID{twodisk.D0, twodisk.D1} {
		if d != twodisk.D0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=", d)
		if st.Status.Working(d) {
			b.WriteString(wal.Format(s.cfg, &st.Disks[d]))
		} else {
			b.WriteString("failed")
		}
	}
	return b.String()
}

// LogSystem returns the check of the write-ahead log on the OneDisk
// specification.
func LogSystem(p catalog.Params, v wal.Variant) (model.Checker, error) {
	cfg, upper, lower, err := logSizes(p)
	if err != nil {
		return nil, err
	}
	low := onedisk.Layer(lower)
	low.Spec = logOneDisk{onedisk.NewSpec(lower), cfg}
	return model.NewSystem(low, txndisk.Layer(upper), wal.Impl(cfg, v), wal.Abs(cfg)), nil
}

// StackSystem returns the end-to-end check of the write-ahead log on the
// replicated disk on TwoDisk: the implementations composed with
// model.Compose (or, when upperFirst, with the two recoveries in the wrong
// order) and the relations with model.ComposeRelations.
func StackSystem(p catalog.Params, lv wal.Variant, rv replicated.Variant, upperFirst bool) (model.Checker, error) {
	cfg, upper, lower, err := logSizes(p)
	if err != nil {
		return nil, err
	}
	low := twodisk.Layer(lower)
	low.Spec = logTwoDisk{twodisk.NewSpec(lower), cfg}
	compose := model.Compose[twodisk.API, onedisk.API, txndisk.API]
	if upperFirst {
		compose = composeUpperFirst[twodisk.API, onedisk.API, txndisk.API]
	}
	return model.NewSystem(low, txndisk.Layer(upper), compose(replicated.Impl(rv), wal.Impl(cfg, lv)),
		model.ComposeRelations(wal.Abs(cfg), replicated.Abs)), nil
}

// composeUpperFirst is model.Compose with the recoveries in the wrong
// order: upper's recovery runs before lower's has repaired the layer it
// runs on.
func composeUpperFirst[C, B, A any](lower model.Impl[C, B], upper model.Impl[B, A]) model.Impl[C, A] {
	return func(c C) model.Instance[A] {
		b := lower(c)
		a := upper(b.API)
		return model.Instance[A]{
			API: a.API,
			Recover: func() {
				a.Recover()
				b.Recover()
			},
		}
	}
}

// parseStackVariant splits a log/repdisk variant name into the variant of
// each layer and whether the recoveries run upper first.
func parseStackVariant(name string) (lv wal.Variant, rv replicated.Variant, upperFirst bool, err error) {
	switch {
	case name == "":
	case name == RecoverUpperFirst:
		upperFirst = true
	case strings.HasPrefix(name, LogPrefix):
		lv, err = wal.ParseVariant(strings.TrimPrefix(name, LogPrefix))
	case strings.HasPrefix(name, RepPrefix):
		rv, err = replicated.ParseVariant(strings.TrimPrefix(name, RepPrefix))
	default:
		err = fmt.Errorf("unknown log/repdisk variant %q", name)
	}
	return
}

func init() {
	register(&catalog.System{
		Name:     "log",
		About:    "write-ahead log (TxnDisk) on one disk (OneDisk)",
		Params:   logParams,
		Variants: wal.Variants,
		Bench: catalog.BenchSizes{
			Full:  []catalog.Params{{Blocks: 4, Values: 2, Log: 3}, {Blocks: 5, Values: 2, Log: 3}, {Blocks: 4, Values: 3, Log: 3}},
			Quick: []catalog.Params{{Blocks: 3, Values: 2, Log: 2}, {Blocks: 3, Values: 2, Log: 3}, {Blocks: 4, Values: 2, Log: 3}},
		},
		Build: func(p catalog.Params, variant string) (model.Checker, error) {
			v, err := wal.ParseVariant(variant)
			if err != nil {
				return nil, err
			}
			return LogSystem(p, v)
		},
	})
	register(&catalog.System{
		Name:     "log/repdisk",
		About:    "write-ahead log (TxnDisk) on the replicated disk on two fail-stop disks (TwoDisk), end to end",
		Params:   logParams,
		Variants: stackVariants(),
		Bench: catalog.BenchSizes{
			Full:  []catalog.Params{{Blocks: 4, Values: 2, Log: 2}, {Blocks: 5, Values: 2, Log: 2}, {Blocks: 6, Values: 2, Log: 2}},
			Quick: []catalog.Params{{Blocks: 2, Values: 2, Log: 2}, {Blocks: 3, Values: 2, Log: 2}, {Blocks: 4, Values: 2, Log: 2}},
		},
		Build: func(p catalog.Params, variant string) (model.Checker, error) {
			lv, rv, upperFirst, err := parseStackVariant(variant)
			if err != nil {
				return nil, err
			}
			return StackSystem(p, lv, rv, upperFirst)
		},
		Modular: func(p catalog.Params, variant string) ([]catalog.Part, error) {
			lv, rv, _, err := parseStackVariant(variant)
			if err != nil {
				return nil, err
			}
			_, _, lower, err := logSizes(p)
			if err != nil {
				return nil, err
			}
			return []catalog.Part{
				// The replicated disk is checked at the client values only
				// (two at least, see valuesParam); that it treats the
				// log's header and descriptor values alike is assumed,
				// not checked: the end-to-end check below is what covers
				// them.
				{System: "repdisk", Params: catalog.Params{Blocks: lower.Blocks, Values: lower.Values, OOB: p.Get(OOB)}, Variant: string(rv)},
				{System: "log", Params: p, Variant: string(lv)},
				{System: "log/repdisk", Params: p, Variant: variant},
			}, nil
		},
	})
}
