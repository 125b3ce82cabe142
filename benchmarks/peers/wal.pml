/*
 * The write-ahead log of argocheck's layers/wal, written against the OneDisk
 * interface, with TxnDisk's specification and the checks of argocheck's
 * rules 1 to 3; included by log.pml (the log on OneDisk) and
 * log_repdisk.pml (the log on the replicated disk on TwoDisk).
 *
 * The including model defines, before it includes this file:
 *   N, V, L          data blocks, client values, log capacity
 *   DSTEPS           the most primitive steps of one OneDisk operation
 * and, before its proctype, the OneDisk interface on its run's private
 * lower state:
 *   dread(x, res)    read block x into res
 *   dwrite(x, val)   write val to block x
 *   dsize(res)       the number of blocks into res
 *   lowerabs()       ok, xo, xn: the abstraction of the run's lower state
 *   setlower()       the node's lower state := the run's
 * and the scratch m_crashed (the run's crash point was reached), go, ok, i,
 * j, m_n, k and maxs.
 *
 * The node's upper part is here: recovering, and the abstract state
 *   Idle(c, a):        a = (Old, New) = (s0, s1);
 *   Recovering(c, S):  S = {(s0, s0), (s1, s1)}, s0 <= s1 (TxnDisk's crash
 *                      makes New = Old, so every member has Old = New).
 *
 * argocheck's variants of the log, 1 to select (at most one; chosen by the
 * preprocessor, so a model holds only its variant's code):
 *   NORECOVERY                 recovery does nothing
 *   APPLYWITHOUTCOMMITFLAG     commit copies the entries without first
 *                              writing the committed header
 *   RECOVERYCLEARSHEADERFIRST  recovery writes the empty header before
 *                              copying the entries
 *   APPLYBACKWARDS             apply copies the entries from last to first
 */
#ifndef NORECOVERY
#define NORECOVERY 0
#endif
#ifndef APPLYWITHOUTCOMMITFLAG
#define APPLYWITHOUTCOMMITFLAG 0
#endif
#ifndef RECOVERYCLEARSHEADERFIRST
#define RECOVERYCLEARSHEADERFIRST 0
#endif
#ifndef APPLYBACKWARDS
#define APPLYBACKWARDS 0
#endif

/* Operations of TxnDisk, and recovery. */
#define READ    0
#define WRITE   1
#define COMMIT  2
#define SIZE    3
#define RECOVER 4

/* Results of a write. */
#define OK  1
#define ERR 2

/* Block addresses of the layout (wal's package comment). */
#define HDR        0
#define DESC       1
#define VALUE(i)   (2 + (i))
#define DATA(x)    (L + 2 + (x))
#define DISKBLOCKS (L + 2 + N)

/* The most primitive steps of each procedure of the log. */
#define RWSTEPS    DSTEPS                /* read, size: one OneDisk operation */
#define WSTEPS     (5 * DSTEPS)          /* write */
#define CSTEPS     ((5 + 2 * L) * DSTEPS) /* commit */
#define WALRECSTEPS ((3 + 2 * L) * DSTEPS) /* recovery */

/* A disk of L + 2 + N blocks, held by region, each block the value
 * argocheck stores: hdr is block 0 (10 * committed + length), desc block 1
 * (the entries' addresses as L decimal digits, entry 0 first), lv[i] block
 * 2 + i (entry i's value) and dt[x] block L + 2 + x (data block x). */
typedef Disk {
  byte hdr;
  int desc;
  byte lv[L];
  byte dt[N]
}

/* The node's upper part. */
bool recovering;
byte s0[N];
byte s1[N];

/* The edge being followed; zero between steps. */
byte kind, a, v;

/* Scratch of one run of the log, set and cleared within one d_step. */
hidden byte less, r, h, hl, hc, n, e, b;
hidden int blk;
hidden byte ents[L];    /* a decoded descriptor */
hidden byte xo[N];      /* abstraction of the run's lower state: Old */
hidden byte xn[N];      /* ... and New */
hidden byte after[N];   /* New after the operation's spec step */

/* Whole-array helpers; cpp macros, since an inline cannot take an array. */
#define fill(d, cnt, x) \
  j = 0; \
  do :: j < cnt -> d[j] = x; j++ :: else -> break od

#define copy(dst, src) \
  j = 0; \
  do :: j < N -> dst[j] = src[j]; j++ :: else -> break od

