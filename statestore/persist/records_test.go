package persist

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/argocheck/argocheck/statestore"
	"pgregory.net/rapid"
)

func genRun(t *rapid.T) Header {
	return Header{
		Format:      FormatVersion,
		System:      rapid.String().Draw(t, "system"),
		Variant:     rapid.String().Draw(t, "variant"),
		Params:      rapid.MapOf(rapid.String(), rapid.String()).Draw(t, "params"),
		Crash:       rapid.String().Draw(t, "crash"),
		Determinism: rapid.String().Draw(t, "determinism"),
		Build:       rapid.StringMatching(`[0-9a-f]{0,16}`).Draw(t, "build"),
	}
}

func genPart(t *rapid.T) *part {
	return &part{
		Seq: rapid.IntRange(0, 1<<31-1).Draw(t, "seq"), Level: rapid.IntRange(0, 1<<31-1).Draw(t, "level"),
		Expanded: rapid.Uint64().Draw(t, "expanded"), Complete: rapid.Bool().Draw(t, "complete"),
		First: rapid.Uint64Max(1<<40).Draw(t, "first"),
		Count: rapid.Uint64Max(1<<40).Draw(t, "count"), StateChunks: rapid.IntRange(0, 1<<31-1).Draw(t, "sc"),
		FrontierChunks: rapid.IntRange(0, 1<<31-1).Draw(t, "fc"), Transitions: rapid.Uint64().Draw(t, "tr"),
		CrashPoints: rapid.Uint64().Draw(t, "cp"), ElapsedNanos: rapid.Uint64().Draw(t, "el"),
	}
}

// Property: every record decodes to what was encoded.
func TestRecordsRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		switch rapid.IntRange(0, 5).Draw(t, "kind") {
		case 0:
			r := genRun(t)
			got, err := decodeRun(encodeRun(r))
			if err != nil || !got.Same(r) || got.Format != r.Format {
				t.Fatalf("run %+v decoded as %+v, %v", r, got, err)
			}
			// A run of another version decodes to its version alone.
			r.Format = rapid.IntRange(0, 1<<31-1).Filter(func(v int) bool { return v != FormatVersion }).Draw(t, "format")
			got, err = decodeRun(encodeRun(r))
			if err != nil || !reflect.DeepEqual(got, Header{Format: r.Format}) {
				t.Fatalf("run %+v decoded as %+v, %v", r, got, err)
			}
		case 1:
			p := genPart(t)
			got, err := decodePart(encodePart(p))
			if err != nil || *got != *p {
				t.Fatalf("part %+v decoded as %+v, %v", p, got, err)
			}
		case 2:
			n := rapid.IntRange(0, 200).Draw(t, "n")
			keys := rapid.SliceOfN(rapid.Uint64(), n, n).Draw(t, "keys")
			parents := rapid.SliceOfN(rapid.Uint64(), n, n).Draw(t, "parents")
			k, p, err := decodeStates(encodeStates(nil, keys, parents), []uint64{7}, nil)
			if err != nil || !slices.Equal(k[1:], keys) || k[0] != 7 || !slices.Equal(p, parents) {
				t.Fatalf("states %v %v decoded as %v %v, %v", keys, parents, k, p, err)
			}
		case 3:
			nodes := rapid.SliceOf(rapid.SliceOf(rapid.Byte())).Draw(t, "nodes")
			got, err := decodeFrontier(frontierRecord(nodes), nil)
			if err != nil || len(got) != len(nodes) {
				t.Fatalf("frontier %v decoded as %v, %v", nodes, got, err)
			}
			for i := range nodes {
				if !bytes.Equal(got[i], nodes[i]) {
					t.Fatalf("frontier %v decoded as %v", nodes, got)
				}
			}
		case 4:
			v := statestore.ViolationRecord{
				Kind: rapid.String().Draw(t, "kind"), Message: rapid.String().Draw(t, "msg"),
				Where: rapid.String().Draw(t, "where"), Edge: rapid.Uint64().Draw(t, "edge"),
			}
			got, err := decodeViolation(encodeViolation(&v))
			if err != nil || got != v {
				t.Fatalf("violation %+v decoded as %+v, %v", v, got, err)
			}
		case 5:
			o := &statestore.Outcome{
				Verdict: rapid.String().Draw(t, "verdict"), Stopped: rapid.String().Draw(t, "stopped"),
				States: rapid.Uint64().Draw(t, "s"), Transitions: rapid.Uint64().Draw(t, "t"), CrashPoints: rapid.Uint64().Draw(t, "c"),
				Depth: rapid.IntRange(0, 1<<31-1).Draw(t, "d"), Elapsed: time.Duration(rapid.Int64().Draw(t, "e")), MemoryBytes: rapid.Uint64().Draw(t, "m"),
				LevelBytes: rapid.Uint64().Draw(t, "l"), Collision: rapid.Float64().Draw(t, "c"),
			}
			got, err := decodeOutcome(encodeOutcome(o))
			if err != nil || !reflect.DeepEqual(got, o) {
				t.Fatalf("outcome %+v decoded as %+v, %v", o, got, err)
			}
		}
	})
}

