#!/usr/bin/env bash
# Kills a stored run with SIGKILL again and again, at seeded random
# moments, resumes it each time, and checks that it ends as a run that
# never stopped: the same verdict, states, transitions, crash points,
# depth and violations (paths included). Every run is stored, spills
# (--memory MEM --spill) and commits within levels (--checkpoint-interval
# 10ms), so that kills land in commits and spill merges too. Each kill
# after the first alternates the resumed run's --workers between 1 and 2.
# When a stored run finishes before KILLS kills, it is compared and a new
# one starts; a run killed or finished with status 0 while the reference
# is not verified, or any other status than the reference's or 137, fails.
#
#   scripts/kill-resume.sh ARGOCHECK KILLS SEED MAXDELAY_MS MEM SYSTEM [FLAGS...]
#   scripts/kill-resume.sh /tmp/argocheck 25 1 1500 400KB \
#       log/repdisk --blocks 4 --values 3 --log 3 --variant log:recovery-clears-header-first
#
# Prints one line per run and per kill, and "OK: K kills, R runs, counts
# equal" at the end; exits 1 at the first difference, leaving its
# directory (printed) to look at.
set -euo pipefail
bin=${1:?usage: $0 ARGOCHECK KILLS SEED MAXDELAY_MS MEM SYSTEM [FLAGS...]}
kills=${2:?}
seed=${3:?}
maxdelay=${4:?}
mem=${5:?}
shift 5
work=$(mktemp -d)
RANDOM=$seed
keys='{verdict, states, transitions, crash_points, depth, violations}'

"$bin" check "$@" --json >"$work/ref.json" || true
jq -S "$keys" "$work/ref.json" >"$work/ref.key"
refstatus=$(jq -r '.verdict' "$work/ref.json")
echo "reference: $(jq -c '{verdict, states, transitions, crash_points, depth}' "$work/ref.json")"

fail() {
	echo "FAIL: $*; see $work" >&2
	exit 1
}

# one runs the command and kills it with SIGKILL after delay ms unless it
# ended first; it prints its status (137 when killed).
one() {
	local delay=$1
	shift
	local st=0
	timeout -s KILL "$(awk -v d="$delay" 'BEGIN { printf "%.3f", d / 1000 }')" \
		"$@" --json >"$work/out.json" 2>"$work/err.txt" || st=$?
	echo "$st"
}

done_kills=0
runs=0
while ((done_kills < kills)); do
	runs=$((runs + 1))
	store=$work/store$runs
	spill=$work/spill
	stored=(--spill "$spill" --memory "$mem" --checkpoint-interval 10ms)
	cmd=("$bin" check "$@" --store "$store" "${stored[@]}")
	while :; do
		# The last store is finished without a kill (0: no time limit).
		delay=0
		((done_kills < kills)) && delay=$((RANDOM % maxdelay + 1))
		st=$(one "$delay" "${cmd[@]}")
		case $st in
		137)
			done_kills=$((done_kills + 1))
			echo "run $runs: kill $done_kills after ${delay}ms"
			;;
		0 | 1)
			got=$(jq -r '.verdict' "$work/out.json")
			[[ $got == "$refstatus" ]] || fail "run $runs: status $st, verdict $got, reference $refstatus"
			jq -S "$keys" "$work/out.json" >"$work/got.key"
			cmp -s "$work/ref.key" "$work/got.key" || fail "run $runs: $(diff "$work/ref.key" "$work/got.key" | head -20)"
			echo "run $runs: finished after $done_kills kills: equal"
			break
			;;
		2)
			# Killed before the store held its run: start it again.
			grep -qE 'no store at|holds no run|holds no argocheck store' "$work/err.txt" || fail "run $runs: status 2: $(cat "$work/err.txt")"
			echo "run $runs: killed before the store held the run; started again"
			rm -rf "$store"
			cmd=("$bin" check "$@" --store "$store" "${stored[@]}")
			continue
			;;
		*)
			fail "run $runs: status $st: $(cat "$work/err.txt")"
			;;
		esac
		cmd=("$bin" resume "$store" "${stored[@]}" --workers $((done_kills % 2 + 1)))
	done
done
echo "OK: $done_kills kills, $runs runs, counts equal"
rm -rf "$work"
