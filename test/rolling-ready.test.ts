/**
 * `restart --rolling` with ready= (issue 16): each replacement is awaited until it is ready
 * (its log: check, a second after its spawn), not only past startsecs (0 here), before the
 * next process of the pool is stopped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.js';

test('rolling restart waits for each replacement to be ready', { timeout: 90_000 }, async () => {
  const d = await h.startDaemon(`
[program:w]
command=sh -c 'sleep 1; echo "up"; exec sleep 100'
process_name=w_%(process_num)02d
numprocs=3
startsecs=0
ready=log:^up$
`);
  try {
    for (const n of ['w_00', 'w_01', 'w_02']) await d.waitState(`w:${n}`, 'RUNNING', 15_000);
    const t0 = Date.now();
    const r = await d.ctl(['restart', '--rolling', 'w:*'], 60_000);
    assert.equal(r.code, 0, JSON.stringify(r));
    assert.ok(Date.now() - t0 >= 3000, `three replacements, each ready a second after its spawn, took ${Date.now() - t0} ms`);
    const log = d.logs().split('--- supervisord.log')[1]!;
    const after = log.slice(log.indexOf('stopped: w_00'));
    for (const [i, next] of [['00', '01'], ['01', '02']] as const) {
      const ready = after.indexOf(`success: w_${i} entered RUNNING state, process is ready (ready=log:^up$)`);
      const stop = after.indexOf(`stopped: w_${next}`);
      assert.ok(ready >= 0 && stop > ready, `w_${next} was stopped before w_${i} was ready:\n${after}`);
    }
  } finally {
    await d.stop();
  }
});
