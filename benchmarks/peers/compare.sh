#!/usr/bin/env bash
# compare.sh: argocheck, SPIN and Rumur on the same models, side by side on
# this machine: the replicated disk (all three), the write-ahead log and
# the log on the replicated disk (argocheck and SPIN). See README.md in this
# directory.
#
#   benchmarks/peers/compare.sh            # full run, about an hour
#   benchmarks/peers/compare.sh --quick    # small sizes, one repeat, under 2 minutes
#   benchmarks/peers/compare.sh --goals    # only the sizes of the speed goals
#   options: --repeats N  --out DIR  --configs "3x2 4x3 ..."
#            --log-configs "3x2x2 ..."  --stack-configs "2x2x2 ..."
#
# Sizes are blocks x values for repdisk, blocks x values x log for log and
# log/repdisk. Writes DIR/peers-DATE.md and DIR/peers-DATE.csv
# (peers-DATE-quick.* with --quick, peers-DATE-goals.* with --goals; -2,
# -3, ... after the name when a report of that day is there already); DIR
# defaults to results/ at the repository root. The goals are printed at
# the end and written into the report.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mode=full
repeats=3
out="$root/results"
configs="3x2 4x3 5x3 6x3 6x4 7x4 8x4"
log_configs="3x2x2 3x2x3 4x2x3 5x2x3"
stack_configs="2x2x2 3x2x2 4x2x2 4x2x3"
# A peer whose median time at one size exceeds this many seconds is not run
# at the larger sizes of that system, except at the goal sizes.
skip_after=10
# The sizes of the speed goals: SPIN always runs at goal_repdisk, whatever
# its times below.
goal_repdisk=8x4
goal_stack=4x2x3
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) mode=quick; repeats=1; configs="3x2 4x3 5x3"; log_configs="3x2x3"
      stack_configs="3x2x2"; skip_after=3 ;;
    --goals) mode=goals; configs=$goal_repdisk; log_configs=""; stack_configs=$goal_stack ;;
    --repeats) repeats=$2; shift ;;
    --out) out=$2; shift ;;
    --configs) configs=$2; shift ;;
    --log-configs) log_configs=$2; shift ;;
    --stack-configs) stack_configs=$2; shift ;;
    -h|--help) sed -n 2,18p "$0"; exit 0 ;;
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
[ $mode = full ] || suffix="-$mode"
mkdir -p "$out"
# A report of the same day and mode is kept: this one takes the next
# free name (-2, -3, ...).
base="$out/peers-$date_tag$suffix"
n=1
while [ -e "$base.md" ] || [ -e "$base.csv" ]; do
  n=$((n + 1)); base="$out/peers-$date_tag$suffix-$n"
done
csv="$base.csv"
md="$base.md"
raw="$work/raw.csv"   # one line per run
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
: > "$raw"

# timed FILE CMD...: runs CMD with its output in FILE.out, and the wall
# seconds, peak resident memory (KiB) and CPU seconds in FILE.time.
timed() {
  local f=$1; shift
  # /usr/bin/time writes a note first when the status is not 0; the
  # figures are on the last line.
  /usr/bin/time -f "%e %M %U %S" -o "$f.time" "$@" > "$f.out" 2>&1 || true
}

# record SYSTEM TOOL CONFIG VARIANT REPEAT STATES TRANSITIONS VERDICT FILE:
# appends one run, with the figures of FILE.time, to the raw table:
# system,tool,config,variant,repeat,states,transitions,seconds,rss_kib,verdict,cpu_seconds
record() {
  local secs kib usr sys cpu
  read -r secs kib usr sys < <(tail -n 1 "$9.time")
  cpu=$(awk -v u="$usr" -v s="$sys" 'BEGIN { print u + s }')
  echo "$1,$2,$3,$4,$5,$6,$7,$secs,$kib,$8,$cpu" >> "$raw"
}

# sizeflags SYSTEM CONFIG: argocheck's parameters of a size.
sizeflags() {
  local IFS=x; set -- $1 $2
  case "$1" in
    repdisk) echo "--blocks $2 --values $3" ;;
    *) echo "--blocks $2 --values $3 --log $4" ;;
  esac
}

