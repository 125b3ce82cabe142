package variant

import (
	"strings"
	"testing"
)

type kind string

func TestParseAndPrefixed(t *testing.T) {
	l := List{{Name: "a", About: "first"}, {Name: "b", Correct: true, About: "second"}}
	for _, tc := range []struct {
		name string
		want kind
		err  string
	}{
		{"", "", ""},
		{"a", "a", ""},
		{"b", "b", ""},
		{"c", "", `unknown toy variant "c"`},
		{"log:a", "", `unknown toy variant "log:a"`},
	} {
		got, err := Parse[kind](l, "toy", tc.name)
		if got != tc.want || (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("Parse(%q) = %q, %v; want %q, %q", tc.name, got, err, tc.want, tc.err)
		}
	}
	p := l.Prefixed("log:", "log: ")
	if p[1] != (Variant{Name: "log:b", Correct: true, About: "log: second"}) || l[1].Name != "b" {
		t.Errorf("Prefixed: %+v (original %+v)", p, l)
	}
}
