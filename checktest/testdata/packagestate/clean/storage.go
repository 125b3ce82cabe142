package clean

// Storage code as it is written in Go: sentinel and custom errors, a
// checksum table, blocks of zeros and a byte order it copies from or
// encodes with, tables it looks up, loggers and a template it writes
// through, default options it copies, and lines it writes to os.Stderr.

import (
	"bytes"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log"
	"log/slog"
	"math/big"
	"os"
	"slices"
	"strings"
	"text/template"
	"time"
)

var (
	errCorrupt     = errors.New("corrupt")
	crcTable       = crc32.MakeTable(crc32.Castagnoli)
	zeroBlock      [16]byte
	zeroSlice                       = make([]byte, 16)
	order          binary.ByteOrder = binary.LittleEndian
	names                           = map[int]string{0: "read", 1: "write"}
	validOps                        = []int{0, 1}
	logger                          = slog.New(slog.NewTextHandler(os.Stderr, nil))
	stdlog                          = log.New(os.Stderr, "store ", 0)
	tmpl                            = template.Must(template.New("x").Parse("{{.}}"))
	now                             = time.Now
	defaultOptions                  = options{Size: 16}
	shifts                          = [...]int{1, 2, 4}
	header                          = []byte("HDR1")
	keys                            = base64.RawURLEncoding
	bigEndian                       = binary.ByteOrder(binary.BigEndian)
	maxBytes                        = big.NewInt(1 << 40)
)

// options configure a store.
type options struct{ Size int }

// corruptError is an error with a block.
type corruptError struct{ Block int }

func (e *corruptError) Error() string { return fmt.Sprintf("block %d corrupt", e.Block) }

// store keeps blocks.
type store struct {
	opts options
	buf  bytes.Buffer
}

// newStore builds a store.
func newStore() *store {
	o := defaultOptions
	o.Size = 8
	return &store{opts: o}
}

// Write writes.
func (s *store) Write(b []byte, op int) ([]byte, error) {
	if !slices.Contains(validOps, op) {
		return nil, fmt.Errorf("op %s: %w", names[op], errCorrupt)
	}
	out := make([]byte, 16)
	copy(out, zeroBlock[:])
	copy(out[4:], zeroSlice)
	copy(out, header)
	order.PutUint32(out, crc32.Checksum(b, crcTable))
	binary.LittleEndian.PutUint32(out[4:], 1)
	binary.BigEndian.PutUint16(out[8:], uint16(shifts[0]))
	if bytes.Equal(out[:4], zeroBlock[:4]) || bytes.HasPrefix(out, header) {
		return nil, &corruptError{Block: op}
	}
	for i, z := range zeroBlock {
		out[i] |= z
	}
	logger.Info("write", "op", op)
	stdlog.Printf("write %d", op)
	fmt.Fprintf(os.Stderr, "write %d\n", op)
	os.Stderr.WriteString("write\n")
	tmpl.Execute(io.Discard, op)
	_ = now()
	s.buf.Reset()
	s.buf.Write(b)
	var sb strings.Builder
	sb.WriteString(names[op])
	if errors.Is(errCorrupt, io.EOF) {
		return nil, errCorrupt
	}
	name := keys.EncodeToString(out) + base64.StdEncoding.EncodeToString(out) + base32.HexEncoding.EncodeToString(out)
	if _, err := keys.DecodeString(name); err != nil || keys.EncodedLen(len(out)) == 0 {
		return nil, err
	}
	if maxBytes.Cmp(big.NewInt(int64(len(b)))) < 0 || maxBytes.Sign() <= 0 || maxBytes.String() == "" || time.UTC.String() == "" {
		return nil, errCorrupt
	}
	return out, nil
}

// blockShape is the shape of a kind of block.
type blockShape struct {
	size, align int
	name        string
	sectors     [2]int
}

// blockShapes are the kinds of block, read through their addresses.
var blockShapes = [...]blockShape{{512, 8, "small", [2]int{1, 1}}, {4096, 64, "large", [2]int{8, 8}}}

// blockSize reads the table through the address of its entry, as Go
// code reads a large entry without copying it.
func blockSize(k int) int {
	g := &blockShapes[k]
	n := g.size + g.align + len(g.name) + g.sectors[0] + int(bigEndian.Uint16([]byte{0, 1}))
	for i := range blockShapes {
		e := &blockShapes[i]
		n += e.align
	}
	return n
}
