#!/usr/bin/env bash
# The GitHub Action (action.yml, .github/action/run.sh) without GitHub: the
# script run as the runner runs it, with INPUT_*, GITHUB_OUTPUT,
# GITHUB_STEP_SUMMARY and RUNNER_TEMP pointing to temporary files, on a
# passing and a failing sheet and on hostile inputs; the install step with a
# stand-in cargo that records its arguments; action.yml against the
# github-actions schema (check-jsonschema, offline).
#
#   .ci/action-test.sh DIR        DIR holds the kaiji to test (target/debug)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "${1:?usage: action-test.sh DIR-WITH-KAIJI}" && pwd)
[ -x "$bin/kaiji" ] || { echo "no kaiji in $bin" >&2; exit 2; }
venv=$("$root/.ci/venv.sh")
"$venv/check-jsonschema" --builtin-schema vendor.github-actions "$root/action.yml"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The workflows and pre-commit configuration `kaiji init` writes are valid too.
"$bin/kaiji" init hospital "$work/init-hospital" >/dev/null
"$bin/kaiji" init vendor "$work/init-vendor" >/dev/null
"$venv/check-jsonschema" --builtin-schema vendor.github-workflows \
  "$work/init-hospital/.github/workflows/kaiji.yml" "$work/init-vendor/.github/workflows/kaiji.yml"
"$venv/pre-commit" validate-config "$work/init-hospital/.pre-commit-config.yaml"
"$venv/pre-commit" validate-manifest "$root/.pre-commit-hooks.yaml"
script="$root/.github/action/run.sh"
ws="$work/ws" # the workspace the runner checked out
mkdir -p "$ws/sheets" "$ws/policies"
cp "$root/examples/sheets/aozora-cloud.toml" "$ws/sheets/pass.toml"
sed 's/^"17.1.d" = { answer = "はい"/"17.1.d" = { answer = "いいえ"/' "$ws/sheets/pass.toml" >"$ws/sheets/fail.toml"
grep -q '"17.1.d" = { answer = "いいえ"' "$ws/sheets/fail.toml"
cp "$root/policies/auth-two-factor.rhai" "$ws/policies/"

fails=0
die() {
  echo "FAIL: $*" >&2
  for f in out err output summary; do
    [ -s "$work/$f" ] && { echo "--- $f (first 40 lines)" >&2; head -40 "$work/$f" >&2; }
  done
  exit 1
}

# act WANT_CODE [VAR=VALUE...]: run the action's script in the workspace
# with a fresh runner environment plus the given variables.
act() {
  local want=$1 code=0
  shift
  rm -rf "$work/runner-temp"
  mkdir -p "$work/runner-temp"
  : >"$work/output"
  : >"$work/summary"
  : >"$work/path"
  (
    cd "$ws"
    env -i PATH="$bin:/usr/bin:/bin" HOME="$work" \
      RUNNER_TEMP="$work/runner-temp" GITHUB_OUTPUT="$work/output" GITHUB_STEP_SUMMARY="$work/summary" GITHUB_PATH="$work/path" \
      INPUT_SHEETS=sheets/ INPUT_POLICIES= INPUT_WAIVERS= INPUT_FAIL_ON=error INPUT_VERSION= \
      "$@" bash "$script"
  ) >"$work/out" 2>"$work/err" || code=$?
  [ "$code" -eq "$want" ] || die "exit $code, expected $want (with $*)"
}
has() { grep -qE -- "$2" "$work/$1" || die "expected /$2/ in $1"; }
hasnt() { ! grep -qE -- "$2" "$work/$1" || die "unexpected /$2/ in $1"; }
output() { sed -n "s/^$1=//p" "$work/output"; }

