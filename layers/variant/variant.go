// Package variant describes the variants of an implementation: the correct
// one, named "", and deliberately changed ones, each selected by name.
package variant

import "fmt"

// Variant is a named implementation variant; Correct ones must verify.
type Variant struct {
	Name    string
	Correct bool
	About   string
}

// List is the variants of one implementation, the correct one left out.
type List []Variant

// Parse returns name as a V when it names a variant of l or is "" (the
// correct implementation); layer names the implementation in the error.
func Parse[V ~string](l List, layer, name string) (V, error) {
	if name == "" {
		return "", nil
	}
	for _, v := range l {
		if v.Name == name {
			return V(name), nil
		}
	}
	return "", fmt.Errorf("unknown %s variant %q", layer, name)
}

// Prefixed returns l with prefix before every name and about before every
// description, for a variant of one layer in a stack.
func (l List) Prefixed(prefix, about string) List {
	out := make(List, len(l))
	for i, v := range l {
		out[i] = Variant{Name: prefix + v.Name, Correct: v.Correct, About: about + v.About}
	}
	return out
}
