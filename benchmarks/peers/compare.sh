#!/usr/bin/env bash
# compare.sh: argocheck, SPIN and Rumur on the same replicated-disk models,
# side by side on this machine. See README.md in this directory.
#
#   benchmarks/peers/compare.sh            # full run, about 10 minutes
#   benchmarks/peers/compare.sh --quick    # small sizes, one repeat, under 2 minutes
#   options: --repeats N  --out DIR  --configs "3x2 4x3 ..."
#
# Writes DIR/peers-DATE.md and DIR/peers-DATE.csv (peers-DATE-quick.* with
# --quick); DIR defaults to results/ at the repository root.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
quick=0
repeats=3
out="$root/results"
configs="3x2 4x3 5x3 6x3 6x4 7x4"
# A tool whose median time at one size exceeds this many seconds is not run
# at the larger sizes.
skip_after=10
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; repeats=1; configs="3x2 4x3 5x3"; skip_after=3 ;;
    --repeats) repeats=$2; shift ;;
    --out) out=$2; shift ;;
    --configs) configs=$2; shift ;;
    -h|--help) sed -n 2,10p "$0"; exit 0 ;;
    *) echo "compare.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

# The peers, installed from the distribution when missing.
need=()
command -v spin >/dev/null || need+=(spin)
command -v rumur >/dev/null || need+=(rumur)
command -v gcc >/dev/null || need+=(gcc)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${need[@]}"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/argocheck" ./cmd/argocheck)

cflags_spin="-O2 -DSAFETY -DNOREDUCE -DNOBOUNDCHECK -DMEMLIM=16384"
cflags_rumur="-O3 -mcx16 -pthread"

date_tag=$(date -u +%Y-%m-%d)
stamp=$(date -u +%Y-%m-%dT%H:%M:%SZ)
suffix=""
[ $quick -eq 1 ] && suffix="-quick"
mkdir -p "$out"
csv="$out/peers-$date_tag$suffix.csv"
md="$out/peers-$date_tag$suffix.md"
raw="$work/raw.csv"   # one line per run
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
: > "$raw"

# timed FILE CMD...: runs CMD with its output in FILE.out, and the wall
# seconds and peak resident memory (KiB) in FILE.time.
timed() {
  local f=$1; shift
  # /usr/bin/time writes a note first when the status is not 0; the
  # figures are on the last line.
  /usr/bin/time -f "%e %M %U %S" -o "$f.time" "$@" > "$f.out" 2>&1 || true
}

# Each run appends: tool,config,blocks,values,variant,repeat,states,transitions,seconds,rss_kib,verdict,cpu_seconds
run_argocheck() { # workers blocks values variant repeat
  local w=$1 b=$2 v=$3 variant=$4 r=$5 f="$work/run"
  local vflag=()
  [ "$variant" = correct ] || vflag=(--variant "$variant")
  timed "$f" "$work/argocheck" check repdisk --blocks "$b" --values "$v" --workers "$w" --json -q "${vflag[@]}"
  local states trans verdict
  states=$(sed -n 's/^  "states": \([0-9]*\),/\1/p' "$f.out")
  trans=$(sed -n 's/^  "transitions": \([0-9]*\),/\1/p' "$f.out")
  verdict=$(sed -n 's/^  "verdict": "\([a-z]*\)",/\1/p' "$f.out")
  read -r secs kib usr sys < <(tail -n 1 "$f.time"); cpu=$(awk -v u="$usr" -v s="$sys" 'BEGIN { print u + s }')
  echo "argocheck --workers $w,${b}x$v,$b,$v,$variant,$r,$states,$trans,$secs,$kib,${verdict:-error},$cpu" >> "$raw"
}

build_spin() { # blocks values norecovery -> $work/spin-B-V-N/pan
  local d="$work/spin-$1-$2-$3"
  [ -x "$d/pan" ] && return 0
  mkdir -p "$d"
  (cd "$d" && spin -DB="$1" -DV="$2" -DNORECOVERY="$3" -a "$here/repdisk.pml" > /dev/null &&
    gcc $cflags_spin -o pan pan.c)
}

