#!/usr/bin/env node
// Runs every compiled test file with node's own test runner (`node --test`).
// Unit tests live beside each package (packages/*/test, compiled to packages/*/dist/test);
// integration and end-to-end tests live in test/ (compiled to test/dist).
// Pass file-name filters to run a subset: `node scripts/test.mjs config e2e`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';
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
const args = ['--test', `--test-concurrency=${concurrency}`, '--test-force-exit', '--test-timeout=600000', ...files];
// The whole run is bounded too (TEST_RUN_MINUTES, default 40; a full run takes about 5 min):
// past it the runner and its test files (one process group) are killed, so CI fails with what
// was printed rather than timing out silently.
const limitMs = Number(process.env.TEST_RUN_MINUTES ?? 40) * 60_000;
const runner = spawn(process.execPath, args, { stdio: 'inherit', cwd: root, detached: true });
const killGroup = (signal) => {
  try {
    process.kill(-runner.pid, signal);
  } catch {
    // already gone
  }
};
function childrenOf(pid) {
  const out = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      for (const w of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ')) if (w.trim()) out.push(Number(w));
    }
  } catch {
    // gone
  }
  return out;
}
const timer = setTimeout(() => {
  console.error(`\ntest run: still running after ${limitMs / 60_000} min; killing it (a hang: see the last file above)`);
  // SIGTERM to each test file first: its harness then stops the daemons it started (the runner
  // itself, signalled, would cut them short); then the whole group.
  for (const pid of childrenOf(runner.pid)) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // gone
    }
  }
  setTimeout(() => killGroup('SIGKILL'), 5000).unref();
}, limitMs);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => killGroup(signal));
runner.on('exit', (code) => {
  clearTimeout(timer);
  process.exit(code ?? 1);
});