/* ok = (p == q) */
#define same(p, q) \
  ok = 1; j = 0; \
  do :: j < N && ok -> ok = (p[j] == q[j]); j++ :: else -> break od

/* less = (p < q), lexicographically from block 0 */
#define lessthan(p, q) \
  less = 0; j = 0; \
  do \
  :: j < N && p[j] == q[j] -> j++ \
  :: j < N && p[j] != q[j] -> less = (p[j] < q[j]); break \
  :: else -> break \
  od

/* Block x of disk D. */
inline bget(D, x, res) {
  if
  :: x == HDR -> res = D.hdr
  :: x == DESC -> res = D.desc
  :: x > DESC && x < DATA(0) -> res = D.lv[x - VALUE(0)]
  :: else -> res = D.dt[x - DATA(0)]
  fi
}

inline bset(D, x, val) {
  if
  :: x == HDR -> D.hdr = val
  :: x == DESC -> D.desc = val
  :: x > DESC && x < DATA(0) -> D.lv[x - VALUE(0)] = val
  :: else -> D.dt[x - DATA(0)] = val
  fi
}

inline copydisk(dst, src) {
  dst.hdr = src.hdr; dst.desc = src.desc;
  fill(dst.lv, L, src.lv[j]); fill(dst.dt, N, src.dt[j])
}

inline zerodisk(D) {
  D.hdr = 0; D.desc = 0; fill(D.lv, L, 0); fill(D.dt, N, 0)
}

/* ok = (D == E) */
inline samedisk(D, E) {
  ok = (D.hdr == E.hdr && D.desc == E.desc); j = 0;
  do :: j < L && ok -> ok = (D.lv[j] == E.lv[j]); j++ :: else -> break od;
  j = 0;
  do :: j < N && ok -> ok = (D.dt[j] == E.dt[j]); j++ :: else -> break od
}

/* The log's encodings (wal.DecodeHeader, Encode/DecodeDescriptor). */
inline decodeheader(x) {   /* hc, hl = committed, length (at most L) */
  hc = (x >= 10); hl = x % 10;
  if :: hl > L -> hl = L :: else -> skip fi
}

/* ents = the L addresses of descriptor block x; blk = what is left of x
 * (0 when x has at most L digits) */
inline decodedesc(x) {
  blk = x; i = L;
  do
  :: i > 0 -> ents[i - 1] = blk % 10; blk = blk / 10; i--
  :: else -> break
  od
}

inline encodedesc() {      /* blk = descriptor block of ents */
  blk = 0; i = 0;
  do
  :: i < L -> blk = blk * 10 + ents[i]; i++
  :: else -> break
  od
}

/* The log's procedures (wal.Log) on the OneDisk interface. A read the
 * crash prevents leaves its target as it was (zero); the procedure goes
 * on, and the lower state stays as the crash found it. */
inline header() {
  h = 0; dread(HDR, h); decodeheader(h)
}

inline copyentries(count) {
  blk = 0; dread(DESC, blk); decodedesc(blk);
  e = 0;
  do
  :: e < count && !m_crashed ->
#if APPLYBACKWARDS
     n = count - 1 - e;
#else
     n = e;
#endif
     b = 0; dread(VALUE(n), b);
     dwrite(DATA(ents[n]), b);
     e++
  :: else -> break
  od
}

inline apply() {
  header();
  if :: hc -> copyentries(hl) :: else -> skip fi;
  dwrite(HDR, 0)
}

/* The procedure of operation kind (address a, value v); r its result. */
inline walop() {
  if
  :: kind == READ -> dread(DATA(a), r)
  :: kind == SIZE ->
     dsize(r);
     if :: !m_crashed -> r = r - L - 2 :: else -> skip fi
  :: kind == WRITE ->
     header();
     if
     :: hl >= L -> r = ERR
     :: else ->
        blk = 0; dread(DESC, blk); decodedesc(blk);
        dwrite(HDR, 10 * hc + hl + 1);
        ents[hl] = a; encodedesc();
        dwrite(DESC, blk);
        dwrite(VALUE(hl), v);
        r = OK
     fi
  :: kind == COMMIT ->
#if APPLYWITHOUTCOMMITFLAG
     header(); copyentries(hl); dwrite(HDR, 0)
#else
     header(); dwrite(HDR, 10 + hl); apply()
#endif
  fi
}

