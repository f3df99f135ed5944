// socket_drain=true (docs/fastcgi.md) at its edges, with the seed article's Go workers that die on
// SIGTERM mid-request behind nginx: a worker that never becomes idle (a client keeps its FastCGI
// connection open) is signalled after stopwaitsecs with a log line saying so; a stopped pool
// queues connections and a later `start` serves them; the steering survives a daemon `reload`
// (restart everything) and a worker killed from outside (the others keep serving, the
// replacement is steered to).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import * as h from './harness.js';
import { assertAll200, workerNames } from './fcgi-pool.js';
import { ctlOk, drainPool, loadDuring, PROGRAM, type DrainPool } from './fcgi-drain-pool.js';

const skip = h.defaultImpl === 'supervisor' ? 'tsupervisor extension (socket_drain)' : false;
const pools: DrainPool[] = [];
const sockets: Socket[] = [];

after(async () => {
  for (const s of sockets) s.destroy();
  for (const p of pools) await p.stop();
});

/** The FastCGI connections `pid` has accepted on `port` and not closed: its requests in flight. */
function connectionsHeld(pid: number, port: number): number {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  let held = 0;
  for (const table of ['tcp', 'tcp6']) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/); // sl local rem st … inode (10th)
      if (f.length < 10) continue;
      if (f[3] === '01' && parseInt(f[1]!.split(':')[1]!, 16) === port && inodes.has(f[9]!)) held++;
    }
  }
  return held;
}

async function pool(numprocs: number, extra?: string): Promise<DrainPool> {
  const p = await drainPool({ numprocs, drain: true, extra });
  pools.push(p);
  await p.running(workerNames(PROGRAM, numprocs));
  return p;
}

test('a worker holding a kept-open connection is stopped after stopwaitsecs, and the log says so', { skip }, async () => {
  const p = await pool(1, 'stopwaitsecs=2');
  const [only] = workerNames(PROGRAM, 1);
  // a FastCGI client that connects and never closes (nginx's fastcgi_keep_conn on)
  const s = connect(p.fcgiPort, '127.0.0.1');
  sockets.push(s);
  await new Promise<void>((resolve, reject) => s.once('connect', resolve).once('error', reject));
  await h.sleep(300);
  const t0 = Date.now();
  await ctlOk(p, ['stop', only!]);
  const took = Date.now() - t0;
  assert.ok(took >= 1_900, `stopped after ${took} ms, before the 2 s drain timeout`);
  assert.match(p.d.logs(), /still holds 1 connection\(s\) and 0 queued on tcp:\/\/127\.0\.0\.1:\d+ after 2 s of socket_drain; stopping it anyway/, p.context());
});

test('a stopped pool queues connections; a later start serves them', { skip }, async () => {
  const p = await pool(2);
  const names = workerNames(PROGRAM, 2);
  const before = await p.running(names);
  await ctlOk(p, ['stop', `${PROGRAM}:*`]);
  const answers = h.getMany(p.port, 6, '/queued', 20_000);
  await h.sleep(1_500);
  await ctlOk(p, ['start', `${PROGRAM}:*`]);
  const after = await p.running(names);
  const fresh = new Set(after.values());
  for (const a of await answers) {
    assert.equal(a.status, 200, `${JSON.stringify(a)}${p.context()}`);
    assert.ok(fresh.has(h.pidOf(a.body)!), `answered by ${a.body.trim()}, not by a worker started after the stop`);
  }
  for (const n of names) assert.notEqual(after.get(n), before.get(n));
});

test('the steering survives a reload: reload, then restart --rolling, under load fail no request', { skip }, async (t) => {
  const p = await pool(4);
  const names = workerNames(PROGRAM, 4);
  const before = await p.running(names);
  const counts = await loadDuring(p, [
    async () => void (await ctlOk(p, ['reload'])),
    async () => void (await p.running(names, 30_000)),
    async () => void (await ctlOk(p, ['restart', '--rolling', `${PROGRAM}:*`])),
  ]);
  const after = await p.running(names);
  for (const n of names) assert.notEqual(after.get(n), before.get(n), `${n} was not restarted`);
  assertAll200(counts, 'reload and restart --rolling with socket_drain', p.context(), 40);
  t.diagnostic(h.describeCounts(counts));
});

test('a worker killed from outside: the others serve, its replacement is steered to', { skip }, async (t) => {
  const p = await pool(4);
  const names = workerNames(PROGRAM, 4);
  const before = await p.running(names);
  const victim = names[0]!;
  let replacement = 0;
  let held = -1;
  const counts = await loadDuring(p, [
    async () => {
      // stopped first, so that what it holds is counted exactly: it accepts nothing more
      process.kill(before.get(victim)!, 'SIGSTOP');
      await h.sleep(50);
      held = connectionsHeld(before.get(victim)!, p.fcgiPort);
      process.kill(before.get(victim)!, 'SIGKILL');
      await h.waitFor('the replacement RUNNING', async () => {
        const row = (await p.d.status(victim))[0];
        return row?.state === 'RUNNING' && row.pid !== before.get(victim);
      }, 20_000);
      replacement = (await p.running([victim])).get(victim)!;
      await h.sleep(2_500);
    },
  ]);
  // a crash is a crash: the requests the killed worker held fail (12 clients, 4 workers: a few;
  // connections are steered at random, so it may hold any number), every other one is
  // answered, by the replacement too
  const failed = counts.total - (counts.statuses['200'] ?? 0);
  assert.ok(held >= 0 && failed <= held, `${failed} requests failed, more than the ${held} the killed worker held: ${h.describeCounts(counts)}${p.context()}`);
  assert.ok(counts.pids.has(replacement), `the replacement ${replacement} answered nothing: ${h.describeCounts(counts)}`);
  t.diagnostic(`${h.describeCounts(counts)}; the killed worker held ${held}`);
  // and a drain after the crash still works
  const rolling = await loadDuring(p, [async () => void (await ctlOk(p, ['restart', '--rolling', `${PROGRAM}:*`]))]);
  assertAll200(rolling, 'restart --rolling after a crash', p.context(), 30);
});
