#!/usr/bin/env node
// Bundles the two programs with esbuild after tsc (`pnpm run build`); each bin prefers its
// bundle and falls back to the ES modules in dist/src.
//
// - tsupervisorctl → packages/ctl/dist/tsupervisorctl.cjs, one CommonJS file: the ctl runs in
//   shell loops, and resolving and reading ~50 modules at every start cost ~13 ms of its ~80 ms;
//   loading even one ES module starts node's ESM loader, about 10 ms more than a CommonJS
//   require (hyperfine, see BENCHMARKS.md).
// - tsupervisord → packages/daemon/dist/bundle/tsupervisord.js, ESM, with the modules it loads
//   only on demand (the XML-RPC/HTTP side) split into chunks: ~85 module records, their scopes
//   and the loader's bookkeeping cost an idle daemon about 4 MB of heap (anonymous memory 16 →
//   12 MB with 6 workers).
// - `tsupervisorctl top` → packages/ctl/dist/tsupervisorctl-top.cjs, apart: the main bundle
//   (read by every command) keeps `import('../top/index.js')` as a require of that file, so
//   `status` does not parse top's ~28 KB (see docs/live.md for the measure).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** `top`'s code stays out of the main ctl bundle: it is required from its own file beside it. */
const topApart = {
  name: 'top-apart',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/top\/index\.js$/ }, () => ({ path: './tsupervisorctl-top.cjs', external: true }));
  },
};
// chunk names carry a hash: start from an empty folder so old ones do not pile up
rmSync(`${root}/packages/daemon/dist/bundle`, { recursive: true, force: true });
await Promise.all([
  build({
    entryPoints: [`${root}/packages/ctl/dist/src/main.js`],
    outfile: `${root}/packages/ctl/dist/tsupervisorctl.cjs`,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // `top`'s file is loaded with require(), not import(): the bin compiles the bundle with
    // node:vm (for its code cache), whose import() would need an experimental loader
    supported: { 'dynamic-import': false },
    logLevel: 'warning',
    plugins: [topApart],
  }),
  build({
    entryPoints: [`${root}/packages/ctl/dist/src/top/index.js`],
    outfile: `${root}/packages/ctl/dist/tsupervisorctl-top.cjs`,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
  }),
  build({
    entryPoints: { tsupervisord: `${root}/packages/daemon/dist/src/main.js` },
    outdir: `${root}/packages/daemon/dist/bundle`,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
  }),
]);

// The ctl's V8 code cache (bin/tsupervisorctl.cjs): the bundle ends with a build id, and one
// run of the bin (a `status` that finds no server: options, configuration, connection and error
// paths) writes the cache behind that id, its lazily compiled functions included.
const ctlBundle = `${root}/packages/ctl/dist/tsupervisorctl.cjs`;
rmSync(`${ctlBundle}.cache`, { force: true });
appendFileSync(ctlBundle, `//# tsv-build ${createHash('sha256').update(readFileSync(ctlBundle)).digest('hex').slice(0, 16)}\n`);
const cached = spawnSync(process.execPath, [`${root}/packages/ctl/bin/tsupervisorctl.cjs`, '-s', 'unix:///nonexistent/tsupervisor.sock', 'status'], {
  env: { ...process.env, TSUPERVISORCTL_CODE_CACHE: 'write' },
  stdio: 'ignore',
});
if (!existsSync(`${ctlBundle}.cache`)) throw new Error(`the ctl's code cache was not written (${cached.error ?? `exit ${cached.status}`})`);
