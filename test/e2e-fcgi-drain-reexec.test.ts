// socket_drain=true across `reexec` (docs/fastcgi.md, docs/reexec.md): the per-worker sockets and
// who holds each are handed to the next image, so a reexec under a loop of 12 clients through
// nginx fails no request and keeps every worker's pid; a `restart --rolling` after it (the new
// image steering the sockets it adopted) fails none either, with the seed article's Go workers
// that die on SIGTERM mid-request. A reexec asked while a worker drains is refused (its held stop
// signal is not carried over), and nothing changes.
import { after, test } from 'node:test';
import { connect, type Socket } from 'node:net';
import assert from 'node:assert/strict';
import * as h from './harness.js';
import { assertAll200, workerNames } from './fcgi-pool.js';
import { ctlOk, drainPool, loadDuring, PROGRAM, type DrainPool } from './fcgi-drain-pool.js';

const skip = h.defaultImpl === 'supervisor' ? 'tsupervisor extension (socket_drain, reexec)' : false;
const NAMES = workerNames(PROGRAM, 4);
const pools: DrainPool[] = [];
const sockets: Socket[] = [];

after(async () => {
  for (const s of sockets) s.destroy();
  for (const p of pools) await p.stop();
});

/** reexec, then wait until the new image logged its start and answers on the control socket. */
async function reexec(p: DrainPool): Promise<void> {
  const count = () => (p.d.logs().match(/re-executed with pid/g) ?? []).length;
  const before = count();
  const r = await ctlOk(p, ['reexec']);
  assert.equal(r.stdout, 'Re-executing supervisord\n', JSON.stringify(r));
  await h.waitFor('the new image', () => count() > before, 15_000);
  await h.waitFor('the control socket', async () => (await p.d.ctl(['pid'])).code === 0, 15_000);
}

test('socket_drain: reexec under load keeps the pids and fails no request; the new image drains', { skip }, async (t) => {
  const p = await drainPool({ numprocs: NAMES.length, drain: true });
  pools.push(p);
  const before = await p.running(NAMES);
  let kept = new Map<string, number>();
  const counts = await loadDuring(p, [
    () => reexec(p),
    async () => void (kept = await p.running(NAMES)),
    async () => void (await h.sleep(1_000)),
    async () => void (await ctlOk(p, ['restart', '--rolling', `${PROGRAM}:*`])),
  ]);
  assert.equal((await p.d.ctl(['pid'])).stdout.trim(), String(p.d.pid));
  for (const n of NAMES) assert.equal(kept.get(n), before.get(n), `${n} changed pid across the reexec`);
  const after = await p.running(NAMES);
  for (const n of NAMES) assert.notEqual(after.get(n), before.get(n), `${n} was not restarted by restart --rolling`);
  assertAll200(counts, 'reexec then restart --rolling with socket_drain', p.context(), 40);
  t.diagnostic(h.describeCounts(counts));
});

test('socket_drain: reexec while a worker drains is refused and changes nothing', { skip }, async () => {
  const p = await drainPool({ numprocs: 1, drain: true, extra: 'stopwaitsecs=4' });
  pools.push(p);
  const [only] = workerNames(PROGRAM, 1);
  await p.running([only!]);
  // a client that keeps its FastCGI connection open: the worker stays in its drain
  const s = connect(p.fcgiPort, '127.0.0.1');
  sockets.push(s);
  await new Promise<void>((resolve, reject) => s.once('connect', resolve).once('error', reject));
  await h.sleep(300);
  const stopping = p.d.ctl(['stop', only!], 30_000);
  await h.waitFor('the drain', async () => (await p.d.status(only))[0]?.state === 'STOPPING', 5_000);
  const r = await p.d.ctl(['reexec']);
  assert.notEqual(r.code, 0, JSON.stringify(r));
  assert.match(r.stdout + r.stderr, /not re-executed: .*still draining on tcp:\/\/127\.0\.0\.1:\d+/, JSON.stringify(r));
  assert.equal((await stopping).code, 0);
  assert.equal((await p.d.status(only))[0]?.state, 'STOPPED');
  assert.doesNotMatch(p.d.logs(), /re-executed with pid/);
});
