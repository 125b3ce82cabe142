package disk

import (
	"testing"

	"pgregory.net/rapid"
)

func TestEncodeDecodeRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, MaxBlocks).Draw(t, "n")
		var d Disk
		for i := 0; i < n; i++ {
			d[i] = Block(rapid.Uint32().Draw(t, "block"))
		}
		enc := AppendEncode([]byte{0xAA}, &d, n)
		var got Disk
		k, err := Decode(enc[1:], &got, n)
		if err != nil || k != len(enc)-1 || got != d {
			t.Fatalf("decoded %v (%d bytes, %v), want %v", got, k, err, d)
		}
	})
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte{0, 1, 2}, 3)
	f.Add([]byte{0xff, 0xff}, 1)
	f.Fuzz(func(t *testing.T, b []byte, n int) {
		if n < 0 || n > MaxBlocks {
			return
		}
		var d Disk
		k, err := Decode(b, &d, n)
		if err != nil {
			return
		}
		// What decodes re-encodes to the bytes read.
		if enc := AppendEncode(nil, &d, n); string(enc) != string(b[:k]) {
			t.Fatalf("re-encoding %x gives %x", b[:k], enc)
		}
	})
}
