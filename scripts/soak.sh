#!/usr/bin/env bash
# A longer run than the test suite's bounded tests: tsupervisord with ~140 programs under every
# kind of load and fault at once (scripts/soak.mjs), sampling RSS, fds and CPU, failing if the
# daemon dies, a ctl call fails, an uncaught error is logged, or RSS/fds keep growing.
#
#   scripts/soak.sh                 # 10 minutes
#   SOAK_MINUTES=60 scripts/soak.sh
#   SOAK_SAMPLE_S=30 SOAK_MINUTES=240 scripts/soak.sh > soak.log
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f test/dist/harness.js ] || pnpm run build
exec node scripts/soak.mjs