# badvariant SYSTEM: argocheck's name of the no-recovery bug.
badvariant() {
  case "$1" in
    log/repdisk) echo log:no-recovery ;;
    *) echo no-recovery ;;
  esac
}

run_argocheck() { # system workers config variant repeat
  local sys=$1 w=$2 cfg=$3 variant=$4 r=$5 f="$work/run"
  local vflag=()
  [ "$variant" = correct ] || vflag=(--variant "$(badvariant "$sys")")
  # shellcheck disable=SC2046
  timed "$f" "$work/argocheck" check "$sys" $(sizeflags "$sys" "$cfg") --workers "$w" --json -q "${vflag[@]}"
  local states trans verdict
  states=$(sed -n 's/^  "states": \([0-9]*\),/\1/p' "$f.out")
  trans=$(sed -n 's/^  "transitions": \([0-9]*\),/\1/p' "$f.out")
  verdict=$(sed -n 's/^  "verdict": "\([a-z]*\)",/\1/p' "$f.out")
  record "$sys" "argocheck --workers $w" "$cfg" "$variant" "$r" "$states" "$trans" "${verdict:-error}" "$f"
}

# The SPIN model of each system, and its size parameters.
spinmodel() {
  case "$1" in
    repdisk) echo repdisk.pml ;;
    log) echo log.pml ;;
    log/repdisk) echo log_repdisk.pml ;;
  esac
}

spindefs() { # system config
  local IFS=x; set -- $1 $2
  case "$1" in
    repdisk) echo "-DB=$2 -DV=$3" ;;
    *) echo "-DN=$2 -DV=$3 -DL=$4" ;;
  esac
}

# spindepth SYSTEM STATES: a first bound on pan's depth-first stack. Its
# depth counts the steps inside atomic sequences too; the factors are above
# the depths measured at several sizes (repdisk 0.2 to 0.3 of the states,
# log 2.3 to 3.1, log/repdisk 0.9 to 1.3). pan touches every stack entry it
# may use, so a bound far above the depth would inflate its peak memory.
spindepth() {
  case "$1" in
    repdisk) echo $(($2 / 2 + 10000)) ;;
    log) echo $((7 * $2 / 2 + 10000)) ;;
    log/repdisk) echo $((3 * $2 / 2 + 10000)) ;;
  esac
}

build_spin() { # system config norecovery -> prints the build directory
  local d
  d="$work/spin-${1//\//_}-$2-$3"
  if [ ! -x "$d/pan" ]; then
    mkdir -p "$d"
    # shellcheck disable=SC2046
    (cd "$d" && spin $(spindefs "$1" "$2") -DNORECOVERY="$3" -a "$here/$(spinmodel "$1")" > /dev/null &&
      gcc $cflags_spin -o pan pan.c)
  fi
  echo "$d"
}

run_spin() { # system config variant repeat expected-states
  local sys=$1 cfg=$2 variant=$3 r=$4 expect=$5 f="$work/run" n=0 d
  [ "$variant" = correct ] || n=1
  d=$(build_spin "$sys" "$cfg" $n)
  # Hash table of 2^w slots, at least twice the states. The stack bound is
  # the depth an earlier run of this verifier reached, else an estimate;
  # a run that finds it too small is run again with twice the bound.
  local w=18 m tries=0
  while [ $((1 << w)) -lt $((2 * expect)) ]; do w=$((w + 1)); done
  m=$(spindepth "$sys" "$expect")
  [ -f "$d/depth" ] && m=$(($(cat "$d/depth") + 1000))
  while :; do
    # pan writes its trail (on a violation) into the working directory.
    (cd "$d" && timed "$f" ./pan -w$w -m$m)
    grep -q "max search depth too small" "$f.out" && [ $tries -lt 4 ] || break
    m=$((2 * m)); tries=$((tries + 1))
  done
  local depth
  depth=$(sed -n 's/.*depth reached \([0-9]*\).*/\1/p' "$f.out")
  [ -n "$depth" ] && ! grep -q "max search depth too small" "$f.out" && echo "$depth" > "$d/depth"
  local states trans errors verdict
  # pan prints large counts in exponent notation (2.4e+08).
  states=$(awk '/states, stored/ { printf "%.0f", $1 }' "$f.out")
  trans=$(awk '/transitions \(= stored\+matched\)/ { printf "%.0f", $1 }' "$f.out")
  errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$f.out")
  verdict=error
  [ "$errors" = 0 ] && verdict=verified
  [ -n "$errors" ] && [ "$errors" != 0 ] && verdict=violation
  grep -q "max search depth too small" "$f.out" && verdict=error
  record "$sys" spin "$cfg" "$variant" "$r" "$states" "$trans" "$verdict" "$f"
}

