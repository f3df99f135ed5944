// reexec (issue 14) end to end: nginx → four Go FastCGI workers (they drain their requests on
// SIGTERM; each request sleeps 50 ms) on one fcgi socket, four clients looping on nginx, and
// `tsupervisorctl reexec` in the middle of the run. The daemon executes itself again while the
// workers serve: no request fails, nginx is refused no connection (the socket is the same one,
// its backlog never closed), and every worker keeps its pid.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.js';
import { assertAll200, poolSection, startPool, workerNames, type Pool } from './fcgi-pool.js';
import { reexec } from './reexec-helpers.js';

const skip = h.defaultImpl === 'supervisor' ? 'tsupervisor extension (reexec)' : false;
const PROGRAM = 'fastcgi_test';
const NAMES = workerNames(PROGRAM, 4);
const pools: Pool[] = [];

after(async () => {
  for (const p of pools) await p.stop();
});

test('reexec under nginx load: 0 failed requests, 0 refused connections, every worker pid unchanged', { skip }, async () => {
  const bin = await h.buildGoApp();
  const fcgiPort = await h.freePort();
  const p = await startPool({
    sections: poolSection({ program: PROGRAM, socket: `tcp://127.0.0.1:${fcgiPort}`, command: bin, numprocs: NAMES.length, extra: 'environment=SLEEP_MS="50"' }),
    fastcgiPass: () => `127.0.0.1:${fcgiPort}`,
  });
  pools.push(p);
  const before = await p.running(NAMES);
  const stop = new AbortController();
  const loop = h.requestLoop({ port: p.port, durationMs: 30_000, maxRequests: 5_000, concurrency: 4, timeoutMs: 15_000, signal: stop.signal });
  await h.sleep(1_000);
  await reexec(p.d);
  await h.sleep(1_000);
  stop.abort();
  const counts = await loop;
  assertAll200(counts, 'reexec under load', p.context());
  assert.deepEqual(counts.errors, {}, h.describeCounts(counts));
  assert.doesNotMatch(p.nginx.errorLog(), /refused|connect\(\) failed/, 'nginx was refused no connection');
  const afterPids = await p.running(NAMES);
  assert.deepEqual([...afterPids], [...before], 'every worker keeps its pid');
  for (const pid of counts.pids) assert.ok([...before.values()].includes(pid), `a request answered by pid ${pid}, not one of the workers before`);
  assert.match(p.d.logs(), /re-executed with pid/);
});
