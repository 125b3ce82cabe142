#!/usr/bin/env bash
# The one-array visited table (old) against the segmented one (seg),
# alternating, three rounds: wall seconds, user seconds, peak KiB.
# Usage: build /tmp/ac-old at the commit before "statestore: a large table
# is 16 segments" and /tmp/ac-seg at it (go build -o ... ./cmd/argocheck).
for r in 1 2 3; do
  for b in old seg; do
    /usr/bin/time -f "$b repdisk8x4w2 %e %U %M" /tmp/ac-$b check repdisk --blocks 8 --values 4 --workers 2 -q > /dev/null
    /usr/bin/time -f "$b logrepdisk423w2 %e %U %M" /tmp/ac-$b check log/repdisk --blocks 4 --values 2 --log 3 --workers 2 -q > /dev/null
  done
done
uptime
