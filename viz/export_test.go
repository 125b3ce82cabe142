package viz

import "encoding/json"

// PageData is what WriteHTML lays out of p for its template, less the
// styles and the script, as indented JSON.
func PageData(p Page) ([]byte, error) {
	b, err := json.MarshalIndent(layout(p), "", "  ")
	return append(b, '\n'), err
}
