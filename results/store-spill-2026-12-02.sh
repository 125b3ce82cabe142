#!/usr/bin/env bash
# The in-memory run against the same run spilled (--memory 8MiB --spill)
# and stored (--store), alternating, on this machine: repdisk at 7 blocks
# and 4 values, 2 workers, three rounds; and at 8 blocks and 4 values in
# memory and spilled, one round.
# Usage: results/store-spill-2026-12-02.sh ARGOCHECK_BINARY
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
print("\t".join([sys.argv[1], str(d['states']), str(d['transitions']), d['verdict'], e, str(round(float(u) + float(s), 2)),
                 str(int(m) // 1024), str(d.get('spills', 0))]))
PY
}
echo -e "run\tstates\ttransitions\tverdict\twall_s\tcpu_s\tpeak_rss_mib\tspills"
for r in 1 2 3; do
  run "memory 7x4" check repdisk --blocks 7 --values 4 --workers 2
  rm -rf "$out/spill"; mkdir "$out/spill"
  run "spill 8MiB 7x4" check repdisk --blocks 7 --values 4 --workers 2 --memory 8MiB --spill "$out/spill"
  rm -rf "$out/store"
  run "store 7x4" check repdisk --blocks 7 --values 4 --workers 2 --store "$out/store"
done
run "memory 8x4" check repdisk --blocks 8 --values 4 --workers 2
rm -rf "$out/spill"; mkdir "$out/spill"
run "spill 8MiB 8x4" check repdisk --blocks 8 --values 4 --workers 2 --memory 8MiB --spill "$out/spill"
uptime
rm -rf "$out"
