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

// TestReceiveChecksCandidatesCount: the candidates object that a marker
// names must hold as many candidates as the marker says it sent: one
// with fewer (another process's, or cut short) is refused, not taken for
// all of them, and one with as many is read.
func TestReceiveChecksCandidatesCount(t *testing.T) {
	ctx := context.Background()
	b, err := OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	const writer = 0xabc
	box := &outbox{keys: []uint64{42, 43}, edges: []uint64{edgeKey(0, 1), edgeKey(0, 2)}}
	box.nodes.add([]byte{42})
	box.nodes.add([]byte{43})
	lists := [][]uint64{nil, {edgeKey(rootParent, 0)}}
	for _, sent := range []uint64{2, 3} {
		s := &search{cfg: Config{Shards: 2, Index: 0}, x: &exchange{b: b}, visited: statestore.NewTable(16)}
		s.front.depth, s.front.base = 4, 10
		if err := s.x.put(ctx, candidatesKey(4, 1, 0, writer), encodeCandidates(nil, 4, 1, 0, writer, []*outbox{box})); err != nil {
			t.Fatal(err)
		}
		x := &expansion{boxes: make([][]*outbox, 2)}
		ms := []*marker{{sent: []uint64{0, 0}}, {writer: writer, sent: []uint64{sent, 0}}}
		next, err := s.receive(ctx, x, ms, lists)
		switch {
		case sent == 2 && (err != nil || len(next.keys) != 2):
			t.Errorf("2 candidates, 2 sent: %+v, %v; want both received", next, err)
		case sent != 2 && (err == nil || !strings.Contains(err.Error(), "holds 2 candidates, where the marker says 3")):
			t.Errorf("2 candidates, %d sent: error %v, want refused", sent, err)
		}
	}
}

// TestParentFromMarkers: the parent records a path is rebuilt from are
// the markers' edge lists, merged by level: state s of a level is its
// (s - base)-th smallest edge; a state past the last level's states is
// an error, not another state's record.
func TestParentFromMarkers(t *testing.T) {
	ctx := context.Background()
	b, err := OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := &search{cfg: Config{Shards: 2}, x: &exchange{b: b}, bases: []uint64{0, 1}}
	for _, m := range []*marker{
		{depth: 0, shard: 0, edges: []uint64{edgeKey(rootParent, 0)}},
		{depth: 0, shard: 1},
		{depth: 1, shard: 0, edges: []uint64{edgeKey(0, 2)}},
		{depth: 1, shard: 1, edges: []uint64{edgeKey(0, 0), edgeKey(0, 5)}},
	} {
		m.sent = make([]uint64, 2)
		if err := s.x.put(ctx, markerKey(m.depth, m.shard), m.encode(nil)); err != nil {
			t.Fatal(err)
		}
	}
	parent := s.parent(ctx)
	for st, want := range []uint64{edgeKey(rootParent, 0), edgeKey(0, 0), edgeKey(0, 2), edgeKey(0, 5)} {
		if got, err := parent(uint64(st)); err != nil || got != want {
			t.Errorf("parent of state %d: %x, %v; want %x", st, got, err, want)
		}
	}
	if got, err := parent(4); err == nil || !strings.Contains(err.Error(), "level 1 holds 3 states, not state 4") {
		t.Errorf("parent of state 4 of 4: %x, %v; want an error", got, err)
	}
}
