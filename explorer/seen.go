package explorer

// seenSlots is the number of slots of a seen set: twice the most keys it
// holds.
const seenSlots = 1024

// seen is the set of successor keys one state's expansion has offered so
// far. An expansion reaches the same successor many times (crash points
// of a recovery's runs that leave the same lower state), and only its
// first edge, the smallest, can be the state's discovery: later ones skip
// the visited set and the level table. It holds at most seenSlots/2 keys;
// the keys past those take the full path, as without it.
type seen struct {
	keys [seenSlots]uint64
	gens [seenSlots]uint32 // the expansion each slot's key belongs to
	gen  uint32
	n    int
}

// reset empties the set for the next expansion without touching the slots.
func (s *seen) reset() {
	s.gen++
	s.n = 0
	if s.gen == 0 { // the generations wrapped: clear the stale stamps
		clear(s.gens[:])
		s.gen = 1
	}
}

// add adds key and reports whether it was already present. When the set
// is full, it reports false and leaves it unchanged.
func (s *seen) add(key uint64) bool {
	i := key & (seenSlots - 1)
	for s.gens[i] == s.gen {
		if s.keys[i] == key {
			return true
		}
		i = (i + 1) & (seenSlots - 1)
	}
	if s.n >= seenSlots/2 {
		return false
	}
	s.keys[i], s.gens[i] = key, s.gen
	s.n++
	return false
}

// recentBits is the log2 of the slots of a worker's recent keys.
const recentBits = 12

// recent holds, one per slot, keys of successors a worker found in the
// visited set lately. Expansions near each other in the frontier reach
// many of the same states (at repdisk 8x4, 42% of the lookups that
// passed a state's seen set found a key held here), and a state once in
// the visited set stays there, so a successor whose key is held here
// skips the lookup. Keys are never 0, the value of an empty slot.
type recent [1 << recentBits]uint64

func (r *recent) slot(key uint64) *uint64 {
	return &r[key*0x9E3779B97F4A7C15>>(64-recentBits)]
}

// has reports whether key is held.
func (r *recent) has(key uint64) bool { return *r.slot(key) == key }

// add holds key, in place of the key its slot held.
func (r *recent) add(key uint64) { *r.slot(key) = key }
