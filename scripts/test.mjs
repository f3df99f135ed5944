#!/usr/bin/env node
// Runs every compiled test file with node's own test runner (`node --test`).
// Unit tests live beside each package (packages/*/test, compiled to packages/*/dist/test);
// integration and end-to-end tests live in test/ (compiled to test/dist).
// Pass file-name filters to run a subset: `node scripts/test.mjs config e2e`.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const roots = [
  ...readdirSync(join(root, 'packages')).map((p) => join(root, 'packages', p, 'dist', 'test')),
  join(root, 'test', 'dist'),
];

function walk(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = roots
  .flatMap((d) => walk(d, []))
  .filter((f) => filters.length === 0 || filters.some((w) => relative(root, f).includes(w)))
  .sort();
if (files.length === 0) {
  console.error('no test files found (did the build run?)');
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
// --test-force-exit: a file whose tests have all finished exits even if a failed test left a
// handle open (its daemons are killed by the harness's exit hook), so a failure cannot become a
// hang. --test-timeout bounds a test that sets no timeout of its own.
const result = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, '--test-force-exit', '--test-timeout=600000', ...files], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(result.status ?? 1);
