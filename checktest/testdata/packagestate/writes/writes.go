// Package writes changes its package-level variables in every way that
// checktest.NoPackageState finds; each line marked "want" is one finding.
package writes

import (
	"bytes"
	"log"
	"log/slog"
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
	p := &last // want
	p.blocks[1] = 0
	*pointed = disk{}             // want
	order[1:][0] = 1              // want
	anyDisk.(*disk).blocks[0] = 1 // want
	close(queue)                  // want
	reset()
	os.Args = nil // want
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
