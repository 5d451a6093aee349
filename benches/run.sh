#!/usr/bin/env bash
# End-to-end figures for kaiji on generated data: wall time, sheets×policies
# per second and peak memory of whole CLI runs, for 1k/2k/5k/10k sheets ×
# 50 policies (the built-in baseline pack plus variants of it), so the
# scaling can be read off directly.
#
#   benches/run.sh                 # everything, 3 runs each (median shown)
#   RUNS=5 SIZES="1000 10000" benches/run.sh
#   KAIJI=target/release/kaiji benches/run.sh   # skip the build
#
# Take figures when the machine is quiet (the load average is printed).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
SIZES=${SIZES:-"1000 2000 5000 10000"}
POLICIES=${POLICIES:-50}
JOBS=${JOBS:-0}
SEED=${SEED:-1}

if [ -z "${KAIJI:-}" ]; then
  cargo build --release -q
  KAIJI=target/release/kaiji
fi
if [ ! -x /usr/bin/time ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq time >/dev/null
fi

max=0
for n in $SIZES; do [ "$n" -gt "$max" ] && max=$n; done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== machine"
echo "cpus: $(nproc)  model: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)"
echo "memory: $(free -h | awk '/^Mem:/ {print $2}')  load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "kaiji: $("$KAIJI" --version)  jobs: ${JOBS} (0 = one per core)"
echo

"$KAIJI" bench-data --count "$max" --seed "$SEED" --out "$work/sheets" --policies "$POLICIES" 2>/dev/null
bytes=$(du -sb "$work/sheets" | cut -f1)
echo "== data: $max generated sheets ($((bytes / max)) bytes each on average), $POLICIES policies, seed $SEED"
echo

# The first N sheets of the set, as a glob kaiji expands itself.
subset() {
  local n=$1 width=${#max}
  [ "$width" -lt 5 ] && width=5
  if [ "$n" -eq "$max" ]; then echo "$work/sheets"; return; fi
  # sheet-NNNNN.toml: the first n are those below n; n is a round number here
  local lead=$(( n / 10 ** (${#n} - 1) )) zeros=$(( ${#n} - 1 ))
  local prefix="" pad=$(( width - ${#n} ))
  for ((i = 0; i < pad; i++)); do prefix+="0"; done
  local digits=""
  for ((i = 0; i < zeros; i++)); do digits+="[0-9]"; done
  if [ "$lead" -eq 1 ]; then
    echo "$work/sheets/sheet-${prefix}0${digits}.toml"
  else
    echo "$work/sheets/sheet-${prefix}[0-$((lead - 1))]${digits}.toml"
  fi
}

# run LABEL SHEETS POLICIES -- ARGS...: median wall time and max RSS of RUNS runs
run() {
  local label=$1 sheets=$2 policies=$3
  shift 4
  local times=() rss=0
  for ((r = 0; r < RUNS; r++)); do
    # Each run writes a new report: replacing the last run's (up to 150 MB)
    # makes the file system free it inside the timed rename, ~0.1 s that
    # measures the disk, not kaiji.
    rm -f "$work"/report.*
    /usr/bin/time -f "%e %M" -o "$work/time" "$KAIJI" "$@" >/dev/null 2>"$work/stderr" || {
      local rc=$?
      # exit 1 = some sheet failed its checks: expected on generated data
      if [ "$rc" -ne 1 ]; then echo "kaiji failed ($rc):"; cat "$work/stderr"; exit 1; fi
    }
    read -r t m < <(tail -1 "$work/time")
    times+=("$t")
    [ "$m" -gt "$rss" ] && rss=$m
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  awk -v l="$label" -v s="$sheets" -v p="$policies" -v t="$median" -v m="$rss" 'BEGIN {
    if (p > 0) rate = sprintf("%9.0f sheet×policy/s", (t > 0) ? s * p / t : 0)
    else rate = sprintf("%9.0f sheets/s      ", (t > 0) ? s / t : 0)
    printf "%-16s %6d sheets × %3d policies  %6.2f s  %s  %6.0f ms per 1k sheets  max RSS %5.1f MiB\n",
      l, s, p, t, rate, 1e6 * t / s, m / 1024 }'
}

echo "== parse + lint (kaiji lint, JSON report)"
for n in $SIZES; do
  run "lint" "$n" 0 -- lint "$(subset "$n")" -f json -o "$work/report.json" -j "$JOBS"
done
echo
echo "== end to end: kaiji check, $POLICIES policies, lint on, JSON report to a file"
for n in $SIZES; do
  run "check" "$n" "$POLICIES" -- check "$(subset "$n")" -p "$work/sheets/policies" -f json -o "$work/report.json" -j "$JOBS"
done
echo
echo "== memory is bounded by the jobs, not the sheets: the same runs with the human report"
for n in $SIZES; do
  run "check -f human" "$n" "$POLICIES" -- check "$(subset "$n")" -p "$work/sheets/policies" -o "$work/report.txt" -j "$JOBS"
done
