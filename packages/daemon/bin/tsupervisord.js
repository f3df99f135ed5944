#!/usr/bin/env node
// The bundle (scripts/bundle.mjs, made by `pnpm run build`) keeps an idle daemon's heap smaller
// than ~85 separate modules; dist/src, the ES modules tsc writes, is the fallback.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/bundle/tsupervisord.js', import.meta.url);
await import(existsSync(bundle) ? bundle.href : '../dist/src/main.js');
