#!/usr/bin/env bash
# Fill fuzz/corpus/<target>/ with starting inputs: the example sheets, a few
# generated ones (clean and with lint problems), and the saved regressions.
set -euo pipefail
cd "$(dirname "$0")/.."
kaiji=${KAIJI:-target/debug/kaiji}
[ -x "$kaiji" ] || cargo build -q
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$kaiji" bench-data --count 12 --seed 3 --problem-rate 0.7 --format both --out "$tmp" 2>/dev/null
mkdir -p fuzz/corpus/sheet_toml fuzz/corpus/sheet_json
cp examples/sheets/*.toml "$tmp"/toml/*.toml fuzz/corpus/sheet_toml/
cp examples/sheets/*.json "$tmp"/json/*.json fuzz/corpus/sheet_json/
for t in fuzz/corpus/*/; do
    t=$(basename "$t")
    if [ -d "tests/fuzz_regressions/$t" ]; then cp "tests/fuzz_regressions/$t"/* "fuzz/corpus/$t/" 2>/dev/null || true; fi
done
ls fuzz/corpus/* | head -50 >/dev/null
echo "corpus: $(ls fuzz/corpus | tr '\n' ' ')"
