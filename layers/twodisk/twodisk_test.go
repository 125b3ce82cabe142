package twodisk

import (
	"testing"

	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/model"
)

func TestStep(t *testing.T) {
	sp := NewSpec(disk.Sizes{Blocks: 2, Values: 3})
	cases := []struct {
		name    string
		status  Status
		op      Op
		answers model.Answers
		ret     Ret
		after   Status
	}{
		{"write", Both, Op{Kind: disk.Write, Disk: D1, Addr: 1, Val: 2}, model.Answers{0}, Ret{OK: true}, Both},
		{"d0 fails first", Both, Op{Kind: disk.Read, Disk: D0, Addr: 0}, model.Answers{1}, Ret{Failed: true}, OnlyD1},
		{"d1 fails, d0 still reads", Both, Op{Kind: disk.Read, Disk: D0, Addr: 1}, model.Answers{2}, Ret{Val: 5}, OnlyD0},
		{"no second failure", OnlyD0, Op{Kind: disk.Size, Disk: D0}, model.Answers{}, Ret{Val: 2}, OnlyD0},
		{"failed disk stays failed", OnlyD1, Op{Kind: disk.Write, Disk: D0, Addr: 0, Val: 1}, model.Answers{}, Ret{Failed: true}, OnlyD1},
		{"out-of-bounds read is any value", OnlyD0, Op{Kind: disk.Read, Disk: D0, Addr: 2}, model.Answers{2}, Ret{Val: 2}, OnlyD0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := State{Status: tc.status}
			s.Disks[D0][1] = 5
			if tc.status == OnlyD1 {
				s.Disks[D0] = disk.Disk{}
			}
			answers := tc.answers
			ret := sp.Step(&s, tc.op, &answers)
			if ret != tc.ret || s.Status != tc.after || len(answers) != 0 {
				t.Fatalf("ret %v status %d (answers left %v), want %v %d", ret, s.Status, answers, tc.ret, tc.after)
			}
			for d := D0; d <= D1; d++ {
				if !s.Status.Working(d) && s.Disks[d] != (disk.Disk{}) {
					t.Fatalf("failed disk %s keeps its blocks: %v", d, s.Disks[d])
				}
			}
		})
	}
}
