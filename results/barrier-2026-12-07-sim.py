# barrier-2026-12-07-sim.py FILE FINE: FILE holds one worker's unit times
# ("BASE LO UNIT NANOSECONDS"), units of FINE states; prints the share of
# W workers' time spent expanding, parts as Config.PartSize sets them by
# default, under ways of cutting a part into units.
import sys, heapq, collections
fine=int(sys.argv[2])
recs=[tuple(map(int,l.split())) for l in open(sys.argv[1])]
lv=collections.defaultdict(list)
for base,lo,u,ns in recs:
    lv[base].append((lo+u*fine, ns))
total=sum(r[3] for r in recs)
def makespan(units,W):
    h=[0]*W
    for d in units:
        t=heapq.heappop(h); heapq.heappush(h,t+d)
    return max(h)
def layout_uniform(p,g,W): return [sum(p[i:i+g]) for i in range(0,len(p),g)]
def layout_tail(p,g,W,k):
    # big units of g fine units, except the last k*W*g fine units, cut into fine units
    n=len(p); t=min(n, k*W*g); b=(n-t)//g*g
    return [sum(p[i:i+g]) for i in range(0,b,g)] + p[b:]
def layout_guided(p,g,W,c):
    # runs: take min(g, ceil(remaining/(c*W))) fine units at a time
    out=[];i=0;n=len(p)
    while i<n:
        r=max(1,min(g,-(-(n-i)//(c*W)))); out.append(sum(p[i:i+r])); i+=r
    return out
# uniform G: every unit G states (256 is the cut before the change);
# tail k: units of 256, but the last k*W*256 states in units of 64 (the
# change is k=1); guided c: runs of up to four units of 64, a worker
# taking ceil(left/(c*W)) at a time.
layouts=[("uniform 256",lambda p,W:layout_uniform(p,4,W)),
         ("uniform 64",lambda p,W:layout_uniform(p,1,W)),
         ("tail k=1",lambda p,W:layout_tail(p,4,W,1)),
         ("tail k=2",lambda p,W:layout_tail(p,4,W,2)),
         ("tail k=4",lambda p,W:layout_tail(p,4,W,4)),
         ("guided c=1",lambda p,W:layout_guided(p,4,W,1)),
         ("guided c=2",lambda p,W:layout_guided(p,4,W,2))]
for name,lay in layouts:
  row=[]
  for W in [2,8,16,32]:
    part=max(16384,W*8192)
    span=0; nunits=0
    for base,us in lv.items():
        us.sort()
        parts=collections.defaultdict(list)
        for pos,ns in us: parts[pos//part].append(ns)
        for k,p in sorted(parts.items()):
            u=lay(p,W); nunits+=len(u)
            span+=makespan(u,W)
    row.append("W=%d %.3f (%d)"%(W,total/W/span,nunits))
  print("%-12s"%name," ".join(row))
