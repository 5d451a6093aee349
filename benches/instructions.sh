#!/usr/bin/env bash
# Instructions per question of the policy API's common shapes, counted by
# valgrind's callgrind: repeatable to a fraction of a percent, where times
# on a shared machine vary by ±20 %. Each shape runs as 10 policies on 200
# generated sheets with one job and a JSON report; the figure is the run
# minus the same run with 10 empty policies, divided by sheets × policies
# × ids. The selection rule's figures include its findings (about 11 per
# policy and sheet: made, sorted and written).
#
#   benches/instructions.sh                         # builds, then counts
#   KAIJI=/path/to/old/kaiji benches/instructions.sh   # another build
#
# It uses only commands and API that predate the set-level queries; the
# query shape is skipped (shown as —) where `ids_where` does not exist.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v valgrind >/dev/null || { echo "instructions.sh needs valgrind (apt install valgrind)" >&2; exit 2; }
if [ -z "${KAIJI:-}" ]; then
  cargo build --release -q
  KAIJI=target/release/kaiji
fi
SHEETS=200
POLICIES=10
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$KAIJI" bench-data --count "$SHEETS" --out "$work/sheets" >/dev/null 2>&1
# The first 99 yes/no questions of sds-6.0, in form order.
list=$(python3 -c '
import tomllib
form = tomllib.load(open("src/form/sds-6.0.toml", "rb"))
qs = [q for sec in form["section"] for q in sec.get("question", [])]
print(", ".join(["\"%s\"" % q["id"] for q in qs if q.get("kind", "yes_no") == "yes_no"][:99]))')
all_ids=$(python3 -c '
import tomllib
form = tomllib.load(open("src/form/sds-6.0.toml", "rb"))
print(sum(len(sec.get("question", [])) for sec in form["section"]))')

# name, ids per evaluation, body
shape() {
  mkdir -p "$work/$1"
  for i in $(seq 1 "$POLICIES"); do
    printf '//! id: %s-%s\n%s\n' "${1^^}" "$i" "$3" > "$work/$1/p$i.rhai"
  done
  echo "$2" > "$work/$1.ids"
}
shape empty 1 'let x = 1;'
shape answered 99 "const LIST = [$list];
for q in LIST { sheet.answered(q); }"
shape ids "$all_ids" 'for q in sheet.ids() { sheet.answered(q); }'
shape loop 99 "const LIST = [$list];
for q in LIST { if !sheet.is_yes(q) && !sheet.is_na(q) { fail(q, \"はい または 対象外 であること\"); } }"
shape query 99 "const LIST = [$list];
for q in sheet.ids_where(LIST, [\"いいえ\", \"\"]) { fail(q, \"はい または 対象外 であること\"); }"

count() {
  local rc=0
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" \
    "$KAIJI" check "$work/sheets" -p "$work/$1" --no-lint -j 1 -f json -o "$work/out.json" \
    >/dev/null 2>"$work/cg.log" || rc=$?
  # 0 or 1 (findings) is a run; 2 means a policy could not run there.
  if [ "$rc" -gt 1 ]; then
    echo "-"
    return
  fi
  sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$work/cg.log"
}

base=$(count empty)
echo "kaiji: $("$KAIJI" --version); $SHEETS sheets × $POLICIES policies, instructions per question"
for s in answered ids loop query; do
  n=$(count "$s")
  ids=$(cat "$work/$s.ids")
  if [ "$n" = "-" ]; then
    printf '%-10s %8s\n' "$s" "—"
  else
    printf '%-10s %8s\n' "$s" "$(( (n - base) / (SHEETS * POLICIES * ids) ))"
  fi
done
