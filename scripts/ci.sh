#!/usr/bin/env bash
# Sets everything up and runs the whole test suite (the README's second command).
set -euo pipefail
cd "$(dirname "$0")/.."
SLAPOS_SETUP_TEST=1 bash scripts/setup.sh
npx eslint src test bench
exec bash scripts/test.sh