build_rumur() { # threads config norecovery -> $work/rumur-T-CONFIG-N/verifier
  local d="$work/rumur-$1-$2-$3" nr=false b=${2%x*} v=${2#*x}
  [ -x "$d/verifier" ] && return 0
  [ "$3" = 1 ] && nr=true
  mkdir -p "$d"
  sed -e "s/^  B: [0-9]*;/  B: $b;/" -e "s/^  V: [0-9]*;/  V: $v;/" \
    -e "s/^  NORECOVERY: [a-z]*;/  NORECOVERY: $nr;/" "$here/repdisk.mur" > "$d/model.m"
  rumur --quiet --threads "$1" --deadlock-detection off --output "$d/verifier.c" "$d/model.m"
  gcc $cflags_rumur -o "$d/verifier" "$d/verifier.c"
}

run_rumur() { # threads config variant repeat (the replicated disk only)
  local t=$1 cfg=$2 variant=$3 r=$4 f="$work/run" n=0
  [ "$variant" = correct ] || n=1
  build_rumur "$t" "$cfg" $n
  timed "$f" "$work/rumur-$t-$cfg-$n/verifier"
  local states trans verdict=error
  states=$(sed -n 's/^[[:space:]]*\([0-9]*\) states, \([0-9]*\) rules fired.*/\1/p' "$f.out")
  trans=$(sed -n 's/^[[:space:]]*\([0-9]*\) states, \([0-9]*\) rules fired.*/\2/p' "$f.out")
  grep -q "No error found" "$f.out" && verdict=verified
  grep -q "error(s) found" "$f.out" && verdict=violation
  record repdisk "rumur --threads $t" "$cfg" "$variant" "$r" "$states" "$trans" "$verdict" "$f"
}

# median FIELD SYSTEM TOOL CONFIG VARIANT: the median of a raw column
# (8 seconds, 9 peak KiB) over the repeats; empty when there was no run.
median() {
  awk -F, -v k="$1" -v s="$2" -v t="$3" -v c="$4" -v va="$5" \
    '$1 == s && $2 == t && $3 == c && $4 == va { print $k }' "$raw" |
    sort -g | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print "" }'
}

slow() { # system tool config: was the tool's median above skip_after?
  local m
  m=$(median 8 "$1" "$2" "$3" correct)
  [ -n "$m" ] && awk -v m="$m" -v s="$skip_after" 'BEGIN { exit !(m > s) }'
}