run_spin() { # blocks values variant repeat expected-states
  local b=$1 v=$2 variant=$3 r=$4 expect=$5 f="$work/run" n=0
  [ "$variant" = no-recovery ] && n=1
  build_spin "$b" "$v" $n
  # Hash table of 2^w slots, at least twice the states; a search stack as
  # deep as the states (depth-first search can go that deep).
  local w=18
  while [ $((1 << w)) -lt $((2 * expect)) ]; do w=$((w + 1)); done
  # pan writes its trail (on a violation) into the working directory.
  (cd "$work/spin-$b-$v-$n" && timed "$f" ./pan -w$w -m$((expect + 100000)))
  local states trans errors verdict
  # pan prints large counts in exponent notation (2.4e+08).
  states=$(awk '/states, stored/ { printf "%.0f", $1 }' "$f.out")
  trans=$(awk '/transitions \(= stored\+matched\)/ { printf "%.0f", $1 }' "$f.out")
  errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$f.out")
  verdict=error
  [ "$errors" = 0 ] && verdict=verified
  [ -n "$errors" ] && [ "$errors" != 0 ] && verdict=violation
  read -r secs kib usr sys < <(tail -n 1 "$f.time"); cpu=$(awk -v u="$usr" -v s="$sys" 'BEGIN { print u + s }')
  echo "spin,${b}x$v,$b,$v,$variant,$r,$states,$trans,$secs,$kib,$verdict,$cpu" >> "$raw"
}

build_rumur() { # threads blocks values norecovery -> $work/rumur-T-B-V-N/verifier
  local d="$work/rumur-$1-$2-$3-$4" nr=false
  [ -x "$d/verifier" ] && return 0
  [ "$4" = 1 ] && nr=true
  mkdir -p "$d"
  sed -e "s/^  B: [0-9]*;/  B: $2;/" -e "s/^  V: [0-9]*;/  V: $3;/" \
    -e "s/^  NORECOVERY: [a-z]*;/  NORECOVERY: $nr;/" "$here/repdisk.mur" > "$d/model.m"
  rumur --quiet --threads "$1" --deadlock-detection off --output "$d/verifier.c" "$d/model.m"
  gcc $cflags_rumur -o "$d/verifier" "$d/verifier.c"
}

run_rumur() { # threads blocks values variant repeat
  local t=$1 b=$2 v=$3 variant=$4 r=$5 f="$work/run" n=0
  [ "$variant" = no-recovery ] && n=1
  build_rumur "$t" "$b" "$v" $n
  timed "$f" "$work/rumur-$t-$b-$v-$n/verifier"
  local states trans verdict=error
  states=$(sed -n 's/^[[:space:]]*\([0-9]*\) states, \([0-9]*\) rules fired.*/\1/p' "$f.out")
  trans=$(sed -n 's/^[[:space:]]*\([0-9]*\) states, \([0-9]*\) rules fired.*/\2/p' "$f.out")
  grep -q "No error found" "$f.out" && verdict=verified
  grep -q "error(s) found" "$f.out" && verdict=violation
  read -r secs kib usr sys < <(tail -n 1 "$f.time"); cpu=$(awk -v u="$usr" -v s="$sys" 'BEGIN { print u + s }')
  echo "rumur --threads $t,${b}x$v,$b,$v,$r,$variant,$states,$trans,$secs,$kib,$verdict,$cpu" |
    awk -F, -v OFS=, '{ t = $5; $5 = $6; $6 = t; print }' >> "$raw"
}

median_secs() { # tool config variant
  awk -F, -v t="$1" -v c="$2" -v va="$3" '$1 == t && $2 == c && $5 == va { print $9 }' "$raw" |
    sort -g | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print "" }'
}

slow() { # tool config: was the tool's median above skip_after?
  local m
  m=$(median_secs "$1" "$2" correct)
  [ -n "$m" ] && awk -v m="$m" -v s="$skip_after" 'BEGIN { exit !(m > s) }'
}

declare -A skipped=()
prev=""
for cfg in $configs; do
  b=${cfg%x*}; v=${cfg#*x}
  echo "== ${b} blocks, ${v} values" >&2
  for r in $(seq 1 "$repeats"); do
    run_argocheck 2 "$b" "$v" correct "$r"
    run_argocheck 1 "$b" "$v" correct "$r"
  done
  expect=$(awk -F, -v c="$cfg" '$2 == c && $1 ~ /^argocheck/ { print $7; exit }' "$raw")
  for tool in spin "rumur --threads 2" "rumur --threads 1"; do
    if [ -z "${skipped[$tool]:-}" ] && [ -n "$prev" ] && slow "$tool" "$prev"; then
      skipped[$tool]=$prev
    fi
    if [ -n "${skipped[$tool]:-}" ]; then
      echo "   $tool: skipped (over ${skip_after}s at ${skipped[$tool]})" >&2
      continue
    fi
    for r in $(seq 1 "$repeats"); do
      case "$tool" in
        spin) run_spin "$b" "$v" correct "$r" "$expect" ;;
        "rumur --threads 2") run_rumur 2 "$b" "$v" correct "$r" ;;
        "rumur --threads 1") run_rumur 1 "$b" "$v" correct "$r" ;;
      esac
    done
  done
  prev=$cfg
