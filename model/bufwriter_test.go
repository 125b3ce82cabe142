package model_test

import (
	"bufio"
	"crypto/md5"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"testing"

	"github.com/argocheck/argocheck/model"
)

// A bufio.Writer that the layer writes through and flushes before each
// call returns, of each instance or shared by all, verifies. Before the
// walks of memory compared a Writer's buffer up to the bytes it holds,
// the bytes that the last call wrote and flushed, which no method reads
// again, were state at API.mine.buf[0] (against a new instance's zeros)
// and API.sh.buf[0]. A Writer left holding bytes that a later call
// flushes is still a nondeterminism violation.
func TestBufferedWriter(t *testing.T) {
	write := func(w *bufio.Writer, v uint8, flush bool) uint8 {
		fmt.Fprintf(w, "write %d\n", v)
		if flush {
			w.Flush()
		}
		return v
	}
	writer := func() any { return bufio.NewWriterSize(io.Discard, 64) }
	for _, tc := range []struct {
		name        string
		shared, own func() any
		flush       bool
		want        string
	}{
		{"of each instance, flushed", nil, writer, true, ""},
		{"shared, flushed", writer, nil, true, ""},
		{"of each instance, not flushed", nil, writer, false, "API.mine.buf"},
		{"shared, not flushed", writer, nil, false, "API.sh.buf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantInEveryMode(t, func() model.Checker {
				return usedSystem(tc.shared, tc.own, func(sh, mine any, v uint8) uint8 {
					if sh != nil {
						return write(sh.(*bufio.Writer), v, tc.flush)
					}
					return write(mine.(*bufio.Writer), v, tc.flush)
				})
			}, tc.want)
		})
	}
}

// A hash of crypto's packages (sha256, md5) that the layer writes a
// block to and Resets before the call returns, as the message of a hash
// left holding its sum says to, verifies. Before the walks compared its
// block buffer up to the bytes it holds, that buffer still held the
// block the last call wrote (Reset keeps it), and the layer was a
// nondeterminism violation at API.mine.x[0] whose message said to Reset
// the hash before the call returns: what the layer did. A hash not
// Reset is still one.
func TestHashResetBeforeReturn(t *testing.T) {
	for _, tc := range []struct {
		name  string
		make  func() hash.Hash
		reset bool
		want  string
	}{
		{"sha256 Reset", sha256.New, true, ""},
		{"md5 Reset", md5.New, true, ""},
		{"sha256 left holding a block", sha256.New, false, "(a hash, whose every Write adds to what it holds"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantInEveryMode(t, func() model.Checker {
				return usedSystem(nil, func() any { return tc.make() }, func(_, mine any, v uint8) uint8 {
					h := mine.(hash.Hash)
					if tc.reset {
						defer h.Reset()
					}
					h.Write([]byte{v, 1, 2, 3})
					return h.Sum(nil)[0]*0 + v
				})
			}, tc.want)
		})
	}
}
