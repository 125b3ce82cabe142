package shard

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/argocheck/argocheck/explorer"
	"github.com/argocheck/argocheck/model"
	"github.com/argocheck/argocheck/statestore"
)

// Config configures one shard of a run. Every shard of a run is given
// the same check, Shards, Crashes, Determinism and Run, and its own
// Index.
type Config struct {
	// Shards is the number of shards; Index is this shard's, 0 to
	// Shards-1. Shard 0 rebuilds the path of a violation.
	Shards, Index int
	// Workers is the number of goroutines expanding states, at most
	// explorer.MaxWorkers; zero means runtime.NumCPU(), or
	// explorer.MaxWorkers if fewer. Shards may differ in it.
	Workers int
	// Crashes and Determinism are the search's modes, as in
	// explorer.Config.
	Crashes     model.CrashMode
	Determinism model.Determinism
	// Run names the check in the run's manifest (System, Variant and
	// Params) and the build of the program (Build, "" for none); Run
	// fills in the rest, the run's Run among it.
	Run Manifest
	// Claimed, when set, is called with the run's Manifest.Run once the
	// shard has claimed the bucket for the run, before it writes
	// anything else there: no shard can have passed a barrier of the
	// run since then without this one, so none has ended the run unless
	// it had ended before. An error from it ends Run with that error.
	Claimed func(run string) error
	// Log, when set, receives a line naming the shards a barrier waits
	// for, at most every WaitReport (zero: 5 seconds).
	Log        io.Writer
	WaitReport time.Duration
	// Poll is the longest pause between two looks at a barrier's
	// markers; zero means 500ms. A pause is an eighth of the time waited
	// so far, a millisecond at least.
	Poll time.Duration
	// Progress, when set, is called after every barrier.
	Progress func(Level)
	// Delay holds the shard at every barrier that long before it
	// writes its marker: a slow shard, for tests.
	Delay time.Duration
}

func (c Config) validate() (Config, error) {
	switch {
	case c.Shards < 1:
		return c, fmt.Errorf("shards must be at least 1, not %d", c.Shards)
	case c.Index < 0 || c.Index >= c.Shards:
		return c, fmt.Errorf("index must be between 0 and %d (shards: %d), not %d", c.Shards-1, c.Shards, c.Index)
	case c.Workers < 0 || c.Workers > explorer.MaxWorkers:
		return c, fmt.Errorf("workers must be between 1 and %d (0: one per CPU), not %d", explorer.MaxWorkers, c.Workers)
	}
	if c.Workers == 0 {
		c.Workers = min(runtime.NumCPU(), explorer.MaxWorkers)
	}
	if err := c.Crashes.Check(); err != nil {
		return c, err
	}
	if err := c.Determinism.Check(); err != nil {
		return c, err
	}
	if c.WaitReport <= 0 {
		c.WaitReport = 5 * time.Second
	}
	if c.Poll <= 0 {
		c.Poll = 500 * time.Millisecond
	}
	return c, nil
}

// Level is a shard's report of one barrier.
type Level struct {
	// Depth is the level expanded; Frontier the states of it that this
	// shard expanded, of Size in all.
	Depth, Frontier int
	Size            uint64
	// States and Transitions are the whole search's so far.
	States, Transitions uint64
	// New is the number of states this shard owns in the next level.
	New int
	// Waited is the time the shard waited at the barrier.
	Waited  time.Duration
	Elapsed time.Duration
}

// Work is what one shard did.
type Work struct {
	Shard int
	// States counts the states the shard owns; Transitions and
	// CrashPoints the edges of its expansions.
	States                   uint64
	Transitions, CrashPoints uint64
	// ResumedFrom is the depth of the frontier the shard resumed from,
	// -1 when it started afresh; Barriers the barriers it passed since.
	ResumedFrom, Barriers int
	// The shard's traffic with the bucket. ObjectsDeleted counts the
	// objects of candidates sent to this shard that it deleted once it
	// had committed the frontier made of them; Leftover is why it stopped
	// deleting them, if a deletion failed: they stay in the bucket.
	BytesWritten, BytesRead, ObjectsWritten, ObjectsRead uint64
	ObjectsDeleted                                       uint64
	Leftover                                             string
	// Where the shard's time went: expanding its frontiers, writing
	// what it found for the other shards and its markers, waiting at
	// barriers for the other shards' markers and reading them, and
	// reading what it was sent and committing its next frontiers.
	Expanding, Sending, Waited, Receiving time.Duration
}

