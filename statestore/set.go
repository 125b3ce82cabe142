package statestore

// Set is an open-addressing set of nonzero keys with linear probing. Has
// may be called concurrently while nobody adds; Add and Grow are for one
// goroutine at a time (the explorer adds at level barriers).
type Set struct {
	slots []uint64
	n     uint64
	mask  uint64
}

// NewSet returns a set with room for at least n keys before it grows.
func NewSet(n uint64) *Set {
	size := uint64(1024)
	for size/2 < n {
		size *= 2
	}
	return &Set{slots: make([]uint64, size), mask: size - 1}
}

// Len returns the number of keys.
func (s *Set) Len() uint64 { return s.n }

// Bytes returns the memory the table holds.
func (s *Set) Bytes() uint64 { return uint64(len(s.slots)) * 8 }

// slot spreads a key over the table (keys from ExactKeys are small).
func slot(key uint64) uint64 { return key * 0x9E3779B97F4A7C15 >> 7 }

// Has reports whether key is in the set.
func (s *Set) Has(key uint64) bool {
	for i := slot(key) & s.mask; ; i = (i + 1) & s.mask {
		switch s.slots[i] {
		case key:
			return true
		case 0:
			return false
		}
	}
}

// Add inserts key and reports whether it was new.
func (s *Set) Add(key uint64) bool {
	if (s.n+1)*2 > uint64(len(s.slots)) {
		s.Grow(s.n + 1)
	}
	for i := slot(key) & s.mask; ; i = (i + 1) & s.mask {
		switch s.slots[i] {
		case key:
			return false
		case 0:
			s.slots[i] = key
			s.n++
			return true
		}
	}
}

// Grow makes room for n keys at load factor one half.
func (s *Set) Grow(n uint64) {
	if n*2 <= uint64(len(s.slots)) {
		return
	}
	t := NewSet(n)
	for _, k := range s.slots {
		if k != 0 {
			t.Add(k)
		}
	}
	*s = *t
}