done

# The bug: every tool must report a violation of the no-recovery variant.
bug=${configs%% *}
b=${bug%x*}; v=${bug#*x}
run_argocheck 2 "$b" "$v" no-recovery 1
run_argocheck 1 "$b" "$v" no-recovery 1
run_spin "$b" "$v" no-recovery 1 1000
run_rumur 2 "$b" "$v" no-recovery 1
run_rumur 1 "$b" "$v" no-recovery 1

# Medians per tool, configuration and variant, with argocheck's time as a
# ratio against each peer's fastest setting at the same size.
{
  echo "tool,config,variant,runs,states,transitions,seconds,cpu_seconds,states_per_second,peak_rss_mib,verdict,argocheck_over_spin,argocheck_over_rumur"
  sort -t, -k2,2V -k5,5 -k1,1 "$raw" | awk -F, -v OFS=, '
    function key(i) { return tool[i] SUBSEP cfg[i] SUBSEP var[i] }
    { k = $1 SUBSEP $2 SUBSEP $5
      if (!(k in n)) { order[++m] = k; tool[m] = $1; cfg[m] = $2; var[m] = $5 }
      n[k]++; secs[k, n[k]] = $9; rss[k, n[k]] = $10; cpu[k, n[k]] = $12
      st[k] = $7; tr[k] = $8
      if (!(k in vd)) vd[k] = $11; else if (vd[k] != $11) vd[k] = "mixed" }
    function med(a, k, cnt,   i, j, t, v) {
      for (i = 1; i <= cnt; i++) v[i] = a[k, i] + 0
      for (i = 2; i <= cnt; i++) for (j = i; j > 1 && v[j-1] > v[j]; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
      return v[int((cnt + 1) / 2)] }
    END {
      for (i = 1; i <= m; i++) { k = order[i]; ms[k] = med(secs, k, n[k]); mr[k] = med(rss, k, n[k]); mc[k] = med(cpu, k, n[k]) }
      for (i = 1; i <= m; i++) {
        k = order[i]; c = cfg[i] SUBSEP var[i]
        if (tool[i] ~ /^spin/ && (!(c in bs) || ms[k] < bs[c])) bs[c] = ms[k]
        if (tool[i] ~ /^rumur/ && (!(c in br) || ms[k] < br[c])) br[c] = ms[k]
      }
      for (i = 1; i <= m; i++) {
        k = order[i]; c = cfg[i] SUBSEP var[i]; s = ms[k]
        rate = (s > 0) ? sprintf("%.0f", st[k] / s) : ""
        rs = rr = ""
        if (tool[i] ~ /^argocheck/ && var[i] == "correct") {
          if ((c in bs) && bs[c] > 0) rs = sprintf("%.3f", s / bs[c])
          if ((c in br) && br[c] > 0) rr = sprintf("%.3f", s / br[c])
        }
        print tool[i], cfg[i], var[i], n[k], st[k], tr[k], s, mc[k], rate, sprintf("%.1f", mr[k] / 1024), vd[k], rs, rr
      }
    }'
} > "$csv"

# The Markdown report: machine, versions, command, then the table.
{
  echo "# argocheck against SPIN and Rumur: the replicated disk"
  echo
  echo "- date: $stamp"
  echo "- machine: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1), $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "- $(go version)"
  echo "- $(spin -V 2>&1 | head -1); pan built with gcc $cflags_spin"
  echo "- $(rumur --version 2>&1 | head -1); verifier built with gcc $cflags_rumur"
  echo "- $(gcc --version | head -1)"
  echo "- load average (1, 5, 15 min): $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
  echo "- command: benchmarks/peers/compare.sh $([ $quick -eq 1 ] && echo --quick) (repeats: $repeats, median shown; a tool is not run past a size where its median exceeded ${skip_after}s)"
  echo
  echo "Seconds are wall time of the checker process (building the peers' verifiers is"
  echo "not counted), CPU s its user and system time; peak memory is the process's"
  echo "maximum resident set. A ratio (of wall seconds)"
  echo "below 1 means argocheck reached its verdict sooner than the peer's fastest"
  echo "setting at that size."
  echo
  echo "| tool | blocks x values | variant | states | transitions | seconds | CPU s | states/s | peak MiB | verdict | argocheck / SPIN | argocheck / Rumur |"
  echo "|---|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|"
  tail -n +2 "$csv" | awk -F, '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $5, $6, $7, $8, $9, $10, $11, $12, $13 }'
} > "$md"

echo "wrote $md and $csv" >&2
