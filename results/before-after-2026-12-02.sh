#!/usr/bin/env bash
# Side-by-side measurements, one at a time, on this machine.
set -u
out=/tmp/measure; mkdir -p $out
run() { # label cmd...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o $out/time.txt "$@" --json -q > $out/run.json 2>/dev/null
  python3 - "$label" <<'PY' >> $out/runs.tsv
import json,sys
d=json.load(open('/tmp/measure/run.json'))
e,m=open('/tmp/measure/time.txt').read().split()
print("\t".join([sys.argv[1], str(d['states']), str(d.get('transitions')), d['verdict'], e, str(int(m)//1024), str(round(d['states']/float(e)))]))
PY
}
echo -e "label\tstates\ttransitions\tverdict\twall_s\tpeak_rss_mib\tstates_per_s" > $out/runs.tsv
for r in 1 2 3; do
  run "old repdisk 8x4 w2" /tmp/ac-old check repdisk --blocks 8 --values 4 --workers 2
  run "new repdisk 8x4 w2" /tmp/ac-new check repdisk --blocks 8 --values 4 --workers 2
  run "old repdisk 8x4 w1" /tmp/ac-old check repdisk --blocks 8 --values 4 --workers 1
  run "new repdisk 8x4 w1" /tmp/ac-new check repdisk --blocks 8 --values 4 --workers 1
  run "old log/repdisk 4/2/3 w2" /tmp/ac-old check log/repdisk --blocks 4 --values 2 --log 3 --workers 2
  run "new log/repdisk 4/2/3 w2" /tmp/ac-new check log/repdisk --blocks 4 --values 2 --log 3 --workers 2
  run "memory repdisk 7x4 w2" /tmp/ac-new check repdisk --blocks 7 --values 4 --workers 2
  rm -rf /tmp/measure/spill; run "spill 8MiB repdisk 7x4 w2" /tmp/ac-new check repdisk --blocks 7 --values 4 --workers 2 --memory 8MiB --spill /tmp/measure/spill
done
echo done >> $out/runs.tsv
