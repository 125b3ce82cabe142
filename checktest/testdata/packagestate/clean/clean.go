// Package clean keeps its state in its instances: its package-level
// variables are set while it initializes and only read after.
package clean

import (
	"errors"
	"fmt"
	"os"
)

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
	l.n += geometry.Offset() + plain.End() + lookup.Get(0) + len(named.String())
	g := geometry // a copy of the pointer, read through
	l.n += g.End()
	first := sizes[0] // a copy of a value, changed
	first++
	c := current // a copy of a struct holding a pointer: its own fields change
	c.n = first
	l.n += c.at.base
	_ = geometry.Offset // a method value that reads
	if err := errFull; err.Error() == "" {
		return err
	}
	return nil
}

// Geometry is read by layer code through pointer methods that only read.
type Geometry struct{ base, size int }

func (g *Geometry) Offset() int { return g.base }

func (g *Geometry) End() int { return g.Offset() + g.size }

type reader interface{ Get(k int) int }

type table struct{ m map[int]int }

func (t *table) Get(k int) int { return t.m[k] }

type name string

func (n name) String() string { return string(n) }

var (
	geometry = &Geometry{base: 1}
	plain    Geometry
	lookup   reader       = &table{m: map[int]int{}}
	named    fmt.Stringer = name("log")
	current               = struct {
		at *Geometry
		n  int
	}{at: geometry}
)

// perCall returns a closure whose count is made anew at each call of the
// function literal it is made in, which runs after the package
// initializes: no package state.
var perCall = func() func() int {
	n := 0
	return func() int {
		n++
		return n
	}
}

// readOnce is a closure that reads, and never changes, what the
// package's initialization made.
var readOnce = func() func() int {
	table := []int{1, 2}
	return func() int { return table[0] }
}()

// Configured reads the environment and a file, and opens one to read
// alone: reads of the process's state, which change nothing.
func Configured(dir string) (bool, error) {
	if os.Getenv("CLEAN_DEBUG") != "" {
		return true, nil
	}
	if _, err := os.ReadFile(dir + "/options"); err != nil {
		return false, err
	}
	f, err := os.OpenFile(dir+"/options", os.O_RDONLY, 0)
	if err != nil {
		return false, err
	}
	return false, f.Close()
}
