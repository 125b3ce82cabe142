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
		Format:  rapid.IntRange(0, 1000).Draw(t, "format"),
		System:  rapid.String().Draw(t, "system"),
		Variant: rapid.String().Draw(t, "variant"),
		Params:  rapid.MapOf(rapid.String(), rapid.String()).Draw(t, "params"),
		Crash:   rapid.String().Draw(t, "crash"),
	}
}

func genLevel(t *rapid.T) *level {
	return &level{
		Depth: rapid.IntRange(0, 1<<31-1).Draw(t, "depth"), First: rapid.Uint64Max(1<<40).Draw(t, "first"),
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
		case 1:
			l := genLevel(t)
			got, err := decodeLevel(encodeLevel(l))
			if err != nil || *got != *l {
				t.Fatalf("level %+v decoded as %+v, %v", l, got, err)
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
			got, err := decodeFrontier(encodeFrontier(nil, nodes), nil)
			if err != nil || len(got) != len(nodes) {
				t.Fatalf("frontier %v decoded as %v, %v", nodes, got, err)
			}
			for i := range nodes {
				if !bytes.Equal(got[i], nodes[i]) {
					t.Fatalf("frontier %v decoded as %v", nodes, got)
				}
			}
		case 4:
			v := statestore.ViolationRecord{Kind: rapid.String().Draw(t, "kind"), Message: rapid.String().Draw(t, "msg"), Edge: rapid.Uint64().Draw(t, "edge")}
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
			encodeRun(genRun(t)), encodeLevel(genLevel(t)),
			encodeStates(nil, []uint64{1, 2, 3}, []uint64{5, 9, 4}),
			encodeFrontier(nil, [][]byte{{1, 2}, {3}}),
			encodeViolation(&statestore.ViolationRecord{Kind: "k", Message: "m", Edge: 3}),
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

// decodeAll runs every decoder on rec.
func decodeAll(rec []byte) []error {
	_, e1 := decodeRun(rec)
	_, e2 := decodeLevel(rec)
	_, _, e3 := decodeStates(rec, nil, nil)
	_, e4 := decodeFrontier(rec, nil)
	_, e5 := decodeViolation(rec)
	_, e6 := decodeOutcome(rec)
	return []error{e1, e2, e3, e4, e5, e6}
}

// FuzzDecode feeds stored records' decoders arbitrary bytes, with valid
// checksums so that the payload decoders are reached: none may panic or
// allocate beyond its input, and what one accepts must encode back to the
// same bytes.
func FuzzDecode(f *testing.F) {
	for _, rec := range [][]byte{
		encodeRun(Header{Format: 1, System: "repdisk", Params: map[string]string{"blocks": "3"}}),
		encodeLevel(&level{Depth: 3, First: 10, Count: 5, StateChunks: 1, FrontierChunks: 1}),
		encodeStates(nil, []uint64{1, 2, 3}, []uint64{5, 9, 4}),
		encodeFrontier(nil, [][]byte{{1, 2}, {3}}),
		encodeViolation(&statestore.ViolationRecord{Kind: "recovery", Message: "m", Edge: 3 << 24}),
		encodeOutcome(&statestore.Outcome{Verdict: "verified", States: 144}),
	} {
		f.Add(rec[1:len(rec)-4], rec[0])
	}
	f.Fuzz(func(t *testing.T, payload []byte, tag byte) {
		rec := seal(append([]byte{tag}, payload...))
		decodeAll(rec) // must not panic
		switch tag {
		case tagLevel:
			if l, err := decodeLevel(rec); err == nil && !bytes.Equal(encodeLevel(l), rec) {
				t.Fatalf("level %x decodes to %+v, which encodes differently", rec, l)
			}
		case tagStates:
			if k, p, err := decodeStates(rec, nil, nil); err == nil && !bytes.Equal(encodeStates(nil, k, p), rec) {
				t.Fatalf("states %x decode to %v %v, which encode differently", rec, k, p)
			}
		case tagFrontier:
			if n, err := decodeFrontier(rec, nil); err == nil && !bytes.Equal(encodeFrontier(nil, n), rec) {
				t.Fatalf("frontier %x decodes to %v, which encodes differently", rec, n)
			}
		case tagViolation:
			if v, err := decodeViolation(rec); err == nil && !bytes.Equal(encodeViolation(&v), rec) {
				t.Fatalf("violation %x decodes to %+v, which encodes differently", rec, v)
			}
		case tagOutcome:
			if o, err := decodeOutcome(rec); err == nil && !bytes.Equal(encodeOutcome(o), rec) {
				t.Fatalf("outcome %x decodes to %+v, which encodes differently", rec, o)
			}
		}
	})
}
