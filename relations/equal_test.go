package relations

import "testing"

// TestEqualBothWays: Equal needs inclusion both ways: a relation strictly
// inside another, on either side, is not equal to it.
func TestEqualBothWays(t *testing.T) {
	p := Table(map[string][]Out{"a": {{"", "b"}}})
	pq := Or(p, Table(map[string][]Out{"b": {{"", "c"}}}))
	if !Equal(pq, pq, universe) {
		t.Error("p ∪ q ≠ p ∪ q")
	}
	if Equal(p, pq, universe) {
		t.Error("p = p ∪ q, though b -> c is only in p ∪ q")
	}
	if Equal(pq, p, universe) {
		t.Error("p ∪ q = p, though b -> c is only in p ∪ q")
	}
}
