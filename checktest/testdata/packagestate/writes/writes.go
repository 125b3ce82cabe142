// Package writes changes its package-level variables in every way that
// checktest.NoPackageState finds; each line marked "want" is one finding.
package writes

import (
	"bytes"
	"encoding/base64"
	"errors"
	"log"
	"log/slog"
	"math/big"
	"math/rand/v2"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
)

type disk struct{ blocks [4]byte }

var (
	calls     int
	recovered bool
	cache     = map[int]byte{}
	last      disk
	buf       bytes.Buffer
	mu        sync.Mutex
	hits      int64
	loads     atomic.Int64
	queue     = make(chan int, 1)
	order     []int
	current   *disk
	names     [2]string
	rng           = rand.New(rand.NewPCG(1, 2))
	pointed       = &disk{}
	anyDisk   any = &disk{}
	names2    []string
	logger    = log.New(os.Stderr, "", 0)
	slogger   = slog.Default()
	pattern   = regexp.MustCompile("a+")
	replacer  = strings.NewReplacer("a", "b")
	builder   strings.Builder
)

// Register is exported: code outside the package may call it at any
// time, not only init.
func Register(name string) {
	names2 = append(names2, name) // want
}

// hooks keeps later, to be called at any time: a value, not a call.
var hooks = []func(){later}

func later() {
	calls = 5 // want
}

// bump is called from a function literal that init keeps in hooks.
func bump() {
	calls += 2 // want
}

// reset is called by init and by a method: it runs after init too.
func reset() {
	calls = 0 // want
}

func (d *disk) set(a int, b byte) { d.blocks[a] = b }

func (d disk) get(a int) byte { return d.blocks[a] }

// Log is an implementation whose methods keep state in package-level
// variables.
type Log struct{ d *disk }

func (l *Log) Write(a int, b byte) {
	calls++                      // want
	cache[a] = b                 // want
	last.blocks[a] = b           // want
	l.d.blocks[a] = b            // a field of the instance: not package state
	mu.Lock()                    // want
	defer mu.Unlock()            // want
	atomic.AddInt64(&hits, 1)    // want
	buf.WriteByte(b)             // want
	order = append(order, a)     // want
	current.blocks[0] = b        // want
	queue <- a                   // want
	copy(names[:], []string{})   // want
	_ = loads.Load()             // a read
	loads.Add(1)                 // want
	_ = rng.IntN(2)              // want
	pointed.set(a, b)            // want
	_ = pointed.get(a)           // a value method: a read
	_ = last.get(a)              // a read
	logger.Printf("write %d", a) // a record: what the layer computes is unchanged
	slogger.Info("write")        // the same
	logger.SetPrefix("log: ")    // want
	_ = pattern.MatchString("a") // a compiled pattern, read
	pattern.Longest()            // want
	_ = replacer.Replace("a")    // read
	builder.WriteString("a")     // want
}

func (l Log) Recover() {
	recovered = true      // want
	<-queue               // want
	delete(cache, 0)      // want
	clear(order)          // want
	for calls = range 3 { // want
	}
	p := &last                    // named where it changes it, as a local that selects only
	p.blocks[1] = 0               // want
	*pointed = disk{}             // want
	order[1:][0] = 1              // want
	anyDisk.(*disk).blocks[0] = 1 // want
	close(queue)                  // want
	reset()
	os.Args = nil      // want
	os.Stdin.Read(nil) // want
	os.Stderr.Close()  // want
}

var handler = func() { calls-- } // want

func init() {
	calls = 0
	Register("log")
	reset()
	hooks = append(hooks, func() { bump() })
	later := func() { recovered = false } // want
	_ = later
}

// node is a layer's record, linked.
type node struct {
	n    int
	next *node
}

var (
	head   = &node{}
	ptrs   = []*node{{}, {}}
	counts = map[int]int{}
	table  = []int{1, 2}
	state  node
	holder struct {
		p *node
		n int
	}
	pipe = make(chan *node, 1)
)

