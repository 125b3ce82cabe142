package explorer

import (
	"os"
	"strings"
	"testing"

	"github.com/argocheck/argocheck/statestore"
)

// readingCheckpoint reads every parent record of each part it is handed,
// as a store does.
type readingCheckpoint struct{ commits int }

func (c *readingCheckpoint) Commit(p *statestore.Part) error {
	for i := range p.Parents.Len() {
		p.Parents.At(i)
	}
	c.commits++
	return nil
}

// TestCommitUnreadableParents: a checkpoint whose spilled parent records
// cannot be read back is refused before it is committed, whichever of
// the records it covers cannot be, up to the last one spilled:
// a record that cannot be read would be handed over as 0, and a store
// would keep wrong paths.
func TestCommitUnreadableParents(t *testing.T) {
	for _, tc := range []struct {
		name        string
		first, n    uint64 // the records the commit covers
		spilled     uint64
		wantRefused bool
	}{
		{"all spilled", 0, 3 << chunkBits, 3 << chunkBits, true},
		{"from the middle of a chunk to the middle of another", 100, 2<<chunkBits + 50, 2<<chunkBits + 50, true},
		{"the last spilled record only", 2<<chunkBits + 49, 2<<chunkBits + 60, 2<<chunkBits + 50, true},
		{"none spilled", 2<<chunkBits + 50, 2<<chunkBits + 60, 2<<chunkBits + 50, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := os.CreateTemp(t.TempDir(), "parents")
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			cp := &readingCheckpoint{}
			s := &search{cfg: Config{Checkpoint: cp}, parents: records{file: f}}
			s.parents.extend(tc.spilled)
			if err := s.parents.spill(); err != nil {
				t.Fatal(err)
			}
			s.parents.extend(tc.n - tc.spilled)
			// The records from the third chunk on cannot be read back.
			if err := f.Truncate(8 * 2 << chunkBits); err != nil {
				t.Fatal(err)
			}
			s.cp.first = tc.first
			err = s.commit(1, true)
			if !tc.wantRefused {
				if err != nil || cp.commits != 1 {
					t.Fatalf("commit: %v after %d commits, want it made", err, cp.commits)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "reading the parent records") || cp.commits != 0 {
				t.Fatalf("commit: %v after %d commits; want it refused, none made", err, cp.commits)
			}
		})
	}
}

// truncatingCheckpoint cuts the parents file to nothing, then reads every
// parent record of the part it is handed: the file fails between the
// reads made before the commit and the commit's own.
type truncatingCheckpoint struct{ f *os.File }

func (c truncatingCheckpoint) Commit(p *statestore.Part) error {
	if err := c.f.Truncate(0); err != nil {
		return err
	}
	for i := range p.Parents.Len() {
		p.Parents.At(i)
	}
	return nil
}

// TestCommitReadFailingDuringCommit: a commit whose spilled parent records
// could be read before it but not while the checkpoint read them is an
// error: the checkpoint was handed zeros for them.
func TestCommitReadFailingDuringCommit(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "parents")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := &search{cfg: Config{Checkpoint: truncatingCheckpoint{f}}, parents: records{file: f}}
	s.parents.extend(3 << chunkBits)
	if err := s.parents.spill(); err != nil {
		t.Fatal(err)
	}
	err = s.commit(1, true)
	if err == nil || !strings.Contains(err.Error(), "committed with parent records that could not be read") {
		t.Fatalf("commit: %v, want an error for the records the checkpoint could not read", err)
	}
}
