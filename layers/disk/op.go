package disk

import "fmt"

// OpKind is the kind of an operation of a single disk.
type OpKind uint8

// Operation kinds of the single-disk layers: every one has Read, Write and
// Size; TxnDisk has Commit, AsyncDisk Flush.
const (
	Read OpKind = iota
	Write
	Size
	Commit
	Flush
)

// Op is an operation of a single disk, written in paths as "read(1)",
// "write(1, 0)", "size()", "commit()" or "flush()".
type Op struct {
	Kind OpKind
	Addr Addr
	Val  Block
}

// String renders the operation as in a path.
func (op Op) String() string {
	switch op.Kind {
	case Read:
		return fmt.Sprintf("read(%d)", op.Addr)
	case Write:
		return fmt.Sprintf("write(%d, %d)", op.Addr, op.Val)
	case Commit:
		return "commit()"
	case Flush:
		return "flush()"
	}
	return "size()"
}

// Ret is the result of a single disk's operation: a block or a size, OK
// for a write, commit or flush that happened, or Err for one that changed
// nothing.
type Ret struct {
	Val Block
	OK  bool
	Err bool
}

// String renders the result as in a path: a value, ok or err.
func (r Ret) String() string {
	switch {
	case r.Err:
		return "err"
	case r.OK:
		return "ok"
	}
	return fmt.Sprint(r.Val)
}

// Ops returns the operation alphabet of a single disk of the given sizes:
// read at every address, write at every address with every value, then
// the other kinds given (commit, flush), then size.
func (s Sizes) Ops(others ...OpKind) []Op {
	var ops []Op
	for a := range s.Addrs() {
		ops = append(ops, Op{Kind: Read, Addr: Addr(a)})
	}
	for a := range s.Addrs() {
		for v := range s.Values {
			ops = append(ops, Op{Kind: Write, Addr: Addr(a), Val: Block(v)})
		}
	}
	for _, k := range others {
		ops = append(ops, Op{Kind: k})
	}
	return append(ops, Op{Kind: Size})
}
