/**
 * A storm: 100 programs that exit at once, together. Each goes BACKOFF and then FATAL after
 * startretries, as supervisor does; the daemon's CPU stays low through it (measured from
 * /proc/<pid>/stat), a healthy program is untouched and the ctl answers promptly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';

const N = 100;
const RETRIES = 2;

test(`${N} programs that exit at once: BACKOFF then FATAL per startretries; daemon CPU low, others unaffected`, { timeout: 90_000 }, async (t) => {
  let conf = `
[program:healthy]
command=sleep 1000
startsecs=0
`;
  // startsecs well above any spawn delay on a loaded machine: /bin/false must never count as
  // started (that would reset its retries); the backoff delays (1 s, 2 s) do not depend on it.
  for (let i = 0; i < N; i++) conf += `\n[program:crash${i}]\ncommand=/bin/false\nstartsecs=10\nstartretries=${RETRIES}\n`;
  const d = await h.startDaemon(conf, { readyTimeoutMs: 30_000 });
  try {
    const t0 = Date.now();
    const cpu0 = h.cpuMs(d.pid);
    const healthy = await d.waitState('healthy', 'RUNNING');
    const seen = new Set<string>();
    let slowest = 0;
    await h.waitFor(
      'every crashing program to be FATAL',
      async () => {
        const s0 = Date.now();
        const rows = await d.status();
        slowest = Math.max(slowest, Date.now() - s0);
        for (const r of rows) if (r.name.startsWith('crash')) seen.add(r.state);
        return rows.filter((r) => r.name.startsWith('crash') && r.state === 'FATAL').length === N;
      },
      30_000,
      200,
    );
    const wall = Date.now() - t0;
    const cpu = h.cpuMs(d.pid) - cpu0;
    t.diagnostic(`storm: ${N} programs FATAL after ${wall} ms; daemon CPU ${cpu} ms (${((cpu / wall) * 100).toFixed(1)}% of one core); slowest status ${slowest} ms`);
    assert.ok(seen.has('BACKOFF'), `BACKOFF was seen (states seen: ${[...seen]})`);

    const log = readFileSync(join(d.dir, 'supervisord.log'), 'utf8');
    for (let i = 0; i < N; i++) {
      const spawns = log.match(new RegExp(`spawned: 'crash${i}' with pid`, 'g'))?.length ?? 0;
      assert.equal(spawns, RETRIES + 1, `crash${i} spawned ${spawns} times`);
      assert.match(log, new RegExp(`gave up: crash${i} entered FATAL state, too many start retries too quickly`));
    }
    const after = (await d.status('healthy'))[0]!;
    assert.equal(after.state, 'RUNNING');
    assert.equal(after.pid, healthy.pid, 'the healthy program was not restarted');
    // Three rounds of 100 spawns in about 4 s; measured ~7% of a core (supervisord: the same).
    assert.ok(cpu / wall < 0.3, `daemon CPU ${cpu} ms over ${wall} ms`);
    assert.ok(slowest < 3000, `status took up to ${slowest} ms during the storm`);
  } catch (e) {
    (e as Error).message += `\n${d.logs().slice(-3000)}`;
    throw e;
  } finally {
    await d.stop();
  }
});
