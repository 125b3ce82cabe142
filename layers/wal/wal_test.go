package wal

import (
	"fmt"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/argocheck/argocheck/layers/asyncdisk"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/layers/txndisk"
)

func TestConfigValidate(t *testing.T) {
	for _, tt := range []struct {
		cfg Config
		ok  bool
	}{
		{Config{Blocks: 2, Log: 2}, true},
		{Config{Blocks: 8, Log: 4}, true},
		{Config{Blocks: 0, Log: 2}, false},
		{Config{Blocks: 9, Log: 2}, false},
		{Config{Blocks: 2, Log: 0}, false},
		{Config{Blocks: 2, Log: 7}, false},
	} {
		if err := tt.cfg.Validate(); (err == nil) != tt.ok {
			t.Errorf("%+v: Validate() = %v, want ok=%v", tt.cfg, err, tt.ok)
		}
	}
}

// TestHeaderRoundTrip: every header fits one block and decodes back, and
// a block decodes as valid exactly when some header encodes to it.
func TestHeaderRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		l := rapid.IntRange(1, MaxLog).Draw(t, "log")
		h := Header{Committed: rapid.Bool().Draw(t, "committed"), Len: rapid.IntRange(0, l).Draw(t, "len")}
		got, ok := DecodeHeader(EncodeHeader(h), l)
		if !ok || got != h {
			t.Fatalf("DecodeHeader(EncodeHeader(%+v)) = %+v, %v", h, got, ok)
		}
		b := disk.Block(rapid.Uint32Range(0, 40).Draw(t, "block"))
		if d, ok := DecodeHeader(b, l); ok != (EncodeHeader(d) == b) || d.Len > l {
			t.Fatalf("DecodeHeader(%d) = %+v, %v", b, d, ok)
		}
	})
}

// TestDescriptorRoundTrip: L addresses of the data region (and the
// out-of-bounds one) fit one block and decode back.
func TestDescriptorRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		l := rapid.IntRange(1, MaxLog).Draw(t, "log")
		var d Descriptor
		for i := 0; i < l; i++ {
			d[i] = disk.Addr(rapid.IntRange(0, MaxBlocks).Draw(t, "addr"))
		}
		var got Descriptor
		if !DecodeDescriptor(EncodeDescriptor(&d, l), l, &got) || got != d {
			t.Fatalf("DecodeDescriptor(EncodeDescriptor(%v)) = %v", d, got)
		}
	})
}

func TestEncodingsReadAsDecimal(t *testing.T) {
	d := Descriptor{1, 0, 2}
	if b := EncodeDescriptor(&d, 3); b != 102 {
		t.Errorf("descriptor [1 0 2] = %d, want 102", b)
	}
	if b := EncodeHeader(Header{Committed: true, Len: 2}); b != 12 {
		t.Errorf("committed header of 2 entries = %d, want 12", b)
	}
}