// Touch changes package-level variables through local copies of their
// pointers, maps, slices and channels.
func Touch(k int) {
	p := head
	p.n++ // want
	m := counts
	m[k]++ // want
	s := table
	s[0] = 1    // want
	q := &state // named where it changes it
	q.n = 1     // want
	for _, p := range ptrs {
		p.n++ // want
	}
	h := holder
	h.n = 2   // a field of the local copy
	h.p.n = 3 // want
	x := holder.n
	x++ // a copy of a value
	_ = x
	r := p.next
	r.n = 4      // want
	delete(m, k) // want
	b := table[:0]
	b = append(b, 1) // want
	_ = b
	var c = counts
	clear(c) // want
	switch d := anyDisk.(type) {
	case *disk:
		d.blocks[0] = 1 // want
	}
	ch := pipe
	ch <- nil             // want
	for n := range pipe { // want
		n.n = 0 // received: no longer the variable's
	}
	g := geometry
	g.Grow()        // want
	_ = g.Offset()  // a read
	lock := mu.Lock // want
	lock()
	_ = geometry.Offset // a method value that reads
}

// Layout is a geometry that layer code reads, and one method changes.
type Layout struct {
	base, size int
	names      []string
}

func (l *Layout) Offset() int { return l.base }

func (l *Layout) End() int { return l.Offset() + l.size }

func (l *Layout) Grow() { l.size++ }

func (l *Layout) Names() []string { return l.names }

func (l *Layout) up(n int) {
	if n > 0 {
		l.down(n - 1)
	}
}

func (l *Layout) down(n int) {
	l.up(n)
	l.base = n
}

func (l *Layout) Width() int {
	w := l
	return w.size
}

func (l *Layout) Resize(n int) {
	w := l
	w.size = n
}

// set is a layer's set of blocks, changed by a value method.
type set map[int]bool

func (s set) add(k int) { s[k] = true }

func (s set) has(k int) bool { return s[k] }

var (
	geometry = &Layout{base: 1}
	plain    Layout
	seen     = set{}
)

// Measure calls methods on package-level variables of its own types:
// those that change their receivers are named.
func Measure() int {
	n := geometry.Offset() + plain.End() + plain.Width()
	geometry.Grow()    // want
	_ = plain.Names()  // want
	plain.up(2)        // want
	geometry.Resize(3) // want
	seen.add(1)        // want
	add := seen.add    // want
	add(2)
	if seen.has(1) {
		n++
	}
	n += stack.Len()
	stack.Push(n)       // want
	n += geometry.Key() // want
	return n
}

// Stack is generic: its methods are read as those of other types.
type Stack[T any] struct{ items []T }

func (s *Stack[T]) Len() int { return len(s.items) }

func (s *Stack[T]) Push(v T) { s.items = append(s.items, v) }

var (
	stack Stack[int]
	index = map[*Layout]int{}
)

// Key stores its receiver in a map: it may be changed from there.
func (l *Layout) Key() int {
	index[l] = 1 // want
	return 0
}

// Cache keeps blocks.
type Cache interface {
	Get(k int) int
	Put(k, v int)
}

type lru struct{ m map[int]int }

func (c *lru) Get(k int) int { return c.m[k] }

func (c *lru) Put(k, v int) { c.m[k] = v }

func newLRU() *lru { return &lru{m: map[int]int{}} }

var (
	blockCache Cache = &lru{}
	made       Cache = newLRU()
	opaque     Cache
	errGone    = errors.New("gone")
	// Shared is exported: code outside the package may give it another
	// value.
	Shared Cache = &lru{}
)

// SetCache gives opaque a value whose type is not seen.
func SetCache(c Cache) {
	opaque = c // want
}

// Lookup calls methods through package-level variables of interface
// type.
func Lookup(k int) error {
	_ = blockCache.Get(k) // the Get of *lru reads
	blockCache.Put(k, 1)  // want
	made.Put(k, 2)        // want
	_ = opaque.Get(k)     // want
	c := blockCache
	c.Put(k, 3)       // want
	_ = Shared.Get(k) // want
	_ = errGone.Error()
	return errGone
}

// maxSize is a bound set once; the reads of it (Cmp, Sign, String) are
// no change, and an encoding is read-only but for its variable.
var maxSize = big.NewInt(1 << 40)

// Grow sets the big integer and the encoding that the package shares.
func Grow(n int64) string {
	if maxSize.Cmp(big.NewInt(n)) < 0 && maxSize.Sign() > 0 {
		maxSize.SetInt64(n) // want
	}
	maxSize.Add(maxSize, big.NewInt(1))     // want
	base64.StdEncoding = base64.URLEncoding // want
	return maxSize.String() + base64.StdEncoding.EncodeToString([]byte{1})
}

