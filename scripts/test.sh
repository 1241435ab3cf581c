#!/usr/bin/env bash
# Builds the project and runs every test file under test/ with node's test
# runner (its closing summary is what CI reads). Extra arguments are passed to
# `node --test`, e.g. `bash scripts/test.sh --test-name-pattern codec`.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.json
mapfile -t files < <(find dist/test -name '*.test.js' | sort)
if [ "${#files[@]}" -eq 0 ]; then
  echo "no test files found under dist/test" >&2
  exit 1
fi
exec node --test --test-concurrency=2 --test-timeout=300000 "$@" "${files[@]}"
