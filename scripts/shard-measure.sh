#!/usr/bin/env bash
# Compares a sharded check with one process on this machine: N shard
# processes of one worker each (argocheck shard over a file:// exchange)
# against one process of one worker (argocheck check --workers 1), and
# prints one Markdown table row: wall and CPU seconds of each, their
# ratios, the bytes written and read per state, the objects written, and
# the barriers' time.
#
#   scripts/shard-measure.sh N SYSTEM [PARAMETER FLAGS...]
#   scripts/shard-measure.sh 2 repdisk --blocks 7 --values 4
#
# A level's barrier time is, per level, the shortest wait of any shard
# (the last to arrive waits only for the protocol: listing and reading the
# markers); the longest wait adds the imbalance between the shards.
set -euo pipefail
cd "$(dirname "$0")/.."
n=$1
shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/argocheck" ./cmd/argocheck
timing='%e %U %S %M'
/usr/bin/time -f "$timing" -o "$work/check.time" "$work/argocheck" check "$@" --workers 1 --json -q >"$work/check.json"
for i in $(seq 0 $((n - 1))); do
	/usr/bin/time -f "$timing" -o "$work/shard$i.time" "$work/argocheck" shard --shards "$n" --index "$i" \
		--exchange "file://$work/exchange" "$@" --workers 1 --json --progress-interval 1ns \
		>"$work/shard$i.json" 2>"$work/shard$i.err" &
done
wait
python3 - "$work" "$n" "$*" <<'PY'
import json, re, sys
work, n, args = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def timed(name):
    wall, user, sys_, rss = open(f"{work}/{name}.time").read().split()[-4:]
    return float(wall), float(user) + float(sys_), int(rss) * 1024
check = json.load(open(f"{work}/check.json"))
cw, cc, crss = timed("check")
shards = [json.load(open(f"{work}/shard{i}.json")) for i in range(n)]
times = [timed(f"shard{i}") for i in range(n)]
for s in shards:
    for k in ("verdict", "states", "transitions", "crash_points", "depth"):
        assert s[k] == check[k], (k, s[k], check[k])
states = check["states"]
sw, sc = max(t[0] for t in times), sum(t[1] for t in times)
written = sum(s["shard"]["bytes_written"] for s in shards)
read = sum(s["shard"]["bytes_read"] for s in shards)
objects = sum(s["shard"]["objects_written"] for s in shards)
waits = {}
for i in range(n):
    for line in open(f"{work}/shard{i}.err"):
        m = re.search(r"level=(\d+) .* wait_seconds=([0-9.]+)", line)
        if m:
            waits.setdefault(int(m.group(1)), []).append(float(m.group(2)))
levels = [w for w in waits.values() if len(w) == n]
barrier = sorted(min(w) for w in levels)
imbalance = sorted(max(w) - min(w) for w in levels)
print(f"| {args} | {states:,} | {cw:.1f} | {cc:.1f} | {sw:.1f} | {sc:.1f} | {sw/cw:.2f} | {sc/cc:.2f} "
      f"| {written/states:.1f} | {read/states:.1f} | {objects} | {1000*barrier[len(barrier)//2]:.1f} / {1000*barrier[-1]:.1f} "
      f"| {1000*sum(imbalance)/len(imbalance):.0f} | {crss>>20} / {max(t[2] for t in times)>>20} |")
PY
