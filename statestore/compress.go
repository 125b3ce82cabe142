package statestore

import "github.com/klauspost/compress/zstd"

// A store's frontier records are compressed: the encodings of
// neighbouring states share most of their bytes, and zstd at its fastest
// level shrinks them about ten times. (A search's frontier in memory is
// compressed by the explorer, with a faster codec.) codec's encoder and
// decoder are safe for concurrent use, and run as many calls at once as
// there are processors.
var codec = struct {
	enc *zstd.Encoder
	dec *zstd.Decoder
}{
	enc: must(zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithWindowSize(window))),
	dec: must(zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(maxDecompressed))),
}

// window is the encoder's window. Nothing compressed is larger (frontier
// blocks and records are at most a few hundred KiB), and each encoder
// running at once keeps a history of twice its window: the default, 8 MiB,
// cost 16 MiB an encoder.
const window = 1 << 20

// maxDecompressed bounds what Decompress returns.
const maxDecompressed = 1 << 30

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Compress appends src, compressed, to dst.
func Compress(dst, src []byte) []byte { return codec.enc.EncodeAll(src, dst) }

// Decompress appends what Compress made of src to dst; it fails on bytes
// Compress did not write, or on more than 1 GiB.
func Decompress(dst, src []byte) ([]byte, error) { return codec.dec.DecodeAll(src, dst) }
