#!/usr/bin/env bash
# Installs everything tsupervisor's demo, tests and benchmarks need on a fresh Debian machine
# (run as root): Debian packages, pnpm, the workspace (pnpm install builds it).
#   nginx-light   nginx in front of the FastCGI pools (e2e tests, demo)
#   golang-go     builds the Go FastCGI fixture (standard library only, no downloads)
#   php-cgi wrk   FastCGI with PHP, load tests
#   curl tmux     the demo's requests; terminal checks
#   hyperfine     scripts/bench/status-speed.mjs
#   chromium      headless, drives the live web page's test over the DevTools protocol (test/web-live)
#   supervisor    Debian's supervisor 4.2.5, run by hand only for comparisons (never as a service)
#   prometheus    promtool (the /metrics tests' referee) and a Prometheus server the tests start on
#                 loopback; prometheus-node-exporter for scripts/bench/metrics-scrape.mjs. Both ship
#                 services: the policy-rc.d below keeps them from starting, never run as a service
#   redis-server  a real sd_notify sender (`--supervised systemd`) for the ready=notify tests; it
#                 ships a service: kept from starting like the others, never run as a service
#   s6            s6-supervise with notification-fd and s6-svwait, beside which
#                 scripts/bench/ready-latency.mjs measures ready= (run by hand, never as a service)
#   gcc libc6-dev the daemon's native addon and exec shim (built at install)
#   gcc-aarch64-linux-gnu libc6-dev-arm64-cross musl-tools
#                 prebuilt arm64 and musl binaries for the npm package (scripts/pack.sh)
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.4.2

need_apt=()
want() { # want COMMAND PACKAGE...: queue the packages when the command is missing
  local cmd="$1"
  shift
  command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || need_apt+=("$@")
}
want nginx nginx-light
want go golang-go
want php-cgi php-cgi
want wrk wrk
want curl curl ca-certificates
want tmux tmux
want hyperfine hyperfine
want supervisord supervisor
want chromium chromium
want promtool prometheus
want prometheus-node-exporter prometheus-node-exporter
want cc gcc libc6-dev
want aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu libc6-dev-arm64-cross
want musl-gcc musl-tools
want python3 python3
want redis-server redis-server
want s6-svwait s6

if [ "${#need_apt[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  echo "setup: apt-get install ${need_apt[*]}"
  apt-get update -q
  # The supervisor, nginx and prometheus packages would start system-wide services where an init system
  # runs; a policy-rc.d that answers 101 keeps any service from starting (we only ever run
  # them by hand, on private configs). Keep an existing policy-rc.d as it is.
  own_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    own_policy=1
  fi
  rc=0
  apt-get install -y -q --no-install-recommends "${need_apt[@]}" || rc=$?
  [ "$own_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
  [ "$rc" = 0 ] || exit "$rc"
  # Under systemd, also keep them from starting at the next boot.
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    systemctl disable --now supervisor.service nginx.service prometheus.service prometheus-node-exporter.service redis-server.service >/dev/null 2>&1 || true
  fi
fi

# Nothing of Debian's may be left serving: a system supervisord, nginx, Prometheus or redis would hold the
# ports and sockets the tests and the demo use. Stop them through their own init scripts.
for svc in supervisor nginx prometheus prometheus-node-exporter redis-server; do
  if [ -x "/etc/init.d/$svc" ] && "/etc/init.d/$svc" status >/dev/null 2>&1; then
    echo "setup: stopping the system $svc service"
    "/etc/init.d/$svc" stop >/dev/null 2>&1 || true
  fi
done

if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "setup: npm i -g pnpm@$PNPM_VERSION"
  npm i -g "pnpm@$PNPM_VERSION"
fi
pnpm install --frozen-lockfile
