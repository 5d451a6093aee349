#!/usr/bin/env bash
# A screening round at scale: N generated vendor PDFs (a full SDS each,
# 7-9 pages, every mark style in turn, half with the header block on every
# page) checked in one run into the committee's matrix,
#
#   kaiji check DIR -o matrix.html
#
# against the floor of merely extracting their text: `pdftotext -layout`
# run over the same files one after another. Prints both wall times, their
# ratio and kaiji's peak memory (RSS). The target (#23): kaiji under half
# of pdftotext's time on 2 cores, peak memory under 200 MB.
#
#   benches/documents.sh              # 1000 PDFs
#   N=200 benches/documents.sh
#   KAIJI=target/release/kaiji GEN=target/release/examples/make_documents \
#     benches/documents.sh                               # skip the builds
#
# Take figures when the machine is quiet (the load average is printed).
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-1000}
if [ -z "${KAIJI:-}" ]; then
  cargo build --release -q
  KAIJI=target/release/kaiji
fi
for tool in pdftotext /usr/bin/time; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq poppler-utils time >/dev/null
  fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "== machine"
echo "cpus: $(nproc)  load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "kaiji: $("$KAIJI" --version)  pdftotext: $(pdftotext -v 2>&1 | head -1)"

echo "== generating $N vendor PDFs"
if [ -z "${GEN:-}" ]; then
  cargo build --release -q --example make_documents
  GEN=target/release/examples/make_documents
fi
"$GEN" --bench "$N" "$work/pdfs" >"$work/gen.log"
echo "$(du -sh "$work/pdfs" | cut -f1) in $(find "$work/pdfs" -name '*.pdf' | wc -l) files"

now() { date +%s.%N; }

echo "== pdftotext -layout, one file after another"
start=$(now)
for f in "$work"/pdfs/*.pdf; do
  # (the form-field style's checkboxes make poppler complain on stderr)
  pdftotext -layout "$f" "$work/out.txt" 2>>"$work/pdftotext.err"
done
extract=$(echo "$(now) - $start" | bc)
printf 'pdftotext: %.2f s\n' "$extract"

echo "== kaiji check DIR -o matrix.html"
set +e
/usr/bin/time -f '%e %M' -o "$work/time" "$KAIJI" check "$work/pdfs" -o "$work/matrix.html" 2>"$work/stderr"
code=$?
set -e
# GNU time writes "Command exited with non-zero status 1" first on exit 1.
read -r wall rss < <(tail -1 "$work/time")
if [ "$code" -eq 2 ]; then
  echo "kaiji exited 2 (some document could not be evaluated):" >&2
  tail -5 "$work/stderr" >&2
  exit 1
fi
printf 'kaiji:     %.2f s  (exit %d: %s)\n' "$wall" "$code" "$(tail -1 "$work/stderr")"
printf 'ratio kaiji / pdftotext: %.2f   (target < 0.5)\n' "$(echo "$wall / $extract" | bc -l)"
printf 'peak memory: %d MB   (target < 200 MB)\n' "$((rss / 1024))"
