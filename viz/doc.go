// Package viz draws violating paths for a person: WriteHTML writes one
// self-contained HTML page (styles and script embedded, nothing fetched)
// with each path as a timeline of operations, primitive steps, crash
// points, recovery runs and disk failures, the lower and abstract states
// at every step with what changed highlighted, and the failing step
// marked; WriteDOT writes the same paths as a Graphviz graph.
//
// Both read only model.Trace, so they serve any layer. States are shown
// from their Format strings: words of the form name=[v0 v1 ...] (the
// convention of the built-in layers) are drawn as rows of cells and
// compared cell by cell; anything else is shown and compared as text.
package viz

import "github.com/argocheck/argocheck/model"

// Page is what one picture shows: a title and one or more paths.
type Page struct {
	// Title names the check, Subtitle its configuration.
	Title, Subtitle string
	Paths           []Path
}

// Path is one violating path with its title.
type Path struct {
	Title string
	Trace *model.Trace
}
