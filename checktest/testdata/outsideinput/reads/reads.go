// Package reads is layer code that reads inputs that argocheck's search
// does not choose, for checktest.NoOutsideInput: each line marked "want"
// is one finding ("want 2", two; "want above", one there and one on the
// line above).
package reads

import (
	"context"
	crand "crypto/rand"
	"math/rand"
	randv2 "math/rand/v2"
	"os"
	"runtime"
	"time"
)

// Log is a log whose procedures decide by what the search does not
// choose.
type Log struct {
	last   time.Time
	seed   int64
	rng    *rand.Rand
	events chan int
	done   chan struct{}
}

// debug is a mode set for the whole process.
var debug = os.Getenv("ARGOCHECK_DEBUG") != "" // want

func init() {
	if _, ok := os.LookupEnv("ARGOCHECK_FAST"); ok { // want
		debug = true
	}
}

// Flush flushes when a second has passed since the last flush.
func (l *Log) Flush() bool {
	if time.Since(l.last) < time.Second { // want
		return false
	}
	l.last = time.Now() // want
	return true
}

// Left is the time left before the next flush.
func (l *Log) Left() time.Duration { return time.Until(l.last) } // want

// GroupCommit commits on timers.
func (l *Log) GroupCommit(commit func()) {
	time.AfterFunc(time.Millisecond, commit) // want
	t := time.NewTimer(time.Second)          // want
	t.Reset(time.Minute)
	<-time.After(time.Millisecond)    // want
	tk := time.NewTicker(time.Second) // want
	tk.Stop()
	_ = time.Tick(time.Second)                                            // want
	time.Sleep(time.Millisecond)                                          // want
	ctx, cancel := context.WithTimeout(context.Background(), time.Second) // want
	defer cancel()
	_, cancel2 := context.WithDeadline(ctx, l.last) // want
	cancel2()
}

// Retry backs off at random.
func (l *Log) Retry() int {
	backoff := rand.Intn(10)           // want
	backoff += randv2.IntN(10)         // want
	backoff += randv2.N(10)            // want
	rand.Shuffle(3, func(i, j int) {}) // want
	var b [8]byte
	_, _ = crand.Read(b[:]) // want
	_ = crand.Reader        // want
	return backoff
}

// Seeded builds generators from seeds that are not constants.
func (l *Log) Seeded() {
	l.rng = rand.New(rand.NewSource(time.Now().UnixNano())) // want 2
	l.rng = rand.New(rand.NewSource(l.seed))                // want
	src := randv2.NewPCG(uint64(l.seed), 2)                 // want
	_ = randv2.New(src)
	_ = rand.New(l.source()) // want
	var s = rand.NewSource(1)
	s = l.source()
	_ = rand.New(s) // want
	now := time.Now // want
	_ = now
}

func (l *Log) source() rand.Source { return l.rng }

// Mode reads the process and the machine.
func (l *Log) Mode() {
	_ = os.Environ()          // want
	_ = os.Getpid()           // want
	_, _ = os.Hostname()      // want
	_ = os.Args               // want
	if runtime.NumCPU() > 4 { // want
		debug = true
	}
	_ = runtime.NumGoroutine()          // want
	_, _ = os.ReadFile("/etc/hostname") // want
}

// Pick takes what is ready first.
func (l *Log) Pick() int {
	select { // want
	case v := <-l.events:
		return v
	case <-l.done:
		return 0
	}
}

// Poll takes an event if one is ready.
func (l *Log) Poll() int {
	select { // want
	case v := <-l.events:
		return v
	default:
		return 0
	}
}

// Drain takes an event or a stop if either is ready.
func (l *Log) Drain() int {
	select { // want
	case v := <-l.events:
		return v
	case <-l.done:
		return -1
	default:
		return 0
	}
}

// Marked has markers that are wrong.
func (l *Log) Marked() {
	//argocheck:outside-input-ok
	l.last = time.Now() // want above
	n := 1              //argocheck:outside-input-ok nothing is read here // want
	//argocheck:outside-input-ok the line below reads nothing // want
	n++
	go func() { l.last = time.Now() }() // want
	_ = n
}
