# part-size-2026-12-07-sim2.py FILE FINE: FILE holds one worker's unit times
# ("BASE LO UNIT NANOSECONDS"), units of FINE states; simulates parts of
# 16,384 and 131,072 states at W workers with units of FINE*g states.
import sys, heapq, collections
fine=int(sys.argv[2])
recs=[tuple(map(int,l.split())) for l in open(sys.argv[1])]
lv=collections.defaultdict(list)   # base -> [(pos, ns)]
for base,lo,u,ns in recs:
    lv[base].append((lo+u*fine, ns))
total=sum(r[3] for r in recs)
def makespan(units,W):
    h=[0]*W
    for d in units:
        t=heapq.heappop(h); heapq.heappush(h,t+d)
    return max(h)
for part in [16384, 131072]:
  for g in [1,2,4]:
    row=[]
    for W in [2,8,16]:
        span=0
        for base,us in lv.items():
            us.sort()
            parts=collections.defaultdict(list)
            for pos,ns in us: parts[pos//part].append(ns)
            for k,p in sorted(parts.items()):
                units=[sum(p[i:i+g]) for i in range(0,len(p),g)]
                span+=makespan(units,W)
        row.append("W=%d %.3f"%(W,total/W/span))
    print("part %d unit %d:"%(part,fine*g)," ".join(row))
