#!/usr/bin/env bash
# Worker scaling, for a machine with many cores: argocheck bench on
# repdisk 8x4 and log/repdisk 4/2/3 with each number of workers, one
# repeat, written under OUT with the machine's description and load.
# Each row's expanding_share tells the time the workers lost at barriers
# from their running slower each (docs/speed.md, argocheck bench).
# Build the binary first (CGO_ENABLED=0 go build -o argocheck ./cmd/argocheck)
# to run it on a machine without Go.
# Usage: scripts/scaling.sh ARGOCHECK_BINARY OUT [WORKERS, default 1,2,4,8,16]
set -euo pipefail
bin=${1:?usage: $0 ARGOCHECK_BINARY OUT [WORKERS]}
out=${2:?usage: $0 ARGOCHECK_BINARY OUT [WORKERS]}
workers=${3:-1,2,4,8,16}
mkdir -p "$out"
{
  date -u
  lscpu
  free -g
  echo "load at the start: $(cat /proc/loadavg)"
} > "$out/machine.txt"
"$bin" bench --systems repdisk --size blocks=8,values=4 --workers "$workers" --repeats 1 --out "$out"
"$bin" bench --systems log/repdisk --size blocks=4,values=2,log=3 --workers "$workers" --repeats 1 --out "$out"
echo "load at the end: $(cat /proc/loadavg)" >> "$out/machine.txt"
