/*
 * The write-ahead log on the replicated disk on TwoDisk, end to end
 * (TxnDisk implemented on TwoDisk by the two implementations composed),
 * checked for recovery refinement with the semantics of argocheck's
 * log/repdisk system. A stored state is one node of argocheck's graph:
 *   Idle(c, a):        recovering = 0, lower state c = (st, c[0], c[1]),
 *                      abstract state a = (Old, New) in (s0, s1);
 *   Recovering(c, S):  recovering = 1, lower state c, allowed abstract
 *                      states S = {(s0, s0), (s1, s1)}, s0 <= s1.
 * The log itself, the node's upper part and the checks are in wal.pml;
 * here are TwoDisk and the replicated disk, as in repdisk.pml, on disks
 * of L + 2 + N blocks laid out as the log's.
 *
 * One atomic step follows one edge of the graph: it chooses an operation
 * (or recovery), the primitive step before which a disk fails (fs, disk
 * fd; fs = maxs: no failure) and the step before which the crash strikes
 * (k; k = maxs + 1: no crash), then runs the procedure in one d_step on a
 * private copy of the lower state. An operation is the log's procedure,
 * each of whose OneDisk operations is the replicated disk's procedure;
 * recovery is the replicated disk's recovery, then the log's. The choices
 * are reset before the step ends, so only nodes are stored; a choice whose
 * failure or crash point the run never reaches changes nothing.
 *
 * Parameters (spin -DN=2 -DV=2 -DL=2 -DNORECOVERY=1 ...):
 *   N   data blocks (1..8)
 *   V   client values 0..V-1 (1..8)
 *   L   log capacity (1..6)
 * the log's variants (listed in wal.pml), and, 1 to select:
 *   REPNORECOVERY  rep:no-recovery, the replicated disk's recovery does
 *                  nothing
 *   UPPERFIRST     recover-upper-first, recovery runs the log's recovery
 *                  before the replicated disk's
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
#ifndef REPNORECOVERY
#define REPNORECOVERY 0
#endif
#ifndef UPPERFIRST
#define UPPERFIRST 0
#endif

#define DSTEPS 2   /* a OneDisk operation is at most two TwoDisk steps */

#include "wal.pml"

#define BOTH    0
#define ONLYD0  1
#define ONLYD1  2

/* The most primitive steps of recovery: the replicated disk's (size, two
 * reads per block, one write), then the log's. */
#define RECSTEPS (2 * DISKBLOCKS + 3 + WALRECSTEPS)

/* The node's lower part. */
byte st;
Disk c[2];

/* The edge being followed; zero between steps. */
byte fs, fd, k, maxs;

/* Scratch of one run, set and cleared within one d_step. */
hidden Disk m[2];
hidden byte m_st, m_n, m_used, m_crashed, go, ok, stop, i, j, x, dk;
hidden int b0, b1;

#define working(s, dk) ((s) == BOTH || ((s) == ONLYD0 && (dk) == 0) || ((s) == ONLYD1 && (dk) == 1))

/* Begin a primitive step: go = 0 when the crash strikes before it (or
 * struck earlier); otherwise the environment may fail a disk, then the
 * step runs. A failed disk is never read or written again; end() zeroes
 * its blocks. */
inline enter() {
  go = 0;
  if
  :: m_crashed -> skip
  :: !m_crashed && m_n == k -> m_crashed = 1
  :: else ->
     if
     :: m_n == fs && m_st == BOTH ->
        m_used = 1;
        if :: fd == 0 -> m_st = ONLYD1 :: else -> m_st = ONLYD0 fi
     :: else -> skip
     fi;
     m_n++;
     go = 1
  fi
}

/* TwoDisk's primitive steps; ok says disk dk worked. */
inline tread(dk, addr, res) {
  ok = 0;
  enter();
  if
  :: go && working(m_st, dk) -> ok = 1; bget(m[dk], addr, res)
  :: else -> skip
  fi
}

inline twrite(dk, addr, val) {
  enter();
  if
  :: go && working(m_st, dk) -> bset(m[dk], addr, val)
  :: else -> skip
  fi
}

