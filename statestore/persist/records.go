package persist

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/argocheck/argocheck/statestore"
)

// FormatVersion is the version of the records this package writes and
// reads. A store of another version is refused, never converted. Version
// 2 added the panic site to violation records; 3 commits a search part by
// part, within levels (part records instead of level records); 4
// compresses frontier records; 5 keys states by their XXH3 fingerprint
// (statestore.Fingerprint) instead of xxhash64.
const FormatVersion = 5

// Chunking: a part's states are stored chunkStates to a record (the last
// record of a part may hold fewer), its frontier in records of at most
// chunkFrontierBytes of encodings. Both keep every record under badger's
// value threshold, so records live in the LSM tree (see badgerOptions).
// Part of the format.
const (
	chunkStates        = 1 << 15
	chunkFrontierBytes = 256 << 10
)

// Every stored value is a record: one tag byte naming its kind, a payload,
// and the CRC-32C of tag and payload, little endian. Integers in payloads
// are unsigned varints unless said otherwise.

// Record tags.
const (
	tagRun       = 'C'
	tagPart      = 'P'
	tagStates    = 'S'
	tagFrontier  = 'F'
	tagViolation = 'V'
	tagOutcome   = 'R'
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// errCorrupt marks a record that does not decode.
var errCorrupt = errors.New("corrupt record")

func corrupt(what string) error { return fmt.Errorf("%w: %s", errCorrupt, what) }

// seal appends the checksum of rec, which starts with its tag.
func seal(rec []byte) []byte {
	return binary.LittleEndian.AppendUint32(rec, crc32.Checksum(rec, crcTable))
}

// open checks a record's tag and checksum and returns its payload.
func open(rec []byte, tag byte) ([]byte, error) {
	if len(rec) < 5 {
		return nil, corrupt("truncated")
	}
	body := rec[:len(rec)-4]
	if crc32.Checksum(body, crcTable) != binary.LittleEndian.Uint32(rec[len(rec)-4:]) {
		return nil, corrupt("checksum mismatch")
	}
	if body[0] != tag {
		return nil, corrupt(fmt.Sprintf("tag %q where %q was expected", body[0], tag))
	}
	return body[1:], nil
}

// reader decodes a payload, remembering the first error.
type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 || n > 1 && r.b[n-1] == 0 {
		r.err = corrupt("bad varint")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 || n > 1 && r.b[n-1] == 0 {
		r.err = corrupt("bad varint")
		return 0
	}
	r.b = r.b[n:]
	return v
}

// int31 reads a number that must fit an int32.
func (r *reader) int31() int {
	v := r.uvarint()
	if v > 1<<31-1 {
		r.err = corrupt("number out of range")
		return 0
	}
	return int(v)
}

// count reads a length and checks that at least size bytes per element
// remain, so that no decoder allocates more than its input justifies.
func (r *reader) count(size int) int {
	n := r.uvarint()
	if r.err == nil && (size > 0 && n > uint64(len(r.b)/size) || n > 1<<31) {
		r.err = corrupt("length beyond the record")
		return 0
	}
	return int(n)
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n > len(r.b) {
		r.err = corrupt("truncated")
		return nil
	}
	b := r.b[:n]
	r.b = r.b[n:]
	return b
}

func (r *reader) string() string { return string(r.bytes(r.count(1))) }

// done reports the first error, or an error for bytes left over.
func (r *reader) done() error {
	if r.err == nil && len(r.b) > 0 {
		r.err = corrupt("trailing bytes")
	}
	return r.err
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// Header identifies a stored run: the check it explores, and the build of
// the program that explores it. Two runs are the same when every field but
// Format is equal; a store holds one run.
type Header struct {
	// Format is the store's format version (FormatVersion when written).
	Format int `json:"format"`
	// System and Variant name the check ("" is the correct variant).
	System  string `json:"system"`
	Variant string `json:"variant"`
	// Params are the check's sizes by name (blocks, values, log, oob...).
	Params map[string]string `json:"params"`
	// Crash names the crash mode, when not the full semantics.
	Crash string `json:"crash,omitempty"`
	// Determinism names the determinism mode, when not the default.
	Determinism string `json:"determinism,omitempty"`
	// Build names the build of the program that made the store, whose
	// layer code its states come from; "" in a store made before builds
	// were recorded, which is another build than any.
	Build string `json:"build,omitempty"`
}

// Same reports whether r and o identify the same check, made by the same
// build.
func (r Header) Same(o Header) bool {
	return r.System == o.System && r.Variant == o.Variant && r.Crash == o.Crash && r.Determinism == o.Determinism && maps.Equal(r.Params, o.Params) &&
		r.Build == o.Build
}

// String describes the run's check on one line: system, variant and
// sizes; not the build, which anotherBuild names.
func (r Header) String() string {
	v := r.Variant
	if v == "" {
		v = "correct"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "system=%s variant=%s", r.System, v)
	for _, k := range slices.Sorted(maps.Keys(r.Params)) {
		fmt.Fprintf(&b, " %s=%s", k, r.Params[k])
	}
	if r.Crash != "" {
		fmt.Fprintf(&b, " crash=%s", r.Crash)
	}
	if r.Determinism != "" {
		fmt.Fprintf(&b, " determinism=%s", r.Determinism)
	}
	return b.String()
}

// The run record is the format version, then the header as JSON, so that
// a reader of any version can tell which version wrote a store.
func encodeRun(r Header) []byte {
	js, err := json.Marshal(r)
	if err != nil {
		panic(err) // strings and maps of strings always marshal
	}
	rec := binary.AppendUvarint([]byte{tagRun}, uint64(r.Format))
	return seal(append(rec, js...))
}

// decodeRun decodes a run record. A record of another format version
// decodes to its version alone: the rest is that version's to read, and a
// store of another version is refused by its version.
func decodeRun(rec []byte) (Header, error) {
	p, err := open(rec, tagRun)
	if err != nil {
		return Header{}, err
	}
	rd := reader{b: p}
	format := rd.int31()
	if rd.err != nil {
		return Header{}, rd.err
	}
	if format != FormatVersion {
		return Header{Format: format}, nil
	}
	var r Header
	if err := json.Unmarshal(rd.b, &r); err != nil {
		return Header{}, corrupt("run: " + err.Error())
	}
	if r.Format != format {
		return Header{}, corrupt("run: two format versions")
	}
	return r, nil
}

// part is the commit record of a part of the search (statestore.Part):
// where its new states and their encodings are, how far the expansion of
// the level before them had got, and the totals. A part is committed once
// its record is stored; the head key holds a copy of the last one. Parts
// are numbered from 0 in commit order (Seq).
type part struct {
	Seq            int
	Level          int    // the level of the part's states
	Expanded       uint64 // states of level Level-1 expanded
	Complete       bool   // level Level-1 is expanded completely
	First, Count   uint64 // numbers of the part's states: First..First+Count-1
	StateChunks    int    // records s/Seq/0.. holding fingerprints and parents
	FrontierChunks int    // records f/Seq/0.. holding the encodings
	Transitions    uint64
	CrashPoints    uint64
	ElapsedNanos   uint64
}

func encodePart(p *part) []byte {
	rec := []byte{tagPart}
	complete := uint64(0)
	if p.Complete {
		complete = 1
	}
	for _, v := range []uint64{uint64(p.Seq), uint64(p.Level), p.Expanded, complete, p.First, p.Count,
		uint64(p.StateChunks), uint64(p.FrontierChunks), p.Transitions, p.CrashPoints, p.ElapsedNanos} {
		rec = binary.AppendUvarint(rec, v)
	}
	return seal(rec)
}

func decodePart(rec []byte) (*part, error) {
	b, err := open(rec, tagPart)
	if err != nil {
		return nil, err
	}
	r := reader{b: b}
	p := &part{Seq: r.int31(), Level: r.int31(), Expanded: r.uvarint()}
	switch r.uvarint() {
	case 0:
	case 1:
		p.Complete = true
	default:
		r.err = corrupt("part: complete is neither 0 nor 1")
	}
	p.First, p.Count = r.uvarint(), r.uvarint()
	p.StateChunks, p.FrontierChunks = r.int31(), r.int31()
	p.Transitions, p.CrashPoints, p.ElapsedNanos = r.uvarint(), r.uvarint(), r.uvarint()
	if err := r.done(); err != nil {
		return nil, err
	}
	if p.First+p.Count < p.First {
		return nil, corrupt("part: state numbers overflow")
	}
	return p, nil
}

// A states record holds consecutive states: their count, each one's
// fingerprint (8 bytes, little endian), then their parents' edge keys, the
// first as a varint and the others as signed varint differences from the
// one before (consecutive states have close, increasing parents).
func encodeStates(dst []byte, keys, parents []uint64) []byte {
	dst = append(dst[:0], tagStates)
	dst = binary.AppendUvarint(dst, uint64(len(keys)))
	for _, k := range keys {
		dst = binary.LittleEndian.AppendUint64(dst, k)
	}
	prev := uint64(0)
	for _, p := range parents {
		dst = binary.AppendVarint(dst, int64(p-prev))
		prev = p
	}
	return seal(dst)
}

// decodeStates appends a states record's fingerprints and parents to keys
// and parents.
func decodeStates(rec []byte, keys, parents []uint64) ([]uint64, []uint64, error) {
	p, err := open(rec, tagStates)
	if err != nil {
		return keys, parents, err
	}
	r := reader{b: p}
	n := r.count(9)
	fps := r.bytes(8 * n)
	if r.err != nil {
		return keys, parents, r.err
	}
	for i := 0; i < n; i++ {
		keys = append(keys, binary.LittleEndian.Uint64(fps[8*i:]))
	}
	prev := uint64(0)
	for i := 0; i < n; i++ {
		prev += uint64(r.varint())
		parents = append(parents, prev)
	}
	return keys, parents, r.done()
}

// A frontier record holds consecutive states' encodings: their count,
// each one's length, then the encodings end to end.
// A frontier record's payload is compressed (statestore.Compress):
// neighbouring states' encodings share most of their bytes, and a record
// shrinks about ten times.

// frontierScratch is the memory encodeFrontier reuses: the payload before
// and after compression.
type frontierScratch struct{ raw, z []byte }

// encodeFrontier returns a new frontier record of nodes, in a slice of
// its own size (records wait in memory until their part is written).
func encodeFrontier(sc *frontierScratch, nodes [][]byte) []byte {
	raw := binary.AppendUvarint(sc.raw[:0], uint64(len(nodes)))
	for _, n := range nodes {
		raw = binary.AppendUvarint(raw, uint64(len(n)))
	}
	for _, n := range nodes {
		raw = append(raw, n...)
	}
	z := seal(statestore.Compress(append(sc.z[:0], tagFrontier), raw))
	sc.raw, sc.z = raw, z
	return append(make([]byte, 0, len(z)), z...)
}

// decodeFrontier appends a frontier record's encodings to nodes; they
// alias a buffer of their own, not rec.
func decodeFrontier(rec []byte, nodes [][]byte) ([][]byte, error) {
	z, err := open(rec, tagFrontier)
	if err != nil {
		return nodes, err
	}
	p, err := statestore.Decompress(nil, z)
	if err != nil {
		return nodes, corrupt("frontier does not decompress: " + err.Error())
	}
	r := reader{b: p}
	n := r.count(1)
	lens := make([]int, 0, n)
	for i := 0; i < n && r.err == nil; i++ {
		lens = append(lens, r.count(0))
	}
	for _, l := range lens {
		nodes = append(nodes, r.bytes(l))
	}
	return nodes, r.done()
}

// A violation record holds the violating edge's key, then the kind,
// message and panic site (Where, empty unless layer code panicked).
func encodeViolation(v *statestore.ViolationRecord) []byte {
	rec := []byte{tagViolation}
	rec = binary.AppendUvarint(rec, v.Edge)
	rec = appendString(rec, v.Kind)
	rec = appendString(rec, v.Message)
	rec = appendString(rec, v.Where)
	return seal(rec)
}

func decodeViolation(rec []byte) (statestore.ViolationRecord, error) {
	p, err := open(rec, tagViolation)
	if err != nil {
		return statestore.ViolationRecord{}, err
	}
	r := reader{b: p}
	v := statestore.ViolationRecord{Edge: r.uvarint()}
	v.Kind = r.string()
	v.Message = r.string()
	v.Where = r.string()
	return v, r.done()
}

// encodeOutcome encodes a finished run's verdict and figures; its
// violations are records of their own.
func encodeOutcome(o *statestore.Outcome) []byte {
	rec := []byte{tagOutcome}
	rec = appendString(rec, o.Verdict)
	rec = appendString(rec, o.Stopped)
	for _, v := range []uint64{o.States, o.Transitions, o.CrashPoints, uint64(o.Depth), uint64(o.Elapsed), o.MemoryBytes, o.LevelBytes, math.Float64bits(o.Collision)} {
		rec = binary.AppendUvarint(rec, v)
	}
	return seal(rec)
}

func decodeOutcome(rec []byte) (*statestore.Outcome, error) {
	p, err := open(rec, tagOutcome)
	if err != nil {
		return nil, err
	}
	r := reader{b: p}
	o := &statestore.Outcome{Verdict: r.string(), Stopped: r.string()}
	o.States, o.Transitions, o.CrashPoints = r.uvarint(), r.uvarint(), r.uvarint()
	o.Depth = r.int31()
	o.Elapsed = time.Duration(r.uvarint())
	o.MemoryBytes, o.LevelBytes = r.uvarint(), r.uvarint()
	o.Collision = math.Float64frombits(r.uvarint())
	return o, r.done()
}

// Keys. Numbers are big endian so that a part's chunks sort in order.
var (
	keyRun  = []byte("run")
	keyHead = []byte("head") // a copy of the last part's record
	keyDone = []byte("outcome")
)

func keyPart(seq int) []byte { return binary.BigEndian.AppendUint32([]byte("p/"), uint32(seq)) }

func keyChunk(kind byte, seq, i int) []byte {
	k := binary.BigEndian.AppendUint32([]byte{kind, '/'}, uint32(seq))
	return binary.BigEndian.AppendUint32(append(k, '/'), uint32(i))
}

func keyViolation(i int) []byte { return binary.BigEndian.AppendUint32([]byte("v/"), uint32(i)) }
