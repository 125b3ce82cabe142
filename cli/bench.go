package cli

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
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
	"github.com/argocheck/argocheck/layers"
)

// benchSizes are the three sizes each system is benchmarked at, smallest
// first, full and quick. A system missing here is run at its default
// sizes with zero, one and two blocks more (quick: its defaults only).
var benchSizes = map[string]struct{ full, quick []catalog.Params }{
	"repdisk": {
		full:  []catalog.Params{{Blocks: 6, Values: 3}, {Blocks: 7, Values: 3}, {Blocks: 7, Values: 4}},
		quick: []catalog.Params{{Blocks: 4, Values: 3}, {Blocks: 5, Values: 3}, {Blocks: 6, Values: 3}},
	},
	"log": {
		full:  []catalog.Params{{Blocks: 4, Values: 2, Log: 3}, {Blocks: 5, Values: 2, Log: 3}, {Blocks: 4, Values: 3, Log: 3}},
		quick: []catalog.Params{{Blocks: 3, Values: 2, Log: 2}, {Blocks: 3, Values: 2, Log: 3}, {Blocks: 4, Values: 2, Log: 3}},
	},
	"log/repdisk": {
		full:  []catalog.Params{{Blocks: 4, Values: 2, Log: 2}, {Blocks: 5, Values: 2, Log: 2}, {Blocks: 6, Values: 2, Log: 2}},
		quick: []catalog.Params{{Blocks: 2, Values: 2, Log: 2}, {Blocks: 3, Values: 2, Log: 2}, {Blocks: 4, Values: 2, Log: 2}},
	},
}

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
	System          string  `json:"system"`
	Size            string  `json:"size"`
	SizeIndex       int     `json:"size_index"`
	Blocks          int     `json:"blocks"`
	Values          int     `json:"values"`
	Log             int     `json:"log"`
	Workers         int     `json:"workers"`
	Repeat          int     `json:"repeat"`
	Verdict         string  `json:"verdict"`
	States          uint64  `json:"states"`
	Transitions     uint64  `json:"transitions"`
	CrashPoints     uint64  `json:"crash_points"`
	Depth           int     `json:"depth"`
	Seconds         float64 `json:"seconds"`
	StatesPerSecond float64 `json:"states_per_second"`
	MemoryBytes     uint64  `json:"memory_bytes"`
	BytesPerState   float64 `json:"bytes_per_state"`
	LevelBytes      uint64  `json:"level_bytes"`
	Collision       float64 `json:"collision_probability"`
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

