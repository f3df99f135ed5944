#!/usr/bin/env node
// Bundles tsupervisorctl into one ESM file (packages/ctl/dist/tsupervisorctl.mjs): the ctl runs
// in shell loops, and resolving and reading ~50 modules at every start cost ~13 ms of its ~80 ms
// (hyperfine, see BENCHMARKS.md). The bin prefers the bundle and falls back to dist/src.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
await build({
  entryPoints: [`${root}/packages/ctl/dist/src/main.js`],
  outfile: `${root}/packages/ctl/dist/tsupervisorctl.mjs`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
});
