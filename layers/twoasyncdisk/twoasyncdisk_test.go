package twoasyncdisk

import (
	"testing"

	"github.com/argocheck/argocheck/layers/asyncdisk"
	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/twodisk"
	"github.com/argocheck/argocheck/model"
)

// TestStep: each operation may be preceded by the failure of either disk
// while both work; a working disk caches its writes until its own flush.
func TestStep(t *testing.T) {
	sp := NewSpec(disk.Sizes{Blocks: 2, Values: 2})
	var s State
	for _, tt := range []struct {
		op      Op
		answers model.Answers
		ret     Ret
		want    string
	}{
		{Op{Kind: disk.Write, Disk: twodisk.D0, Addr: 1, Val: 1}, model.Answers{0}, Ret{OK: true}, "d0=[0 1{0,1}] d1=[0 0]"},
		{Op{Kind: disk.Write, Disk: twodisk.D1, Addr: 1, Val: 1}, model.Answers{0}, Ret{OK: true}, "d0=[0 1{0,1}] d1=[0 1{0,1}]"},
		{Op{Kind: disk.Flush, Disk: twodisk.D0}, model.Answers{0}, Ret{OK: true}, "d0=[0 1] d1=[0 1{0,1}]"},
		{Op{Kind: disk.Read, Disk: twodisk.D1, Addr: 1}, model.Answers{0}, Ret{Val: 1}, "d0=[0 1] d1=[0 1{0,1}]"},
		{Op{Kind: disk.Flush, Disk: twodisk.D0}, model.Answers{1}, Ret{Failed: true}, "d0=failed d1=[0 1{0,1}]"},
		{Op{Kind: disk.Size, Disk: twodisk.D1}, model.Answers{}, Ret{Val: 2}, "d0=failed d1=[0 1{0,1}]"},
		{Op{Kind: disk.Write, Disk: twodisk.D0, Addr: 0, Val: 1}, model.Answers{}, Ret{Failed: true}, "d0=failed d1=[0 1{0,1}]"},
	} {
		answers := tt.answers
		ret := sp.Step(&s, tt.op, &answers)
		if ret != tt.ret || sp.Format(&s) != tt.want || len(answers) != 0 {
			t.Errorf("%v: %v, %s; want %v, %s", tt.op, ret, sp.Format(&s), tt.ret, tt.want)
		}
	}
	if s.Disks[twodisk.D0] != (asyncdisk.Disk{}) {
		t.Errorf("failed d0 keeps its blocks")
	}
	// A crash leaves the failed disk failed, and lets d1's cached block
	// fall back.
	answers := model.Answers{1}
	sp.Crash(&s, &answers)
	if got := sp.Format(&s); got != "d0=failed d1=[0 0]" || len(answers) != 0 {
		t.Errorf("after the crash: %s", got)
	}
}

// TestCrashBothDisks: a crash asks about every cached block of d0, then
// of d1, each independently.
func TestCrashBothDisks(t *testing.T) {
	sp := NewSpec(disk.Sizes{Blocks: 2, Values: 2})
	var s State
	for _, op := range []Op{
		{Kind: disk.Write, Disk: twodisk.D0, Addr: 0, Val: 1},
		{Kind: disk.Write, Disk: twodisk.D1, Addr: 0, Val: 1},
		{Kind: disk.Write, Disk: twodisk.D1, Addr: 1, Val: 1},
	} {
		sp.Step(&s, op, &model.Answers{0})
	}
	for _, tt := range []struct {
		answers model.Answers
		want    string
	}{
		{model.Answers{0, 0, 0}, "d0=[1 0] d1=[1 1]"},
		{model.Answers{1, 0, 1}, "d0=[0 0] d1=[1 0]"},
		{model.Answers{0, 1, 0}, "d0=[1 0] d1=[0 1]"},
	} {
		c, answers := s, tt.answers
		sp.Crash(&c, &answers)
		if got := sp.Format(&c); got != tt.want || len(answers) != 0 {
			t.Errorf("crash with %v: %s, want %s", tt.answers, got, tt.want)
		}
		enc := sp.AppendEncode(nil, &c)
		var back State
		if k, err := sp.Decode(enc, &back); err != nil || k != len(enc) || back != c {
			t.Errorf("decoding %x: %v %d %v", enc, back, k, err)
		}
	}
}

// TestValidate: a check refuses sizes a disk cannot hold before it
// searches, as TwoDisk's does.
func TestValidate(t *testing.T) {
	for _, tt := range []struct {
		sizes disk.Sizes
		ok    bool
	}{
		{disk.Sizes{Blocks: 2, Values: 2}, true},
		{disk.Sizes{Blocks: disk.MaxBlocks + 1, Values: 2}, false},
		{disk.Sizes{Blocks: 0, Values: 2}, false},
	} {
		v, isValidator := any(NewSpec(tt.sizes)).(model.Validator)
		if !isValidator {
			t.Fatalf("twoasyncdisk.Spec is not a model.Validator")
		}
		if err := v.Validate(); (err == nil) != tt.ok {
			t.Errorf("%+v: Validate() = %v, want ok=%v", tt.sizes, err, tt.ok)
		}
	}
}
