#!/usr/bin/env bash
# The README's first command: a one-machine SlapOS node running the hello
# example (examples/hello), end to end, with the `slapos` command.
#
#   bash scripts/demo.sh          set up, then deploy (again: it is idempotent)
#   bash scripts/demo.sh stop     stop what the demo started (services, supervisord, proxy)
#
# Everything lives under one base directory: $SLAPOS_DEMO_DIR (default ./.demo).
# Ports: $SLAPOS_DEMO_PROXY_PORT for the proxy (default 28080; written into
# slapos.cfg the first time), $SLAPOS_DEMO_PORT for the hello service
# (default 28081; an instance parameter, so changing it redeploys).
#
# As a person, the node is a non-root one: everything runs as you. As root,
# slapformat creates the users SlapOS works with (slapsoft builds software,
# slapuserN runs partition N), as on a production node; the network is left
# untouched (partitions get 127.11.x.y loopback addresses).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
# relative to where the person runs the command
base=$(realpath -m -- "${SLAPOS_DEMO_DIR:-$repo/.demo}")
cd "$repo"
umask 022

proxy_port=${SLAPOS_DEMO_PROXY_PORT:-28080}
service_port=${SLAPOS_DEMO_PORT:-28081}
instance_name=hello-demo
software=$repo/examples/hello/software.cfg
cfg=$base/etc/opt/slapos/slapos.cfg
log=$base/demo.log
proxy_pid=$base/opt/slapos/var/run/slapproxy.pid
proxy_out=$base/opt/slapos/log/slapproxy-console.log
supervisord_pid=$base/srv/slapgrid/var/run/supervisord.pid
max_instance_passes=6

slapos() { node "$repo/dist/src/cli/main.js" "$@"; }

# One line per step: "what… done"; the commands' own output goes to $log,
# whose end is shown when a step fails.
step() {
  local what=$1
  shift
  printf '%s… ' "$what"
  echo "=== $(date '+%F %T') $what: $*" >>"$log"
  if "$@" >>"$log" 2>&1; then
    echo done
  else
    echo FAILED
    echo "--- end of $log:" >&2
    tail -n 25 "$log" >&2
    exit 1
  fi
}

# True when the pid file names a live process whose command line has $2.
running() {
  local pid
  [ -f "$1" ] || return 1
  pid=$(cat "$1")
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$2"
}

# Prints the value of connection parameter $1 of the demo's instance, or nothing.
connection_parameter() {
  slapos request "$instance_name" "$software" --cfg "$cfg" --parameters "port=$service_port" --format json 2>>"$log" \
    | node -e 'let s = ""; process.stdin.on("data", (d) => { s += d; }).on("end", () => {
        const value = JSON.parse(s)["connection-parameters"][process.argv[1]];
        if (typeof value === "string") process.stdout.write(value);
      });' "$1" || true
}

# Prints what URL $1 answers, or fails.
fetch_once() {
  node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(5000) }).then(async (r) => {
    if (r.status !== 200) throw new Error(`answered ${r.status}`);
    process.stdout.write(await r.text());
  }).catch((e) => { console.error(`${process.argv[1]}: ${e.message}`); process.exit(1); });' "$1"
}

configure() {
  slapos configure local --base-directory "$base" --no-link-client-config \
    --daemon-listen-port "$proxy_port" --partition-number 4 --ipv4-local-network 127.11.0.0/16 || return 1
  if [ "$(id -u)" = 0 ]; then
    # root: slapgrid drops privileges to the owner of each directory it
    # works in, never to root, so slapformat must create the owners
    sed -i 's/^alter_user = false$/alter_user = true/' "$cfg"
  fi
}

# As root, software is built and services run as unprivileged users: they
# must be able to read this checkout and reach the base directory.
check_reachable() {
  [ "$(id -u)" = 0 ] || return 0
  if ! setpriv --reuid=65534 --regid=65534 --clear-groups -- \
      test -r "$repo/dist/src/cli/main.js" -a -r "$software" -a -x "$base"; then
    echo "As root, the demo builds and runs software as unprivileged users (slapsoft, slapuserN)," >&2
    echo "but they cannot read $repo or reach $base (is a parent directory such as /root mode 700?)." >&2
    echo "Put the checkout where others can read it (e.g. /opt/slapos.ts), or set SLAPOS_DEMO_DIR." >&2
    exit 1
  fi
}

