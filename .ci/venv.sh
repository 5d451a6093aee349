#!/usr/bin/env bash
# The Python tools CI uses, from PyPI into a venv under the target
# directory (ignored by git, removed by `cargo clean`): pre-commit for the
# hook test, check-jsonschema for action.yml. Versions pinned: a new release
# must not change what CI checks without a commit saying so.
# Prints the venv's bin directory.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${CARGO_TARGET_DIR:-target}/ci-venv"
want="pre-commit==4.7.0 check-jsonschema==0.39.0"
if [ ! -x "$venv/bin/pre-commit" ] || [ ! -x "$venv/bin/check-jsonschema" ] || [ "$(cat "$venv/.pins" 2>/dev/null)" != "$want" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  # shellcheck disable=SC2086 # the pins are words
  "$venv/bin/pip" install --quiet --disable-pip-version-check $want >&2
  echo "$want" >"$venv/.pins"
fi
cd "$venv/bin" && pwd
