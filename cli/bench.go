package cli

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
)

// benchClock is the clock that dates a bench run: time.Now, which tests
// replace.
var benchClock = time.Now

// benchMachine names the machine, toolchain and date of a bench run.
type benchMachine struct {
	CPU       string `json:"cpu"`
	Cores     int    `json:"cores"`
	GoVersion string `json:"go_version"`
	OS        string `json:"os"`
	Date      string `json:"date"`
	Quick     bool   `json:"quick"`
	Repeats   int    `json:"repeats"`
}

// benchPoint is one run of the matrix.
type benchPoint struct {
	System    string         `json:"system"`
	Size      string         `json:"size"`
	SizeIndex int            `json:"size_index"`
	Params    map[string]any `json:"params"`
	Workers   int            `json:"workers"`
	Repeat    int            `json:"repeat"`
	Verdict   string         `json:"verdict"`
	figures
}

// benchFile is the JSON file of a bench run.
type benchFile struct {
	Machine benchMachine `json:"machine"`
	Points  []benchPoint `json:"points"`
}

type benchFlags struct {
	quick   bool
	out     string
	repeats int
	workers []int
	systems []string
	sizes   []string // --size: sizes replacing the matrix's
}

func newBench(cat *catalog.Catalog) *cobra.Command {
	var f benchFlags
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Run the benchmark matrix and write results files and plots",
		Long: `bench checks every system of the catalogue at its benchmark sizes (or, for
a system that names none, at its defaults, and with one and two blocks more
when it takes --blocks) with 1, 2 and all CPUs' workers, repeating each
point, and writes to the output directory bench-DATE.json (machine, Go
version, date and every run), bench-DATE.csv (the runs), and the plots
bench-DATE-scaling.{svg,png} (states per second against workers) and
bench-DATE-size.{svg,png} (states and seconds against size), DATE being the
date and time the run began (2026-12-04T210257), followed by -2, -3, ...
where an earlier run's files have that name. --quick runs smaller sizes
once, in under a minute. A run whose verdict is not verified is named on
stderr, and bench exits with the worst verdict's status once the files are
written. SIGINT or SIGTERM stops bench with status 3 and writes no files.

` + exitHelp(),
		Args: noArgs("bench"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBench(cmd, cat, f)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.quick, "quick", false, "small sizes, one repeat")
	fl.StringVar(&f.out, "out", "results", "directory for the results files")
	fl.IntVar(&f.repeats, "repeats", 3, "runs of each point (--quick: 1)")
	fl.IntSliceVar(&f.workers, "workers", nil, fmt.Sprintf("worker counts, each 1 to %d (default 1, 2 and the number of CPUs)", explorer.MaxWorkers))
	describe(fl, "repeats", "a whole number, 1 or more")
	describe(fl, "workers", fmt.Sprintf("a list of whole numbers from 1 to %d, separated by commas", explorer.MaxWorkers))
	fl.StringSliceVar(&f.systems, "systems", nil, "systems to run (default: all)")
	mustName(fl, "out", "name a directory")
	mustName(fl, "systems", "name systems (see 'argocheck list')")
	fl.StringArrayVar(&f.sizes, "size", nil, "run this size instead of the matrix's, as name=N,... over the system's parameters, e.g. blocks=5,values=2 (repeatable)")
	return cmd
}

// benchMatrix returns the systems and sizes to run.
func benchMatrix(cat *catalog.Catalog, f benchFlags) ([]*catalog.System, map[string][]catalog.Params, error) {
	for _, name := range f.systems {
		if _, err := cat.Lookup(name); err != nil {
			return nil, nil, err
		}
	}
	var systems []*catalog.System
	sizes := map[string][]catalog.Params{}
	for _, sys := range cat.Systems() {
		if len(f.systems) > 0 && !slices.Contains(f.systems, sys.Name) {
			continue
		}
		var ps []catalog.Params
		var err error
		switch {
		case len(f.sizes) > 0:
			for _, spec := range f.sizes {
				p, err := parseSize(sys, spec)
				if err != nil {
					return nil, nil, fmt.Errorf("--size %q: %v", spec, err)
				}
				ps = append(ps, p)
			}
		case f.quick && len(sys.Bench.Quick) > 0:
			ps, err = completeSizes(sys, sys.Bench.Quick)
		case !f.quick && len(sys.Bench.Full) > 0:
			ps, err = completeSizes(sys, sys.Bench.Full)
		default:
			ps = defaultSizes(sys, f.quick)
		}
		if err != nil {
			return nil, nil, err
		}
		systems = append(systems, sys)
		sizes[sys.Name] = ps
	}
	return systems, sizes, nil
}