func newBench() *cobra.Command {
	var f benchFlags
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Run the benchmark matrix and write results files and plots",
		Long: `bench checks every system of the catalogue at three sizes with 1, 2 and
all CPUs' workers, repeating each point, and writes to the output directory
bench-DATE.json (machine, Go version, date and every run), bench-DATE.csv
(the runs), and the plots bench-DATE-scaling.{svg,png} (states per second
against workers) and bench-DATE-size.{svg,png} (states and seconds against
size). --quick runs smaller sizes once, in under a minute.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBench(cmd, f)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.quick, "quick", false, "small sizes, one repeat")
	fl.StringVar(&f.out, "out", "results", "directory for the results files")
	fl.IntVar(&f.repeats, "repeats", 3, "runs of each point (--quick: 1)")
	fl.IntSliceVar(&f.workers, "workers", nil, "worker counts (default 1, 2 and the number of CPUs)")
	fl.StringSliceVar(&f.systems, "systems", nil, "systems to run (default: all)")
	fl.StringArrayVar(&f.sizes, "size", nil, "run this size instead of the matrix's, as blocks=N,values=V[,log=L] (repeatable)")
	return cmd
}

// benchMatrix returns the systems and sizes to run.
func benchMatrix(f benchFlags) ([]*layers.System, map[string][]catalog.Params, error) {
	var systems []*layers.System
	sizes := map[string][]catalog.Params{}
	for _, sys := range layers.Systems() {
		if len(f.systems) > 0 && !slices.Contains(f.systems, sys.Name) {
			continue
		}
		var ps []catalog.Params
		if s, ok := benchSizes[sys.Name]; ok {
			ps = s.full
			if f.quick {
				ps = s.quick
			}
		} else {
			p := sys.Defaults()
			for range 3 {
				if sys.Validate(p, "") == nil {
					ps = append(ps, p)
				}
				p.Blocks++
				if f.quick {
					break
				}
			}
		}
		if len(f.sizes) > 0 {
			ps = nil
			for _, spec := range f.sizes {
				p, err := parseSize(sys, spec)
				if err != nil {
					return nil, nil, usageError{fmt.Errorf("--size %q: %v", spec, err)}
				}
				ps = append(ps, p)
			}
		}
		systems = append(systems, sys)
		sizes[sys.Name] = ps
	}
	for _, name := range f.systems {
		if _, ok := sizes[name]; !ok {
			_, err := layers.Lookup(name)
			return nil, nil, err
		}
	}
	return systems, sizes, nil
}

// parseSize reads "blocks=N,values=V,log=L" over sys's defaults and
// validates it.
func parseSize(sys *layers.System, spec string) (catalog.Params, error) {
	p := sys.Defaults()
	for _, kv := range strings.Split(spec, ",") {
		k, v, ok := strings.Cut(kv, "=")
		n, err := strconv.Atoi(v)
		if !ok || err != nil {
			return p, fmt.Errorf("want key=number, not %q", kv)
		}
		if !sys.Has(k) && (k == "blocks" || k == "values" || k == "log") {
			return p, fmt.Errorf("%s takes no %s", sys.Name, k)
		}
		switch k {
		case "blocks":
			p.Blocks = n
		case "values":
			p.Values = n
		case "log":
			p.Log = n
		default:
			return p, fmt.Errorf("unknown size %q (blocks, values, log)", k)
		}
	}
	return p, sys.Validate(p, "")
}

func runBench(cmd *cobra.Command, f benchFlags) error {
	if f.quick && !cmd.Flags().Changed("repeats") {
		f.repeats = 1
	}
	if f.repeats < 1 {
		return usageError{fmt.Errorf("--repeats must be at least 1, not %d", f.repeats)}
	}
	if len(f.workers) == 0 {
		f.workers = []int{1, 2, runtime.NumCPU()}
	}
	slices.Sort(f.workers)
	f.workers = slices.Compact(f.workers)
	if f.workers[0] < 1 {
		return usageError{fmt.Errorf("--workers must be at least 1, not %d", f.workers[0])}
	}
	systems, sizes, err := benchMatrix(f)
	if err != nil {
		return usageError{err}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	now := time.Now().UTC()
	file := benchFile{Machine: benchMachine{
		CPU: cpuModel(), Cores: runtime.NumCPU(), GoVersion: runtime.Version(),
		OS: runtime.GOOS + "/" + runtime.GOARCH, Date: now.Format(time.RFC3339),
		Quick: f.quick, Repeats: f.repeats,
	}}
	out := cmd.OutOrStdout()
	for _, sys := range systems {
		for si, p := range sizes[sys.Name] {
			chk, err := sys.Build(p, "")
			if err != nil {
				return err
			}
			// Repeats are the outer loop, so that a slow spell of the
			// machine touches every worker count alike.
			for r := range f.repeats {
				for _, w := range f.workers {
					res, err := explorer.Run(ctx, chk, explorer.Config{Workers: w})
					if err != nil {
						return err
					}
					if ctx.Err() != nil {
						return fmt.Errorf("interrupted")
					}
					pt := benchPoint{
						System: sys.Name, Size: sizeName(sys, p), SizeIndex: si,
						Blocks: p.Blocks, Values: p.Values, Log: p.Log, Workers: w, Repeat: r,
						Verdict: string(res.Verdict), States: res.States, Transitions: res.Transitions,
						CrashPoints: res.CrashPoints, Depth: res.Depth,
						Seconds: round(res.Elapsed.Seconds(), 4), StatesPerSecond: round(res.StatesPerSecond(), 0),
						MemoryBytes: res.MemoryBytes, BytesPerState: round(res.BytesPerState(), 2),
						LevelBytes: res.LevelBytes, Collision: res.Collision,
					}
					file.Points = append(file.Points, pt)
					fmt.Fprintf(out, "%s %s workers=%d repeat=%d states=%d seconds=%.3f states_per_second=%.0f bytes_per_state=%.1f\n",
						pt.System, pt.Size, w, r, pt.States, pt.Seconds, pt.StatesPerSecond, pt.BytesPerState)
				}
			}
		}
	}
	stem := filepath.Join(f.out, "bench-"+now.Format("2006-01-02T150405"))
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return err
	}
	if err := writeBenchJSON(stem+".json", &file); err != nil {
		return err
	}
	if err := writeBenchCSV(stem+".csv", file.Points); err != nil {
		return err
	}
	if err := writeBenchPlots(stem, &file); err != nil {
		return err
	}
	fmt.Fprintf(out, "wrote %s.{json,csv} and %s-{scaling,size}.{svg,png}\n", stem, stem)
	return nil
}

// sizeName names a size by the parameters the system uses.
func sizeName(sys *layers.System, p catalog.Params) string {
	var parts []string
	for _, q := range sys.Params {
		switch q.Name {
		case "blocks":
			parts = append(parts, "b"+strconv.Itoa(p.Blocks))
		case "values":
			parts = append(parts, "v"+strconv.Itoa(p.Values))
		case "log":
			parts = append(parts, "l"+strconv.Itoa(p.Log))
		}
	}
	return strings.Join(parts, "")
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
	cw.Write([]string{"system", "size", "blocks", "values", "log", "workers", "repeat", "verdict", "states",
		"transitions", "crash_points", "depth", "seconds", "states_per_second", "memory_bytes",
		"bytes_per_state", "level_bytes", "collision_probability"})
	for _, p := range points {
		cw.Write([]string{p.System, p.Size, strconv.Itoa(p.Blocks), strconv.Itoa(p.Values), strconv.Itoa(p.Log),
			strconv.Itoa(p.Workers), strconv.Itoa(p.Repeat), p.Verdict, fmt.Sprint(p.States),
			fmt.Sprint(p.Transitions), fmt.Sprint(p.CrashPoints), strconv.Itoa(p.Depth),
			strconv.FormatFloat(p.Seconds, 'f', -1, 64), strconv.FormatFloat(p.StatesPerSecond, 'f', -1, 64),
			fmt.Sprint(p.MemoryBytes), strconv.FormatFloat(p.BytesPerState, 'f', -1, 64),
			fmt.Sprint(p.LevelBytes), strconv.FormatFloat(p.Collision, 'g', 4, 64)})
	}
	cw.Flush()
	return cw.Error()
}
