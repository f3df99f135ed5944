#!/usr/bin/env bash
# Builds the npm package tsupervisor-<version>.tgz (see scripts/pack.mjs for what it holds) and
# prints its path on the last line. SKIP_BUILD=1 packs the tree as it is (after `pnpm run build`).
#   bash scripts/pack.sh && npm install -g ./dist/tsupervisor-*.tgz
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${SKIP_BUILD:-}" != 1 ]; then pnpm run build >&2; fi
node scripts/pack.mjs
