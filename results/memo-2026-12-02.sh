#!/usr/bin/env bash
# Side-by-side measurements, one at a time, on this machine: the binary
# before the recovery memo, the goroutine-ID check and the batched
# lookups (/tmp/ac-old, built from 6301469) and after (/tmp/ac-new).
set -u
out=/tmp/measure; mkdir -p $out
run() { # label cmd...
  local label=$1; shift
  /usr/bin/time -f "%e %U %M" -o $out/time.txt "$@" --json -q > $out/run.json 2>/dev/null
  python3 - "$label" <<'PY' >> $out/runs.tsv
import json,sys
d=json.load(open('/tmp/measure/run.json'))
e,u,m=open('/tmp/measure/time.txt').read().split()
print("\t".join([sys.argv[1], str(d['states']), str(d.get('transitions')), d['verdict'], e, u, str(int(m)//1024), str(round(d['states']/float(e)))]))
PY
}
echo -e "label\tstates\ttransitions\tverdict\twall_s\tuser_s\tpeak_rss_mib\tstates_per_s" > $out/runs.tsv
for r in 1 2 3; do
  for b in old new; do
    run "$b repdisk 7x4 w1" /tmp/ac-$b check repdisk --blocks 7 --values 4 --workers 1
    run "$b repdisk 7x4 w2" /tmp/ac-$b check repdisk --blocks 7 --values 4 --workers 2
    run "$b log/repdisk 4/2/3 w1" /tmp/ac-$b check log/repdisk --blocks 4 --values 2 --log 3 --workers 1
    run "$b log/repdisk 4/2/3 w2" /tmp/ac-$b check log/repdisk --blocks 4 --values 2 --log 3 --workers 2
    run "$b repdisk 8x4 w2" /tmp/ac-$b check repdisk --blocks 8 --values 4 --workers 2
  done
done
echo done >> $out/runs.tsv