start_proxy() {
  mkdir -p "$(dirname "$proxy_pid")" "$(dirname "$proxy_out")"
  nohup node "$repo/dist/src/cli/main.js" proxy start --cfg "$cfg" >"$proxy_out" 2>&1 </dev/null &
  echo $! >"$proxy_pid"
  local master_url
  master_url=$(sed -n 's/^master_url = //p' "$cfg")
  for _ in $(seq 50); do
    if ! running "$proxy_pid" 'proxy start'; then
      echo "the proxy stopped; its output ($proxy_out):"
      cat "$proxy_out"
      echo "(port busy? The port is in $cfg, [slapproxy] port and master_url: edit both,"
      echo " or remove $base and run again with SLAPOS_DEMO_PROXY_PORT=another port.)"
      return 1
    fi
    # any HTTP answer means it listens
    node -e 'fetch(process.argv[1]).then(() => process.exit(0), () => process.exit(1))' "$master_url" && return 0
    sleep 0.2
  done
  echo "the proxy does not answer on $master_url"
  return 1
}

# `node instance` until the instance has published its URL and the URL
# answers: the first pass may end before the service listens.
deploy_instance() {
  local pass url
  for pass in $(seq "$max_instance_passes"); do
    echo "--- node instance, pass $pass" >>"$log"
    slapos node instance --cfg "$cfg" --now >>"$log" 2>&1 || echo "(pass $pass did not complete)" >>"$log"
    url=$(connection_parameter url)
    if [ -n "$url" ] && fetch_once "$url" >/dev/null 2>&1; then
      return 0
    fi
  done
  echo "no answering URL after $max_instance_passes passes of node instance" >&2
  return 1
}

stop() {
  if running "$supervisord_pid" supervisord; then
    step "Stopping the instances' services and supervisord" slapos node supervisorctl --cfg "$cfg" shutdown
  else
    echo "supervisord: not running"
  fi
  if running "$proxy_pid" 'proxy start'; then
    step "Stopping the proxy" stop_proxy
  else
    echo "proxy: not running"
  fi
}

stop_proxy() {
  local pid
  pid=$(cat "$proxy_pid")
  kill "$pid"
  for _ in $(seq 50); do
    [ -d "/proc/$pid" ] || { rm -f "$proxy_pid"; return 0; }
    sleep 0.2
  done
  echo "proxy $pid does not stop"
  return 1
}

case "${1:-start}" in
  stop)
    stop
    exit 0
    ;;
  start) ;;
  *)
    echo "usage: bash scripts/demo.sh [start|stop]" >&2
    exit 2
    ;;
esac

mkdir -p "$base"
echo "slapos.ts demo in $base (details in $log)"
step "Setting up (Debian and npm packages, build)" bash scripts/setup.sh
check_reachable
if [ -f "$cfg" ]; then
  echo "Configuring a local node… already configured ($cfg)"
else
  step "Configuring a local node ($cfg)" configure
fi
if running "$proxy_pid" 'proxy start'; then
  echo "Starting the proxy… already running (pid $(cat "$proxy_pid"))"
else
  step "Starting the proxy on port $(sed -n 's/^port = //p' "$cfg")" start_proxy
fi
step "Formatting the node (partitions, addresses)" slapos node format --cfg "$cfg" --now
step "Supplying the hello software release" slapos supply "$software" local_computer --cfg "$cfg"
step "Installing it (node software)" slapos node software --cfg "$cfg" --now
step "Requesting the instance $instance_name" slapos request "$instance_name" "$software" --cfg "$cfg" --parameters "port=$service_port"
step "Deploying it (node instance)" deploy_instance
url=$(connection_parameter url)
echo "The instance answers at $url :"
fetch_once "$url" | sed 's/^/  /'
echo
echo "$ slapos proxy show --cfg $cfg"
slapos proxy show --cfg "$cfg"
echo
echo "Stop everything with: bash scripts/demo.sh stop"
