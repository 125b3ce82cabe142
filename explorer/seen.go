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
