/*
 * The write-ahead log (TxnDisk implemented on OneDisk),
 * checked for recovery refinement with the semantics of argocheck's log
 * system. A stored state is one node of argocheck's graph:
 *   Idle(c, a):        recovering = 0, lower state c (the disk), abstract
 *                      state a = (Old, New) in (s0, s1);
 *   Recovering(c, S):  recovering = 1, lower state c, allowed abstract
 *                      states S = {(s0, s0), (s1, s1)}, s0 <= s1.
 * The log itself, the node's upper part and the checks are in wal.pml.
 *
 * One atomic step follows one edge of the graph: it chooses an operation
 * (or recovery) and the primitive step before which the crash strikes (k;
 * k = maxs + 1: no crash), then runs the procedure in one d_step on a
 * private copy of the disk. OneDisk has no nondeterminism at in-bounds
 * addresses, so an operation has one run. The choices are reset before the
 * step ends, so only nodes are stored; a choice whose crash point the run
 * never reaches changes nothing.
 *
 * Parameters (spin -DN=3 -DV=2 -DL=2 -DNORECOVERY=1 ...):
 *   N   data blocks (1..8)
 *   V   client values 0..V-1 (1..8)
 *   L   log capacity (1..6)
 * and the log's variants, listed in wal.pml.
 */
#ifndef N
#define N 2
#endif
#ifndef V
#define V 2
#endif
#ifndef L
#define L 2
#endif

#define DSTEPS 1   /* a OneDisk operation is one primitive step */

#include "wal.pml"

#define RECSTEPS WALRECSTEPS

/* The node's lower part. */
Disk c;

/* The edge being followed; zero between steps. */
byte k, maxs;

/* Scratch of one run, set and cleared within one d_step. */
hidden Disk m;
hidden byte m_n, m_crashed, go, ok, i, j;

/* Begin a primitive step: go = 0 when the crash strikes before it (or
 * struck earlier: the disk then stays as the crash found it). */
inline enter() {
  go = 0;
  if
  :: m_crashed -> skip
  :: !m_crashed && m_n == k -> m_crashed = 1
  :: else -> m_n++; go = 1
  fi
}

/* OneDisk's primitive steps on the run's disk. */
inline dread(x, res) {
  enter();
  if :: go -> bget(m, x, res) :: else -> skip fi
}

inline dwrite(x, val) {
  enter();
  if :: go -> bset(m, x, val) :: else -> skip fi
}

inline dsize(res) {
  enter();
  if :: go -> res = DISKBLOCKS :: else -> skip fi
}

inline lowerabs() { walabs(m) }

inline setlower() { copydisk(c, m) }

/* A run of the chosen procedure: begin(), the procedure, end(); then ok
 * says the run is an edge: the chosen crash point was reached. */
inline begin() {
  copydisk(m, c);
  m_n = 0; m_crashed = 0
}

inline end() {
  /* a crash point equal to the steps taken strikes after the last step */
  if :: !m_crashed && m_n == k -> m_crashed = 1 :: else -> skip fi;
  ok = !(k <= maxs && !m_crashed)
}

inline clearscratch() {
  clearwal();
  k = 0; maxs = 0;
  zerodisk(m);
  m_n = 0; m_crashed = 0; go = 0; ok = 0; i = 0;
  j = 0
}

/* Choose the crash point of a run of at most maxs steps. */
inline choosepoint() {
  k = 0;
  do :: k < maxs + 1 -> k++ :: break od
}

active proctype log()
{
  do
  :: atomic {
       !recovering;
       chooseop();
       choosepoint();
       d_step { begin(); walop(); end(); opstep(); clearscratch() }
     }
  :: atomic { !recovering -> crashidle() }   /* crash between operations */
  :: atomic {
       recovering;
       kind = RECOVER;
       maxs = RECSTEPS;
       choosepoint();
       d_step { begin(); walrecover(); end(); recstep(); clearscratch() }
     }
  od
}
