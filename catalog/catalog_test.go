package catalog_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/model"
)

func testSystem() *catalog.System {
	return &catalog.System{
		Name: "repdisk",
		Params: []catalog.Param{
			{Name: "blocks", Default: 2, Min: 1, Max: 8},
			{Name: "oob", Bool: true},
		},
		Variants: catalog.Variants{{Name: "no-recovery"}},
		Build:    func(catalog.Params, string) (model.Checker, error) { return nil, errors.New("not built") },
	}
}

// TestValidateWords: Validate names a parameter as a parameter, in no
// syntax of a command line, and a value out of range is a RangeError,
// which a caller words as it writes the parameter.
func TestValidateWords(t *testing.T) {
	sys := testSystem()
	for _, tc := range []struct {
		params  catalog.Params
		variant string
		want    string
		says    string // RangeError.Says("--NAME"), "" when not a RangeError
	}{
		{catalog.Params{"blocks": 99, "oob": 0}, "", "repdisk: blocks must be between 1 and 8, not 99", "--blocks must be between 1 and 8, not 99"},
		{catalog.Params{"blocks": 0, "oob": 0}, "", "repdisk: blocks must be between 1 and 8, not 0", "--blocks must be between 1 and 8, not 0"},
		{catalog.Params{"blocks": 2, "oob": 2}, "", "repdisk: oob must be true or false, not 2", "--oob must be true or false, not 2"},
		{catalog.Params{"blocks": 2}, "", "repdisk: no value for oob", ""},
		{catalog.Params{"blocks": 2, "oob": 1}, "nosuch", `repdisk: unknown variant "nosuch" (variants: correct, no-recovery)`, ""},
		{catalog.Params{"blocks": 8, "oob": 1}, "no-recovery", "", ""},
	} {
		err := sys.Validate(tc.params, tc.variant)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%v %q: %v", tc.params, tc.variant, err)
			}
			continue
		}
		if err == nil || err.Error() != tc.want || strings.Contains(err.Error(), "--") {
			t.Errorf("%v %q: error %v, want %q", tc.params, tc.variant, err, tc.want)
			continue
		}
		e, ok := errors.AsType[*catalog.RangeError](err)
		switch {
		case ok != (tc.says != ""):
			t.Errorf("%v: RangeError %v, want %v", tc.params, ok, tc.says != "")
		case ok:
			if got := e.Says("--" + e.Param.Name); got != tc.says {
				t.Errorf("%v: Says %q, want %q", tc.params, got, tc.says)
			}
		}
	}
	// Check and a catalogue's Check say the same.
	cat, err := catalog.New(sys)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cat.Check("repdisk", catalog.Params{"blocks": 9}, ""); err == nil || err.Error() != "repdisk: blocks must be between 1 and 8, not 9" {
		t.Errorf("Check: %v", err)
	}
}
