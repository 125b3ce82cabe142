package txndisk

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/argocheck/argocheck/layers/disk"
)

// fixed is a Chooser that always answers the same alternative.
type fixed int

func (f fixed) Choose(n int) int { return int(f) % n }

func TestStep(t *testing.T) {
	sizes := disk.Sizes{Blocks: 2, Values: 3, OOB: true}
	sp := NewSpec(sizes)
	start := State{Old: disk.Disk{1, 2}, New: disk.Disk{1, 0}}
	tests := []struct {
		name   string
		op     disk.Op
		choice fixed
		want   State
		ret    disk.Ret
	}{
		{"read sees old", disk.Op{Kind: disk.Read, Addr: 1}, 0, start, disk.Ret{Val: 2}},
		{"write sets new", disk.Op{Kind: disk.Write, Addr: 0, Val: 2}, 0, State{Old: disk.Disk{1, 2}, New: disk.Disk{2, 0}}, disk.Ret{OK: true}},
		{"write may fail", disk.Op{Kind: disk.Write, Addr: 0, Val: 2}, 1, start, disk.Ret{Err: true}},
		{"write out of bounds", disk.Op{Kind: disk.Write, Addr: 2, Val: 2}, 0, start, disk.Ret{OK: true}},
		{"read out of bounds", disk.Op{Kind: disk.Read, Addr: 2}, 2, start, disk.Ret{Val: 2}},
		{"commit", disk.Op{Kind: disk.Commit}, 0, State{Old: disk.Disk{1, 0}, New: disk.Disk{1, 0}}, disk.Ret{OK: true}},
		{"size", disk.Op{Kind: disk.Size}, 0, start, disk.Ret{Val: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start
			if r := sp.Step(&s, tt.op, tt.choice); r != tt.ret || s != tt.want {
				t.Errorf("%s: got %v, %s; want %v, %s", tt.op, r, sp.Format(&s), tt.ret, sp.Format(&tt.want))
			}
		})
	}
}

func TestCrashDropsUncommittedWrites(t *testing.T) {
	sp := NewSpec(disk.Sizes{Blocks: 2, Values: 2})
	s := State{Old: disk.Disk{1, 0}, New: disk.Disk{1, 1}}
	sp.Crash(&s, fixed(0))
	if want := (State{Old: disk.Disk{1, 0}, New: disk.Disk{1, 0}}); s != want {
		t.Errorf("crash left %s, want %s", sp.Format(&s), sp.Format(&want))
	}
}

func TestOps(t *testing.T) {
	// 3 reads, 3*2 writes, commit and size.
	ops := NewSpec(disk.Sizes{Blocks: 2, Values: 2, OOB: true}).Ops()
	if len(ops) != 11 || ops[9].Kind != disk.Commit || ops[10].Kind != disk.Size {
		t.Errorf("ops = %v", ops)
	}
}

// TestEncodingRoundTrip: Decode inverts AppendEncode, and the encoding is
// canonical: equal states, and only they, encode equally.
func TestEncodingRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, disk.MaxBlocks).Draw(t, "blocks")
		sp := NewSpec(disk.Sizes{Blocks: n, Values: 2})
		gen := func(label string) State {
			var s State
			for i := 0; i < n; i++ {
				s.Old[i] = disk.Block(rapid.Uint32Range(0, 1<<20).Draw(t, label+"old"))
				s.New[i] = disk.Block(rapid.Uint32Range(0, 1<<20).Draw(t, label+"new"))
			}
			return s
		}
		s1, s2 := gen("a"), gen("b")
		e1 := sp.AppendEncode([]byte{7}, &s1)[1:]
		e2 := sp.AppendEncode(nil, &s2)
		var got State
		k, err := sp.Decode(append(e1, 9), &got)
		if err != nil || k != len(e1) || got != s1 {
			t.Fatalf("decode(encode(%v)) = %v, %d, %v", s1, got, k, err)
		}
		if (string(e1) == string(e2)) != (s1 == s2) {
			t.Fatalf("encodings of %v and %v: equal=%v", s1, s2, string(e1) == string(e2))
		}
	})
}

func TestFormat(t *testing.T) {
	sp := NewSpec(disk.Sizes{Blocks: 2, Values: 2})
	for _, tt := range []struct {
		s    State
		want string
	}{
		{State{Old: disk.Disk{1, 0}, New: disk.Disk{1, 0}}, "[1 0]"},
		{State{Old: disk.Disk{1, 0}, New: disk.Disk{1, 1}}, "old=[1 0] new=[1 1]"},
	} {
		if got := sp.Format(&tt.s); got != tt.want {
			t.Errorf("Format = %q, want %q", got, tt.want)
		}
	}
}
