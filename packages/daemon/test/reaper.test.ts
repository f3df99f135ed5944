// The orphan reaper (src/reaper.ts) in this very process: it must reap adopted orphans and never
// a pid that child_process owns, even when sweeping in a tight loop while children exit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../src/logger.js';
import { directChildren, ownsChildProcess, startReaper } from '../src/reaper.js';

const lines: string[] = [];
const logger: Logger = { log: (level, message) => void lines.push(`${level} ${message}`) };
const reaper = startReaper(logger, { sweepMs: 50 });
test.after(() => reaper.stop());

function run(args: string[]): Promise<{ code: number | null; signal: string | null; pid: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', args, { stdio: 'ignore' });
    child.on('error', reject);
    assert.ok(ownsChildProcess(child.pid!), 'a spawned pid is recorded at once');
    child.on('exit', (code, signal) => resolve({ code, signal, pid: child.pid! }));
  });
}

test('child_process children keep their exit statuses while the reaper sweeps constantly', async () => {
  let sweeping = true;
  const loop = (async () => {
    while (sweeping) {
      reaper.sweep();
      await new Promise((r) => setImmediate(r));
    }
  })();
  const results = await Promise.all(Array.from({ length: 40 }, (_, i) => run(['-c', `sleep 0.0${i % 10}; exit ${i % 7}`])));
  sweeping = false;
  await loop;
  results.forEach((r, i) => assert.equal(r.code, i % 7, `child ${i} (pid ${r.pid})`));
  for (const r of results) assert.ok(!ownsChildProcess(r.pid), 'forgotten after exit');
  assert.doesNotMatch(lines.join('\n'), new RegExp(`reaped orphan pid (${results.map((r) => r.pid).join('|')}) `));
});

test('an adopted orphan is reaped with its status; no zombie is left', async () => {
  // The shell exits at once; its background sleep is orphaned onto us (we are a subreaper).
  const { code } = await run(['-c', 'sleep 0.2 & echo $! >/dev/null; exit 0']);
  assert.equal(code, 0);
  const orphans = directChildren();
  assert.equal(orphans.length, 1, `one adopted child: ${orphans}`);
  const [orphan] = orphans;
  await sleep(600);
  assert.deepEqual(directChildren(), [], 'reaped: not even a zombie');
  assert.match(lines.join('\n'), new RegExp(`debug reaped orphan pid ${orphan} \\(exit status 0\\)`));
});
