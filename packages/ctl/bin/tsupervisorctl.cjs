#!/usr/bin/env node
// The bundle (scripts/bundle.mjs, made by `pnpm run build`) starts fastest: one CommonJS
// file, so node never starts its ESM loader (about 10 ms of the ctl's ~65 ms). dist/src, the
// ES modules tsc writes, is the fallback.
//
// Beside the bundle, the build writes V8's code cache for it (tsupervisorctl.cjs.cache: the
// bundle's functions as compiled by one run, behind the build id that ends the bundle). With
// it node neither parses nor compiles them again: ~5 ms of a ~43 ms `status` (BENCHMARKS.md).
// V8 refuses a cache made by another node version (or flags): the bundle is then compiled as
// without one. TSUPERVISORCTL_CODE_CACHE=write: this run writes the cache (the build does);
// =report: says on stderr whether it was used (tests).
'use strict';
const fs = require('node:fs');
const { join } = require('node:path');

const bundle = join(__dirname, '..', 'dist', 'tsupervisorctl.cjs');
if (!fs.existsSync(bundle)) import('../dist/src/main.js');
else runBundle(bundle, `${bundle}.cache`);

/** The bundle run as require() would, compiled with the code cache when it is this bundle's. */
function runBundle(file, cacheFile) {
  const vm = require('node:vm');
  const Module = require('node:module');
  const source = fs.readFileSync(file, 'utf8');
  // the bundle's last line: `//# tsv-build <hash of the rest>` (scripts/bundle.mjs)
  const id = /\/\/# tsv-build (\w+)\n?$/.exec(source.slice(-80))?.[1];
  const writing = process.env.TSUPERVISORCTL_CODE_CACHE === 'write';
  let cachedData;
  if (id && !writing) {
    try {
      const cache = fs.readFileSync(cacheFile);
      const header = Buffer.from(`${id}\n`, 'latin1');
      if (cache.subarray(0, header.length).equals(header)) cachedData = cache.subarray(header.length);
    } catch {
      // no cache: compiled as usual
    }
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  if (process.env.TSUPERVISORCTL_CODE_CACHE === 'report') {
    process.stderr.write(`code cache: ${!cachedData ? 'none' : script.cachedDataRejected ? 'refused' : 'used'}\n`);
  }
  const mod = new Module(file, module);
  mod.filename = file;
  if (writing && id) {
    // after the run: the functions it compiled lazily are in the cache too
    process.on('exit', () => fs.writeFileSync(cacheFile, Buffer.concat([Buffer.from(`${id}\n`, 'latin1'), script.createCachedData()])));
  }
  const dir = join(__dirname, '..', 'dist');
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, dir);
}