// Result is the outcome of one shard's part of a run.
type Result struct {
	// Search is the search's result, the same on every shard and equal
	// to explorer.Run's for the same check: verdict, counts and depth;
	// on shard 0 every violation with its shortest path, on the others
	// Violation alone.
	Search *explorer.Result
	// Work is this shard's own part.
	Work Work
	// Ended says that the run had reached this result before this
	// process started: when it resumed, every shard's marker of the level
	// the run ended at was in the bucket, so the process redid that
	// level alone and reports again the result the run reached (a shard
	// started again after its run ended, or a bucket given again, by
	// mistake, to a new run of the same check and build).
	Ended bool
}

// search is the state of one shard's run.
type search struct {
	cfg     Config
	chk     model.Checker
	x       *exchange
	workers []*worker
	visited *statestore.Table // keys of the owned states found so far
	sent    sentKeys          // keys of other shards' states sent before
	writer  uint64            // names this process in its markers and candidates objects: a random number
	front   frontier          // the current level's owned states
	bases   []uint64          // by depth, the number of its first state
	roots   uint64            // initial states
	total   counts            // the whole search's, levels before front's
	own     counts            // this shard's, likewise
	start   time.Time
	before  time.Duration // search time before this process
	work    Work
	buf     []byte
	// The levels below dropped have had the candidates sent to this
	// shard deleted (see drop); math.MaxInt after a deletion failed.
	dropped int
	// settled is the level whose every marker was in the bucket when
	// the shard resumed from it: its barrier, and so its outcome, was
	// reached before this process started; -1 when none.
	settled int

	levelBytes uint64
}

// Run runs shard cfg.Index of a search of chk's state graph, exchanging
// states with the other shards through bucket, and returns when the
// search ends on every shard: verified, or at the level of the first
// violation. It resumes from the shard's last frontier in the bucket. A
// violation is a result; errors are bad configuration, a bucket that
// holds another run (*AnotherRunError), the bucket's failures and
// cancellation.
func Run(ctx context.Context, chk model.Checker, bucket Bucket, cfg Config) (*Result, error) {
	cfg, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	if chk == nil {
		return nil, fmt.Errorf("%w: %w", explorer.ErrInvalid, explorer.ErrNoChecker)
	}
	if err := chk.Validate(); err != nil {
		return nil, err
	}
	s := &search{cfg: cfg, chk: chk, x: &exchange{b: bucket}, visited: statestore.NewTable(1024), writer: rand.Uint64(), start: time.Now()}
	s.work.Shard, s.work.ResumedFrom, s.settled = cfg.Index, -1, -1
	opts := model.Options{Crashes: cfg.Crashes, Determinism: cfg.Determinism}
	for range cfg.Workers {
		m, err := model.NewWorker(chk, opts)
		if err != nil {
			return nil, err
		}
		w := &worker{s: s, m: m, out: make([]outbox, cfg.Shards), seen: statestore.NewTable(1024)}
		s.workers = append(s.workers, w)
	}
	defer s.release()
	m := cfg.Run
	m.Format, m.Shards = formatVersion, cfg.Shards
	m.Crashes, m.Determinism = cfg.Crashes.String(), cfg.Determinism.String()
	inits, v := s.workers[0].m.Initial()
	if v == nil && len(inits) == 0 {
		// Refused before the bucket is claimed.
		return nil, fmt.Errorf("%w: %w", explorer.ErrInvalid, explorer.ErrNoInitial)
	}
	if err := claim(ctx, s.x, &m); err != nil {
		return nil, err
	}
	if cfg.Claimed != nil {
		if err := cfg.Claimed(m.Run); err != nil {
			return nil, err
		}
	}
	if v != nil {
		return s.finish(ctx, 0, 0, &violation{edge: edgeKey(rootParent, 0), v: *v}, nil)
	}
	if err := s.resume(ctx, inits); err != nil {
		return nil, err
	}
	s.sent.fit(s.visited.Len())
	for {
		depth := s.front.depth
		res, err := s.level(ctx)
		if res != nil {
			res.Ended = depth == s.settled
		}
		if res != nil || err != nil {
			return res, err
		}
	}
}