/* The log's recovery procedure. */
inline walrecover() {
#if NORECOVERY
  skip
#elif RECOVERYCLEARSHEADERFIRST
  header(); dwrite(HDR, 0);
  if :: hc -> copyentries(hl) :: else -> skip fi
#else
  apply()
#endif
}

/* xo, xn = the abstraction of disk D (wal.Abs); ok = 0 when none: a
 * header that is invalid or committed, or a descriptor of more than L
 * digits. */
inline walabs(D) {
  ok = (D.hdr < 10 && D.hdr <= L);
  copy(xo, D.dt); copy(xn, D.dt);
  decodedesc(D.desc);
  ok = (ok && blk == 0);
  n = 0;
  do
  :: ok && n < D.hdr ->
     if :: ents[n] < N -> xn[ents[n]] = D.lv[n] :: else -> skip fi;
     n++
  :: else -> break
  od
}

/* Choose an operation of the alphabet: read of every address, write of
 * every address and value, commit, size; maxs its most primitive steps. */
inline chooseop() {
  if
  :: kind = READ; maxs = RWSTEPS;
     a = 0; do :: a < N - 1 -> a++ :: break od
  :: kind = WRITE; maxs = WSTEPS;
     a = 0; do :: a < N - 1 -> a++ :: break od;
     v = 0; do :: v < V - 1 -> v++ :: break od
  :: kind = COMMIT; maxs = CSTEPS
  :: kind = SIZE; maxs = RWSTEPS
  fi
}

/* Follow the chosen operation edge from an Idle node (Old s0, New s1);
 * ok says the run is an edge. */
inline opstep() {
  if
  :: ok ->
     setlower();
     if
     :: m_crashed ->
        /* rule 2: S = the crashes of a and of every state the spec step
         * allows: (Old, Old), and after a commit (New, New) */
        recovering = 1;
        if
        :: kind == COMMIT ->
           lessthan(s1, s0);
           if :: less -> copy(after, s0); copy(s0, s1); copy(s1, after)
           :: else -> skip
           fi
        :: else -> copy(s1, s0)
        fi
     :: else ->
        lowerabs();
        assert(ok);   /* the operation left a lower state related to an abstract one */
        /* rule 1: the result and the abstract state after it are allowed
         * by TxnDisk's step from (s0, s1) */
        if
        :: kind == READ ->
           assert(r == s0[a]);
           same(xo, s0); assert(ok); same(xn, s1); assert(ok)
        :: kind == SIZE ->
           assert(r == N);
           same(xo, s0); assert(ok); same(xn, s1); assert(ok)
        :: kind == WRITE ->
           /* OK with New[a] = v, or Err with nothing changed */
           copy(after, s1);
           if :: r == OK -> after[a] = v :: else -> assert(r == ERR) fi;
           same(xo, s0); assert(ok); same(xn, after); assert(ok)
        :: kind == COMMIT ->
           same(xo, s1); assert(ok); same(xn, s1); assert(ok)
        fi;
        copy(s0, xo); copy(s1, xn)
     fi
  :: else -> skip
  fi
}

/* Follow the chosen recovery edge from a Recovering node; ok says the
 * run is an edge. A crash leaves S as it is. */
inline recstep() {
  if
  :: ok ->
     setlower();
     if
     :: !m_crashed ->
        lowerabs();
        assert(ok);   /* recovery left a lower state related to an abstract one */
        same(xo, xn);
        assert(ok);   /* ... one with Old = New, as every member of S has */
        same(xo, s0);
        if :: !ok -> same(xo, s1) :: else -> skip fi;
        assert(ok);   /* ... that the crash allows (rules 2 and 3) */
        recovering = 0;
        copy(s0, xo); copy(s1, xn)
     :: else -> skip
     fi
  :: else -> skip
  fi
}

/* A crash between operations: S = {(Old, Old)} (rule 3). */
inline crashidle() {
  recovering = 1; copy(s1, s0); j = 0
}

inline clearwal() {
  kind = 0; a = 0; v = 0;
  less = 0; r = 0; h = 0; hl = 0; hc = 0; n = 0; e = 0; b = 0; blk = 0;
  fill(ents, L, 0); fill(xo, N, 0); fill(xn, N, 0); fill(after, N, 0)
}
