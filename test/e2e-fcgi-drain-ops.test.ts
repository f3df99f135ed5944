// socket_drain=true (docs/fastcgi.md) beyond restart: `update` with numprocs 6 → 3 and `stop` of
// one worker under a loop of 12 clients through nginx, in front of the seed article's Go workers
// that die on SIGTERM in the middle of their requests (1 s each): every request answered 200,
// because the workers being stopped get no new connection and are signalled only once they hold
// none. Each test fails if the stop path skips the drain (the signalled worker held requests).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.js';
import { assertAll200, workerNames } from './fcgi-pool.js';
import { ctlOk, drainPool, loadDuring, PROGRAM, type DrainPool } from './fcgi-drain-pool.js';

const skip = h.defaultImpl === 'supervisor' ? 'tsupervisor extension (socket_drain)' : false;
const SIX = workerNames(PROGRAM, 6);
const pools: DrainPool[] = [];

after(async () => {
  for (const p of pools) await p.stop();
});

async function pool(numprocs: number): Promise<DrainPool> {
  const p = await drainPool({ numprocs, drain: true });
  pools.push(p);
  await p.running(workerNames(PROGRAM, numprocs));
  return p;
}

test('socket_drain: update with numprocs 6 → 3 under load fails no request', { skip }, async (t) => {
  const p = await pool(6);
  const before = await p.running(SIX);
  p.writeSections(p.section(3));
  const counts = await loadDuring(p, [async () => void (await ctlOk(p, ['update']))]);
  const kept = await p.running(SIX.slice(0, 3));
  for (const n of SIX.slice(0, 3)) assert.equal(kept.get(n), before.get(n), `${n} was restarted`);
  const names = (await p.d.status()).map((r) => r.name);
  for (const n of SIX.slice(3)) assert.ok(!names.includes(n), `${n} is still there: ${names.join(' ')}`);
  // 12 clients × 1 s requests for ~3 s and more
  assertAll200(counts, 'update 6 → 3 with socket_drain', p.context(), 30);
  t.diagnostic(h.describeCounts(counts));
});

test('socket_drain: stop of one worker under load fails no request', { skip }, async (t) => {
  const p = await pool(4);
  const [first, ...rest] = workerNames(PROGRAM, 4);
  const counts = await loadDuring(p, [async () => void (await ctlOk(p, ['stop', first!]))]);
  assert.equal((await p.d.waitState(first!, 'STOPPED')).state, 'STOPPED');
  await p.running(rest);
  assertAll200(counts, 'stop of one worker with socket_drain', p.context(), 30);
  t.diagnostic(h.describeCounts(counts));
});
