package cli

import (
	"fmt"
	"image/color"
	"os"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/argocheck/argocheck/explorer"
)

// pointKey groups the repeats of one point.
type pointKey struct {
	system, size string
	sizeIndex    int
	workers      int
}

// bestOf returns, for each point, the run with the most states per second
// among its repeats: the run least disturbed by the rest of the machine.
func bestOf(points []benchPoint) map[pointKey]benchPoint {
	best := map[pointKey]benchPoint{}
	for _, p := range points {
		k := pointKey{p.System, p.Size, p.SizeIndex, p.Workers}
		if b, ok := best[k]; !ok || p.StatesPerSecond > b.StatesPerSecond {
			best[k] = p
		}
	}
	return best
}

// writeBenchPlots writes the scaling plot (states per second against
// workers, one line per system and size) and the size plot (states and
// seconds with one worker against size, one line per system), each as SVG
// and PNG.
func writeBenchPlots(stem string, file *benchFile) error {
	best := bestOf(file.Points)
	// A point with a run that did not verify is marked in the legend:
	// its figures are not those of the whole check.
	unverified := map[pointKey]bool{}
	for _, p := range file.Points {
		if p.Verdict != string(explorer.Verified) {
			unverified[pointKey{p.System, p.Size, p.SizeIndex, p.Workers}] = true
		}
	}
	const notVerified = " (NOT VERIFIED)"
	keys := make([]pointKey, 0, len(best))
	for k := range best {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.system != b.system {
			return a.system < b.system
		}
		if a.sizeIndex != b.sizeIndex {
			return a.sizeIndex < b.sizeIndex
		}
		return a.workers < b.workers
	})
	title := fmt.Sprintf("%s, %d cores, %s, %s", file.Machine.CPU, file.Machine.Cores, file.Machine.GoVersion, file.Machine.Date[:10])

	// Scaling: one line per (system, size).
	scaling := plot.New()
	scaling.Title.Text = "states per second against workers\n" + title
	scaling.X.Label.Text = "workers"
	scaling.Y.Label.Text = "states per second"
	var lines []any
	for i := 0; i < len(keys); {
		j := i
		var xys plotter.XYs
		label := keys[i].system + " " + keys[i].size
		mark := false
		for ; j < len(keys) && keys[j].system == keys[i].system && keys[j].sizeIndex == keys[i].sizeIndex; j++ {
			xys = append(xys, plotter.XY{X: float64(keys[j].workers), Y: best[keys[j]].StatesPerSecond})
			mark = mark || unverified[keys[j]]
		}
		if mark {
			label += notVerified
		}
		lines = append(lines, label, xys)
		i = j
	}
	if err := plotutil.AddLinePoints(scaling, lines...); err != nil {
		return err
	}
	scaling.Legend.Top = true
	scaling.Legend.Left = true
	if err := savePlot(scaling, stem+"-scaling"); err != nil {
		return err
	}

	// Size: states and seconds with the fewest workers, per system.
	minWorkers := keys[0].workers
	for _, k := range keys {
		minWorkers = min(minWorkers, k.workers)
	}
	states, seconds := plot.New(), plot.New()
	states.Title.Text = fmt.Sprintf("states against size\n%s", title)
	seconds.Title.Text = fmt.Sprintf("seconds with %d worker(s) against size\n%s", minWorkers, title)
	for _, p := range []*plot.Plot{states, seconds} {
		p.X.Label.Text = "size (its place in the matrix, or in the order --size gave it, from 0)"
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
		p.Legend.Top = true
		p.Legend.Left = true
	}
	states.Y.Label.Text = "states"
	seconds.Y.Label.Text = "seconds"
	var sl, tl []any
	for i := 0; i < len(keys); {
		sys := keys[i].system
		label := sys
		var sx, tx plotter.XYs
		for ; i < len(keys) && keys[i].system == sys; i++ {
			if keys[i].workers == minWorkers {
				p := best[keys[i]]
				sx = append(sx, plotter.XY{X: float64(keys[i].sizeIndex), Y: float64(p.States)})
				tx = append(tx, plotter.XY{X: float64(keys[i].sizeIndex), Y: max(p.Seconds, 1e-4)})
				if unverified[keys[i]] {
					label = sys + notVerified
				}
			}
		}
		sl = append(sl, label, sx)
		tl = append(tl, label, tx)
	}
	if err := plotutil.AddLinePoints(states, sl...); err != nil {
		return err
	}
	if err := plotutil.AddLinePoints(seconds, tl...); err != nil {
		return err
	}
	for _, p := range []*plot.Plot{states, seconds} {
		widenLog(&p.Y)
	}
	// Both panels in one picture, side by side.
	return savePlots(stem+"-size", states, seconds)
}

// widenLog widens a log axis over a single value by factors, to half and
// twice it: the plot would widen it by 1 either side, which takes a
// value under 1 to zero or below, where a log scale has no place.
func widenLog(a *plot.Axis) {
	if a.Min == a.Max {
		a.Min, a.Max = a.Min/2, a.Max*2
	}
}

func savePlot(p *plot.Plot, stem string) error {
	p.BackgroundColor = color.White
	for _, ext := range []string{".svg", ".png"} {
		if err := p.Save(7*vg.Inch, 5*vg.Inch, stem+ext); err != nil {
			return err
		}
	}
	return nil
}

// savePlots draws plots side by side into one picture, as SVG and PNG.
func savePlots(stem string, plots ...*plot.Plot) error {
	w, h := vg.Length(len(plots))*6*vg.Inch, 5*vg.Inch
	for _, ext := range []string{"svg", "png"} {
		c, err := draw.NewFormattedCanvas(w, h, ext)
		if err != nil {
			return err
		}
		dc := draw.New(c)
		dc.SetColor(color.White)
		dc.Fill(dc.Rectangle.Path())
		tiles := draw.Tiles{Rows: 1, Cols: len(plots), PadX: vg.Inch / 4}
		canvases := plot.Align([][]*plot.Plot{plots}, tiles, dc)
		for i, p := range plots {
			p.Draw(canvases[0][i])
		}
		fh, err := os.Create(stem + "." + ext)
		if err != nil {
			return err
		}
		if _, err := c.WriteTo(fh); err != nil {
			fh.Close()
			return err
		}
		if err := fh.Close(); err != nil {
			return err
		}
	}
	return nil
}
