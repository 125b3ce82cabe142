-- The replicated disk of Argosy's example (OneDisk implemented on TwoDisk),
-- checked for recovery refinement with the semantics of argocheck's
-- repdisk system. One state is one node of argocheck's graph:
--   Idle(c, a):        recovering = false, lower state (st, d0, d1),
--                      abstract disk a in s0 (s1 = s0);
--   Recovering(c, S):  recovering = true, lower state (st, d0, d1),
--                      allowed abstract disks S = {s0, s1}, s0 <= s1.
-- One rule fires per edge of that graph: an operation run to completion
-- or to a crash point, a crash between operations, a recovery run to
-- completion or to a crash point. A run is named by the primitive step
-- before which a disk fails (fs, disk fd; fs = MAXS: no failure) and the
-- step before which the crash strikes (k; k = MAXS + 1: no crash), so the
-- rules that fire from a state are exactly argocheck's edges.
-- compare.sh rewrites the three constants below.

const
  B: 3;                 -- blocks per disk
  V: 2;                 -- client values 0..V-1
  NORECOVERY: false;    -- the no-recovery bug: recovery does nothing

  BOTH: 0;              -- disk status: both work
  ONLYD0: 1;            -- d1 has failed
  ONLYD1: 2;            -- d0 has failed

  OPSTEPS: 2;           -- most primitive steps of read, write, size
  RECSTEPS: 2 * B + 3;  -- most primitive steps of recovery
  KMAX: RECSTEPS + 1;

  READ: 0;
  WRITE: 1;
  SIZE: 2;
  RECOVER: 3;

type
  val_t: 0..V-1;
  addr_t: 0..B-1;
  disk_t: array [addr_t] of val_t;
  status_t: 0..2;
  step_t: 0..KMAX;
  kind_t: 0..3;

  -- A run of one procedure on a private copy of the lower state.
  run_t: record
    st: status_t;
    d0: disk_t;
    d1: disk_t;
    n: step_t;        -- primitive steps taken
    fs: step_t;       -- a disk fails before this step (if both work)
    fd: 0..1;         -- which disk fails
    k: step_t;        -- the crash strikes before this step
    used: boolean;    -- the failure happened
    crashed: boolean; -- the crash happened
  end;

var
  recovering: boolean;
  st: status_t;
  d0: disk_t;
  d1: disk_t;
  s0: disk_t;
  s1: disk_t;

function working(s: status_t; d: 0..1): boolean;
begin
  return s = BOTH | (s = ONLYD0 & d = 0) | (s = ONLYD1 & d = 1);
end;

function same(x: disk_t; y: disk_t): boolean;
begin
  for i: addr_t do
    if x[i] != y[i] then return false; endif;
  endfor;
  return true;
end;

-- less orders disks lexicographically from block 0, as argocheck's encoding.
function less(x: disk_t; y: disk_t): boolean;
begin
  for i: addr_t do
    if x[i] != y[i] then return x[i] < y[i]; endif;
  endfor;
  return false;
end;

-- enter begins a primitive step: false when the crash strikes before it;
-- otherwise the environment may fail a disk, then the step runs.
procedure enter(var m: run_t; var go: boolean);
begin
  go := false;
  if m.crashed then return; endif;
  if m.n = m.k then m.crashed := true; return; endif;
  if m.n = m.fs & m.st = BOTH then
    m.used := true;
    if m.fd = 0 then m.st := ONLYD1; clear m.d0;
    else m.st := ONLYD0; clear m.d1; endif;
  endif;
  m.n := m.n + 1;
  go := true;
end;

procedure pread(var m: run_t; d: 0..1; a: addr_t; var ok: boolean; var b: val_t);
var go: boolean;
begin
  ok := false;
  enter(m, go);
  if go & working(m.st, d) then
    ok := true;
    if d = 0 then b := m.d0[a]; else b := m.d1[a]; endif;
  endif;
end;

procedure pwrite(var m: run_t; d: 0..1; a: addr_t; b: val_t);
var go: boolean;
begin
  enter(m, go);
  if go & working(m.st, d) then
    if d = 0 then m.d0[a] := b; else m.d1[a] := b; endif;
  endif;
end;

procedure psize(var m: run_t; d: 0..1; var ok: boolean);
var go: boolean;
begin
  enter(m, go);
  ok := go & working(m.st, d);
end;

-- run executes the replicated disk's procedure for kind (read a, write a v,
-- size, recovery) and returns the value read in r.
procedure run(var m: run_t; kind: kind_t; a: addr_t; v: val_t; var r: val_t);
var ok: boolean;
    b0: val_t;
    b1: val_t;
    i: 0..B;
    stop: boolean;
begin
  r := 0;
  b0 := 0;
  b1 := 0;
  switch kind
  case READ:
    pread(m, 0, a, ok, r);
    if !ok then pread(m, 1, a, ok, r); endif;
    if !ok then r := 0; endif;
  case WRITE:
    pwrite(m, 0, a, v);
    pwrite(m, 1, a, v);
  case SIZE:
    psize(m, 0, ok);
    if !ok then psize(m, 1, ok); endif;
  case RECOVER:
    if NORECOVERY then return; endif;
    psize(m, 0, ok);
    if !ok then psize(m, 1, ok); endif;
    -- i is one more than the address being repaired.
    i := B;
    stop := false;
    while i > 0 & !stop & !m.crashed do
      pread(m, 0, i - 1, ok, b0);
      if !ok then stop := true;
      else
        pread(m, 1, i - 1, ok, b1);
        if !ok then stop := true;
        elsif b0 != b1 then
          pwrite(m, 1, i - 1, b0);
          stop := true;
        endif;
      endif;
      i := i - 1;
    endwhile;
  endswitch;