# check SYSTEM CONFIGS PEERS...: every tool at every size, then each on the
# no-recovery bug at the first size.
check() {
  local sys=$1 cfgs=$2; shift 2
  [ -n "$cfgs" ] || return 0
  local -A skipped=()
  local prev="" cfg r tool expect
  for cfg in $cfgs; do
    echo "== $sys $cfg" >&2
    for r in $(seq 1 "$repeats"); do
      run_argocheck "$sys" 2 "$cfg" correct "$r"
      run_argocheck "$sys" 1 "$cfg" correct "$r"
    done
    expect=$(awk -F, -v s="$sys" -v c="$cfg" '$1 == s && $3 == c && $2 ~ /^argocheck/ { print $6; exit }' "$raw")
    for tool in "$@"; do
      if [ -z "${skipped[$tool]:-}" ] && [ -n "$prev" ] && slow "$sys" "$tool" "$prev"; then
        skipped[$tool]=$prev
      fi
      if [ -n "${skipped[$tool]:-}" ] && ! { [ "$tool" = spin ] && [ "$sys $cfg" = "repdisk $goal_repdisk" ]; }; then
        echo "   $tool: skipped (over ${skip_after}s at ${skipped[$tool]})" >&2
        continue
      fi
      for r in $(seq 1 "$repeats"); do
        case "$tool" in
          spin) run_spin "$sys" "$cfg" correct "$r" "${expect:-1000}" ;;
          "rumur --threads 2") run_rumur 2 "$cfg" correct "$r" ;;
          "rumur --threads 1") run_rumur 1 "$cfg" correct "$r" ;;
        esac
      done
    done
    prev=$cfg
  done
  # The bug: every tool must report a violation of the no-recovery variant.
  # SPIN's depth-first search may go as deep as on the correct model before
  # it fails an assertion, so its stack is sized as for the correct model.
  cfg=${cfgs%% *}
  expect=$(awk -F, -v s="$sys" -v c="$cfg" '$1 == s && $3 == c && $2 ~ /^argocheck/ { print $6; exit }' "$raw")
  run_argocheck "$sys" 2 "$cfg" no-recovery 1
  run_argocheck "$sys" 1 "$cfg" no-recovery 1
  for tool in "$@"; do
    case "$tool" in
      spin) run_spin "$sys" "$cfg" no-recovery 1 "${expect:-1000}" ;;
      "rumur --threads 2") run_rumur 2 "$cfg" no-recovery 1 ;;
      "rumur --threads 1") run_rumur 1 "$cfg" no-recovery 1 ;;
    esac
  done
}

# Rumur has a model of the replicated disk only, and is far too slow for
# the goal size alone.
if [ $mode = goals ]; then
  check repdisk "$configs" spin
else
  check repdisk "$configs" spin "rumur --threads 2" "rumur --threads 1"
fi
check log "$log_configs" spin
check log/repdisk "$stack_configs" spin

