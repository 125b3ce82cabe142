package shard

import (
	"context"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/model"
	"github.com/argocheck/argocheck/statestore"
)

// TestEdgesPastFrontierRefused: a marker's violation, or a candidate,
// whose edge names a state past the end of its sender's frontier (a
// corrupt or foreign object) is an error naming the shard, not a panic
// or another state's edge; the frontier's last state is fine.
func TestEdgesPastFrontierRefused(t *testing.T) {
	lists := [][]uint64{{edgeKey(0, 1), edgeKey(0, 4)}, {edgeKey(0, 2)}}
	for _, tc := range []struct {
		k    uint64
		fail bool
	}{{1, false}, {2, true}, {3, true}} {
		ms := []*marker{{found: &violation{edge: edgeKey(tc.k, 7), v: model.Violation{Kind: model.KindInvariant}}}, {}}
		v, err := smallestViolation(ms, lists, 10)
		switch {
		case tc.fail && (err == nil || !strings.Contains(err.Error(), "shard 0 reports a violation at state")):
			t.Errorf("violation at state %d of 2: error %v, want refused", tc.k, err)
		case !tc.fail && (err != nil || v.edge != edgeKey(10+2, 7)):
			t.Errorf("violation at state %d of 2: %+v, %v; want edge %d", tc.k, v, err, edgeKey(12, 7))
		}

		s := &search{cfg: Config{Shards: 2, Index: 0}, visited: statestore.NewTable(16)}
		s.front.base = 10
		x := &expansion{boxes: [][]*outbox{{{keys: []uint64{42}, edges: []uint64{edgeKey(tc.k, 3)}}}, nil}}
		x.boxes[0][0].nodes.add([]byte{42})
		next, err := s.receive(context.Background(), x, []*marker{{sent: []uint64{0, 0}}, {sent: []uint64{0, 0}}}, lists)
		switch {
		case tc.fail && (err == nil || !strings.Contains(err.Error(), "shard 0 sent a successor of state")):
			t.Errorf("successor of state %d of 2: error %v, want refused", tc.k, err)
		case !tc.fail && (err != nil || len(next.edges) != 1 || next.edges[0] != edgeKey(10+2, 3) || next.base != 13):
			t.Errorf("successor of state %d of 2: %+v, %v; want edge %d at base 13", tc.k, next, err, edgeKey(12, 3))
		}
	}
}
