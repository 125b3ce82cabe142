package explorer

// units is how a part of frontier states is cut into the units that
// workers take one at a time: units of BatchSize states from the part's
// start, and the part's last workers×BatchSize states (the whole part when
// it is shorter) in units of a quarter of that. A part ends when its last
// unit does, and the workers that finish first wait for it at the
// barrier: small units at the end shorten that wait, large ones before
// them keep each worker on consecutive states, whose lower states it
// recorded recovery for already, and keep the units few.
type units struct {
	n     int // states of the part
	large int // states of a unit before the tail
	small int // states of a unit in the tail
	tail  int // the first state of the tail, a multiple of large
}

// cutUnits cuts a part of n states into units for workers, with units of
// batch states before its tail.
func cutUnits(n, batch, workers int) units {
	tail := max(n-workers*batch, 0) / batch * batch
	return units{n: n, large: batch, small: max(batch/4, 1), tail: tail}
}

// count returns the number of units.
func (c units) count() int {
	return c.tail/c.large + (c.n-c.tail+c.small-1)/c.small
}

// start returns the first state of unit u, from the part's start; for u
// equal to count, the part's length.
func (c units) start(u int) int {
	if large := c.tail / c.large; u > large {
		return min(c.tail+(u-large)*c.small, c.n)
	}
	return min(u*c.large, c.n)
}

// end returns the state after unit u's last.
func (c units) end(u int) int {
	return c.start(u + 1)
}

// of returns the unit that holds state i of the part.
func (c units) of(i int) int {
	if i < c.tail {
		return i / c.large
	}
	return c.tail/c.large + (i-c.tail)/c.small
}
