package model_test

import (
	"bufio"
	"fmt"
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
