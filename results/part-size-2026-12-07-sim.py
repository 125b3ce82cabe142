# Simulates a part's units handed out in order to W workers (each takes the
# next unit when it finishes one), from a file of one worker's unit times
# ("BASE LO UNIT NANOSECONDS" a line, written by a probe build; see
# part-size-2026-12-07.md), and prints the share of W workers' time spent
# expanding (the rest idle at barriers) for parts of 1, 2, 4 and 8 times
# the parts of the run.
import sys, heapq, collections
recs=[tuple(map(int,l.split())) for l in open(sys.argv[1])]
parts=collections.OrderedDict()
for base,lo,u,ns in recs:
    parts.setdefault((base,lo),{})[u]=ns
# levels: group parts by base, in lo order
levels=collections.OrderedDict()
for (base,lo),us in parts.items():
    levels.setdefault(base,[]).append((lo,[us[k] for k in sorted(us)]))
total=sum(ns for *_,ns in recs)
print("units",len(recs),"parts",len(parts),"levels",len(levels),"total s %.2f"%(total/1e9))
def makespan(units,W):
    if W==1: return sum(units)
    h=[0]*W
    for d in units:
        t=heapq.heappop(h); heapq.heappush(h,t+d)
    return max(h)
for k in [1,2,4,8]:
    row=[]
    for W in [2,4,8,16,32]:
        span=0
        for base,pl in levels.items():
            pl.sort()
            for i in range(0,len(pl),k):
                units=[d for lo,us in pl[i:i+k] for d in us]
                span+=makespan(units,W)
        row.append("W=%d %.3f"%(W,total/W/span))
    print("part x%d:"%k," ".join(row))
