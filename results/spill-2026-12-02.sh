#!/usr/bin/env bash
# A spilled run against the same run in memory, alternating, on this
# machine: repdisk at 7 blocks and 4 values (33.7 MB of visited set in
# memory) and at 8 blocks and 4 values, 2 workers, --memory 8MiB --spill.
# Usage: results/spill-2026-12-02.sh ARGOCHECK_BINARY
set -u
bin=${1:?usage: $0 ARGOCHECK_BINARY}
out=$(mktemp -d)
run() { # label args...
  local label=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$out/time.txt" "$bin" "$@" --json -q > "$out/run.json" 2>/dev/null
  python3 - "$label" "$out" <<'PY'
import json, sys
d = json.load(open(sys.argv[2] + '/run.json'))
e, u, s, m = open(sys.argv[2] + '/time.txt').read().split()
print("\t".join([sys.argv[1], str(d['states']), d['verdict'], e, str(round(float(u) + float(s), 2)),
                 str(int(m) // 1024), str(d.get('spills', 0)), str(d.get('spill_bytes', 0))]))
PY
}
echo -e "run\tstates\tverdict\twall_s\tcpu_s\tpeak_rss_mib\tspills\tspill_bytes"
for r in 1 2 3; do
  for size in "7 4" "8 4"; do
    set -- $size
    run "memory ${1}x${2}" check repdisk --blocks "$1" --values "$2" --workers 2
    rm -rf "$out/spill"; mkdir "$out/spill"
    run "spill 8MiB ${1}x${2}" check repdisk --blocks "$1" --values "$2" --workers 2 --memory 8MiB --spill "$out/spill"
  done
done
uptime
rm -rf "$out"
