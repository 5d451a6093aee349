#!/usr/bin/env bash
# Fill fuzz/corpus/<target>/ with starting inputs: the example sheets, a few
# generated ones (clean and with lint problems), and the saved regressions
# (the only seeds of import_pdf, and the .xls/.xlsb/.ods seeds of import_xlsx).
set -euo pipefail
cd "$(dirname "$0")/.."
kaiji=${KAIJI:-target/debug/kaiji}
[ -x "$kaiji" ] || cargo build -q
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$kaiji" bench-data --count 12 --seed 3 --problem-rate 0.7 --format both --out "$tmp" 2>/dev/null
mkdir -p fuzz/corpus/sheet_toml fuzz/corpus/sheet_json fuzz/corpus/import_text fuzz/corpus/import_xlsx fuzz/corpus/import_pdf fuzz/corpus/policy
cp examples/sheets/*.toml "$tmp"/toml/*.toml fuzz/corpus/sheet_toml/
cp examples/sheets/*.json "$tmp"/json/*.json fuzz/corpus/sheet_json/
cp tests/fixtures/*.txt fuzz/corpus/import_text/
[ -d ../shared/seeds ] && cp ../shared/seeds/*.txt fuzz/corpus/import_text/ 2>/dev/null || true
for s in examples/sheets/*.toml; do
  "$kaiji" export "$s" -f xlsx -o "fuzz/corpus/import_xlsx/$(basename "$s" .toml).xlsx" --force 2>/dev/null ||
    "$kaiji" export "$s" -f xlsx -o "fuzz/corpus/import_xlsx/$(basename "$s" .toml).xlsx" 2>/dev/null || true
done
cp policies/*.rhai fuzz/corpus/policy/
for t in fuzz/corpus/*/; do
    t=$(basename "$t")
    if [ -d "tests/fuzz_regressions/$t" ]; then cp "tests/fuzz_regressions/$t"/* "fuzz/corpus/$t/" 2>/dev/null || true; fi
done
ls fuzz/corpus/* | head -50 >/dev/null
echo "corpus: $(ls fuzz/corpus | tr '\n' ' ')"
