#!/usr/bin/env bash
# Wall time and peak memory of the inputs issue #22 found quadratic, at
# growing sizes: each line is one run. Linear means the time roughly doubles
# with the size; quadratic means it quadruples.
#
#   KAIJI=target/debug/kaiji benches/bounds.sh            # all cases
#   KAIJI=target/debug/kaiji benches/bounds.sh waivers    # one group
#   SIZES="1000 2000 4000" KAIJI=... benches/bounds.sh dup-waivers
#
# Groups: dup-waivers (the same waiver written N times), bad-dates (N
# waivers with an invalid date), stale-waivers (N waivers that match
# nothing, `kaiji check`), test-cases (one test file of N cases), deep-form
# (`kaiji lint` with a --form-file catalog whose questions form one parent
# chain N deep: since the 16-level cap it is refused at load, exit 2),
# flat-form (N questions, no chain: the baseline for deep-form).
# Without KAIJI it builds the dev profile (a release build takes minutes).
#
# Memory: run a size by hand under `prlimit --as=536870912` to see it stay
# bounded (8,000 duplicate waivers aborted at 1 GiB before the fix).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${KAIJI:-}" ]; then
  cargo build -q
  KAIJI=target/debug/kaiji
fi
KAIJI=$(realpath "$KAIJI")
only=${1:-all}

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sheet=examples/sheets/aozora-cloud.toml

# One run: seconds and peak RSS (GNU time), exit code, output bytes.
measure() {
  local label=$1 size=$2
  shift 2
  local start end rc=0
  start=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$dir/rss" "$@" >"$dir/out" 2>"$dir/err" || rc=$?
  end=$(date +%s.%N)
  printf '%-14s %7d  %7.2f s  %8d KiB peak  exit %d  %9d bytes out\n' \
    "$label" "$size" "$(echo "$end - $start" | bc)" "$(tail -n1 "$dir/rss")" "$rc" \
    "$(($(stat -c %s "$dir/out") + $(stat -c %s "$dir/err")))"
}

waivers() { # $1 = count, $2 = what varies: dup | date | stale
  local n=$1 kind=$2 i
  for i in $(seq 1 "$n"); do
    case $kind in
      dup) vendor="株式会社サンプル" expires="2027-03-31" ;;
      date) vendor="株式会社サンプル$i" expires="2027-02-30" ;;
      stale) vendor="株式会社どこにもない$i" expires="2099-03-31" ;;
    esac
    printf '[[waiver]]\npolicy = "H-AUTH-001"\nvendor = "%s"\nreason = "次期更改で対応予定"\nexpires = "%s"\n\n' \
      "$vendor" "$expires"
  done
}

test_cases() { # $1 = count
  local n=$1 i
  mkdir -p "$dir/pol/tests"
  cp policies/auth-two-factor.rhai "$dir/pol/"
  for i in $(seq 1 "$n"); do
    printf '[[case]]\nname = "case %d"\nexpect = "pass"\n\n' "$i"
  done >"$dir/pol/tests/auth-two-factor.toml"
}

catalog() { # $1 = count, $2 = deep | flat
  local n=$1 kind=$2 i
  printf '[form]\nid = "bench-%s"\n\n[[section]]\ntitle = "s"\n' "$kind"
  for i in $(seq 1 "$n"); do
    if [ "$kind" = deep ] && [ "$i" -gt 1 ]; then
      printf '[[section.question]]\nid = "q%d"\ntext = "設問%d"\nparent = "q%d"\n' "$i" "$i" "$((i - 1))"
    else
      printf '[[section.question]]\nid = "q%d"\ntext = "設問%d"\nparent = ""\n' "$i" "$i"
    fi
  done
}

want() { [ "$only" = all ] || [ "$only" = "$1" ] || { [ "$only" = waivers ] && [[ $1 == *waivers || $1 == bad-dates ]]; }; }

echo "kaiji: $KAIJI"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
if want dup-waivers; then
  for n in ${SIZES:-1000 2000 4000 8000}; do
    waivers "$n" dup >"$dir/w.toml"
    measure dup-waivers "$n" "$KAIJI" check "$sheet" --waivers "$dir/w.toml"
  done
fi
if want bad-dates; then
  for n in ${SIZES:-1000 2000 4000 8000}; do
    waivers "$n" date >"$dir/w.toml"
    measure bad-dates "$n" "$KAIJI" check "$sheet" --waivers "$dir/w.toml"
  done
fi
if want stale-waivers; then
  for n in ${SIZES:-1000 2000 4000 8000}; do
    waivers "$n" stale >"$dir/w.toml"
    measure stale-waivers "$n" "$KAIJI" check "$sheet" --waivers "$dir/w.toml"
  done
fi
if want test-cases; then
  for n in ${SIZES:-2000 4000 8000 16000}; do
    test_cases "$n"
    measure test-cases "$n" "$KAIJI" test "$dir/pol"
  done
fi
if want deep-form; then
  for n in ${SIZES:-4000 8000 16000 32000}; do
    catalog "$n" deep >"$dir/form.toml"
    printf '[sheet]\nform = "bench-deep"\nvendor = "v"\n[answers]\n"q1" = "はい"\n' >"$dir/deep.toml"
    measure deep-form "$n" "$KAIJI" --form-file "$dir/form.toml" lint "$dir/deep.toml" -f json
  done
fi
if want flat-form; then
  for n in ${SIZES:-4000 8000 16000 32000}; do
    catalog "$n" flat >"$dir/form.toml"
    printf '[sheet]\nform = "bench-flat"\nvendor = "v"\n[answers]\n"q1" = "はい"\n' >"$dir/flat.toml"
    measure flat-form "$n" "$KAIJI" --form-file "$dir/form.toml" lint "$dir/flat.toml" -f json
  done
fi