# Medians per system, tool, size and variant, with argocheck's time as a
# ratio against each peer's fastest setting at the same size.
{
  echo "system,tool,config,variant,runs,states,transitions,seconds,cpu_seconds,states_per_second,peak_rss_mib,verdict,argocheck_over_spin,argocheck_over_rumur"
  awk -F, -v OFS=, '
    { k = $1 SUBSEP $2 SUBSEP $3 SUBSEP $4
      if (!(k in n)) { order[++m] = k; sys[m] = $1; tool[m] = $2; cfg[m] = $3; var[m] = $4 }
      n[k]++; secs[k, n[k]] = $8; rss[k, n[k]] = $9; cpu[k, n[k]] = $11
      st[k] = $6; tr[k] = $7
      if (!(k in vd)) vd[k] = $10; else if (vd[k] != $10) vd[k] = "mixed" }
    function med(a, k, cnt,   i, j, t, v) {
      for (i = 1; i <= cnt; i++) v[i] = a[k, i] + 0
      for (i = 2; i <= cnt; i++) for (j = i; j > 1 && v[j-1] > v[j]; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
      return v[int((cnt + 1) / 2)] }
    END {
      for (i = 1; i <= m; i++) { k = order[i]; ms[k] = med(secs, k, n[k]); mr[k] = med(rss, k, n[k]); mc[k] = med(cpu, k, n[k]) }
      for (i = 1; i <= m; i++) {
        k = order[i]; c = sys[i] SUBSEP cfg[i] SUBSEP var[i]
        if (tool[i] ~ /^spin/ && (!(c in bs) || ms[k] < bs[c])) bs[c] = ms[k]
        if (tool[i] ~ /^rumur/ && (!(c in br) || ms[k] < br[c])) br[c] = ms[k]
      }
      for (i = 1; i <= m; i++) {
        k = order[i]; c = sys[i] SUBSEP cfg[i] SUBSEP var[i]; s = ms[k]
        rate = (s > 0) ? sprintf("%.0f", st[k] / s) : ""
        rs = rr = ""
        if (tool[i] ~ /^argocheck/ && var[i] == "correct") {
          if ((c in bs) && bs[c] > 0) rs = sprintf("%.3f", s / bs[c])
          if ((c in br) && br[c] > 0) rr = sprintf("%.3f", s / br[c])
        }
        print sys[i], tool[i], cfg[i], var[i], n[k], st[k], tr[k], s, mc[k], rate, sprintf("%.1f", mr[k] / 1024), vd[k], rs, rr
      }
    }' "$raw"
} > "$csv"

# The goals, from the medians of this run.
ratio() { # numerator denominator -> a ratio, or "not measured"
  if [ -n "$1" ] && [ -n "$2" ]; then
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "not measured" }'
  else
    echo "not measured"
  fi
}
g=$goal_repdisk
spin_s=$(median 8 repdisk spin "$g" correct)
goal_w2=$(ratio "$(median 8 repdisk "argocheck --workers 2" "$g" correct)" "$spin_s")
goal_w1=$(ratio "$(median 8 repdisk "argocheck --workers 1" "$g" correct)" "$spin_s")
goal_rss=$(ratio "$(median 9 repdisk "argocheck --workers 2" "$g" correct)" "$(median 9 repdisk spin "$g" correct)")
stack_s=$(median 8 log/repdisk "argocheck --workers 2" "$goal_stack" correct)
stack_states=$(awk -F, -v c="$goal_stack" '$1 == "log/repdisk" && $2 == "argocheck --workers 2" && $3 == c && $4 == "correct" { print $6; exit }' "$raw")
goal_rate=$(ratio "$stack_states" "$stack_s")
[ "$goal_rate" = "not measured" ] || goal_rate=$(printf "%.0f" "$goal_rate")
goals="$work/goals.md"
{
  echo "- repdisk $g, argocheck --workers 2 / SPIN, wall seconds: $goal_w2 (goal <= 0.06)"
  echo "- repdisk $g, argocheck --workers 1 / SPIN, wall seconds: $goal_w1 (goal <= 0.12)"
  echo "- repdisk $g, argocheck --workers 2 / SPIN, peak resident memory: $goal_rss (goal <= 0.4)"
  echo "- log/repdisk $goal_stack, argocheck --workers 2: $goal_rate states per second"
} > "$goals"

# The Markdown report: machine, versions, command, goals, then the table.
{
  echo "# argocheck against SPIN and Rumur"
  echo
  echo "- date: $stamp"
  echo "- machine: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1), $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "- $(go version)"
  echo "- $(spin -V 2>&1 | head -1); pan built with gcc $cflags_spin"
  echo "- $(rumur --version 2>&1 | head -1); verifier built with gcc $cflags_rumur"
  echo "- $(gcc --version | head -1)"
  echo "- load average (1, 5, 15 min): $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
  echo "- command: benchmarks/peers/compare.sh $([ $mode = full ] || echo "--$mode") (repeats: $repeats, median shown; a peer is not run past a size where its median exceeded ${skip_after}s, but SPIN always runs at repdisk $goal_repdisk)"
  echo
  echo "## Goals"
  echo
  cat "$goals"
  echo
  echo "## Runs"
  echo
  echo "Seconds are wall time of the checker process (building the peers' verifiers is"
  echo "not counted), CPU s its user and system time; peak memory is the process's"
  echo "maximum resident set. A ratio (of wall seconds)"
  echo "below 1 means argocheck reached its verdict sooner than the peer's fastest"
  echo "setting at that size. Sizes are blocks x values (x log)."
  echo
  echo "| system | tool | size | variant | states | transitions | seconds | CPU s | states/s | peak MiB | verdict | argocheck / SPIN | argocheck / Rumur |"
  echo "|---|---|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|"
  tail -n +2 "$csv" | awk -F, '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $6, $7, $8, $9, $10, $11, $12, $13, $14 }'
} > "$md"

echo "goals:" >&2
cat "$goals" >&2
echo "wrote $md and $csv" >&2