// entry is an entry of a table the package keeps.
type entry struct {
	size int
	hits int64
}

// entries is a table: its entries are read through their addresses.
var entries = [...]entry{{size: 512}, {size: 4096}}

// Count changes the table through the addresses of its entries.
func Count(k int) *entry {
	e := &entries[k]
	e.size++                    // want
	atomic.AddInt64(&e.hits, 1) // want
	for i := range entries {
		f := &entries[i]
		f.hits = 0 // want
	}
	g := &entries[0] // want
	keep(g)
	return &entries[1] // want
}

// keep is given a table's entry.
func keep(*entry) {}

// converted is given a value converted to its interface: the value's
// methods are taken.
var converted = Cache(&lru{})

// Convert calls a method that changes the value converted.
func Convert(k int) {
	_ = converted.Get(k)
	converted.Put(k, 4) // want
}

// firstRecovery reports whether it is called for the first time in the
// process: its flag is a variable of a function literal that the
// package's initialization runs, captured by the closure it returns.
var firstRecovery = func() func() bool {
	done := false
	done = false
	return func() bool {
		first := !done
		done = true // want
		return first
	}
}()

// runs is a count kept by a closure that an init-only function made.
var runs = newCounter()

// newCounter returns a counter whose count lives from the package's
// initialization on.
func newCounter() func() int {
	n := 0
	return func() int {
		n++ // want
		return n
	}
}

// Booted reports whether a recovery ran in the process, as a flag kept in
// the environment, and MarkBooted sets it: state of the process that no
// System built anew resets, as a package-level variable's.
func Booted() bool { return os.Getenv("WRITES_BOOTED") != "" }

// MarkBooted sets the flag Booted reads, and keeps a note of it in a
// file, which outlives the process as no crash the search explores
// leaves it.
func MarkBooted(dir string) error {
	os.Setenv("WRITES_BOOTED", "1")                                       // want
	if err := os.WriteFile(dir+"/booted", []byte{1}, 0o644); err != nil { // want
		return err
	}
	f, err := os.OpenFile(dir+"/log", os.O_WRONLY|os.O_APPEND, 0) // want
	if err != nil {
		return err
	}
	return f.Close()
}

// next is a count kept by a closure that an exported function made
// while the package initialized: NewCounter runs later too, but the
// closure this call made lives on.
var next = NewCounter()

// NewCounter returns a counter.
func NewCounter() func() int {
	n := 0
	return func() int {
		n++ // want
		return n
	}
}

// tally counts through a copy, in a local of the closure, of a map made
// while the package initialized.
var tally = func() func(int) {
	counts := map[int]int{}
	return func(k int) {
		m := counts
		m[k]++ // want
	}
}()

var (
	sizeOnce sync.Once
	sizeTab  []int
)

// Sizes builds a table lazily that Extend changes too.
func Sizes() []int {
	sizeOnce.Do(func() { // want
		sizeTab = []int{1, 2} // want
	})
	return sizeTab
}

// Extend changes the table that Sizes builds.
func Extend(n int) {
	sizeTab = append(sizeTab, n) // want
}

var bootOnce sync.Once

// Boot reports whether it runs for the first time in the process, by a
// flag that the function given to Do sets.
func Boot() bool {
	first := false
	bootOnce.Do(func() { // want
		first = true
	})
	return first
}

var (
	repairOnce sync.Once
	repaired   bool
)

// Repair reads, before Do, the flag that Do sets.
func Repair() int {
	n := 0
	if !repaired {
		n = 1
	}
	repairOnce.Do(func() { // want
		repaired = true // want
	})
	return n
}

var (
	limitOnce sync.Once
	limit     int
)

// Limit builds lazily a value from a variable that changes.
func Limit() int {
	limitOnce.Do(func() { // want
		limit = calls * 2 // want
	})
	return limit
}

// snapshot keeps the value of a variable that changes, as it is when
// first called.
var snapshot = sync.OnceValue(func() int { return calls })

// Snapshot calls it.
func Snapshot() int {
	return snapshot() // want
}

// tableMu is locked only with a deferred unlock, around changes.
var tableMu sync.RWMutex

// Bump changes a table under the lock.
func Bump(k int) {
	tableMu.Lock()         // want
	defer tableMu.Unlock() // want
	counts[k]++            // want
}

// peekMu is locked around a read, but unlocked without defer.
var peekMu sync.Mutex

