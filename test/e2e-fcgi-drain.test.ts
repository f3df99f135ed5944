// socket_drain=true (docs/fastcgi.md): nginx → four Go workers that die on SIGTERM in the middle
// of their requests (ON_SIGTERM=exit; each request sleeps 1 s), twelve clients looping on it.
// With the drain, `restart fastcgi_test:*` and then `restart --rolling` fail no request: each
// worker gets no new connection once it is to stop and is signalled only when it holds none.
// The same pool without the drain (supervisor's model, one shared socket) fails the requests the
// workers held when signalled, so this file fails if the drain stops working.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.js';
import { assertAll200, workerNames, type Pool } from './fcgi-pool.js';
import { ctlOk as ctl, drainPool, loadDuring, PROGRAM } from './fcgi-drain-pool.js';

const skip = h.defaultImpl === 'supervisor' ? 'tsupervisor extension (socket_drain)' : false;
const NAMES = workerNames(PROGRAM, 4);
const pools: Pool[] = [];

after(async () => {
  for (const p of pools) await p.stop();
});

async function pool(drain: boolean): Promise<Pool> {
  const p = await drainPool({ numprocs: NAMES.length, drain });
  pools.push(p);
  await p.running(NAMES);
  return p;
}

const ctlOk = async (p: Pool, args: string[]) => void (await ctl(p, args));

test('socket_drain: restart g:* and restart --rolling under load fail no request', { skip }, async (t) => {
  const p = await pool(true);
  const before = await p.running(NAMES);
  const counts = await loadDuring(p, [
    () => ctlOk(p, ['restart', `${PROGRAM}:*`]),
    async () => void (await p.running(NAMES)),
    () => ctlOk(p, ['restart', '--rolling', `${PROGRAM}:*`]),
  ]);
  const after = await p.running(NAMES);
  for (const n of NAMES) assert.notEqual(after.get(n), before.get(n), `${n} was not restarted`);
  // 12 clients × 1 s requests over several seconds
  assertAll200(counts, 'restart and restart --rolling with socket_drain', p.context(), 40);
  t.diagnostic(h.describeCounts(counts));
});

test('without socket_drain the same restart fails the requests the workers held', { skip }, async (t) => {
  const p = await pool(false);
  const counts = await loadDuring(p, [() => ctlOk(p, ['restart', `${PROGRAM}:*`])]);
  const failed = counts.total - (counts.statuses['200'] ?? 0);
  assert.ok(failed > 0, `no request failed without the drain, so the test above shows nothing: ${h.describeCounts(counts)}`);
  t.diagnostic(h.describeCounts(counts));
});
