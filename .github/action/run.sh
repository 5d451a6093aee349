#!/usr/bin/env bash
# The kaiji GitHub Action (action.yml at the repository root): find or
# install kaiji, check the sheets with annotations (`-f github`), write a
# SARIF report (output `sarif`) and a Markdown job summary. The exit code is
# kaiji's: 0 clean, 1 findings at or above fail-on, 2 something could not be
# evaluated (or an input of this action is wrong).
#
# Inputs arrive as INPUT_* environment variables and are data: each value is
# checked, split on whitespace into an array without pathname expansion and
# passed to kaiji as separate arguments (options as --name=VALUE, sheets
# after `--`), so neither a value nor a file name is ever executed, globbed
# by the shell or read as an option. Globs are expanded by kaiji itself.
#
# Tested without GitHub by .ci/action-test.sh.
set -euo pipefail
set -f # no pathname expansion anywhere: patterns are kaiji's to expand

# An error of this action: a workflow command with our own words only (an
# input's value never reaches the log as a command).
die() {
  printf '::error title=kaiji action::%s\n' "$1"
  exit 2
}

# ── inputs ──
# (bash 3.2 too, as macOS runners may have: no associative arrays, and
# ${a[@]+"${a[@]}"} for arrays that may be empty under set -u.)
shown() {
  case $1 in
    INPUT_FAIL_ON) echo fail-on ;;
    INPUT_*) echo "$1" | sed 's/^INPUT_//' | tr 'A-Z' 'a-z' ;;
    *) echo "$1" ;;
  esac
}
for name in INPUT_SHEETS INPUT_POLICIES INPUT_WAIVERS INPUT_FAIL_ON INPUT_VERSION KAIJI_BIN; do
  value=${!name-}
  # One line each: a line break would let a value forge a line of
  # GITHUB_OUTPUT or a workflow command; other control characters have no
  # place in a path either. Tabs separate like spaces.
  if [[ ${value//$'\t'/ } == *[[:cntrl:]]* ]]; then
    die "input $(shown "$name"): one line without control characters, please (separate paths with spaces)"
  fi
done

read -r -a sheets <<<"${INPUT_SHEETS-}"
read -r -a policies <<<"${INPUT_POLICIES-}"
waivers=${INPUT_WAIVERS-}
waivers=${waivers#"${waivers%%[![:space:]]*}"}
waivers=${waivers%"${waivers##*[![:space:]]}"}
fail_on=${INPUT_FAIL_ON:-error}
fail_on=${fail_on//[[:space:]]/}
version=${INPUT_VERSION-}
version=${version//[[:space:]]/}

[ "${#sheets[@]}" -gt 0 ] || die "input sheets: give at least one sheet file, directory or glob"
case $fail_on in
  error | warning | never) ;;
  *) die "input fail-on: error, warning or never" ;;
esac
# A git revision: no leading dash (it would be an option to cargo), no spaces.
ref_ok() { [[ $1 =~ ^[A-Za-z0-9_][A-Za-z0-9._/+-]*$ ]]; }
if [ -n "$version" ] && ! ref_ok "$version"; then
  die "input version: a tag, branch or commit of the kaiji repository (letters, digits, . _ / + -)"
fi

temp=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
[ -d "$temp" ] || die "RUNNER_TEMP is not a directory"

# ── kaiji ──
if [ -n "${KAIJI_BIN-}" ]; then
  kaiji=$KAIJI_BIN
  [ -f "$kaiji" ] && [ -x "$kaiji" ] || die "KAIJI_BIN does not name an executable file"
elif kaiji=$(command -v kaiji); then
  :
else
  command -v cargo >/dev/null || die "neither kaiji nor cargo is on PATH: install a Rust toolchain before this step (e.g. dtolnay/rust-toolchain@stable), or set KAIJI_BIN"
  root="$temp/kaiji-install"
  repo=${KAIJI_ACTION_REPOSITORY-}
  rev=${version:-${KAIJI_ACTION_REF-}}
  server=${GITHUB_SERVER_URL:-https://github.com}
  if [ -n "$repo" ] && [ -n "$rev" ]; then
    [[ $repo =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || die "the action's repository name is not owner/name"
    ref_ok "$rev" || die "the action's ref is not a git revision"
    [[ $server =~ ^https://[A-Za-z0-9.-]+(:[0-9]+)?$ ]] || die "GITHUB_SERVER_URL is not an https origin"
    echo "kaiji: installing $repo at $rev (cargo install, release profile; a few minutes the first time)"
    # `kaiji` named: the repository also holds the fuzz crate.
    cargo install --locked --quiet --root "$root" --git "$server/$repo" --rev "$rev" kaiji
  elif [ -z "$version" ] && [ -n "${KAIJI_ACTION_PATH-}" ] && [ -f "$KAIJI_ACTION_PATH/Cargo.toml" ]; then
    # A local action (`uses: ./`): the runner names no repository or ref,
    # and the action's directory is the source at the ref in use.
    echo "kaiji: installing from the action's directory (cargo install, release profile)"
    cargo install --locked --quiet --root "$root" --path "$KAIJI_ACTION_PATH"
  else
    die "cannot tell which kaiji to install (the runner gave no action repository): set KAIJI_BIN or put kaiji on PATH"
  fi
  kaiji="$root/bin/kaiji"
  [ -x "$kaiji" ] || die "cargo install left no kaiji in $root/bin"
  # Later steps of the job (`kaiji test` in a hospital's workflow) find it on PATH.
  [ -z "${GITHUB_PATH-}" ] || printf '%s\n' "$root/bin" >>"$GITHUB_PATH"
fi

# ── the runs ──
out=$(mktemp -d "$temp/kaiji.XXXXXXXX")
sarif="$out/kaiji.sarif"
markdown="$out/kaiji.md"

args=(check "--fail-on=$fail_on")
for p in ${policies[@]+"${policies[@]}"}; do args+=("--policy=$p"); done
[ -z "$waivers" ] || args+=("--waivers=$waivers")
# Three runs (annotations, SARIF, summary) of the same inputs, all judged on
# the same day: a waiver expiring at midnight between two runs must not
# make them disagree. Each takes milliseconds per sheet.
args+=("--date=$(date +%Y-%m-%d)")

# Vendor text reaches kaiji's diagnostics on stderr (a sheet's line, a
# file name). It is printed afterwards inside ::stop-commands::, so that no
# line of it is read as a workflow command; the annotations on stdout are
# kaiji's own escaped commands.
quoted() {
  local token
  token=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  echo "::stop-commands::$token"
  cat "$1"
  echo "::$token::"
}

set +e
"$kaiji" "${args[@]}" -f github -- "${sheets[@]}" 2>"$out/check.stderr"
code=$?
"$kaiji" "${args[@]}" -q -f sarif -o "$sarif" -- "${sheets[@]}" 2>"$out/sarif.stderr"
sarif_code=$?
"$kaiji" "${args[@]}" -q -f markdown -o "$markdown" -- "${sheets[@]}" 2>"$out/markdown.stderr"
markdown_code=$?
set -e

[ -s "$out/check.stderr" ] && quoted "$out/check.stderr" >&2
# The same inputs give the same verdict; a report run that ends otherwise
# could not write its file: say why, and let the worse code stand.
for run in sarif markdown; do
  c_name=${run}_code
  if [ "${!c_name}" -ne "$code" ]; then
    echo "kaiji: the $run report run ended with exit ${!c_name} (the check: $code):" >&2
    quoted "$out/$run.stderr" >&2
    [ "${!c_name}" -gt "$code" ] && code=${!c_name}
  fi
done

if [ -n "${GITHUB_OUTPUT-}" ]; then
  [ -f "$sarif" ] && printf 'sarif=%s\n' "$sarif" >>"$GITHUB_OUTPUT"
  printf 'exit-code=%s\n' "$code" >>"$GITHUB_OUTPUT"
fi

if [ -n "${GITHUB_STEP_SUMMARY-}" ]; then
  # GitHub refuses a step summary over 1 MiB (and then shows none): a
  # larger report is cut at a line, with a note where the whole one is.
  limit=$((1000 * 1000))
  if [ ! -f "$markdown" ]; then
    printf '## kaiji\n\nkaiji could not write the report (exit %s); see the step log.\n' "$code" >>"$GITHUB_STEP_SUMMARY"
  elif [ "$(wc -c <"$markdown")" -le "$limit" ]; then
    cat "$markdown" >>"$GITHUB_STEP_SUMMARY"
  else
    head -c "$limit" "$markdown" | sed '$d' >>"$GITHUB_STEP_SUMMARY"
    printf '\n\n**The report is longer than a job summary may be; it was cut here.** The whole of it: the SARIF output of this step, or `kaiji check -f markdown` locally.\n' >>"$GITHUB_STEP_SUMMARY"
  fi
fi

exit "$code"