end;

-- start begins a run from the current lower state.
procedure start(var m: run_t; fs: step_t; fd: 0..1; k: step_t);
begin
  m.st := st; m.d0 := d0; m.d1 := d1;
  m.n := 0; m.fs := fs; m.fd := fd; m.k := k;
  m.used := false; m.crashed := false;
end;

-- finish ends a run: a crash point k equal to the steps taken strikes
-- after the last step. It reports whether the run is an edge: the chosen
-- failure and crash both happened (or were not chosen).
function finish(var m: run_t; maxs: step_t): boolean;
begin
  if !m.crashed & m.k = m.n then m.crashed := true; endif;
  if m.fs < maxs & !m.used then return false; endif;
  if m.k <= maxs & !m.crashed then return false; endif;
  return true;
end;

function edge(kind: kind_t; a: addr_t; v: val_t; fs: step_t; fd: 0..1; k: step_t; maxs: step_t): boolean;
var m: run_t;
    r: val_t;
begin
  start(m, fs, fd, k);
  run(m, kind, a, v, r);
  return finish(m, maxs);
end;

-- abs is the abstraction relation: every working disk equals the abstract
-- disk x; false when the disks disagree.
function abs(var m: run_t; var x: disk_t): boolean;
begin
  if m.st = ONLYD1 then x := m.d1; return true; endif;
  x := m.d0;
  return m.st = ONLYD0 | same(m.d0, m.d1);
end;

procedure set_lower(var m: run_t);
begin
  st := m.st; d0 := m.d0; d1 := m.d1;
end;

-- allowed sets the allowed abstract disks {x, y} in canonical order.
procedure allowed(x: disk_t; y: disk_t);
begin
  if less(y, x) then s0 := y; s1 := x; else s0 := x; s1 := y; endif;
end;

-- An operation from an Idle node.
procedure op(kind: kind_t; a: addr_t; v: val_t; fs: step_t; fd: 0..1; k: step_t);
var m: run_t;
    r: val_t;
    x: disk_t;
    after: disk_t;
    ok: boolean;
begin
  start(m, fs, fd, k);
  run(m, kind, a, v, r);
  ok := finish(m, OPSTEPS);
  after := s0;
  if kind = WRITE then after[a] := v; endif;
  set_lower(m);
  if m.crashed then
    recovering := true;
    allowed(s0, after);
    return;
  endif;
  if kind = READ then
    assert r = s0[a] "read returned a value the abstract disk does not hold";
  endif;
  ok := abs(m, x);
  assert ok "operation left disks that relate to no abstract disk";
  assert same(x, after) "operation left disks that differ from the abstract disk";
  s0 := after;
  s1 := after;
end;

startstate
begin
  recovering := false;
  st := BOTH;
  clear d0; clear d1; clear s0; clear s1;
end;

ruleset fs: 0..OPSTEPS; fd: 0..1; k: 0..OPSTEPS + 1 do

  ruleset a: addr_t do
    rule "read"
      !recovering & (fs < OPSTEPS | fd = 0) & (fs = OPSTEPS | (st = BOTH & fs < k))
      & edge(READ, a, 0, fs, fd, k, OPSTEPS)
    ==>
    begin
      op(READ, a, 0, fs, fd, k);
    end;
  end;

  ruleset a: addr_t; v: val_t do
    rule "write"
      !recovering & (fs < OPSTEPS | fd = 0) & (fs = OPSTEPS | (st = BOTH & fs < k))
      & edge(WRITE, a, v, fs, fd, k, OPSTEPS)
    ==>
    begin
      op(WRITE, a, v, fs, fd, k);
    end;
  end;

  rule "size"
    !recovering & (fs < OPSTEPS | fd = 0) & (fs = OPSTEPS | (st = BOTH & fs < k))
    & edge(SIZE, 0, 0, fs, fd, k, OPSTEPS)
  ==>
  begin
    op(SIZE, 0, 0, fs, fd, k);
  end;
end;

rule "crash between operations"
  !recovering
==>
begin
  recovering := true;
end;

ruleset fs: 0..RECSTEPS; fd: 0..1; k: 0..RECSTEPS + 1 do
  rule "recovery"
    recovering & (fs < RECSTEPS | fd = 0) & (fs = RECSTEPS | (st = BOTH & fs < k))
    & edge(RECOVER, 0, 0, fs, fd, k, RECSTEPS)
  ==>
  var m: run_t;
      r: val_t;
      x: disk_t;
      ok: boolean;
  begin
    start(m, fs, fd, k);
    run(m, RECOVER, 0, 0, r);
    ok := finish(m, RECSTEPS);
    set_lower(m);
    if !m.crashed then
      ok := abs(m, x);
      assert ok "recovery left disks that relate to no abstract disk";
      assert same(x, s0) | same(x, s1) "recovery ended in an abstract disk the crash does not allow";
      recovering := false;
      s0 := x;
      s1 := x;
    endif;
  end;
end;
