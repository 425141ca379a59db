package main

import (
	"fmt"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// drawScaling draws the median apply time against the number of resources, one line per kind, on
// logarithmic axes, as an SVG file.
func drawScaling(path string, all results, sizes []int) error {
	p := plot.New()
	p.Title.Text = "terraform apply: time against resources"
	p.X.Label.Text = "resources"
	p.Y.Label.Text = "seconds (median)"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{Prec: -1}, plot.LogTicks{Prec: -1}
	p.Legend.Top, p.Legend.Left = true, true
	sorted := slices.Sorted(slices.Values(sizes))
	var lines []any
	for _, kind := range kinds {
		points := make(plotter.XYs, 0, len(sorted))
		for _, n := range sorted {
			points = append(points, plotter.XY{X: float64(n), Y: all[kind][n].times["apply"].median().Seconds()})
		}
		lines = append(lines, kindNames[kind], points)
	}
	if err := plotutil.AddLinePoints(p, lines...); err != nil {
		return fmt.Errorf("drawing the chart: %w", err)
	}
	return p.Save(16*vg.Centimeter, 10*vg.Centimeter, path)
}
