#!/usr/bin/env bash
# Installs everything tsupervisor's demo and tests need on a fresh Debian machine:
# Debian packages (nginx, Go, php-cgi, wrk, supervisor for comparisons), pnpm, the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need_apt+=(nginx-light)
command -v go >/dev/null 2>&1 || need_apt+=(golang-go)
command -v php-cgi >/dev/null 2>&1 || need_apt+=(php-cgi)
command -v wrk >/dev/null 2>&1 || need_apt+=(wrk)
command -v tmux >/dev/null 2>&1 || need_apt+=(tmux)
command -v supervisord >/dev/null 2>&1 || need_apt+=(supervisor)
command -v cc >/dev/null 2>&1 || need_apt+=(gcc libc6-dev)
if [ "${#need_apt[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # supervisor's package would start a system-wide supervisord where an init system runs;
  # policy-rc.d keeps any service from starting: we only ever run it by hand.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get install -y -q --no-install-recommends "${need_apt[@]}"
  rm -f /usr/sbin/policy-rc.d
fi

if ! command -v pnpm >/dev/null 2>&1; then
  npm i -g pnpm@12.4.2
fi
pnpm install --frozen-lockfile
