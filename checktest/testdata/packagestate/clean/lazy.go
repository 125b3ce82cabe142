package clean

import (
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"sync"
)

// Tables built lazily, once, from constants and from variables that
// nothing changes, and read only after they are built; locks held only
// around reads; closures made by exported functions that only read, or
// that no code run while the package initializes makes.

var (
	crcOnce sync.Once
	crcTab  []uint32
)

// lazyCRC builds its table when first called.
func lazyCRC() []uint32 {
	crcOnce.Do(func() {
		crcTab = make([]uint32, 256)
		for i := range crcTab {
			crcTab[i] = uint32(i) * 0x1EDC6F41
		}
	})
	return crcTab
}

var (
	squareOnce sync.Once
	squares    [16]int
)

// buildSquares is given to Do.
func buildSquares() {
	for i := range squares {
		squares[i] = square(i)
	}
}

func square(i int) int { return i * i }

// Square reads the table that buildSquares builds, after Do.
func Square(k int) int {
	squareOnce.Do(buildSquares)
	if k < 0 {
		return 0
	}
	return squares[k]
}

// powers is built from a variable that nothing changes.
var powers = sync.OnceValue(func() []int {
	p := make([]int, len(sizes))
	for i, s := range sizes {
		p[i] = s * s
	}
	return p
})

// shiftTable is built by a function of the package, which may fail.
var shiftTable = sync.OnceValues(buildShifts)

func buildShifts() ([]int, error) {
	if len(sizes) == 0 {
		return nil, errors.New("no sizes")
	}
	return []int{1, 2, 4}, nil
}

var warmTab []int

// warm builds warmTab; Warmed reads it after it runs.
var warm = sync.OnceFunc(func() { warmTab = []int{1, 2} })

// Warmed reads the table that warm builds.
func Warmed() int {
	warm()
	return warmTab[0]
}

var (
	tableMu sync.RWMutex
	entryMu sync.Mutex
)

// Lookup reads tables under locks that nothing changes under.
func Lookup(k int) (int, error) {
	tableMu.RLock()
	defer tableMu.RUnlock()
	s, err := shiftTable()
	if err != nil {
		return 0, err
	}
	return int(lazyCRC()[k]) + powers()[k] + sizes[k] + s[k] + Square(k) + peek(k) + both(k), nil
}

func peek(k int) int {
	entryMu.Lock()
	defer entryMu.Unlock()
	return sizes[k]
}

// both holds both locks, reading.
func both(k int) int {
	tableMu.RLock()
	defer tableMu.RUnlock()
	entryMu.Lock()
	defer entryMu.Unlock()
	return sizes[k] + peekAll()
}

func peekAll() int { return len(sizes) }

// readFirst is a closure made while the package initialized by an exported
// function; it only reads what that call made.
var readFirst = NewReader()

// NewReader returns a reader of a table of its own.
func NewReader() func() int {
	t := []int{1, 2}
	return func() int { return t[0] }
}

// NewTally returns a count of its own: no code run while the package
// initializes calls it.
func NewTally() func() int {
	n := 0
	return func() int {
		n++
		return n
	}
}

// Checksum reads the lazy table through what lazyCRC returns, through a
// local, and in a function given it that only reads it.
func Checksum(p []byte) uint32 {
	t := lazyCRC()
	return t[0] + sumCRC(lazyCRC(), p) + uint32(sizesOf()[0])
}

func sumCRC(t []uint32, p []byte) uint32 {
	var n uint32
	for _, b := range p {
		n = n>>8 ^ t[byte(n)^b]
	}
	return n
}

// sizesOf returns a table that its callers only read.
func sizesOf() []int { return sizes }

// firstSize is built by a function that may panic: the function that
// sync.OnceValue made panics again at each call, and no path reads the
// value half built.
var firstSize = sync.OnceValue(func() int {
	if len(sizes) == 0 {
		panic("no sizes")
	}
	return sizes[0]
})

var (
	halfOnce sync.Once
	halves   []int
)

// Halves builds, with Do, a table by a function that cannot panic: a
// length that len gives, indexes by the range loop over the table, a
// division by a constant.
func Halves() int {
	halfOnce.Do(func() {
		halves = make([]int, len(sizes))
		for i := range halves {
			halves[i] = i / 2
		}
	})
	return halves[0] + firstSize()
}

// double is called through a variable while the package initializes,
// and sq through an interface: the reader follows both, and neither
// makes a closure.
var double = func(x int) int { return 2 * x }

var four = double(2)

type shape interface{ Area() int }

type sq struct{ side int }

// Area reads its receiver.
func (s sq) Area() int { return s.side * s.side }

var unit shape = sq{2}

var area = unit.Area() + four

var (
	derivedOnce sync.Once
	derived     []uint32
)

// Derived reads a table built, once, from another lazy table.
func Derived() uint32 {
	derivedOnce.Do(func() {
		derived = deriveFrom(lazyCRC())
	})
	return derived[0]
}

func deriveFrom(t []uint32) []uint32 {
	var out []uint32
	for _, v := range t {
		out = append(out, v^1)
	}
	return out
}

// evenPowers is built from the value that powers built.
var evenPowers = sync.OnceValue(func() []int {
	var out []int
	for _, p := range powers() {
		if p%2 == 0 {
			out = append(out, p)
		}
	}
	return out
})

// EvenPowers reads it.
func EvenPowers() int { return len(evenPowers()) }

// total is made while the package initializes by an exported function
// that gives a closure to each, which only calls it: the closure, and
// the count it keeps, end with the call.
var total = Sum([]int{1, 2})

// Sum adds xs.
func Sum(xs []int) int {
	n := 0
	each(xs, func(x int) { n += x })
	return n
}

func each(xs []int, f func(int)) {
	for _, x := range xs {
		f(x)
	}
}

var (
	emptyBlock = make([]byte, 8)
	castagnoli = crc32.MakeTable(crc32.Castagnoli)
	errTorn    = errors.New("torn")
)

// ZeroSum gives a table to a function that only passes it to another
// package's function, and a sentinel error to one that wraps it: as
// when passed there directly, neither is a change.
func ZeroSum() (uint32, error) {
	return checksum(emptyBlock), wrap(errTorn)
}

func checksum(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

func wrap(err error) error { return fmt.Errorf("block: %w", err) }

// Report writes to the stream that stream returns: output, as a
// write to os.Stderr itself is.
func Report(toErr bool) {
	s := stream(toErr)
	s.WriteString("done\n")
}

func stream(toErr bool) *os.File {
	if toErr {
		return os.Stderr
	}
	return os.Stdout
}
