#!/usr/bin/env bash
# Installs what slapos.ts needs on a Debian machine with Node 20: the Debian
# packages its real parts use (when missing and when root) and the npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."
want=()
command -v supervisord >/dev/null 2>&1 || want+=(supervisor)
command -v ip >/dev/null 2>&1 || want+=(iproute2)
if [ "${SLAPOS_SETUP_TEST:-0}" = 1 ]; then
  python3 -c 'import zc.buildout' >/dev/null 2>&1 || dpkg -s python3-zc.buildout >/dev/null 2>&1 || want+=(python3-zc.buildout)
  dpkg -s python3-jinja2 >/dev/null 2>&1 || want+=(python3-jinja2)
fi
if [ "${#want[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages: ${want[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${want[@]}" >/dev/null
  else
    echo "setup: missing Debian packages (install them as root): ${want[*]}" >&2
  fi
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npx tsc -p tsconfig.json