inline tsize(dk) {
  enter();
  ok = (go && working(m_st, dk))
}

/* The replicated disk's procedures: the OneDisk interface of wal.pml.
 * Each loops over the disks, so that a TwoDisk step is written once in it
 * (SPIN bounds the code of one d_step). */
inline dread(addr, res) {   /* d0, else d1, else 0 */
  dk = 0; ok = 0;
  do
  :: !ok && dk < 2 -> tread(dk, addr, res); dk++
  :: else -> break
  od;
  if :: !ok -> res = 0 :: else -> skip fi
}

inline dwrite(addr, val) {  /* d0, then d1 */
  dk = 0;
  do
  :: dk < 2 -> twrite(dk, addr, val); dk++
  :: else -> break
  od
}

inline dsize(res) {         /* d0, else d1 */
  dk = 0; ok = 0;
  do
  :: !ok && dk < 2 -> tsize(dk); dk++
  :: else -> break
  od;
  if :: ok -> res = DISKBLOCKS :: else -> res = 0 fi
}

/* The replicated disk's recovery: from the last block down, read d0 and
 * d1; stop when either has failed, or copy d0 to d1 and stop at the first
 * difference. */
inline reprecover() {
#if REPNORECOVERY
  skip
#else
  x = 0; dsize(x);
  stop = 0;
  do
  :: x > 0 && !stop && !m_crashed ->
     tread(0, x - 1, b0);
     if
     :: !ok -> stop = 1
     :: else ->
        tread(1, x - 1, b1);
        if
        :: !ok -> stop = 1
        :: ok && b0 != b1 -> twrite(1, x - 1, b0); stop = 1
        :: else -> skip
        fi
     fi;
     x--
  :: else -> break
  od
#endif
}

/* The composed abstraction: the replicated disk's, then the log's. */
inline lowerabs() {
  if
  :: m_st == ONLYD1 -> walabs(m[1])
  :: m_st == ONLYD0 -> walabs(m[0])
  :: m_st == BOTH ->
     samedisk(m[0], m[1]);
     if :: ok -> walabs(m[0]) :: else -> skip fi
  fi
}

inline setlower() {
  st = m_st; copydisk(c[0], m[0]); copydisk(c[1], m[1])
}

/* A run of the chosen procedure: begin(), the procedure, end(); then ok
 * says the run is an edge: the chosen failure and crash both happened. */
inline begin() {
  m_st = st; copydisk(m[0], c[0]); copydisk(m[1], c[1]);
  m_n = 0; m_used = 0; m_crashed = 0
}

inline end() {
  /* a crash point equal to the steps taken strikes after the last step */
  if :: !m_crashed && m_n == k -> m_crashed = 1 :: else -> skip fi;
  ok = !((fs < maxs && !m_used) || (k <= maxs && !m_crashed));
  /* a failed disk's blocks are gone: zeros */
  if
  :: m_st == ONLYD0 -> zerodisk(m[1])
  :: m_st == ONLYD1 -> zerodisk(m[0])
  :: else -> skip
  fi
}

/* Recovery: the replicated disk's, then the log's. */
inline recover() {
#if UPPERFIRST
  walrecover(); reprecover()
#else
  reprecover(); walrecover()
#endif
}

inline clearscratch() {
  clearwal();
  fs = 0; fd = 0; k = 0; maxs = 0;
  zerodisk(m[0]); zerodisk(m[1]);
  m_st = 0; m_n = 0; m_used = 0; m_crashed = 0; go = 0; ok = 0; stop = 0;
  i = 0; x = 0; dk = 0; b0 = 0; b1 = 0;
  j = 0
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

active proctype logrepdisk()
{
  do
  :: atomic {
       !recovering;
       chooseop();
       choosepoints();
       d_step { begin(); walop(); end(); opstep(); clearscratch() }
     }
  :: atomic { !recovering -> crashidle() }   /* crash between operations */
  :: atomic {
       recovering;
       kind = RECOVER;
       maxs = RECSTEPS;
       choosepoints();
       d_step { begin(); recover(); end(); recstep(); clearscratch() }
     }
  od
}