// completeSizes completes and validates a system's benchmark sizes.
func completeSizes(sys *catalog.System, sizes []catalog.Params) ([]catalog.Params, error) {
	out := make([]catalog.Params, len(sizes))
	for i, p := range sizes {
		var err error
		if out[i], err = checkParams(sys, p, ""); err != nil {
			return nil, fmt.Errorf("benchmark size %d of %v", i+1, err)
		}
	}
	return out, nil
}

// defaultSizes are the sizes of a system that names none: its defaults,
// and, where it has a blocks parameter and not quick, one and two blocks
// more, as far as they are valid.
func defaultSizes(sys *catalog.System, quick bool) []catalog.Params {
	p := sys.Defaults()
	ps := []catalog.Params{p}
	if _, ok := sys.Param(benchBlocks); !ok || quick {
		return ps
	}
	for more := range 2 {
		q := p.With(benchBlocks, p[benchBlocks]+more+1)
		if sys.Validate(q, "") == nil {
			ps = append(ps, q)
		}
	}
	return ps
}

// benchBlocks is the parameter a benchmark grows for a system that names
// no sizes of its own.
const benchBlocks = "blocks"

// parseSize reads a size written name=N,... over sys's defaults and
// validates it; a value out of its range is named as the size writes it
// (blocks, not --blocks), as the catalogue's error does.
func parseSize(sys *catalog.System, spec string) (catalog.Params, error) {
	p := catalog.Params{}
	for kv := range strings.SplitSeq(spec, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("want name=value, not %q", kv)
		}
		if err := setParam(sys, p, k, v); err != nil {
			return nil, err
		}
	}
	return checkParams(sys, p, "")
}

