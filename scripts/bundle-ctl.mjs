#!/usr/bin/env node
// Bundles tsupervisorctl into one CommonJS file (packages/ctl/dist/tsupervisorctl.cjs): the ctl
// runs in shell loops, and resolving and reading ~50 modules at every start cost ~13 ms of its
// ~80 ms; loading one ES module still starts node's ESM loader, about 10 ms more than a
// CommonJS require (hyperfine, see BENCHMARKS.md). The bin (bin/tsupervisorctl.cjs) prefers the
// bundle and falls back to dist/src.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
await build({
  entryPoints: [`${root}/packages/ctl/dist/src/main.js`],
  outfile: `${root}/packages/ctl/dist/tsupervisorctl.cjs`,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
});