// Peek reads a table under the lock.
func Peek() int {
	peekMu.Lock() // want
	n := table[0]
	peekMu.Unlock() // want
	return n
}

var (
	orderOnce sync.Once
	orderTab  []int
)

// buildOrder is given to Do, and called alone too.
func buildOrder() {
	orderTab = []int{2, 1} // want
}

// Ordered reads the table after Do; Reorder builds it again.
func Ordered() []int {
	orderOnce.Do(buildOrder) // want
	return orderTab
}

// Reorder builds the table again.
func Reorder() {
	buildOrder()
}

var (
	noteOnce sync.Once
	noted    bool
)

// Note reads the flag that Do sets in a declaration before the Do.
func Note() bool {
	var before = noted
	noteOnce.Do(func() { // want
		noted = true // want
	})
	return before
}

var (
	runsOnce sync.Once
	runCount int
)

// Runs counts, once, in a variable read only after the Do.
func Runs() int {
	runsOnce.Do(func() { // want
		runCount++ // want
	})
	return runCount
}

var (
	crcOnce sync.Once
	crcTab  []uint32
)

// lazyCRC builds its table lazily, as clean's does; the functions below
// change it through what lazyCRC returns, which every later path meets.
func lazyCRC() []uint32 {
	crcOnce.Do(func() { // want
		crcTab = make([]uint32, 4) // want
	})
	return crcTab
}

// Poison changes the lazy table in every way through its function.
func Poison(x []uint32) {
	lazyCRC()[0] = 1 // want
	t := lazyCRC()
	t[3]++               // want
	copy(lazyCRC(), x)   // want
	_ = append(t[:1], 7) // want
	fillTable(lazyCRC()) // want
	s, _ := crcAndSize()
	s[1] = 2        // want
	shared()[0] = 4 // want
	sumTable(lazyCRC())
	readOnly := lazyCRC()
	_ = readOnly[2]
}

// fillTable writes its argument.
func fillTable(t []uint32) {
	for i := range t {
		t[i] = 9
	}
}

// sumTable only reads its argument.
func sumTable(t []uint32) (n uint32) {
	for _, v := range t {
		n += v
	}
	return n
}

// crcAndSize returns the lazy table among two results.
func crcAndSize() ([]uint32, int) {
	t := lazyCRC()
	return t, len(t)
}

var plainTab = []int{1, 2}

// table returns a plain table, which its callers change.
func plainTable() []int { return plainTab }

// shared returns the lazy table, or a copy kept in a named result.
func shared() (t []uint32) {
	t = crcTab
	if len(t) == 0 {
		return lazyCRC()
	}
	return
}

var (
	spareOnce sync.Once
	spareTab  []uint32
	crcSpare  = []uint32{1}
)

// lazySpare builds a second lazy table, changed only through either.
func lazySpare() []uint32 {
	spareOnce.Do(func() { // want
		spareTab = make([]uint32, 2) // want
	})
	return spareTab
}

// either returns one of two tables: its callers' changes are named at
// the first, and change both.
func either(b bool) []uint32 {
	if b {
		return crcSpare
	}
	return lazySpare()
}

// Either changes what either returns.
func Either() {
	either(true)[0] = 1 // want
}

// SetPlain changes the plain table through what plainTable returns.
func SetPlain() {
	plainTable()[0] = 1 // want
	fillInts(plainTab)  // want
}

func fillInts(t []int) { t[0] = 3 }

// squares is built by sync.OnceValue, then changed through what it
// returns.
var squaresOf = sync.OnceValue(func() []int { return []int{0, 1, 4} })

// Square changes the value that squaresOf built.
func Square() int {
	t := squaresOf()      // want
	t[1] = 2              // want
	return squaresOf()[1] // want
}

var (
	halfOnce sync.Once
	halfTab  []int
	parsed   *regexp.Regexp
)

// Half builds its table by a function that may panic part-way: a Do
// that panics is done all the same, and every later path meets the
// table half built.
func Half(k int) int {
	halfOnce.Do(func() { // want
		halfTab = make([]int, 4) // want
		halfTab[0] = 1           // want
		if len(halfTab) > 3 {
			panic("a table of four")
		}
		halfTab[1] = 2 // want
	})
	return halfTab[k]
}

var (
	indexOnce sync.Once
	indexTab  []int
)