func runBench(cmd *cobra.Command, cat *catalog.Catalog, f benchFlags) error {
	if f.quick && !cmd.Flags().Changed("repeats") {
		f.repeats = 1
	}
	if f.repeats < 1 {
		return usagef("--repeats must be at least 1, not %d", f.repeats)
	}
	if len(f.workers) == 0 {
		f.workers = []int{1, 2, defaultWorkers()}
	}
	slices.Sort(f.workers)
	f.workers = slices.Compact(f.workers)
	for _, w := range []int{f.workers[0], f.workers[len(f.workers)-1]} {
		if err := checkWorkers(w); err != nil {
			return usage(err)
		}
	}
	systems, sizes, err := benchMatrix(cat, f)
	if err != nil {
		return usage(err)
	}
	// Every point is built before any runs, so that a bad one runs none.
	checks := map[string][]model.Checker{}
	for _, sys := range systems {
		for _, p := range sizes[sys.Name] {
			chk, err := build(sys, p, "")
			if err != nil {
				return err
			}
			checks[sys.Name] = append(checks[sys.Name], chk)
		}
	}
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return usagef("--out %s: %v", f.out, cause(err))
	}
	if err := checkDir(f.out); err != nil {
		return usagef("--out %s: %v", f.out, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	now := benchClock().UTC()
	file := benchFile{Machine: benchMachine{
		CPU: cpuModel(), Cores: runtime.NumCPU(), GoVersion: runtime.Version(),
		OS: runtime.GOOS + "/" + runtime.GOARCH, Date: now.Format(time.RFC3339),
		Quick: f.quick, Repeats: f.repeats,
	}}
	out := cmd.OutOrStdout()
	worst := explorer.Verified
	for _, sys := range systems {
		for si, p := range sizes[sys.Name] {
			chk := checks[sys.Name][si]
			values, words := reportParams(sys, p) // the size, named as --size writes it
			// Repeats are the outer loop, so that a slow spell of the
			// machine touches every worker count alike.
			for r := range f.repeats {
				for _, w := range f.workers {
					res, err := explorer.Run(ctx, chk, explorer.Config{Workers: w})
					if err != nil {
						return searchFail(err)
					}
					if ctx.Err() != nil {
						return &failure{ExitIncomplete, errors.New("interrupted: no results written")}
					}
					pt := benchPoint{
						System: sys.Name, Size: strings.Join(words, ","), SizeIndex: si, Params: values, Workers: w, Repeat: r,
						Verdict: string(res.Verdict), figures: newFigures(res, w),
					}
					file.Points = append(file.Points, pt)
					// A row of a run that did not verify says so itself:
					// its figures are not those of the whole check.
					unverified := ""
					if res.Verdict != explorer.Verified {
						unverified = fmt.Sprintf(" verdict=%s (not verified)", res.Verdict)
					}
					fmt.Fprintf(out, "%s %s workers=%d repeat=%d states=%d seconds=%.3f states_per_second=%.0f bytes_per_state=%.1f expanding_share=%.3f%s\n",
						pt.System, pt.Size, w, r, pt.States, pt.Seconds, pt.StatesPerSecond, pt.BytesPerState, pt.expandingShare(), unverified)
					if res.Verdict != explorer.Verified {
						fmt.Fprintf(cmd.ErrOrStderr(), "%s: %s %s workers=%d repeat=%d: verdict %s, not verified: its figures are not those of the whole check\n",
							cmd.Root().Name(), pt.System, pt.Size, w, r, res.Verdict)
					}
					if worse(res.Verdict, worst) {
						worst = res.Verdict
					}
				}
			}
		}
	}
	stem, err := claimStem(filepath.Join(f.out, "bench-"+now.Format("2006-01-02T150405")))
	if err != nil {
		return ioFail(err)
	}
	for _, write := range []func() error{
		func() error { return writeBenchJSON(stem+".json", &file) },
		func() error { return writeBenchCSV(stem+".csv", file.Points) },
		func() error { return writeBenchPlots(stem, &file) },
	} {
		if err := write(); err != nil {
			return ioFail(err)
		}
	}
	fmt.Fprintf(out, "wrote %s.{json,csv} and %s-{scaling,size}.{svg,png}\n", stem, stem)
	return exit(verdictStatus(worst))
}

// claimStem returns the stem of a bench run's files: base, or base-2,
// base-3, ... when an earlier run (begun in the same second) has the
// files of base, which this run would overwrite. It claims the stem by
// creating its JSON file, empty, so that a run beside it takes another.
func claimStem(base string) (string, error) {
	for n := 1; ; n++ {
		stem := base
		if n > 1 {
			stem = fmt.Sprintf("%s-%d", base, n)
		}
		fh, err := os.OpenFile(stem+".json", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		return stem, fh.Close()
	}
}

// cpuModel returns the processor's model name from /proc/cpuinfo.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func writeBenchJSON(path string, file *benchFile) error {
	b, err := json.MarshalIndent(file, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func writeBenchCSV(path string, points []benchPoint) error {
	fh, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := writeCSV(fh, points); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}

func writeCSV(w io.Writer, points []benchPoint) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"system", "size", "workers", "repeat", "verdict", "states",
		"transitions", "crash_points", "depth", "seconds", "states_per_second", "memory_bytes",
		"bytes_per_state", "level_bytes", "collision_probability", "expanding_share"})
	for _, p := range points {
		cw.Write([]string{p.System, p.Size,
			strconv.Itoa(p.Workers), strconv.Itoa(p.Repeat), p.Verdict, fmt.Sprint(p.States),
			fmt.Sprint(p.Transitions), fmt.Sprint(p.CrashPoints), strconv.Itoa(p.Depth),
			strconv.FormatFloat(p.Seconds, 'f', -1, 64), strconv.FormatFloat(p.StatesPerSecond, 'f', -1, 64),
			fmt.Sprint(p.MemoryBytes), strconv.FormatFloat(p.BytesPerState, 'f', -1, 64),
			fmt.Sprint(p.LevelBytes), strconv.FormatFloat(p.Collision, 'g', 4, 64),
			strconv.FormatFloat(p.expandingShare(), 'f', -1, 64)})
	}
	cw.Flush()
	return cw.Error()
}
