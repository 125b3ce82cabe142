package explorer

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/argocheck/argocheck/catalog"
	"github.com/argocheck/argocheck/internal/dirlock"
	"github.com/argocheck/argocheck/layers"
)

// TestSpillWithoutLocks: on a file system whose directories cannot be
// locked, a search spills all the same, to an unlocked directory, and
// removes it at its end.
func TestSpillWithoutLocks(t *testing.T) {
	defer func() { tryLock = dirlock.TryLock }()
	tryLock = func(string) (*dirlock.Lock, error) { return nil, errors.New("locks not supported") }
	chk, err := layers.Build("repdisk", catalog.Params{layers.Blocks: 5, layers.Values: 3}, "")
	if err != nil {
		t.Fatal(err)
	}
	want, err := Run(context.Background(), chk, Config{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	got, err := Run(context.Background(), chk, Config{Workers: 2, MemoryBytes: 256 << 10, Spill: dir})
	if err != nil {
		t.Fatal(err)
	}
	if got.Spills == 0 || got.Verdict != want.Verdict || got.States != want.States {
		t.Fatalf("spilled %d times: %s with %d states, want %s with %d", got.Spills, got.Verdict, got.States, want.Verdict, want.States)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("the search left %d entries in its spill directory", len(entries))
	}
}
