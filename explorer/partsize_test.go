package explorer

import "testing"

// TestDefaultPartSize: a Config that sets no PartSize takes parts of
// DefaultPartSize states with up to 2 workers and 8,192 states a worker
// with more, so that 16 workers have 32 units each to share out before a
// barrier; a PartSize set is kept, rounded up to whole batches.
func TestDefaultPartSize(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want int
	}{
		{Config{Workers: 1}, DefaultPartSize},
		{Config{Workers: 2}, DefaultPartSize},
		{Config{Workers: 3}, 3 * 8192},
		{Config{Workers: 16}, 16 * 8192},
		{Config{Workers: 16, PartSize: 100}, DefaultBatchSize},
		{Config{Workers: 16, BatchSize: 3, PartSize: 100}, 102},
	} {
		got, err := c.cfg.validate()
		if err != nil {
			t.Fatal(err)
		}
		if got.PartSize != c.want {
			t.Errorf("workers %d, batch %d, part %d: part size %d, want %d", c.cfg.Workers, c.cfg.BatchSize, c.cfg.PartSize, got.PartSize, c.want)
		}
	}
}
