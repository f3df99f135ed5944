#!/usr/bin/env node
// The bundle (scripts/bundle.mjs, made by `pnpm run build`) starts fastest: one CommonJS
// file, so node never starts its ESM loader (about 10 ms of the ctl's ~65 ms). dist/src, the
// ES modules tsc writes, is the fallback.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const bundle = join(__dirname, '..', 'dist', 'tsupervisorctl.cjs');
if (existsSync(bundle)) require(bundle);
else import('../dist/src/main.js');
