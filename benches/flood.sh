#!/usr/bin/env bash
# Wall time per format of `kaiji check` on one sheet with 40,000 findings
# placed ~10,000 lines into a ~430 KB file: a renderer that locates each
# finding by rescanning the file is quadratic here (about a minute a
# format), one that uses a line index takes well under a second.
#
#   benches/flood.sh                      # builds release first
#   KAIJI=target/release/kaiji benches/flood.sh
#
# 40 policies × 1,000 findings, so a per-policy cap on findings does not
# shrink the flood.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${KAIJI:-}" ]; then
  cargo build --release -q
  KAIJI=target/release/kaiji
fi
KAIJI=$(realpath "$KAIJI")

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# The example sheet with 10,000 comment lines pushed in before its last answer.
awk '
  /^\[remarks\]/ { in_remarks = 1 }
  { lines[NR] = $0; if (!in_remarks && /^"/) last = NR }
  END {
    for (i = 1; i <= NR; i++) {
      if (i == last) for (k = 0; k < 10000; k++) print "# 備考の補足: この行はテスト用のコメントで、行番号を押し下げるためだけにある。"
      print lines[i]
    }
  }' examples/sheets/aozora-cloud.toml >"$dir/sheet.toml"
question=$(awk '/^\[remarks\]/ { exit } /^"/ { split($0, a, "\""); q = a[2] } END { print q }' examples/sheets/aozora-cloud.toml)

mkdir "$dir/policies"
for p in $(seq -w 1 40); do
  printf '//! id: H-FLOOD-%s\n//! title: flood\nfor i in 0..1000 { fail("%s", "x"); }\n' "$p" "$question" \
    >"$dir/policies/flood-$p.rhai"
done

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for f in human json junit sarif github markdown csv html xlsx; do
  start=$(date +%s.%N)
  "$KAIJI" check "$dir/sheet.toml" -p "$dir/policies" -f "$f" -o "$dir/out.$f" >/dev/null 2>&1 || true
  end=$(date +%s.%N)
  printf '%-9s %7.2f s  %10s bytes\n' "$f" "$(echo "$end - $start" | bc)" "$(stat -c %s "$dir/out.$f")"
done
