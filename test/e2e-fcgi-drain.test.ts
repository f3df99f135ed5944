// socket_drain=true (docs/fastcgi.md): nginx → four Go workers that die on SIGTERM in the middle
// of their requests (ON_SIGTERM=exit; each request sleeps 1 s), eight clients looping on it.
// With the drain, `restart fastcgi_test:*` and then `restart --rolling` fail no request: each
// worker gets no new connection once it is to stop and is signalled only when it holds none.
// The same pool without the drain (supervisor's model, one shared socket) fails the requests the
// workers held when signalled, so this file fails if the drain stops working.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.js';
import { assertAll200, poolSection, startPool, workerNames, type Pool } from './fcgi-pool.js';

const skip = h.defaultImpl === 'supervisor' ? 'tsupervisor extension (socket_drain)' : false;
const PROGRAM = 'fastcgi_test';
const NAMES = workerNames(PROGRAM, 4);
const pools: Pool[] = [];

after(async () => {
  for (const p of pools) await p.stop();
});

async function pool(drain: boolean): Promise<Pool> {
  const bin = await h.buildGoApp();
  const fcgiPort = await h.freePort();
  const p = await startPool({
    sections: poolSection({
      program: PROGRAM,
      socket: `tcp://127.0.0.1:${fcgiPort}`,
      command: bin,
      numprocs: NAMES.length,
      extra: `environment=SLEEP_MS="1000",ON_SIGTERM="exit"\nsocket_drain=${drain}`,
    }),
    fastcgiPass: () => `127.0.0.1:${fcgiPort}`,
  });
  pools.push(p);
  await p.running(NAMES);
  return p;
}

/** Eight clients loop on nginx while `actions` run one after the other (1 s of load before, after). */
async function loadDuring(p: Pool, actions: Array<() => Promise<void>>): Promise<h.LoopCounts> {
  const stop = new AbortController();
  const loop = h.requestLoop({ port: p.port, durationMs: 30_000, concurrency: 8, timeoutMs: 15_000, signal: stop.signal });
  await h.sleep(1_000);
  for (const action of actions) await action();
  await h.sleep(1_000);
  stop.abort();
  return loop;
}

async function ctlOk(p: Pool, args: string[]): Promise<void> {
  const r = await p.d.ctl(args, 60_000);
  assert.equal(r.code, 0, JSON.stringify(r));
}

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
  // 8 clients × 1 s requests over several seconds
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