# ── a passing sheet ──
act 0 INPUT_SHEETS=sheets/pass.toml
[ ! -s "$work/path" ] || die "GITHUB_PATH written though kaiji was on PATH"
has out '^::group::PASS sheets/pass\.toml'
hasnt out '^::(error|warning)'
has output '^exit-code=0$'
sarif=$(output sarif)
[ -f "$sarif" ] || die "output sarif=$sarif is not a file"
case $sarif in "$work/runner-temp/"*) ;; *) die "the SARIF file is not under RUNNER_TEMP: $sarif" ;; esac
python3 - "$sarif" <<'PY' || die "SARIF of the passing run"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["version"] == "2.1.0", s["version"]
assert s["runs"][0]["results"] == [], s["runs"][0]["results"]
PY
has summary 'sheets/pass\.toml'
hasnt summary 'fail\.toml'

# ── a failing sheet beside it (the directory): exit 1, annotations, SARIF, summary ──
act 1
has out '^::error file=sheets/fail\.toml,line=[0-9]+.*::.*'
has out '^::group::FAIL sheets/fail\.toml'
has out '^::group::PASS sheets/pass\.toml'
has output '^exit-code=1$'
python3 - "$(output sarif)" <<'PY' || die "SARIF of the failing run"
import json, sys
s = json.load(open(sys.argv[1]))
results = s["runs"][0]["results"]
rules = {r["ruleId"] for r in results}
assert "H-AUTH-001" in rules, rules
uris = {l["physicalLocation"]["artifactLocation"]["uri"] for r in results for l in r["locations"]}
assert uris == {"sheets/fail.toml"}, uris
PY
has summary 'H-AUTH-001'
has summary 'sheets/fail\.toml'
[ "$(grep -c '' "$work/output")" -eq 2 ] || die "GITHUB_OUTPUT has more than sarif and exit-code"

# fail-on never: the findings are still annotated, the step passes.
act 0 INPUT_FAIL_ON=never
has out '^::error file=sheets/fail\.toml'
# The inputs the hospital's workflow gives: own policies, a waiver file.
printf '[[waiver]]\npolicy = "H-AUTH-001"\nvendor = "%s"\nreason = "次期更改で対応"\napprover = "情報部"\nexpires = "2099-12-31"\n' \
  "$(sed -n 's/^vendor = "\(.*\)"/\1/p' "$ws/sheets/fail.toml")" >"$ws/waivers.toml"
act 0 INPUT_POLICIES="policies/  " INPUT_WAIVERS=" waivers.toml" "INPUT_SHEETS=sheets/fail.toml	sheets/pass.toml"
has out '^::notice file=sheets/fail\.toml'
hasnt out '^::error'
has summary 'waived'

# ── hostile inputs: data, never code, never options ──
act 2 "INPUT_SHEETS=sheets/pass.toml
::error::forged"
has out '^::error title=kaiji action::input sheets: one line'
hasnt out 'forged'
[ ! -s "$work/output" ] || die "GITHUB_OUTPUT written for a refused input"
act 2 "INPUT_POLICIES=$(printf 'policies/\r')"
act 2 INPUT_FAIL_ON=sometimes
has out 'input fail-on'
act 2 "INPUT_VERSION=--config=evil"
act 2 INPUT_SHEETS="   "
# Shell syntax in a sheet name is a file name kaiji does not find (exit 2), never run.
act 2 'INPUT_SHEETS=$(touch pwned) `touch pwned` ;touch pwned'
[ ! -e "$ws/pwned" ] && [ ! -e "$work/pwned" ] || die "an input was executed"
# A sheet whose name looks like an option is read as a sheet (after --).
cp "$ws/sheets/pass.toml" "$ws/--help.toml"
act 0 INPUT_SHEETS=--help.toml
has out '^::group::PASS --help\.toml'
rm "$ws/--help.toml"
# A glob is kaiji's to expand, not the shell's (no pathname expansion in the script).
act 1 "INPUT_SHEETS=sheets/*.toml"
has out '^::group::FAIL sheets/fail\.toml'
# Vendor text on stderr (here a file name with a line break, in kaiji's note
# about files that are not sheets) is shown inside ::stop-commands:: so the
# runner reads no command from it.
mkdir -p "$ws/odd"
printf 'x = 1\n' >"$ws/odd/x
::warning::forged by the vendor.toml"
act 2 "INPUT_SHEETS=sheets/pass.toml odd/"
python3 - "$work/err" <<'PY' || die "vendor text outside ::stop-commands::"
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"^::stop-commands::([0-9a-f]{32})$(.*?)^::\1::$", text, re.S | re.M)
assert m and "forged by the vendor" in m.group(2), text
assert "forged by the vendor" not in text[: m.start()] + text[m.end() :], text
PY
hasnt out 'forged'
rm -r "$ws/odd"

