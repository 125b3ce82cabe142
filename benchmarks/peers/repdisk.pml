/*
 * The replicated disk (OneDisk implemented on TwoDisk),
 * checked for recovery refinement with the semantics of argocheck's repdisk
 * system. A stored state is one node of argocheck's graph:
 *   Idle(c, a):        recovering = 0, lower state (st, d0, d1), abstract
 *                      disk a in s0 (s1 = s0);
 *   Recovering(c, S):  recovering = 1, lower state (st, d0, d1), allowed
 *                      abstract disks S = {s0, s1}, s0 <= s1.
 * One atomic step follows one edge of that graph: it chooses an operation
 * (or recovery), the primitive step before which a disk fails (fs, disk fd;
 * fs = MAXS: no failure) and the step before which the crash strikes (k;
 * k = MAXS + 1: no crash), then runs the procedure in one d_step. The
 * choices are reset before the step ends, so only nodes are stored. A choice
 * whose failure or crash point the run never reaches changes nothing.
 *
 * Parameters (spin -DB=4 -DV=3 -DNORECOVERY=1 ...):
 *   B           blocks per disk (1..8)
 *   V           client values 0..V-1
 *   NORECOVERY  1: the no-recovery bug, recovery does nothing
 */
#ifndef B
#define B 3
#endif
#ifndef V
#define V 2
#endif
#ifndef NORECOVERY
#define NORECOVERY 0
#endif

#define BOTH    0
#define ONLYD0  1
#define ONLYD1  2

#define READ    0
#define WRITE   1
#define SIZE    2
#define RECOVER 3

#define OPSTEPS  2            /* most primitive steps of read, write, size */
#define RECSTEPS (2 * B + 3)  /* most primitive steps of recovery */

/* The node. */
bool recovering;
byte st;
byte d0[B];
byte d1[B];
byte s0[B];
byte s1[B];

/* The edge being followed; zero between steps. */
byte kind, a, v, fs, fd, k, maxs;

/* Scratch of one run, set and cleared within one d_step. */
hidden byte m_st, m_n, r, b0, b1, i, j, go, ok, stop;
hidden byte m_used, m_crashed, less;
hidden byte m_d0[B];
hidden byte m_d1[B];
hidden byte x[B];
hidden byte after[B];

/* Whole-disk helpers; cpp macros, since an inline cannot take an array. */
#define zero(d) \
  j = 0; \
  do :: j < B -> d[j] = 0; j++ :: else -> break od

#define copy(dst, src) \
  j = 0; \
  do :: j < B -> dst[j] = src[j]; j++ :: else -> break od

/* ok = (p == q) */
#define same(p, q) \
  ok = 1; j = 0; \
  do :: j < B && ok -> ok = (p[j] == q[j]); j++ :: else -> break od

/* less = (p < q), lexicographically from block 0 */
#define lessthan(p, q) \
  less = 0; j = 0; \
  do \
  :: j < B && p[j] == q[j] -> j++ \
  :: j < B && p[j] != q[j] -> less = (p[j] < q[j]); break \
  :: else -> break \
  od

#define working(s, dk) ((s) == BOTH || ((s) == ONLYD0 && (dk) == 0) || ((s) == ONLYD1 && (dk) == 1))

/* Begin a primitive step: go = 0 when the crash strikes before it;
 * otherwise the environment may fail a disk, then the step runs. */
inline enter() {
  go = 0;
  if
  :: m_crashed -> skip
  :: !m_crashed && m_n == k -> m_crashed = 1
  :: !m_crashed && m_n != k ->
     if
     :: m_n == fs && m_st == BOTH ->
        m_used = 1;
        if
        :: fd == 0 -> m_st = ONLYD1; zero(m_d0)
        :: else -> m_st = ONLYD0; zero(m_d1)
        fi
     :: else -> skip
     fi;
     m_n++;
     go = 1
  fi
}

/* pread: ok and the value in res */
inline pread(dk, addr, res) {
  ok = 0;
  enter();
  if
  :: go && working(m_st, dk) ->
     ok = 1;
     if :: dk == 0 -> res = m_d0[addr] :: else -> res = m_d1[addr] fi
  :: else -> skip
  fi
}

inline pwrite(dk, addr, val) {
  enter();
  if
  :: go && working(m_st, dk) ->
     if :: dk == 0 -> m_d0[addr] = val :: else -> m_d1[addr] = val fi
  :: else -> skip
  fi
}

inline psize(dk) {
  enter();
  ok = (go && working(m_st, dk))
}

