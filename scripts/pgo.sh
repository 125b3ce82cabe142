#!/usr/bin/env bash
# Profile-guided optimisation: writes cmd/argocheck/default.pgo, the CPU
# profile that 'go build' uses for the argocheck command (Go's -pgo=auto),
# from two runs of a build without it, one worker each: repdisk 8x4 and
# log/repdisk 4/2/3 (the systems of the speed goals), merged. Run it again
# after any change to the functions of the hot path: the profile names
# call sites by their line in their function, and a stale one still
# builds but can cost as much as it gains.
# Usage: scripts/pgo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -pgo=off -o "$work/argocheck" ./cmd/argocheck
"$work/argocheck" check repdisk --blocks 8 --values 4 --workers 1 -q --cpuprofile "$work/repdisk.pprof"
"$work/argocheck" check log/repdisk --blocks 4 --values 2 --log 3 --workers 1 -q --cpuprofile "$work/log.pprof"
go tool pprof -proto "$work/repdisk.pprof" "$work/log.pprof" > cmd/argocheck/default.pgo
echo "wrote cmd/argocheck/default.pgo"
