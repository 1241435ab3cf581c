#!/usr/bin/env bash
# Sets everything up and runs the demo (the README's first command).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node dist/src/cli/main.js --help