// Property: a record with any one byte changed, or cut short, does not
// decode (the checksum catches it), and never as another kind.
func TestRecordsDetectDamage(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		recs := [][]byte{
			encodeRun(genRun(t)), encodePart(genPart(t)),
			encodeStates(nil, []uint64{1, 2, 3}, []uint64{5, 9, 4}),
			frontierRecord([][]byte{{1, 2}, {3}}),
			encodeViolation(&statestore.ViolationRecord{Kind: "k", Message: "m", Where: "w.go:1", Edge: 3}),
			encodeOutcome(&statestore.Outcome{Verdict: "verified"}),
		}
		rec := slices.Clone(rapid.SampledFrom(recs).Draw(t, "record"))
		if rapid.Bool().Draw(t, "truncate") {
			rec = rec[:rapid.IntRange(0, len(rec)-1).Draw(t, "len")]
		} else {
			i := rapid.IntRange(0, len(rec)-1).Draw(t, "at")
			rec[i] ^= rapid.ByteRange(1, 255).Draw(t, "xor")
		}
		for _, err := range decodeAll(rec) {
			if err == nil {
				t.Fatalf("damaged record %x decoded", rec)
			}
			if !errors.Is(err, errCorrupt) {
				t.Fatalf("damaged record %x: %v is not a corrupt-record error", rec, err)
			}
		}
	})
}

// frontierRecord returns the frontier record of nodes.
func frontierRecord(nodes [][]byte) []byte {
	return encodeFrontier(&frontierScratch{}, nodes)
}

// decodeAll runs every decoder on rec.
func decodeAll(rec []byte) []error {
	_, e1 := decodeRun(rec)
	_, e2 := decodePart(rec)
	_, _, e3 := decodeStates(rec, nil, nil)
	_, e4 := decodeFrontier(rec, nil)
	_, e5 := decodeViolation(rec)
	_, e6 := decodeOutcome(rec)
	return []error{e1, e2, e3, e4, e5, e6}
}

// FuzzDecode changes stored records' payloads and seals them again with a
// valid checksum, so that the decoders' own checks are reached, for every
// kind of record (and mismatched tags): no decoder may panic, each one
// fails with a corrupt-record error or decodes to a value that encodes
// back to the same record (for a run, whose header is JSON, and a
// frontier, whose payload is compressed, to a value that encodes and
// decodes to itself). The seeds are one record of each
// kind; go test runs them, go test -fuzz FuzzDecode searches further.
func FuzzDecode(f *testing.F) {
	for _, rec := range [][]byte{
		encodeRun(Header{Format: FormatVersion, System: "repdisk", Params: map[string]string{"blocks": "3"}, Crash: "none", Determinism: "full"}),
		encodeRun(Header{Format: 1, System: "repdisk"}),
		encodePart(&part{Seq: 4, Level: 3, Expanded: 7, Complete: true, First: 10, Count: 5, StateChunks: 1, FrontierChunks: 1, Transitions: 700, CrashPoints: 300, ElapsedNanos: 1e9}),
		encodeStates(nil, []uint64{1, 2, 3}, []uint64{5, 9, 4}),
		encodeStates(nil, nil, nil),
		frontierRecord([][]byte{{1, 2}, {3}, {}}),
		encodeViolation(&statestore.ViolationRecord{Kind: "panic", Message: "layer code panicked: boom", Where: "layers/wal/wal.go:42", Edge: 3 << 24}),
		encodeOutcome(&statestore.Outcome{Verdict: "verified", Stopped: "bound", States: 144, Depth: 9, Elapsed: time.Second, Collision: 1e-12}),
	} {
		f.Add(rec[1:len(rec)-4], rec[0])
	}
	f.Fuzz(func(t *testing.T, payload []byte, tag byte) {
		rec := seal(append([]byte{tag}, payload...))
		for _, err := range decodeAll(rec) {
			if err != nil && !errors.Is(err, errCorrupt) {
				t.Fatalf("record %x: %v is not a corrupt-record error", rec, err)
			}
		}
		var again []byte // the decoded value encoded again, when it decodes
		switch tag {
		case tagRun:
			// JSON spells one header many ways: what decodes must encode
			// to a record that decodes to it again.
			h, err := decodeRun(rec)
			if err != nil {
				return
			}
			if h.Format != FormatVersion && !reflect.DeepEqual(h, Header{Format: h.Format}) {
				t.Fatalf("run %x of format version %d decodes to more than its version: %+v", rec, h.Format, h)
			}
			h2, err := decodeRun(encodeRun(h))
			if err != nil || !reflect.DeepEqual(h2, h) {
				t.Fatalf("run %+v encodes to a record that decodes to %+v, %v", h, h2, err)
			}
		case tagPart:
			if p, err := decodePart(rec); err == nil {
				again = encodePart(p)
			}
		case tagStates:
			if k, p, err := decodeStates(rec, nil, nil); err == nil {
				again = encodeStates(nil, k, p)
			}
		case tagFrontier:
			// A compressed payload has many spellings: what decodes
			// must encode to a record that decodes to it again.
			if n, err := decodeFrontier(rec, nil); err == nil {
				n2, err := decodeFrontier(frontierRecord(n), nil)
				if err != nil || len(n2) != len(n) {
					t.Fatalf("frontier %x encodes to a record that decodes to %d nodes, %v", rec, len(n2), err)
				}
				for i := range n {
					if !bytes.Equal(n[i], n2[i]) {
						t.Fatalf("frontier %x encodes to a record that decodes to other nodes", rec)
					}
				}
			}
		case tagViolation:
			if v, err := decodeViolation(rec); err == nil {
				again = encodeViolation(&v)
			}
		case tagOutcome:
			if o, err := decodeOutcome(rec); err == nil {
				again = encodeOutcome(o)
			}
		}
		if again != nil && !bytes.Equal(again, rec) {
			t.Fatalf("record %x decodes to a value that encodes as %x", rec, again)
		}
	})
}