# KAIJI_BIN: used when set; refused when it is not an executable file.
act 0 INPUT_SHEETS=sheets/pass.toml PATH=/usr/bin:/bin KAIJI_BIN="$bin/kaiji"
act 2 INPUT_SHEETS=sheets/pass.toml PATH=/usr/bin:/bin KAIJI_BIN="$ws/sheets/pass.toml"
has out 'KAIJI_BIN'

# ── installing: a stand-in cargo records its arguments and "installs" the real kaiji ──
fake="$work/fake-cargo"
mkdir -p "$fake"
cat >"$fake/cargo" <<SH
#!/bin/sh
printf '%s\n' "\$@" >"$work/cargo-args"
root=
while [ \$# -gt 0 ]; do [ "\$1" = --root ] && root=\$2; shift; done
mkdir -p "\$root/bin" && ln -sf "$bin/kaiji" "\$root/bin/kaiji"
SH
chmod +x "$fake/cargo"
args() { tr '\n' ' ' <"$work/cargo-args" | sed "s|$work/runner-temp|TEMP|g; s/ \$//"; }
act 1 PATH="$fake:/usr/bin:/bin" KAIJI_ACTION_REPOSITORY=example-org/kaiji KAIJI_ACTION_REF=v1.2.3
[ "$(args)" = "install --locked --quiet --root TEMP/kaiji-install --git https://github.com/example-org/kaiji --rev v1.2.3 kaiji" ] ||
  die "cargo install arguments: $(args)"
has out '^::error file=sheets/fail\.toml'
[ "$(cat "$work/path")" = "$work/runner-temp/kaiji-install/bin" ] || die "GITHUB_PATH: $(cat "$work/path")"
act 1 PATH="$fake:/usr/bin:/bin" KAIJI_ACTION_REPOSITORY=example-org/kaiji KAIJI_ACTION_REF=v1.2.3 INPUT_VERSION=0123abc
[ "$(args)" = "install --locked --quiet --root TEMP/kaiji-install --git https://github.com/example-org/kaiji --rev 0123abc kaiji" ] ||
  die "cargo install arguments with version: $(args)"
# A local action (`uses: ./`): no repository from the runner, the action's directory is the source.
act 1 PATH="$fake:/usr/bin:/bin" KAIJI_ACTION_PATH="$root"
[ "$(args)" = "install --locked --quiet --root TEMP/kaiji-install --path $root" ] || die "cargo install --path: $(args)"
act 2 PATH="$fake:/usr/bin:/bin" KAIJI_ACTION_REPOSITORY='evil/repo --config x'
act 2 PATH=/usr/bin:/bin
has out 'neither kaiji nor cargo'

# ── a report larger than a job summary may be: cut at a line, with a note ──
mkdir -p "$ws/many"
for i in $(seq -w 1 1000); do cp "$ws/sheets/fail.toml" "$ws/many/s$i.toml"; done
act 1 INPUT_SHEETS=many/
size=$(wc -c <"$work/summary")
[ "$size" -le 1048576 ] || die "summary of $size bytes"
has summary 'cut here'
[ "$(wc -c <"$(ls "$work"/runner-temp/kaiji.*/kaiji.md)")" -gt 1000000 ] || die "the report was not large enough to test the cut"

echo "ok: GitHub Action (action.yml and kaiji init's workflows valid; pass, fail, waivers, hostile inputs, install, summary size)"
