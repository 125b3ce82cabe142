#!/bin/sh
# Before/after figures on repdisk at its largest bench size: the explorer of
# main's commit 85d86da (/tmp/argocheck-before) against this branch
# (/tmp/argocheck-after), alternating, each with 1 and 2 workers. Prints
# wall seconds, CPU seconds (user+system) and the summary figures.
set -e
for r in 1 2; do
  for w in 1 2; do
    for bin in before after; do
      /usr/bin/time -f "$bin workers=$w wall=%e cpu_user=%U cpu_sys=%S" /tmp/argocheck-$bin check repdisk --blocks 7 --values 4 --workers $w 2>&1 | grep -E 'states=|seconds=|wall=' | tr '\n' ' '
      echo " load=$(cut -d' ' -f1 /proc/loadavg)"
    done
  done
done
