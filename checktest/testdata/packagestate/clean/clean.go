// Package clean keeps its state in its instances: its package-level
// variables are set while it initializes and only read after.
package clean

import "errors"

var (
	errFull  = errors.New("full")
	sizes    = []int{1, 2, 4}
	systems  []string
	defaults = map[string]int{}
)

func register(name string) { systems = append(systems, name) }

func setDefault(name string, v int) { defaults[name] = v; register(name) }

func init() {
	setDefault("log", 2)
	register("disk")
}

// Log keeps its state in a field.
type Log struct {
	n     int
	sizes []int
}

func (l *Log) Write() error {
	calls := 0 // a local
	calls++
	l.n++
	l.sizes = append(l.sizes, sizes[0])
	for i := range sizes {
		l.n += sizes[i] + defaults["log"] + len(systems)
	}
	if l.n > calls {
		return errFull
	}
	return nil
}
