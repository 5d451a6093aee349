#!/usr/bin/env bash
# The guideline 7.0 selection-list rule, 10 policies over 99 ids each, on
# generated sheets: written with one `sheet.ids_where` query and written as
# a Rhai loop, beside the parse + lint time of the same sheets.
#
#   benches/selection.sh                       # 10,000 sheets, 3 runs (median)
#   N=2000 RUNS=5 benches/selection.sh
#   KAIJI=target/release/kaiji benches/selection.sh   # skip the build
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-10000}
RUNS=${RUNS:-3}
if [ -z "${KAIJI:-}" ]; then
  cargo build --release -q
  KAIJI=target/release/kaiji
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$KAIJI" bench-data --count "$N" --out "$work/sheets" >/dev/null
# 99 yes/no questions of sds-6.0, in form order
ids=$(python3 -c '
import tomllib
form = tomllib.load(open("src/form/sds-6.0.toml", "rb"))
qs = [q for sec in form["section"] for q in sec.get("question", [])]
print(", ".join(["\"%s\"" % q["id"] for q in qs if q.get("kind", "yes_no") == "yes_no"][:99]))')
mkdir -p "$work/query" "$work/loop" "$work/count"
for i in $(seq 1 10); do
  cat > "$work/query/sel$i.rhai" <<RHAI
//! id: SEL-Q$i
const LIST = [$ids];
for q in sheet.ids_where(LIST, ["いいえ", ""]) { fail(q, "はい または 対象外 であること"); }
RHAI
  # The same query with one finding per sheet instead of one per listed
  # answer: the query's own cost, without reporting ~11 findings a policy.
  cat > "$work/count/sel$i.rhai" <<RHAI
//! id: SEL-C$i
const LIST = [$ids];
if sheet.count_where(LIST, ["いいえ", ""]) > 0 { fail("はい または 対象外 でない項目がある"); }
RHAI
  cat > "$work/loop/sel$i.rhai" <<RHAI
//! id: SEL-L$i
const LIST = [$ids];
for q in LIST { if !sheet.is_yes(q) && !sheet.is_na(q) { fail(q, "はい または 対象外 であること"); } }
RHAI
done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_of() {
  for _ in $(seq 1 "$RUNS"); do
    rm -f "$work/out.json"
    # exit 1 (findings) is expected; the time is the last line of stderr
    /usr/bin/time -f "%e" "$@" -f json -o "$work/out.json" >/dev/null 2>"$work/time" || true
    tail -1 "$work/time"
  done | median
}

echo "machine: $(nproc) cpus, load average $(cut -d' ' -f1-3 /proc/loadavg); $N sheets"
lint=$(time_of "$KAIJI" lint "$work/sheets")
query=$(time_of "$KAIJI" check "$work/sheets" -p "$work/query" --no-lint)
findings=$(python3 -c "
import json
d = json.load(open('$work/out.json'))
print(sum(len(s['findings']) for s in d['sheets']))" 2>/dev/null || echo "?")
loop=$(time_of "$KAIJI" check "$work/sheets" -p "$work/loop" --no-lint)
count=$(time_of "$KAIJI" check "$work/sheets" -p "$work/count" --no-lint)
per_q() { python3 -c "print(f'{($1 - $lint) / ($N * 10 * 99) * 1e9:.0f}')"; }
printf '%-34s %6s s\n' "parse + lint" "$lint"
printf '%-34s %6s s   (%s× parse + lint; ~%s ns per question)\n' "10 policies, sheet.ids_where" "$query" \
  "$(python3 -c "print(f'{$query / $lint:.2f}')")" "$(per_q "$query")"
printf '%-34s %6s\n' "  findings reported" "$findings"
printf '%-34s %6s s   (~%s ns per question)\n' "10 policies, the same as a loop" "$loop" "$(per_q "$loop")"
printf '%-34s %6s s   (%s× parse + lint; one finding a policy, not one per answer)\n' \
  "10 policies, sheet.count_where" "$count" "$(python3 -c "print(f'{$count / $lint:.2f}')")"
