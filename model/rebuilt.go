package model

import (
	"fmt"
	"reflect"
	"strings"
)

// Rebuilt returns the check that build builds, made so that the
// determinism checks build their new instances of the implementation
// from a System that build builds anew each time, as a new process
// would: memory that a System's closures share and no instance reaches
// from its API (a variable of the function that builds the System,
// captured by Impl or by the closures it makes) is new in those instances
// too. A recovery or operation that behaves otherwise once such memory
// has changed (a flag a recovery sets, a count of runs) differs between
// the two compared runs, a nondeterminism violation, where with the
// System built once every instance shares that memory and no check sees
// it. build must return the same check each time (a System of the same
// type, built alike); it is called once here, again by Validate, and
// once for each instance those checks build (see RebuiltEvery), by the
// search's workers at once. The catalogue (package catalog) builds every
// check it makes with Rebuilt, from its System's Build.
func Rebuilt(build func() Checker) Checker {
	chk := build()
	if chk == nil {
		return nil
	}
	return &rebuilt{Checker: chk, build: build}
}

// rebuilt is a Checker whose workers build new instances from a System
// built anew (Options.rebuild).
type rebuilt struct {
	Checker
	build func() Checker
}

// Validate validates the check, and that build builds it again as a
// check of the same type.
func (r *rebuilt) Validate() error {
	if err := r.Checker.Validate(); err != nil {
		return err
	}
	again, err := r.buildAgain()
	if err != nil {
		return err
	}
	if reflect.TypeOf(again) != reflect.TypeOf(r.Checker) {
		return fmt.Errorf("model: building the check again gave a %s, the first time a %s: the function that builds it (a catalogue's Build, or the one given to model.Rebuilt) must build the same check anew each time", shortType(again), shortType(r.Checker))
	}
	if v := reflect.ValueOf(again); v.Kind() == reflect.Pointer && v.Pointer() == reflect.ValueOf(r.Checker).Pointer() {
		return fmt.Errorf("model: building the check again gave the same %s: the function that builds it (a catalogue's Build, or the one given to model.Rebuilt) must build it anew each time (call model.NewSystem inside it), not return one built before, so that the determinism checks can run on a System built anew, as after a restart", shortType(again))
	}
	return nil
}

// shortType is v's type as %T writes it, each package named by its last
// path element only: *model.System[onedisk.State,disk.Op,...], not the
// import paths of every type argument.
func shortType(v any) string {
	var b strings.Builder
	start := 0 // where the current name began in b
	for _, r := range fmt.Sprintf("%T", v) {
		switch {
		case r == '/':
			s := b.String()[:start]
			b.Reset()
			b.WriteString(s)
		case strings.ContainsRune("[],*() ", r):
			b.WriteRune(r)
			start = b.Len()
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// NewWorker returns a worker of the check whose new instances come from
// Systems built anew.
func (r *rebuilt) NewWorker(o Options) Worker {
	o.rebuild = r.build
	return r.Checker.NewWorker(o)
}

// buildAgain calls build, its panic an error naming the value.
func (r *rebuilt) buildAgain() (chk Checker, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("model: building the check again panicked: %v", p)
		}
	}()
	return r.build(), nil
}