// Indexed builds its table by indexes that may be out of bounds.
func Indexed() int {
	indexOnce.Do(func() { // want
		indexTab = make([]int, 2) // want
		indexTab[5] = 1           // want
	})
	return indexTab[0]
}

var parseOnce sync.Once

// Parsed builds its value by a function of another package, which may
// panic (as regexp.MustCompile does) and whose code is not read.
func Parsed() *regexp.Regexp {
	parseOnce.Do(func() { // want
		parsed = regexp.MustCompile("a+") // want
	})
	return parsed
}

var (
	deepOnce sync.Once
	deepTab  [4]int
)

// tenth is called by what Do runs, and may divide by zero.
func tenth(i int) int { return 10 / (i - 2) }

// Deep builds its table by a function that may panic.
func Deep() int {
	deepOnce.Do(func() { // want
		for i := range deepTab {
			deepTab[i] = tenth(i) // want
		}
	})
	return deepTab[0]
}

// makers are functions that init calls through a func value it takes
// from a slice: which functions those are, the code does not show, nor
// so the counts that their closures keep from the package's
// initialization on.
var makers = []func() func() int{NewCounter}

var counters []func() int

func init() {
	for _, m := range makers {
		counters = append(counters, m()) // want
	}
}

// makeTally holds a function of the package, and only it: the call
// through it, while the package initializes, is followed.
var makeTally = newTallyFunc

var tallies = makeTally()

func newTallyFunc() func() int {
	n := 0
	return func() int {
		n++ // want
		return n
	}
}

// mk holds a function literal, followed as well.
var mk = func() func() int {
	k := 0
	return func() int {
		k++ // want
		return k
	}
}

var ks = mk()

// source is an interface that an initializer calls a method of: the
// methods of the package's types that implement it are followed.
type source interface{ Counter() func() int }

type seq struct{}

// Counter returns a count of its own.
func (seq) Counter() func() int {
	c := 0
	return func() int {
		c++ // want
		return c
	}
}

var src source = seq{}

var nextSeq = src.Counter()

var (
	countOnce sync.Once
	sizeCount int
)

// SizeCount builds its value from a lazy table that Extend changes too.
func SizeCount() int {
	countOnce.Do(func() { // want
		sizeCount = len(Sizes()) // want
	})
	return sizeCount
}

var (
	firstOnce  sync.Once
	firstBlock int
	noDisk     *disk
)

// FirstBlock builds its value through a pointer that is nil: what Do
// runs panics before it sets the value.
func FirstBlock() int {
	firstOnce.Do(func() { // want
		firstBlock = int(noDisk.blocks[0]) // want
	})
	return firstBlock
}

// boxed is a generic type whose Counter an interface's call may run:
// its instances are not followed, and the call is named.
type boxed[T any] struct{ v T }

// Counter returns a count of its own.
func (boxed[T]) Counter() func() int {
	c := 0
	return func() int {
		c++
		return c
	}
}

var boxedNext func() int

func init() {
	var s source = boxed[int]{}
	boxedNext = s.Counter() // want
}

// forwarded is made by a call that gives a closure to Forward, which
// passes it on: eachInt calls what it is given, here a parameter.
var forwarded = Forward(func(int) {})

// Forward gives f to eachInt.
func Forward(f func(int)) int {
	eachInt([]int{1}, f) // want
	return 1
}

func eachInt(xs []int, f func(int)) {
	for _, x := range xs {
		f(x)
	}
}

var saved []func()

func save(f func()) {
	saved = append(saved, f) // want
}

var counted = Counted()

// Counted gives save a closure that save keeps: its count lives on.
func Counted() int {
	n := 0
	save(func() {
		n++ // want
	})
	return n
}

// eachVar holds eachInt: a call through it gives a closure that the
// reader follows as one a func value calls.
var eachVar = eachInt

var viaVar = func() int {
	eachVar([]int{1}, func(int) {
		m := 0
		saved = append(saved, func() { // want
			m++ // want
		})
	})
	return 0
}()

// firstSquare may panic: a Do built from what it returns is done all
// the same.
var firstSquare = sync.OnceValue(func() int {
	if squareLimit > 2 {
		panic("limit past 2")
	}
	return 1
})

var squareLimit = 3

var (
	sqOnce sync.Once
	sqTab  int
)

// Sq builds its value from firstSquare's.
func Sq() int {
	sqOnce.Do(func() { // want
		sqTab = firstSquare() + 1 // want
	})
	return sqTab
}
