package model_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"log"
	"log/slog"
	"math/rand"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
)

// usedCell is a threeCell on a slotDisk whose writes use memory the
// instances share (sh, made once for the system) or memory of their own
// (mine, made for each instance) as act does, and write what it returns.
type usedCell struct {
	d    model.Caller[uint8, uint8]
	sh   any
	mine any
	act  func(sh, mine any, v uint8) uint8
}

func (c usedCell) Call(op uint8) uint8 {
	if op == 0 {
		return c.d.Call(0)
	}
	v := c.act(c.sh, c.mine, op-1)
	c.d.Call(v + 1)
	return op - 1
}

// usedSystem is the system of usedCell with sh made by shared, and mine
// by own; either may be nil.
func usedSystem(shared, own func() any, act func(sh, mine any, v uint8) uint8) model.Checker {
	var sh any
	if shared != nil {
		sh = shared()
	}
	impl := func(d model.Caller[uint8, uint8]) model.Instance[model.Caller[uint8, uint8]] {
		var mine any
		if own != nil {
			mine = own()
		}
		return model.Instance[model.Caller[uint8, uint8]]{API: usedCell{d: d, sh: sh, mine: mine, act: act}, Recover: func() {}}
	}
	return model.NewSystem(model.NewLayer[uint8, uint8, uint8]("slot", slotDisk{}),
		model.NewLayer[uint8, uint8, uint8]("cell", threeCell{}),
		impl, func(c *uint8) (uint8, bool) { return *c, true })
}

// config is read-only configuration a layer is built with.
type config struct {
	limits  map[string]uint8
	names   []string
	timeout time.Duration
	missing error
	clamp   func(uint8) uint8
	ctx     context.Context
}

var errMissing = errors.New("missing")

// sharedContext is a context the instances' own derive from.
var sharedContext, _ = context.WithCancel(context.Background())

// lazyTable is a table built by the first call that needs it.
type lazyTable struct {
	once  sync.Once
	table []uint8
}

func (l *lazyTable) get() []uint8 {
	l.once.Do(func() { l.table = []uint8{0, 1, 2} })
	return l.table
}

// instances numbers the instances built.
var instances atomic.Int64

// metrics counts writes, and nothing reads the count.
type metrics struct{ writes atomic.Int64 }

// cancelable is a context whose cancel function the layer holds.
type cancelable struct {
	ctx    context.Context
	cancel context.CancelFunc
}

// logging is a layer's logger and whatever else it keeps with it.
type logging struct {
	log *slog.Logger
	buf *bytes.Buffer
}

// busy is a pipe's end that the layer writes to, and that a goroutine of
// its builder was writing to when the search began.
type busy struct {
	w      *os.File
	finish func()
}

// busyFile returns a busy whose other writer is in the middle of a
// write, holding the file's lock, until finish, which has the pipe read
// from then on and waits for that write to return. The reader is a
// goroutine started here, with the System, not by finish: one that a
// procedure started and left running would be reported.
func busyFile() any {
	r, w, err := os.Pipe()
	if err != nil {
		panic(err)
	}
	const size = 1 << 20 // more than a pipe holds
	started, wrote, drain := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(wrote)
		close(started)
		w.Write(make([]byte, size))
	}()
	go func() {
		<-drain
		io.Copy(io.Discard, r)
	}()
	<-started
	time.Sleep(20 * time.Millisecond) // the write starts, and fills the pipe
	var finished sync.Once
	return &busy{w: w, finish: func() {
		finished.Do(func() {
			close(drain)
			<-wrote
		})
	}}
}

