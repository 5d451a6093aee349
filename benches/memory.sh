#!/usr/bin/env bash
# Peak memory (max RSS, /usr/bin/time) of `kaiji check` per report format,
# of `-f html --explain`, and of `kaiji coverage`, on 1k, 4k and 10k
# generated sheets × 50 policies: whether memory grows with the number of
# sheets can be read off each row.
#
#   benches/memory.sh                       # builds release first
#   KAIJI=target/debug/kaiji benches/memory.sh   # any build: memory is what is measured
#   SIZES="1000 10000" FORMATS="html xlsx" benches/memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"1000 4000 10000"}
FORMATS=${FORMATS:-"human json junit sarif github markdown csv html xlsx"}
POLICIES=${POLICIES:-50}
SEED=${SEED:-1}

if [ -z "${KAIJI:-}" ]; then
  cargo build --release -q
  KAIJI=target/release/kaiji
fi
KAIJI=$(realpath "$KAIJI")
if [ ! -x /usr/bin/time ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq time >/dev/null
fi

max=0
for n in $SIZES; do [ "$n" -gt "$max" ] && max=$n; done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "kaiji: $("$KAIJI" --version)  cpus: $(nproc)  load average: $(cut -d' ' -f1-3 /proc/loadavg)"
"$KAIJI" bench-data --count "$max" --seed "$SEED" --out "$work/all" --policies "$POLICIES" >/dev/null 2>&1
# The first n sheets of the set, as hard links in a directory of their own.
find "$work/all" -maxdepth 1 -name 'sheet-*.toml' | sort >"$work/list"
for n in $SIZES; do
  mkdir "$work/s$n"
  sed -n "1,${n}p" "$work/list" | xargs -r ln -t "$work/s$n"
done

# rss LABEL -- ARGS...: max RSS of one run, in MiB (exit 1, failed checks, is expected)
rss() {
  rm -f "$work"/out.*
  /usr/bin/time -f "%M" -o "$work/time" "$KAIJI" "$@" >/dev/null 2>"$work/stderr" || {
    local rc=$?
    if [ "$rc" -ne 1 ]; then echo "kaiji $* failed ($rc):" >&2; cat "$work/stderr" >&2; exit 1; fi
  }
  echo $(( $(tail -1 "$work/time") / 1024 ))
}

printf '%-16s' "max RSS (MiB)"
for n in $SIZES; do printf '%14s' "$n sheets"; done
echo
row() {
  local label=$1
  shift
  printf '%-16s' "$label"
  for n in $SIZES; do
    local args=("${@//@DIR@/$work/s$n}")
    printf '%14s' "$(rss "${args[@]}")"
  done
  echo
}
for f in $FORMATS; do
  row "$f" check @DIR@ -p "$work/all/policies" -f "$f" -o "$work/out.$f"
done
row "html --explain" check @DIR@ -p "$work/all/policies" -f html --explain -o "$work/out.html"
row "coverage" coverage -p "$work/all/policies" @DIR@ -f json -o "$work/out.json"