// release gives back the memory of the search's tables at once, not when
// they are collected.
func (s *search) release() {
	s.visited.Clear()
	for _, w := range s.workers {
		w.seen.Clear()
	}
}

// owner returns the shard that owns the state of key.
func (s *search) owner(key uint64) int { return int(key % uint64(s.cfg.Shards)) }

func (s *search) elapsed() time.Duration { return s.before + time.Since(s.start) }

// resume loads the shard's last committed frontier, with every key it
// committed before, or commits the initial states it owns as level 0.
func (s *search) resume(ctx context.Context, inits [][]byte) error {
	seen := map[uint64]bool{}
	var roots frontier
	for i, n := range inits {
		key := statestore.Fingerprint(n)
		if seen[key] {
			continue
		}
		seen[key] = true
		if s.owner(key) == s.cfg.Index {
			roots.keys = append(roots.keys, key)
			roots.edges = append(roots.edges, edgeKey(rootParent, uint32(i)))
			roots.nodes.add(n)
		}
	}
	s.roots = uint64(len(seen))
	last := -1
	for d := 0; ; d++ {
		ok, err := s.x.exists(ctx, frontierKey(d, s.cfg.Index))
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		last = d
	}
	if last < 0 {
		return s.commit(ctx, &roots)
	}
	s.work.ResumedFrom = last
	have, err := s.x.markers(ctx, last, s.cfg.Shards)
	if err != nil {
		return err
	}
	if !slices.Contains(have, false) {
		s.settled = last
	}
	for d := 0; d <= last; d++ {
		key := frontierKey(d, s.cfg.Index)
		data, err := s.x.mustGet(ctx, key)
		if err != nil {
			return err
		}
		f, err := decodeFrontier(data)
		if err == nil && f.depth != d {
			err = fmt.Errorf("holds depth %d", f.depth)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		if d == 0 && !slices.Equal(f.keys, roots.keys) {
			return fmt.Errorf("%s: the initial states differ from the check's", key)
		}
		if err := s.add(f); err != nil {
			return err
		}
		if d == last {
			s.front, s.total, s.own, s.before = *f, f.total, f.own, f.elapsed
			s.start = time.Now()
		}
	}
	s.drop(ctx, last)
	return nil
}

// add adds a frontier's keys to the visited set, and its base to the
// bases of the levels.
func (s *search) add(f *frontier) error {
	total := s.visited.Len() + uint64(len(f.keys))
	if _, _, err := s.visited.Reserve(total, len(s.workers), 0); err != nil {
		return err
	}
	if _, err := s.visited.InsertAll(f.keys); err != nil {
		return err
	}
	s.bases = append(s.bases[:f.depth], f.base)
	return nil
}

// commit writes the shard's frontier f and makes it the current one: the
// point a restarted shard resumes from.
func (s *search) commit(ctx context.Context, f *frontier) error {
	f.total, f.own, f.elapsed = s.total, s.own, s.elapsed()
	s.buf = f.encode(s.buf)
	if err := s.x.put(ctx, frontierKey(f.depth, s.cfg.Index), s.buf); err != nil {
		return err
	}
	if err := s.add(f); err != nil {
		return err
	}
	s.front = *f
	return nil
}

// level expands the current level, passes its barrier and commits the
// next frontier; it returns the result when the search ends there.
func (s *search) level(ctx context.Context) (*Result, error) {
	f := &s.front
	t := time.Now()
	x, err := s.expand(ctx)
	if err != nil {
		return nil, err
	}
	s.work.Expanding += time.Since(t)
	mine := &marker{depth: f.depth, shard: s.cfg.Index, writer: s.writer, base: f.base, work: x.work, found: x.found, stray: x.stray, edges: f.edges, sent: make([]uint64, s.cfg.Shards)}
	// A marker of this shard for the level that is in the bucket already
	// (that of a process of the shard killed after writing it, or still
	// running, or of a run that has ended) stands: this process takes it
	// and writes neither candidates nor a marker. Other shards may have
	// passed the level on that marker and be deleting the candidates
	// sent to them in it (at the end of a level, or of the search), and
	// a write of candidates there would race the deletion and fail; and
	// a marker written again could say what the one they passed on did
	// not (a stray call is seen by one process alone). Taking it loses
	// nothing: its writer wrote all its candidates before it (send
	// returns first), or found that nothing would read them (unread);
	// receivers read the candidates of the writer a marker names; and it
	// holds this process's frontier and violation (agrees), so the level
	// ends, or goes on, as it would with this process's marker.
	t = time.Now()
	stands, err := s.x.exists(ctx, markerKey(f.depth, s.cfg.Index))
	if err != nil {
		return nil, err
	}
	if !stands {
		if err := s.send(ctx, x, mine); err != nil {
			return nil, err
		}
	}
	s.work.Sending += time.Since(t)
	if s.cfg.Delay > 0 {
		if err := sleep(ctx, s.cfg.Delay); err != nil {
			return nil, err
		}
	}
	t = time.Now()
	if !stands {
		// Another process of the shard may have written it meanwhile.
		if stands, err = s.x.exists(ctx, markerKey(f.depth, s.cfg.Index)); err != nil {
			return nil, err
		}
		if !stands {
			// Written only where there is none: of two processes of the
			// shard that both looked before either wrote, one writes the
			// marker and the other finds it there and takes it, as one
			// that finds it before sending does. Its own candidates,
			// under its own writer, are read by nobody, and deleted with
			// the level's.
			s.buf = mine.encode(s.buf)
			created, err := s.x.putNew(ctx, markerKey(f.depth, s.cfg.Index), s.buf)
			if err != nil {
				return nil, err
			}
			stands = !created
		}
	}
	s.work.Sending += time.Since(t)
	if stands {
		mine = nil // await reads it
	}
	waitStart := time.Now()
	ms, err := s.await(ctx, f.depth, mine)
	if err != nil {
		return nil, err
	}
	if stands {
		if err := agrees(ms[s.cfg.Index], f, x); err != nil {
			return nil, fmt.Errorf("%s: %w", markerKey(f.depth, s.cfg.Index), err)
		}
	}
	waited := time.Since(waitStart)
	s.work.Waited += waited
	s.work.Barriers++
	s.own.add(ms[s.cfg.Index].work)
	lists := make([][]uint64, len(ms))
	var size uint64
	for i, m := range ms {
		s.total.add(m.work)
		lists[i] = m.edges
		size += uint64(len(m.edges))
	}
	v, err := smallestViolation(ms, lists, f.base)
	if err != nil {
		return nil, err
	}
	if v != nil {
		return s.finish(ctx, f.depth, f.base+size, v, nil)
	}
	var stray *model.Violation
	for _, m := range ms {
		if m.stray != nil {
			stray = m.stray
			break
		}
	}
	switch {
	case size == 0:
		// No shard had a state to expand: the level before was the last.
		return s.finish(ctx, f.depth-1, f.base, nil, stray)
	case stray != nil:
		return s.finish(ctx, f.depth, f.base+size, nil, stray)
	}
	t = time.Now()
	next, err := s.receive(ctx, x, ms, lists)
	switch {
	case errors.Is(err, errPassed):
		// Another process of this shard committed the next frontier,
		// and deleted what it was made of: the same states.
		if next, err = s.adopt(ctx, f.depth+1); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	default:
		if err := s.commit(ctx, next); err != nil {
			return nil, err
		}
	}
	s.drop(ctx, next.depth)
	s.work.Receiving += time.Since(t)
	s.remember(x)
	if s.cfg.Progress != nil {
		s.cfg.Progress(Level{
			Depth: next.depth - 1, Frontier: len(lists[s.cfg.Index]), Size: size,
			States: next.base, Transitions: s.total.transitions, New: len(next.keys),
			Waited: waited, Elapsed: s.elapsed(),
		})
	}
	return nil, nil
}

// remember adds the keys sent in this level to the cache of sent keys,
// sized by the states this shard owns: every shard owns about as many.
func (s *search) remember(x *expansion) {
	s.sent.fit(s.visited.Len())
	for dest, boxes := range x.boxes {
		if dest == s.cfg.Index {
			continue
		}
		for _, b := range boxes {
			for _, k := range b.keys {
				s.sent.add(k)
			}
		}
	}
}

// send writes the candidates found for every other shard, those with
// any, concurrently, and counts them in the marker. After a violation it
// sends nothing: the search ends with this level.
func (s *search) send(ctx context.Context, x *expansion, mine *marker) error {
	if x.found != nil {
		return nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for dest, boxes := range x.boxes {
		n := x.count(dest)
		if dest == s.cfg.Index || n == 0 {
			continue
		}
		mine.sent[dest] = n
		g.Go(func() error {
			data := encodeCandidates(nil, mine.depth, s.cfg.Index, dest, s.writer, boxes)
			err := s.x.put(gctx, candidatesKey(mine.depth, s.cfg.Index, dest, s.writer), data)
			if err != nil && gctx.Err() == nil {
				// A process of this shard that lags behind writes for a
				// shard that has passed the level and deleted the level's
				// candidates sent to it (a store may remove their
				// emptied directory, or a directory's write its temporary
				// file, under the write): if nothing will read these,
				// the failure loses nothing.
				if unread, _ := s.unread(gctx, mine.depth, dest); unread {
					return nil
				}
			}
			return err
		})
	}
	return g.Wait()
}

// unread reports whether no process will ever read candidates of level
// depth for shard dest that this process has not yet named in a marker:
// when dest has committed its frontier of the next level (a process of
// dest that has not takes it, see adopt), or when every shard's marker of
// the level is in the bucket and one of them reports a violation, so that
// the level ends the search and no shard receives its candidates. (Those
// markers stand: a process that redoes the level takes them, see level,
// and a violation found is found again by any process of the shard.)
// Other cases, errors included, report false, and the write's failure
// stops the shard.
func (s *search) unread(ctx context.Context, depth, dest int) (bool, error) {
	ok, err := s.x.exists(ctx, frontierKey(depth+1, dest))
	if err != nil || ok {
		return ok, err
	}
	have, err := s.x.markers(ctx, depth, s.cfg.Shards)
	if err != nil || slices.Contains(have, false) {
		return false, err
	}
	for i := range have {
		key := markerKey(depth, i)
		data, err := s.x.mustGet(ctx, key)
		if err != nil {
			return false, err
		}
		m, err := decodeMarker(data, depth, i, s.cfg.Shards)
		if err != nil {
			return false, fmt.Errorf("%s: %w", key, err)
		}
		if m.found != nil || m.stray != nil {
			return true, nil
		}
	}
	return false, nil
}

// agrees checks that m, this shard's marker of frontier f's level written
// by another process, says of the level what this process's expansion x
// of it says: the same frontier (base and edges) and the same smallest
// violation, or none; and that a stray call this process saw is in it.
// Counts may differ where a violation cut the expansion short, and the
// candidates sent by the cache of sent keys; a stray call the marker
// reports this process may not see. A violation this process finds and
// the marker does not report, which the search would lose, stops the
// shard: layer code that does not do the same twice.
func agrees(m *marker, f *frontier, x *expansion) error {
	switch {
	case m.base != f.base || !slices.Equal(m.edges, f.edges):
		return fmt.Errorf("holds another frontier than the shard's committed one (base %d, %d states; want base %d, %d states)", m.base, len(m.edges), f.base, len(f.edges))
	case (m.found == nil) != (x.found == nil) || m.found != nil && m.found.edge != x.found.edge:
		return errors.New("reports another violation of the level than this process's expansion finds: the layer code does not expand the same states the same way twice")
	case x.stray != nil && m.stray == nil:
		return fmt.Errorf("reports no stray call, where this process's expansion of the level saw one: %s", x.stray.Message)
	}
	return nil
}

// await waits until every shard's marker for the level is in the bucket,
// and returns them all, by shard: it lists the markers, reads the new
// ones, and pauses, longer the longer it waits, up to cfg.Poll, naming
// the shards it waits for at most every cfg.WaitReport.
func (s *search) await(ctx context.Context, depth int, mine *marker) ([]*marker, error) {
	n := s.cfg.Shards
	ms := make([]*marker, n)
	ms[s.cfg.Index] = mine
	start, reported := time.Now(), time.Now()
	for {
		have, err := s.x.markers(ctx, depth, n)
		if err != nil {
			return nil, err
		}
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(16)
		for i := range ms {
			if ms[i] != nil || !have[i] {
				continue
			}
			g.Go(func() error {
				key := markerKey(depth, i)
				data, err := s.x.mustGet(gctx, key)
				if err != nil {
					return err
				}
				m, err := decodeMarker(data, depth, i, n)
				if err != nil {
					return fmt.Errorf("%s: %w", key, err)
				}
				ms[i] = m
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return nil, err
		}
		var missing []string
		for i, m := range ms {
			if m == nil {
				missing = append(missing, fmt.Sprint(i))
			}
		}
		if len(missing) == 0 {
			return ms, nil
		}
		if s.cfg.Log != nil && time.Since(reported) >= s.cfg.WaitReport {
			reported = time.Now()
			fmt.Fprintf(s.cfg.Log, "shard %d of %d: level %d: waiting for %s %s (%s)\n", s.cfg.Index, n, depth,
				plural(len(missing), "shard", "shards"), listShards(missing), time.Since(start).Round(time.Second))
		}
		// Pause an eighth of the wait so far: a barrier passed at most
		// that much late, with few looks at a long wait.
		if err := sleep(ctx, min(max(time.Since(start)/8, time.Millisecond), s.cfg.Poll)); err != nil {
			return nil, err
		}
	}
}

// listedShards is the most shards a waiting line names, by index: the
// line of a run of thousands names the first few and counts the others.
const listedShards = 10

// listShards names the shards of missing for a waiting line: "1, 2, 3",
// or the first listedShards and "and N more".
func listShards(missing []string) string {
	if len(missing) <= listedShards {
		return strings.Join(missing, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(missing[:listedShards], ", "), len(missing)-listedShards)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// sleep pauses for d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// smallestViolation returns the level's smallest violation, its edge key
// made global: the edges of the markers are numbered within their
// shard's frontier, whose states' numbers are base plus their ranks.
func smallestViolation(ms []*marker, lists [][]uint64, base uint64) (*violation, error) {
	var best *violation
	for i, m := range ms {
		if m.found == nil {
			continue
		}
		k, o := splitEdge(m.found.edge)
		if k >= uint64(len(lists[i])) {
			return nil, fmt.Errorf("shard %d reports a violation at state %d of its frontier of %d states", i, k, len(lists[i]))
		}
		v := &violation{edge: edgeKey(base+rankOf(lists, i, k), o), v: m.found.v}
		if best == nil || v.edge < best.edge {
			best = v
		}
	}
	return best, nil
}

// receive forms the shard's next frontier: the candidates it found for
// itself and those the other shards sent it, their edges made global,
// the smallest edge of each state kept, the visited states left out, by
// ascending edge.
func (s *search) receive(ctx context.Context, x *expansion, ms []*marker, lists [][]uint64) (*frontier, error) {
	me, depth, base := s.cfg.Index, s.front.depth, s.front.base
	rank := ranks(lists)
	global := func(from int, refs []ref) error {
		for i := range refs {
			k, o := splitEdge(refs[i].edge)
			if k >= uint64(len(rank[from])) {
				return fmt.Errorf("shard %d sent a successor of state %d of its frontier of %d states", from, k, len(rank[from]))
			}
			refs[i].edge = edgeKey(base+rank[from][k], o)
		}
		return nil
	}
	received := make([][]ref, len(ms))
	received[me] = x.refs(me)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for from, m := range ms {
		if from == me || m.sent[me] == 0 {
			continue
		}
		g.Go(func() error {
			// The candidates of the marker's writer, written before it:
			// another process of the shard, with another cache of sent
			// keys, writes objects of its own and may overwrite the
			// marker (one that found none when it began the level),
			// never these.
			key := candidatesKey(depth, from, me, m.writer)
			data, found, err := s.x.get(gctx, key)
			if err != nil {
				return err
			}
			if !found {
				return s.passed(gctx, depth, key)
			}
			c, err := decodeCandidates(data, depth, from, me, m.writer)
			if err == nil && uint64(len(c.keys)) != m.sent[me] {
				err = fmt.Errorf("holds %d candidates, where the marker says %d", len(c.keys), m.sent[me])
			}
			if err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			refs := make([]ref, 0, len(c.keys))
			for i, k := range c.keys {
				if !s.visited.Has(k) {
					refs = append(refs, ref{key: k, edge: c.edges[i], node: c.nodes[i]})
				}
			}
			received[from] = refs
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var all []ref
	for from, refs := range received {
		if err := global(from, refs); err != nil {
			return nil, err
		}
		all = append(all, refs...)
	}
	all = smallestPerKey(all)
	slices.SortFunc(all, func(a, b ref) int { return cmp.Compare(a.edge, b.edge) })
	var size uint64
	for _, l := range lists {
		size += uint64(len(l))
	}
	next := &frontier{depth: depth + 1, base: base + size, keys: make([]uint64, len(all)), edges: make([]uint64, len(all))}
	for i, r := range all {
		next.keys[i], next.edges[i] = r.key, r.edge
		next.nodes.add(r.node)
	}
	s.levelBytes = max(s.levelBytes, 40*uint64(cap(all))+next.nodes.bytes()+s.front.nodes.bytes())
	return next, nil
}

// errPassed is receive's error when the candidates of the level are
// gone, deleted by another process of the shard that committed the next
// frontier already.
var errPassed = errors.New("another process of the shard has passed the level")

// passed returns the error of a level's candidates object, key, that is
// missing: errPassed when the shard's next frontier exists.
func (s *search) passed(ctx context.Context, depth int, key string) error {
	ok, err := s.x.exists(ctx, frontierKey(depth+1, s.cfg.Index))
	switch {
	case err != nil:
		return err
	case ok:
		return errPassed
	}
	return fmt.Errorf("reading %s: no such object", key)
}

// adopt makes the shard's committed frontier at depth the current one, as
// commit does with one of its own.
func (s *search) adopt(ctx context.Context, depth int) (*frontier, error) {
	key := frontierKey(depth, s.cfg.Index)
	data, err := s.x.mustGet(ctx, key)
	if err != nil {
		return nil, err
	}
	f, err := decodeFrontier(data)
	if err == nil && f.depth != depth {
		err = fmt.Errorf("holds depth %d", f.depth)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	if err := s.add(f); err != nil {
		return nil, err
	}
	s.front = *f
	if s.cfg.Log != nil {
		fmt.Fprintf(s.cfg.Log, "shard %d of %d: level %d: another process of this shard committed the next frontier first; this one takes it\n",
			s.cfg.Index, s.cfg.Shards, depth-1)
	}
	return f, nil
}

// drop deletes the candidates sent to this shard in the levels below
// depth, whose next frontiers it has committed: nothing reads them again
// but a process of the shard that lags behind, and it takes the committed
// frontier instead (see adopt). A failed deletion leaves them, and the
// later ones, in the bucket, and says why in Work.Leftover; only a
// cancellation stops the search, at its next step.
func (s *search) drop(ctx context.Context, depth int) {
	for ; s.dropped < depth; s.dropped++ {
		prefix := fmt.Sprintf("%sto-%d/", levelPrefix(s.dropped), s.cfg.Index)
		if err := s.x.removeAll(ctx, prefix); err != nil {
			if ctx.Err() == nil {
				s.work.Leftover = err.Error()
				s.dropped = math.MaxInt
			}
			return
		}
	}
}

// finish ends the search at depth with states found: with the violation
// v at its global edge, or a stray call's violation, or verified.
func (s *search) finish(ctx context.Context, depth int, states uint64, v *violation, stray *model.Violation) (*Result, error) {
	o := &statestore.Outcome{
		Verdict: string(explorer.Verified), States: states,
		Transitions: s.total.transitions, CrashPoints: s.total.crashes, Depth: depth,
		Elapsed: s.elapsed(), MemoryBytes: s.visited.Bytes(), LevelBytes: s.levelBytes,
		Collision: collision(states, s.roots+s.total.transitions),
	}
	if v != nil || stray != nil {
		o.Verdict = string(explorer.Violated)
	}
	if v != nil && s.cfg.Index == 0 {
		o.Violations = []statestore.ViolationRecord{{Kind: v.v.Kind, Message: v.v.Message, Where: v.v.Where, Edge: v.edge}}
	}
	rcfg := explorer.Config{Crashes: s.cfg.Crashes, Determinism: s.cfg.Determinism}
	res, err := explorer.Restore(s.chk, rcfg, o, s.parent(context.Background()))
	if err != nil {
		return nil, err
	}
	switch {
	case stray != nil && s.cfg.Index == 0:
		t := &model.Trace{Steps: []model.Step{{Kind: model.StepInit, Violation: stray}}}
		res.Violation, res.Trace = stray, t
		res.Violations = []explorer.Counterexample{{Violation: stray, Trace: t, CrashAfter: -1}}
	case stray != nil:
		res.Violation = stray
	case v != nil && s.cfg.Index != 0:
		res.Violation = &v.v
	}
	// Candidates that processes of other shards started again wrote
	// after this shard had read the level, and those of the last level,
	// which are not read.
	if s.dropped != math.MaxInt {
		s.dropped = 0
	}
	s.drop(ctx, depth+1)
	s.work.States = s.visited.Len()
	s.work.Transitions, s.work.CrashPoints = s.own.transitions, s.own.crashes
	s.work.BytesWritten, s.work.BytesRead = s.x.written.Load(), s.x.read.Load()
	s.work.ObjectsWritten, s.work.ObjectsRead = s.x.objectsWritten.Load(), s.x.objectsRead.Load()
	s.work.ObjectsDeleted = s.x.objectsDeleted.Load()
	return &Result{Search: res, Work: s.work}, nil
}

// collision is the estimated probability that a fingerprint collision hid
// one of n distinct states among g generated, as explorer.Result.Collision.
func collision(n, g uint64) float64 {
	if g < n {
		g = n
	}
	return math.Min(1, float64(n)*float64(g-n)/math.Exp2(64))
}

// parent returns the parent records of the search, from the markers'
// edge lists: state s of depth d is the (s - base of d)-th smallest edge
// of the level's markers.
func (s *search) parent(ctx context.Context) func(state uint64) (uint64, error) {
	levels := map[int][]uint64{}
	return func(st uint64) (uint64, error) {
		d := sort.Search(len(s.bases), func(i int) bool { return s.bases[i] > st }) - 1
		if d < 0 {
			return 0, fmt.Errorf("no level holds state %d", st)
		}
		edges, ok := levels[d]
		if !ok {
			lists := make([][]uint64, s.cfg.Shards)
			for i := range lists {
				key := markerKey(d, i)
				data, err := s.x.mustGet(ctx, key)
				if err != nil {
					return 0, err
				}
				m, err := decodeMarker(data, d, i, s.cfg.Shards)
				if err != nil {
					return 0, fmt.Errorf("%s: %w", key, err)
				}
				lists[i] = m.edges
			}
			edges = merged(lists)
			levels[d] = edges
		}
		i := st - s.bases[d]
		if i >= uint64(len(edges)) {
			return 0, fmt.Errorf("level %d holds %d states, not state %d", d, len(edges), st)
		}
		return edges[i], nil
	}
}
