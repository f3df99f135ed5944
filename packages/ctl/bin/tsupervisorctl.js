#!/usr/bin/env node
// The bundle (scripts/bundle-ctl.mjs, made by `pnpm run build`) starts faster; dist/src is the fallback.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/tsupervisorctl.mjs', import.meta.url);
await import(existsSync(bundle) ? bundle.href : '../dist/src/main.js');
