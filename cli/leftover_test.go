package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/argocheck/argocheck/shard"
)

// errNoDelete is the failure of every deletion in a noDelete bucket.
var errNoDelete = errors.New("this bucket lets no object be deleted")

// noDelete is a bucket all of whose deletions fail, as one where the
// shards may write and read but not delete.
type noDelete struct {
	shard.Bucket
	mu    sync.Mutex
	tries map[string]int // deletions tried, by key
}

func (d *noDelete) Delete(_ context.Context, key string) error {
	d.mu.Lock()
	d.tries[key]++
	d.mu.Unlock()
	return errNoDelete
}

// TestShardLeftover: shards whose exchange refuses to delete the
// candidates they have read still reach check's verdict and counts; each
// stops deleting at the first failure, names it once on stderr and in its
// report's leftover, and the candidates stay in the exchange.
func TestShardLeftover(t *testing.T) {
	var mu sync.Mutex
	var buckets []*noDelete
	openExchange = func(ctx context.Context, url string) (shard.Bucket, error) {
		b, err := shard.Open(ctx, url)
		if err != nil {
			return nil, err
		}
		d := &noDelete{Bucket: b, tries: map[string]int{}}
		mu.Lock()
		buckets = append(buckets, d)
		mu.Unlock()
		return d, nil
	}
	t.Cleanup(func() { openExchange = shard.Open })

	sys := []string{"repdisk", "--blocks", "3", "--values", "2"}
	checkOut, _, code := cli(t, append([]string{"check", "--json", "-q", "--workers", "1"}, sys...)...)
	if code != ExitVerified {
		t.Fatalf("check: exit %d", code)
	}
	var check map[string]json.RawMessage
	if err := json.Unmarshal([]byte(checkOut), &check); err != nil {
		t.Fatal(err)
	}
	url := exchange(t)
	const shards = 2
	runs := runShards(t, shards, append([]string{"--exchange", url, "--json", "-q", "--workers", "1"}, sys...)...)
	var owned uint64
	for i, r := range runs {
		if r.code != ExitVerified {
			t.Fatalf("shard %d: exit %d, want %d; stderr %q", i, r.code, ExitVerified, r.stderr)
		}
		prefix := fmt.Sprintf("shard %d: the candidates it has read stay in the exchange: deleting level-", i)
		if !strings.HasPrefix(r.stderr, prefix) || !strings.HasSuffix(r.stderr, errNoDelete.Error()+"\n") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("shard %d: stderr %q, want one line starting %q and naming the failure", i, r.stderr, prefix)
		}
		var rep struct {
			States uint64
			Shard  struct {
				States         uint64 `json:"states"`
				ObjectsRead    uint64 `json:"objects_read"`
				ObjectsDeleted uint64 `json:"objects_deleted"`
				Leftover       string `json:"leftover"`
			} `json:"shard"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatalf("shard %d: %v", i, err)
		}
		if !strings.HasPrefix(rep.Shard.Leftover, "deleting level-") || !strings.HasSuffix(rep.Shard.Leftover, errNoDelete.Error()) {
			t.Errorf("shard %d: leftover %q, want the failed deletion", i, rep.Shard.Leftover)
		}
		if rep.Shard.ObjectsDeleted != 0 || rep.Shard.ObjectsRead == 0 {
			t.Errorf("shard %d: read %d objects and deleted %d, want some read and none deleted", i, rep.Shard.ObjectsRead, rep.Shard.ObjectsDeleted)
		}
		owned += rep.Shard.States
		if i != 0 {
			continue
		}
		var got map[string]json.RawMessage
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatal(err)
		}
		for _, field := range []string{"verdict", "states", "transitions", "crash_points", "depth"} {
			if string(got[field]) != string(check[field]) {
				t.Errorf("shard 0: %s is %s, check's %s", field, got[field], check[field])
			}
		}
	}
	var states uint64
	if err := json.Unmarshal(check["states"], &states); err != nil || owned != states {
		t.Errorf("the shards own %d states in all, check found %s", owned, check["states"])
	}
	left, err := filepath.Glob(filepath.Join(strings.TrimPrefix(url, "file://"), "level-*", "to-*", "*"))
	if err != nil || len(left) == 0 {
		t.Errorf("the exchange holds no candidates: %v", err)
	}
	// A shard stops deleting at its first failure: it tries the objects
	// of one level, once each.
	if len(buckets) != shards {
		t.Fatalf("%d buckets opened, want %d", len(buckets), shards)
	}
	for i, d := range buckets {
		levels := map[string]bool{}
		for key, n := range d.tries {
			level, _, _ := strings.Cut(key, "/")
			levels[level] = true
			if n != 1 {
				t.Errorf("bucket %d: deletion of %s tried %d times, want once", i, key, n)
			}
		}
		if len(levels) != 1 {
			t.Errorf("bucket %d: deletions tried in levels %v, want one", i, levels)
		}
	}
}
