#!/usr/bin/env node
// Replays or records the differential conformance cases (test/conformance/NAME/ and
// packages/ctl/test/conformance/NAME/) with the runner in test/harness/conformance.
//
//   node scripts/conformance.mjs run [NAME...]      replay against tsupervisor (default: all)
//   node scripts/conformance.mjs record NAME...     record `expected` from Debian's supervisor
//
// Options: --cases DIR (a case folder other than the repository's two).
// Environment: DAEMON / CTL (word-split commands; default tsupervisor for run, supervisord /
// supervisorctl for record), STEP_TIMEOUT, READY_TIMEOUT (seconds).
// Prints PASS/FAIL/RECORDED per case (with a diff on FAIL), then a count; exit 0 when all pass.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const compiled = join(root, 'test', 'dist', 'harness', 'conformance');
if (!existsSync(join(compiled, 'runner.js'))) {
  console.error('conformance: the runner is not built (run pnpm run build)');
  process.exit(2);
}
const { caseFolders, missingPrerequisites, runCase, tsupervisorCommands } = await import(pathToFileURL(join(compiled, 'runner.js')).href);
const { listCases } = await import(pathToFileURL(join(compiled, 'case-format.js')).href);

const usage = 'usage: node scripts/conformance.mjs run|record [--cases DIR] [NAME...]';
const [mode, ...rest] = process.argv.slice(2);
if (mode !== 'run' && mode !== 'record') {
  console.error(usage);
  process.exit(2);
}
let folders = caseFolders;
const names = [];
for (let i = 0; i < rest.length; i++) {
  if (rest[i] === '--cases' && rest[i + 1]) folders = [resolve(rest[++i])];
  else if (rest[i].startsWith('-')) {
    console.error(usage);
    process.exit(2);
  } else names.push(rest[i]);
}
if (mode === 'record' && names.length === 0) {
  console.error('conformance: name the cases to record (recording every case at once is never needed)');
  process.exit(2);
}

const words = (s) => s.split(/\s+/).filter(Boolean);
const defaults = mode === 'record' ? { daemon: ['supervisord'], ctl: ['supervisorctl'] } : tsupervisorCommands();
const commands = {
  daemon: process.env.DAEMON ? words(process.env.DAEMON) : defaults.daemon,
  ctl: process.env.CTL ? words(process.env.CTL) : defaults.ctl,
};
const missing = missingPrerequisites(commands);
if (missing.length > 0) {
  console.error(`conformance: cannot run:\n  ${missing.join('\n  ')}`);
  process.exit(2);
}

const wanted = [];
for (const casesDir of folders) {
  for (const name of listCases(casesDir)) if (names.length === 0 || names.includes(name)) wanted.push({ casesDir, name });
}
const unknown = names.filter((n) => !wanted.some((w) => w.name === n));
if (unknown.length > 0) {
  console.error(`conformance: no such case: ${unknown.join(', ')} (in ${folders.join(', ')})`);
  process.exit(2);
}

// Ctrl-C stops the current case cleanly (its daemon is killed, its temp dir removed).
const abort = new AbortController();
process.once('SIGINT', () => abort.abort());
let passed = 0;
let failed = 0;
for (const { casesDir, name } of wanted) {
  if (abort.signal.aborted) break;
  const r = await runCase({ casesDir, name, ...commands, record: mode === 'record', signal: abort.signal });
  if (r.recorded) console.log(`RECORDED ${name} (${join(casesDir, name, 'expected')})`);
  else if (r.passed) console.log(`PASS ${name}`);
  else console.log(`FAIL ${name}\n${r.diff.replace(/^/gm, '    ')}`);
  if (r.passed) passed++;
  else failed++;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && !abort.signal.aborted ? 0 : 1);