/* The replicated disk's procedures. */
inline runproc() {
  m_st = st; copy(m_d0, d0); copy(m_d1, d1);
  m_n = 0; m_used = 0; m_crashed = 0; r = 0;
  if
  :: kind == READ ->
     pread(0, a, r);
     if :: !ok -> pread(1, a, r) :: else -> skip fi;
     if :: !ok -> r = 0 :: else -> skip fi
  :: kind == WRITE ->
     pwrite(0, a, v);
     pwrite(1, a, v)
  :: kind == SIZE ->
     psize(0);
     if :: !ok -> psize(1) :: else -> skip fi
  :: kind == RECOVER && NORECOVERY -> skip
  :: kind == RECOVER && !NORECOVERY ->
     psize(0);
     if :: !ok -> psize(1) :: else -> skip fi;
     i = B; stop = 0;
     do
     :: i > 0 && !stop && !m_crashed ->
        pread(0, i - 1, b0);
        if
        :: !ok -> stop = 1
        :: else ->
           pread(1, i - 1, b1);
           if
           :: !ok -> stop = 1
           :: ok && b0 != b1 -> pwrite(1, i - 1, b0); stop = 1
           :: else -> skip
           fi
        fi;
        i--
     :: else -> break
     od
  fi;
  /* a crash point equal to the steps taken strikes after the last step */
  if :: !m_crashed && m_n == k -> m_crashed = 1 :: else -> skip fi;
  /* the run is an edge when the chosen failure and crash both happened */
  ok = !((fs < maxs && !m_used) || (k <= maxs && !m_crashed))
}

/* x = abstract disk of the run's lower state; ok = 0 when none */
inline abs() {
  if
  :: m_st == ONLYD1 -> copy(x, m_d1); ok = 1
  :: m_st == ONLYD0 -> copy(x, m_d0); ok = 1
  :: m_st == BOTH -> copy(x, m_d0); same(m_d0, m_d1)
  fi
}

inline setlower() {
  st = m_st; copy(d0, m_d0); copy(d1, m_d1)
}

inline clearscratch() {
  kind = 0; a = 0; v = 0; fs = 0; fd = 0; k = 0; maxs = 0;
  m_st = 0; m_n = 0; r = 0; b0 = 0; b1 = 0; i = 0; go = 0; ok = 0; stop = 0;
  m_used = 0; m_crashed = 0; less = 0;
  zero(m_d0); zero(m_d1); zero(x); zero(after);
  skip  /* a loop may not end a d_step */
}

/* Follow the chosen operation edge from an Idle node. */
inline opstep() {
  runproc();
  if
  :: ok ->
     copy(after, s0);
     if :: kind == WRITE -> after[a] = v :: else -> skip fi;
     setlower();
     if
     :: m_crashed ->
        recovering = 1;
        lessthan(after, s0);
        if :: less -> copy(s0, after) :: else -> copy(s1, after) fi
     :: else ->
        if :: kind == READ -> assert(r == s0[a]) :: else -> skip fi;
        abs();
        assert(ok);   /* the operation left disks that relate to an abstract disk */
        same(x, after);
        assert(ok);   /* ... equal to the abstract disk after the operation */
        copy(s0, after); copy(s1, after)
     fi
  :: else -> skip
  fi
}

/* Follow the chosen recovery edge from a Recovering node. */
inline recstep() {
  runproc();
  if
  :: ok ->
     setlower();
     if
     :: !m_crashed ->
        abs();
        assert(ok);   /* recovery left disks that relate to an abstract disk */
        same(x, s0);
        if :: !ok -> same(x, s1) :: else -> skip fi;
        assert(ok);   /* ... that the crash allows */
        recovering = 0;
        copy(s0, x); copy(s1, x)
     :: else -> skip
     fi
  :: else -> skip
  fi
}

/* Choose the failure and crash points of a run of at most maxs steps. */
inline choosepoints() {
  if
  :: fs = maxs; fd = 0; k = 0
  :: st == BOTH -> fs = 0; do :: fs < maxs - 1 -> fs++ :: break od;
     if :: fd = 0 :: fd = 1 fi;
     k = fs + 1
  fi;
  do :: k < maxs + 1 -> k++ :: break od
}

active proctype repdisk()
{
  do
  :: atomic {
       !recovering;
       if
       :: kind = READ; a = 0; do :: a < B - 1 -> a++ :: break od
       :: kind = WRITE; a = 0; do :: a < B - 1 -> a++ :: break od;
          v = 0; do :: v < V - 1 -> v++ :: break od
       :: kind = SIZE
       fi;
       maxs = OPSTEPS;
       choosepoints();
       d_step { opstep(); clearscratch() }
     }
  :: atomic { !recovering -> recovering = 1 }   /* crash between operations */
  :: atomic {
       recovering;
       kind = RECOVER;
       maxs = RECSTEPS;
       choosepoints();
       d_step { recstep(); clearscratch() }
     }
  od
}
