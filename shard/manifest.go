package shard

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Manifest names a run: the check every shard of it searches, how many
// shards share it, the build they run, and the run itself (Run). It is
// the first object a shard writes, and a shard refuses a bucket whose
// manifest differs from its own in anything but Run.
type Manifest struct {
	// Format is the version of the objects' layout.
	Format int    `json:"format"`
	System string `json:"system"`
	// Variant is the implementation variant, "" for the correct one.
	Variant string `json:"variant"`
	// Params are the system's parameters as the command line writes them.
	Params      map[string]string `json:"params"`
	Crashes     string            `json:"crashes"`
	Determinism string            `json:"determinism"`
	Shards      int               `json:"shards"`
	// Build names the build of the program every shard runs, whose layer
	// code the run's states come from; "" in a manifest written before
	// builds were recorded, which is another build than any.
	Build string `json:"build,omitempty"`
	// Run tells this run from any other of the same check: 128 random
	// bits in hex, drawn by the shard that creates the manifest and
	// taken from it by the others; "" in a manifest written before runs
	// were told apart.
	Run string `json:"run,omitempty"`
}

// String names the run's check in one line, as name=value words; not the
// build, which AnotherRunError names on its own.
func (m *Manifest) String() string {
	variant := m.Variant
	if variant == "" {
		variant = "correct"
	}
	words := []string{"system=" + m.System, "variant=" + variant}
	for _, k := range slices.Sorted(maps.Keys(m.Params)) {
		words = append(words, k+"="+m.Params[k])
	}
	words = append(words, "crashes="+m.Crashes, "determinism="+m.Determinism, fmt.Sprintf("shards=%d", m.Shards))
	if m.Format != formatVersion {
		words = append(words, fmt.Sprintf("format=%d", m.Format))
	}
	return strings.Join(words, " ")
}

// equal reports whether m and o name the same check, shards and build,
// whatever their Run.
func (m *Manifest) equal(o *Manifest) bool {
	return m.Format == o.Format && m.System == o.System && m.Variant == o.Variant &&
		maps.Equal(m.Params, o.Params) && m.Crashes == o.Crashes &&
		m.Determinism == o.Determinism && m.Shards == o.Shards && m.Build == o.Build
}

// AnotherRunError refuses a bucket that holds another run's objects.
type AnotherRunError struct {
	// Found is the bucket's manifest, nil when the bucket holds objects
	// but no manifest; Want is this run's.
	Found, Want *Manifest
}

func (e *AnotherRunError) Error() string {
	if e.Found == nil {
		return fmt.Sprintf("the exchange holds objects and no run manifest (%s): it is not an argocheck shard run's; give each run an empty place of its own", manifestKey)
	}
	if e.Found.Build != e.Want.Build {
		return fmt.Sprintf("the exchange holds a run made by another build of argocheck (build %s), not by this one (build %s): an exchange belongs to the build that made it, and every shard of a run runs the same binary; give this run a new exchange ('argocheck --version' shows a program's build)",
			buildName(e.Found.Build), buildName(e.Want.Build))
	}
	return fmt.Sprintf("the exchange holds another run (%s), not this one (%s); give each run an empty place of its own", e.Found, e.Want)
}

// buildName names a build in messages.
func buildName(build string) string {
	if build == "" {
		return "none recorded"
	}
	return build
}

// claim writes the run's manifest into an empty bucket, or checks the
// one there: every shard of a run writes the same manifest, whichever
// comes first. want.Run is set to the run's: the one found, or, in the
// manifest claim creates, want's own or else a new one (newRun).
func claim(ctx context.Context, x *exchange, want *Manifest) error {
	mine := *want
	if mine.Run == "" {
		run, err := newRun()
		if err != nil {
			return err
		}
		mine.Run = run
	}
	data, err := json.Marshal(&mine)
	if err != nil {
		return err
	}
	for try := 0; ; try++ {
		found, ok, err := x.getRaw(ctx, manifestKey)
		if err != nil {
			return err
		}
		if ok {
			var m Manifest
			if err := json.Unmarshal(found, &m); err != nil {
				return &AnotherRunError{Want: want}
			}
			if !m.equal(want) {
				return &AnotherRunError{Found: &m, Want: want}
			}
			want.Run = m.Run
			return nil
		}
		empty, err := x.empty(ctx)
		if err != nil {
			return err
		}
		if !empty {
			// Another shard may have written the manifest since it was
			// looked for: look again before refusing.
			ok, err := x.exists(ctx, manifestKey)
			if err != nil {
				return err
			}
			if ok {
				continue
			}
			// A shard of this run may be writing the manifest, in a
			// store whose listings show objects being written.
			if try < 5 {
				if err := sleep(ctx, 100*time.Millisecond); err != nil {
					return err
				}
				continue
			}
			return &AnotherRunError{Want: want}
		}
		created, err := x.create(ctx, manifestKey, data)
		if err != nil {
			return err
		}
		if created {
			want.Run = mine.Run
			return nil
		}
		if try > 5 {
			return fmt.Errorf("%s: written and gone again", manifestKey)
		}
	}
}

// newRun returns a new run's Manifest.Run: 128 random bits in hex.
func newRun() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}