// Correct layers that use memory as storage code does, whose memory the
// checks walk: configuration, loggers, locks, contexts, lazily built
// tables, metrics, pools and scratch space. Each verifies, or is a
// nondeterminism violation whose message says what the memory is and how
// to do without it. Before the walks passed over a context's lazily made
// done channel and a log/slog handler's output, a layer that called Done
// on a context it was built with, and one that logged through log/slog
// into a buffer, were violations, at API.sh.done.v and
// API.sh.handler.commonHandler.w.buf, and one whose instances each
// derived a context of their own from one they shared at
// API.mine.ctx.Context.children; before they passed over a
// strings.Replacer and the lock of an os.File's descriptor, a layer that
// used a Replacer it was built with was one at API.sh.once.done.v, and
// one writing to a file that another goroutine was writing to when the
// search began (os.Stderr, say) at API.sh.w.file.pfd.fdmu.state; before
// they passed over a sync.Cond's copy checker, a layer that signaled a
// Cond was one at API.sh.checker, and at API.mine.checker for a Cond of
// each instance's own. Before the walks read a sync.Map's entries
// through Range, a layer storing into a sync.Map that every instance
// shares, made with an entry, verified (the entries are behind pointers
// no walk follows), and one with a sync.Map of each instance's own, only
// read, was a violation at API.mine.m.seed (each map's own hash seed).
// Memory of each instance's own left changed is
// named as shared memory is. Memory in which two instances differ as
// built, before any run (the time of the build, a number), is named so,
// where it was said to be left by the procedure that ran before.
func TestSharedMemoryPatterns(t *testing.T) {
	write := func(v uint8) uint8 { return v }
	for _, tc := range []struct {
		name   string
		shared func() any
		own    func() any
		act    func(sh, mine any, v uint8) uint8
		want   string // "": verified
	}{
		{"read-only configuration", func() any {
			return &config{limits: map[string]uint8{"max": 2}, names: []string{"a"}, timeout: time.Second, missing: errMissing, clamp: write,
				ctx: context.WithValue(context.Background(), errMissing, "value")}
		}, nil, func(sh, _ any, v uint8) uint8 {
			c := sh.(*config)
			if v > c.limits["max"] || c.timeout == 0 || errors.Is(c.missing, io.EOF) || c.ctx.Value(errMissing) == nil {
				return 0
			}
			return c.clamp(v)
		}, ""},
		{"log.Logger to io.Discard", func() any { return log.New(io.Discard, "cell ", log.LstdFlags) }, nil, func(sh, _ any, v uint8) uint8 {
			sh.(*log.Logger).Printf("write %d", v)
			return v
		}, ""},
		{"slog.Logger discarding", func() any { return slog.New(slog.DiscardHandler) }, nil, func(sh, _ any, v uint8) uint8 {
			sh.(*slog.Logger).Info("write", "value", v)
			return v
		}, ""},
		{"slog.Logger to a shared bytes.Buffer", func() any { return slog.New(slog.NewTextHandler(new(bytes.Buffer), nil)) }, nil, func(sh, _ any, v uint8) uint8 {
			sh.(*slog.Logger).Info("write", "value", v)
			return v
		}, ""},
		{"slog.Logger to a shared strings.Builder", func() any {
			return slog.New(slog.NewJSONHandler(new(strings.Builder), nil)).With("layer", "cell")
		}, nil, func(sh, _ any, v uint8) uint8 {
			sh.(*slog.Logger).Info("write", "value", v)
			return v
		}, ""},
		{"slog.Logger to a bytes.Buffer of each instance", nil, func() any { return slog.New(slog.NewTextHandler(new(bytes.Buffer), nil)) }, func(_, mine any, v uint8) uint8 {
			mine.(*slog.Logger).Info("write", "value", v)
			return v
		}, ""},
		{"slog.Logger whose buffer the layer reads", func() any {
			buf := new(bytes.Buffer)
			return &logging{log: slog.New(slog.NewTextHandler(buf, nil)), buf: buf}
		}, nil, func(sh, _ any, v uint8) uint8 {
			l := sh.(*logging)
			l.log.Info("write", "value", v)
			if v == 1 && l.buf.Len() > 200 {
				return 0
			}
			return v
		}, "the layer code"}, // reads what it logged: not deterministic
		{"log.Logger to a shared bytes.Buffer", func() any { return log.New(new(bytes.Buffer), "cell ", 0) }, nil, func(sh, _ any, v uint8) uint8 {
			sh.(*log.Logger).Printf("write %d", v)
			return v
		}, "memory at API.sh.out.buf (the output of a log.Logger"},
		{"sync.Mutex", func() any { return new(sync.Mutex) }, nil, func(sh, _ any, v uint8) uint8 {
			sh.(*sync.Mutex).Lock()
			defer sh.(*sync.Mutex).Unlock()
			return v
		}, ""},
		{"sync.RWMutex", func() any { return new(sync.RWMutex) }, nil, func(sh, _ any, v uint8) uint8 {
			m := sh.(*sync.RWMutex)
			if v == 0 {
				m.Lock()
				defer m.Unlock()
			} else {
				m.RLock()
				defer m.RUnlock()
			}
			return v
		}, ""},
		{"sync.Cond", func() any { return sync.NewCond(new(sync.Mutex)) }, nil, func(sh, _ any, v uint8) uint8 {
			c := sh.(*sync.Cond)
			c.L.Lock()
			defer c.L.Unlock()
			c.Broadcast()
			return v
		}, ""},
		{"sync.Cond of each instance", nil, func() any { return sync.NewCond(new(sync.Mutex)) }, func(_, mine any, v uint8) uint8 {
			mine.(*sync.Cond).Signal()
			return v
		}, ""},
		{"crc32 hash reused", func() any { return crc32.NewIEEE() }, nil, func(sh, _ any, v uint8) uint8 {
			h := sh.(hash.Hash32)
			h.Reset()
			h.Write([]byte{v})
			return uint8(min(h.Sum32(), 0) + uint32(v))
		}, "at API.sh.crc (a hash, whose every Write adds to what it holds: make it in the call"},
		{"crc32 hash of each instance, reset when done", nil, func() any { return crc32.NewIEEE() }, func(_, mine any, v uint8) uint8 {
			h := mine.(hash.Hash32)
			defer h.Reset()
			h.Write([]byte{v})
			return uint8(min(h.Sum32(), 0) + uint32(v))
		}, ""},
		{"sync.Map read", func() any {
			m := new(sync.Map)
			m.Store("max", uint8(2))
			return m
		}, nil, func(sh, _ any, v uint8) uint8 {
			m := sh.(*sync.Map)
			if _, ok := m.Load("min"); ok {
				return 0
			}
			x, _ := m.Load("max")
			return min(v, x.(uint8))
		}, ""},
		{"sync.Map written in the search", storedMap, nil, func(sh, _ any, v uint8) uint8 {
			sh.(*sync.Map).Store("last", v)
			return v
		}, "memory at API.sh[last], which every instance reaches"},
		{"sync.Map of each instance, written", nil, storedMap, func(_, mine any, v uint8) uint8 {
			mine.(*sync.Map).Store("last", v)
			return v
		}, "at API.mine[last]"},
		{"sync.Map of each instance, read", nil, storedMap, func(_, mine any, v uint8) uint8 {
			x, _ := mine.(*sync.Map).Load("last")
			return v + x.(uint8)
		}, ""},
		{"regexp.Regexp", func() any { return regexp.MustCompile(`^w[0-2]$`) }, nil, func(sh, _ any, v uint8) uint8 {
			if !sh.(*regexp.Regexp).MatchString(fmt.Sprintf("w%d", v)) {
				return 0
			}
			return v
		}, ""},
		{"strings.Replacer", func() any { return strings.NewReplacer("w", "write ") }, nil, func(sh, _ any, v uint8) uint8 {
			if sh.(*strings.Replacer).Replace("w") != "write " {
				return 0
			}
			return v
		}, ""},
		{"os.File another goroutine writes to", busyFile, nil, func(sh, _ any, v uint8) uint8 {
			f := sh.(*busy)
			f.finish()
			fmt.Fprintf(f.w, "write %d\n", v)
			return v
		}, ""},
		{"sync.Once building a table in the search", func() any { return new(lazyTable) }, nil, func(sh, _ any, v uint8) uint8 {
			return sh.(*lazyTable).get()[v]
		}, "memory at API.sh.once.done.v (a sync.Once"},
		{"sync.Once building a table with the system", func() any {
			l := new(lazyTable)
			l.get()
			return l
		}, nil, func(sh, _ any, v uint8) uint8 {
			return sh.(*lazyTable).get()[v]
		}, ""},
		{"atomic metrics", func() any { return new(metrics) }, nil, func(sh, _ any, v uint8) uint8 {
			sh.(*metrics).writes.Add(1)
			return v
		}, "memory at API.sh.writes.v (an atomic counter"},
		{"rand.Rand with a fixed seed", func() any { return rand.New(rand.NewSource(1)) }, nil, func(sh, _ any, v uint8) uint8 {
			_ = sh.(*rand.Rand).Intn(3)
			return v
		}, "(a random number generator"},
		{"context.WithCancel, Done", func() any {
			ctx, cancel := context.WithCancel(context.Background())
			return &cancelable{ctx, cancel}
		}, nil, func(sh, _ any, v uint8) uint8 {
			select {
			case <-sh.(*cancelable).ctx.Done():
				return 0
			default:
				return v
			}
		}, ""},
		{"context.WithTimeout, Done and Err", func() any {
			ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
			return &cancelable{ctx, cancel}
		}, nil, func(sh, _ any, v uint8) uint8 {
			if ctx := sh.(*cancelable).ctx; ctx.Err() != nil || ctx.Done() == nil {
				return 0
			}
			return v
		}, ""},
		{"context.WithTimeout of each call, from a shared context", func() any {
			ctx, cancel := context.WithCancel(context.Background())
			return &cancelable{ctx, cancel}
		}, nil, func(sh, _ any, v uint8) uint8 {
			ctx, cancel := context.WithTimeout(sh.(*cancelable).ctx, time.Hour)
			defer cancel()
			if ctx.Err() != nil {
				return 0
			}
			return v
		}, ""},
		{"context.WithCancel of each instance, from a shared context", nil, func() any {
			ctx, cancel := context.WithCancel(sharedContext)
			return &cancelable{ctx, cancel}
		}, func(_, mine any, v uint8) uint8 {
			if mine.(*cancelable).ctx.Err() != nil {
				return 0
			}
			return v
		}, ""},
		{"context the layer cancels", func() any {
			ctx, cancel := context.WithCancel(context.Background())
			return &cancelable{ctx, cancel}
		}, nil, func(sh, _ any, v uint8) uint8 {
			c := sh.(*cancelable)
			if v == 2 {
				c.cancel()
			}
			if v == 1 && c.ctx.Err() != nil {
				return 0
			}
			return v
		}, "the layer code"}, // a write of 1 after one of 2 writes 0
		{"sync.Pool of scratch buffers", func() any { return &sync.Pool{New: func() any { return new([8]byte) }} }, nil, func(sh, _ any, v uint8) uint8 {
			p := sh.(*sync.Pool)
			b := p.Get().(*[8]byte)
			defer p.Put(b)
			*b = [8]byte{v}
			return b[0]
		}, "memory at API.sh.localSize (a sync.Pool"},
		{"sync.Once of each instance, done in a call", nil, func() any { return new(lazyTable) }, func(_, mine any, v uint8) uint8 {
			return mine.(*lazyTable).get()[v]
		}, "at API.mine.once.done.v (a sync.Once"},
		{"sync.Once of each instance, done when built", nil, func() any {
			l := new(lazyTable)
			l.get()
			return l
		}, func(_, mine any, v uint8) uint8 {
			return mine.(*lazyTable).get()[v]
		}, ""},
		{"log.Logger to a bytes.Buffer of each instance", nil, func() any { return log.New(new(bytes.Buffer), "cell ", 0) }, func(_, mine any, v uint8) uint8 {
			mine.(*log.Logger).Printf("write %d", v)
			return v
		}, "at API.mine.out.buf (length 13, not 0) (the output of a log.Logger"},
		{"scratch space of each instance, left", nil, func() any { return new([8]byte) }, func(_, mine any, v uint8) uint8 {
			b := mine.(*[8]byte)
			b[0] = v
			return b[0]
		}, "at API.mine[0]: the layer code keeps state of its own between calls (on a real instance the operations after it run on that memory); scratch space"},
		{"time of each instance's build", nil, func() any { return time.Now() }, func(_, _ any, v uint8) uint8 { return v },
			"two instances that Impl built, neither of which ran anything, hold other values at API.mine"},
		{"number of each instance", nil, func() any { return instances.Add(1) }, func(_, _ any, v uint8) uint8 { return v },
			"two instances that Impl built, neither of which ran anything, hold other values at API.mine"},
		{"scratch space of each instance, cleared", nil, func() any { return new([8]byte) }, func(_, mine any, v uint8) uint8 {
			b := mine.(*[8]byte)
			defer clear(b[:])
			b[0] = v
			return b[0]
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantInEveryMode(t, func() model.Checker { return usedSystem(tc.shared, tc.own, tc.act) }, tc.want)
		})
	}
}

