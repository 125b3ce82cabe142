#!/usr/bin/env bash
# Side by side, one run at a time on this machine: argocheck at commit OLD
# (default 1aaca07, main when issue 14 was filed) against the working tree,
# three alternating rounds, each check with --json -q under /usr/bin/time.
#   results/before-after-2026-12-03.sh [OLD] > results/before-after-2026-12-03.tsv
set -euo pipefail
old=${1:-1aaca07}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$work/old-tree" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$root" worktree add --detach "$work/old-tree" "$old" >/dev/null 2>&1
(cd "$work/old-tree" && go build -o "$work/old" ./cmd/argocheck)
(cd "$root" && go build -o "$work/new" ./cmd/argocheck)
run() { # label binary args...
  local label=$1 bin=$2; shift 2
  /usr/bin/time -f "%e %U %M" -o "$work/time" "$work/$bin" check "$@" --json -q > "$work/run.json"
  python3 - "$label" "$bin" "$work" <<'PY'
import json, sys
label, bin, work = sys.argv[1:]
d = json.load(open(work + "/run.json"))
wall, user, rss = open(work + "/time").read().split()
print("\t".join([label, bin, str(d["states"]), str(d["transitions"]), d["verdict"], wall, user, str(int(rss) // 1024), str(round(d["states"] / float(wall)))]))
PY
}
echo -e "run\tbuild\tstates\ttransitions\tverdict\twall_s\tuser_s\tpeak_rss_mib\tstates_per_s"
for r in 1 2 3; do
  for bin in old new; do
    run "log/repdisk 4/2/3 w2" $bin log/repdisk --blocks 4 --values 2 --log 3 --workers 2
    run "log/repdisk 4/2/3 w1" $bin log/repdisk --blocks 4 --values 2 --log 3 --workers 1
    run "repdisk 8x4 w2" $bin repdisk --blocks 8 --values 4 --workers 2
    run "repdisk 8x4 w1" $bin repdisk --blocks 8 --values 4 --workers 1
  done
done