func TestAbs(t *testing.T) {
	cfg := Config{Blocks: 2, Log: 2}
	tests := []struct {
		name string
		disk disk.Disk // header, descriptor, 2 values, 2 data blocks
		want txndisk.State
		ok   bool
	}{
		{"empty log", disk.Disk{0, 11, 1, 1, 0, 1}, txndisk.State{Old: disk.Disk{0, 1}, New: disk.Disk{0, 1}}, true},
		{"one entry", disk.Disk{1, 11, 1, 0, 0, 0}, txndisk.State{Old: disk.Disk{0, 0}, New: disk.Disk{0, 1}}, true},
		{"later entries win", disk.Disk{2, 0, 1, 0, 1, 0}, txndisk.State{Old: disk.Disk{1, 0}, New: disk.Disk{0, 0}}, true},
		{"out-of-bounds entry", disk.Disk{1, 20, 1, 0, 0, 0}, txndisk.State{}, true},
		{"committed", disk.Disk{12, 1, 1, 1, 0, 0}, txndisk.State{}, false},
		{"bad header", disk.Disk{3, 1, 1, 1, 0, 0}, txndisk.State{}, false},
		{"bad descriptor", disk.Disk{0, 100, 1, 1, 0, 0}, txndisk.State{}, false},
	}
	abs := Abs(cfg)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := abs(&onedisk.State{Disk: tt.disk})
			if ok != tt.ok || (ok && got != tt.want) {
				t.Errorf("Abs(%v) = %v, %v; want %v, %v", tt.disk, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	cfg := Config{Blocks: 2, Log: 2}
	for _, tt := range []struct {
		d    disk.Disk
		want string
	}{
		{disk.Disk{12, 10, 1, 1, 0, 1}, "[c2 | 1 0 | 1 1 | 0 1]"},
		{disk.Disk{0, 1, 0, 0, 0, 0}, "[0 | 0 1 | 0 0 | 0 0]"},
		{disk.Disk{7, 100, 0, 0, 0, 0}, "[?7 | ?100 | 0 0 | 0 0]"},
	} {
		if got := Format(cfg, &tt.d); got != tt.want {
			t.Errorf("Format(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

// disk1 is a OneDisk in memory, for running the log's procedures
// directly.
type disk1 struct{ d onedisk.State }

func (m *disk1) Read(a disk.Addr) disk.Block     { return m.d.Disk[a] }
func (m *disk1) Write(a disk.Addr, b disk.Block) { m.d.Disk[a] = b }
func (m *disk1) Size() int                       { return 6 }

// TestProcedures runs the log's procedures without crashes and compares
// the abstraction of the disk with what TxnDisk says, for each variant.
func TestProcedures(t *testing.T) {
	cfg := Config{Blocks: 2, Log: 2}
	abs := Abs(cfg)
	for _, tt := range []struct {
		v    Variant
		want disk.Disk // data after write(0,1), write(0,0), write(1,1) refused, commit
	}{
		{Correct, disk.Disk{0, 0}},
		{ApplyWithoutCommitFlag, disk.Disk{0, 0}},
		{RecoveryClearsHeaderFirst, disk.Disk{0, 0}},
		{ApplyBackwards, disk.Disk{1, 0}},
		{NoRecovery, disk.Disk{0, 0}},
	} {
		m := &disk1{}
		inst := Impl(cfg, tt.v)(m)
		log := inst.API
		if !log.Write(0, 1) || !log.Write(0, 0) {
			t.Fatalf("%q: write refused with room in the log", tt.v)
		}
		if log.Write(1, 1) {
			t.Fatalf("%q: write to a full log accepted", tt.v)
		}
		if a, _ := abs(&m.d); a.Old != (disk.Disk{}) || a.New != (disk.Disk{0, 0}) {
			t.Errorf("%q: before commit the log stands for %v", tt.v, a)
		}
		log.Commit()
		a, ok := abs(&m.d)
		if !ok || a.Old != tt.want || a.New != tt.want || log.Read(0) != tt.want[0] || log.Size() != 2 {
			t.Errorf("%q: after commit the log stands for %v, %v; want %v", tt.v, a, ok, tt.want)
		}
		inst.Recover()
		if b, ok := abs(&m.d); !ok || b != a {
			t.Errorf("%q: recovery after commit changed %v to %v", tt.v, a, b)
		}
	}
}

// TestProceduresDoNotAllocate: the log's procedures run on the explorer's
// hot path, once per edge, and allocate nothing.
func TestProceduresDoNotAllocate(t *testing.T) {
	cfg := Config{Blocks: 2, Log: 2}
	m := &disk1{}
	inst := Impl(cfg, Correct)(m)
	log := inst.API
	allocs := testing.AllocsPerRun(100, func() {
		log.Write(0, 1)
		log.Write(1, 1)
		log.Write(1, 0)
		log.Read(1)
		log.Size()
		log.Commit()
		inst.Recover()
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per transaction, want 0", allocs)
	}
}

// cached is a disk with a write cache in memory that records the calls
// it gets, for checking where the log flushes.
type cached struct {
	d     asyncdisk.Disk
	calls []string
}

func (c *cached) Read(a disk.Addr) disk.Block {
	c.calls = append(c.calls, fmt.Sprintf("r%d", a))
	return c.d.Cur[a]
}

func (c *cached) Write(a disk.Addr, b disk.Block) {
	c.calls = append(c.calls, fmt.Sprintf("w%d:%d", a, b))
	c.d.Write(a, b)
}

func (c *cached) Flush() {
	c.calls = append(c.calls, "f")
	c.d.Flush()
}

func (c *cached) Size() int { return 4 }

// TestFlushes: on a disk with a write cache, commit flushes before and
// after writing the committed header and apply after copying the entries
// and after writing the empty header; each variant leaves out its flush,
// and a write flushes nothing.
func TestFlushes(t *testing.T) {
	cfg := Config{Blocks: 1, Log: 1}
	for _, tt := range []struct {
		v    Variant
		want string
		// durable: commit leaves every block durable.
		durable bool
	}{
		{Correct, "r0 f w0:11 f r0 r1 r2 w3:1 f w0:0 f", true},
		{NoFlushBeforeCommit, "r0 w0:11 f r0 r1 r2 w3:1 f w0:0 f", true},
		{NoFlushAfterCommit, "r0 f w0:11 r0 r1 r2 w3:1 f w0:0 f", true},
		{NoFlushBeforeClear, "r0 f w0:11 f r0 r1 r2 w3:1 w0:0 f", true},
		{NoFlushAfterClear, "r0 f w0:11 f r0 r1 r2 w3:1 f w0:0", false},
		{NoFlush, "r0 w0:11 r0 r1 r2 w3:1 w0:0", false},
	} {
		d := &cached{}
		inst := AsyncImpl(cfg, tt.v)(d)
		if !inst.API.Write(0, 1) {
			t.Fatalf("%q: write refused", tt.v)
		}
		if got := strings.Join(d.calls, " "); got != "r0 r1 w0:1 w1:0 w2:1" {
			t.Errorf("%q: write made the calls %s", tt.v, got)
		}
		d.calls = nil
		inst.API.Commit()
		if got := strings.Join(d.calls, " "); got != tt.want {
			t.Errorf("%q: commit made the calls %s, want %s", tt.v, got, tt.want)
		}
		durable := true
		for a := disk.Addr(0); a < 4; a++ {
			durable = durable && d.d.Durable(a)
		}
		if durable != tt.durable {
			t.Errorf("%q: after commit, every block durable: %v, want %v", tt.v, durable, tt.durable)
		}
	}
}

func TestFormatAsync(t *testing.T) {
	cfg := Config{Blocks: 2, Log: 2}
	var d asyncdisk.Disk
	for _, w := range []struct {
		a disk.Addr
		b disk.Block
	}{{0, 12}, {1, 10}, {2, 1}, {5, 1}} {
		d.Write(w.a, w.b)
	}
	if got, want := FormatAsync(cfg, &d), "[c2{0,c2} | 1 0{00,10} | 1{0,1} 0 | 0 1{0,1}]"; got != want {
		t.Errorf("FormatAsync = %q, want %q", got, want)
	}
	d.Flush()
	if got, want := FormatAsync(cfg, &d), Format(cfg, &d.Cur); got != want {
		t.Errorf("flushed: FormatAsync = %q, Format = %q", got, want)
	}
	d.Write(1, 100)
	if got, want := FormatAsync(cfg, &d), "[c2 | ?100{10,?100} | 1 0 | 0 1]"; got != want {
		t.Errorf("FormatAsync = %q, want %q", got, want)
	}
}