// A composed stack whose two layers log through one log/slog logger into
// a buffer and check a context they are both built with verifies: the
// walks pass over that memory in each layer's instances alike.
func TestSharedMemoryComposed(t *testing.T) {
	stack := func() model.Checker {
		ctx, cancel := context.WithCancel(context.Background())
		sh := &cancelable{ctx, cancel}
		logger := slog.New(slog.NewTextHandler(new(bytes.Buffer), nil))
		act := func(sh, _ any, v uint8) uint8 {
			c := sh.(*cancelable)
			select {
			case <-c.ctx.Done():
				return 0
			default:
			}
			logger.Info("write", "value", v)
			return v
		}
		lower := func(d model.Caller[uint8, uint8]) model.Instance[model.Caller[uint8, uint8]] {
			return model.Instance[model.Caller[uint8, uint8]]{API: usedCell{d: d, sh: sh, mine: logger, act: act}, Recover: func() {}}
		}
		upper := func(d model.Caller[uint8, uint8]) model.Instance[model.Caller[uint8, uint8]] {
			return model.Instance[model.Caller[uint8, uint8]]{API: usedCell{d: d, sh: sh, mine: logger, act: act}, Recover: func() {
				logger.Info("recovered")
			}}
		}
		return model.NewSystem(model.NewLayer[uint8, uint8, uint8]("slot", slotDisk{}),
			model.NewLayer[uint8, uint8, uint8]("cell", threeCell{}),
			model.Compose(lower, upper), func(c *uint8) (uint8, bool) { return *c, true })
	}
	for _, d := range model.DeterminismModes {
		for _, workers := range []int{1, 2} {
			res, err := explorer.Run(context.Background(), stack(), explorer.Config{Workers: workers, Determinism: d})
			if err != nil {
				t.Fatal(err)
			}
			if res.Verdict != explorer.Verified {
				t.Fatalf("%s, %d workers: %s, want verified: %v", d, workers, res.Verdict, res.Violation)
			}
		}
	}
}

// storedMap returns a sync.Map that holds an entry, as a table the
// System's builder fills: its memory has been made, and only its
// entries change.
func storedMap() any {
	m := new(sync.Map)
	m.Store("last", uint8(0))
	return m
}
