package model_test

import (
	"bytes"
	"encoding/binary"
	"testing"

	"pgregory.net/rapid"

	"github.com/argocheck/argocheck/model"
)

// mixed has fields of every kind a Codec takes, with padding between them.
type mixed struct {
	Flag  bool
	Small uint8
	Big   int64
	Cells [3]uint16
	Inner struct {
		On  bool
		Val int32
	}
	_ [2]byte
}

func drawMixed(t *rapid.T, label string) mixed {
	var m mixed
	m.Flag = rapid.Bool().Draw(t, label+".flag")
	m.Small = rapid.Uint8Range(0, 3).Draw(t, label+".small")
	m.Big = rapid.Int64Range(-2, 2).Draw(t, label+".big")
	for i := range m.Cells {
		m.Cells[i] = rapid.Uint16Range(0, 2).Draw(t, label+".cell")
	}
	m.Inner.On = rapid.Bool().Draw(t, label+".on")
	m.Inner.Val = rapid.Int32Range(-1, 1).Draw(t, label+".val")
	return m
}

// TestCodecIsCanonical: states round-trip, Decode reads exactly what
// AppendEncode wrote, and two states are equal exactly when their
// encodings are, for a built Codec and a zero one alike.
func TestCodecIsCanonical(t *testing.T) {
	for _, c := range []model.Codec[mixed]{model.NewCodec[mixed](), {}} {
		rapid.Check(t, func(t *rapid.T) {
			a, b := drawMixed(t, "a"), drawMixed(t, "b")
			ea := c.AppendEncode([]byte{9}, &a)[1:]
			eb := c.AppendEncode(nil, &b)
			if (a == b) != bytes.Equal(ea, eb) {
				t.Fatalf("%+v and %+v: equal %v, encodings %x and %x", a, b, a == b, ea, eb)
			}
			var got mixed
			n, err := c.Decode(append(ea, 7, 7), &got)
			if err != nil || n != len(ea) || got != a {
				t.Fatalf("decoding %x gave %+v, %d bytes, %v; want %+v, %d bytes", ea, got, n, err, a, len(ea))
			}
			if _, err := c.Decode(ea[:len(ea)-1], &got); err == nil {
				t.Fatalf("a short encoding decoded")
			}
		})
	}
	var m mixed
	if n := len(model.NewCodec[mixed]().AppendEncode(nil, &m)); n != 1+1+8+6+1+4 {
		t.Errorf("encoding of %d bytes: padding or blank fields included", n)
	}
}

// TestCodecRefuses: a type that cannot be encoded canonically is refused,
// naming the field.
func TestCodecRefuses(t *testing.T) {
	type withString struct {
		N    int
		Name string
	}
	type withFloat struct{ X [2]float64 }
	type withPointer struct{ P *int }
	for _, tc := range []struct {
		name  string
		build func()
		field string
	}{
		{"string", func() { model.NewCodec[withString]() }, "Name"},
		{"float", func() { model.NewCodec[withFloat]() }, "X[0]"},
		{"pointer", func() { model.NewCodec[withPointer]() }, "P"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				err, _ := recover().(error)
				if err == nil || !bytes.Contains([]byte(err.Error()), []byte(tc.field)) {
					t.Fatalf("panic %v, want an error naming %s", err, tc.field)
				}
			}()
			tc.build()
		})
	}
}

// diskState is a disk as the catalogue holds one: 16 blocks, of which
// blocks are in use.
type diskState struct{ Disk [16]uint32 }

const blocks = 5

func handEncode(dst []byte, s *diskState) []byte {
	for _, b := range s.Disk[:blocks] {
		dst = binary.AppendUvarint(dst, uint64(b))
	}
	return dst
}

func handDecode(src []byte, s *diskState) int {
	*s = diskState{}
	off := 0
	for i := range blocks {
		v, k := binary.Uvarint(src[off:])
		s.Disk[i] = uint32(v)
		off += k
	}
	return off
}

// BenchmarkCodec compares the ready Codec with a hand-written encoding of
// the used blocks as varints, encoding and decoding one disk.
func BenchmarkCodec(b *testing.B) {
	s := diskState{Disk: [16]uint32{1, 0, 2, 1, 0}}
	var got diskState
	buf := make([]byte, 0, 128)
	b.Run("codec", func(b *testing.B) {
		c := model.NewCodec[diskState]()
		for b.Loop() {
			buf = c.AppendEncode(buf[:0], &s)
			c.Decode(buf, &got)
		}
		b.ReportMetric(float64(len(buf)), "bytes/state")
	})
	b.Run("zero-codec", func(b *testing.B) {
		var c model.Codec[diskState]
		for b.Loop() {
			buf = c.AppendEncode(buf[:0], &s)
			c.Decode(buf, &got)
		}
		b.ReportMetric(float64(len(buf)), "bytes/state")
	})
	b.Run("hand", func(b *testing.B) {
		for b.Loop() {
			buf = handEncode(buf[:0], &s)
			handDecode(buf, &got)
		}
		b.ReportMetric(float64(len(buf)), "bytes/state")
	})
}
