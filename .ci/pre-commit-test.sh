#!/usr/bin/env bash
# The pre-commit hooks of .pre-commit-hooks.yaml, as a user's repository runs
# them: a temporary git repository with a passing and a failing sheet,
# `pre-commit try-repo <this repository> HOOK --all-files` → Failed with the
# finding in the output, then Passed once the failing sheet is gone.
#
#   .ci/pre-commit-test.sh DIR        DIR holds the kaiji to test (target/debug)
#   KAIJI_HOOK_RUST=1 .ci/pre-commit-test.sh DIR
#                                     also the `language: rust` hook, which
#                                     builds kaiji with `cargo install --path .`
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "${1:?usage: pre-commit-test.sh DIR-WITH-KAIJI}" && pwd)
[ -x "$bin/kaiji" ] || { echo "no kaiji in $bin" >&2; exit 2; }
venv=$("$root/.ci/venv.sh")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME="$work/cache" # not the user's ~/.cache
export PATH="$bin:$venv:$PATH"

repo="$work/vendor-repo"
mkdir -p "$repo/sheets"
cd "$repo"
git init -q
git config user.email ci@example.invalid
git config user.name ci
cp "$root/examples/sheets/aozora-cloud.toml" sheets/pass.toml
# The same sheet without two-factor authentication: fails H-AUTH-001.
sed 's/^"17.1.d" = { answer = "はい"/"17.1.d" = { answer = "いいえ"/' sheets/pass.toml >sheets/fail.toml
grep -q '"17.1.d" = { answer = "いいえ"' sheets/fail.toml
echo "# a vendor's sheets" >README.md
git add -A

# try_hook HOOK WANT_CODE: run it, check the exit code and the verdict line.
try_hook() {
  local hook=$1 want=$2 code=0
  pre-commit try-repo "$root" "$hook" --all-files --verbose >"$work/out" 2>&1 || code=$?
  if [ "$code" -ne "$want" ]; then
    echo "FAIL: $hook exited $code, expected $want:" >&2
    cat "$work/out" >&2
    exit 1
  fi
}
expect() {
  if ! grep -qE -- "$1" "$work/out"; then
    echo "FAIL: expected /$1/ in the output of pre-commit:" >&2
    cat "$work/out" >&2
    exit 1
  fi
}
reject() {
  if grep -qE -- "$1" "$work/out"; then
    echo "FAIL: unexpected /$1/ in the output of pre-commit:" >&2
    cat "$work/out" >&2
    exit 1
  fi
}

hooks=(kaiji-check-system)
[ "${KAIJI_HOOK_RUST:-0}" = 1 ] && hooks+=(kaiji-check)
for hook in "${hooks[@]}"; do
  git add -A
  try_hook "$hook" 1
  expect '\.+Failed$'
  expect 'FAIL +sheets/fail\.toml'
  expect 'H-AUTH-001'
  expect '17\.1\.d'
  expect 'PASS +sheets/pass\.toml'
  reject 'README'

  git rm -q --cached sheets/fail.toml
  mv sheets/fail.toml "$work/fail.toml"
  try_hook "$hook" 0
  expect '\.+Passed$'
  expect 'PASS +sheets/pass\.toml'
  reject 'fail\.toml'
  mv "$work/fail.toml" sheets/fail.toml
  echo "ok: pre-commit hook $hook (Failed on the failing sheet, Passed without it)"
done
