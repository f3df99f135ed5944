// systemd-style passing (`socket_pass=listen_fds`): the socket stays on fd 3 with LISTEN_FDS=1,
// LISTEN_PID=<the worker's own pid> and LISTEN_FDNAMES=<program name>. The worker is plain Node
// (test/fixtures/fastcgi-node/worker.mjs: `net.createServer().listen({ fd: 3 })`), which
// refuses to serve unless LISTEN_PID is its own pid; nginx in front. Not in supervisor.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';
import { assertAll200, poolSection, startPool, underLoad, workerNames, type Pool } from './fcgi-pool.js';

const skip = h.defaultImpl === 'supervisor' ? 'tsupervisor extension (socket_pass)' : false;
const WORKER = join(h.fixturesDir, 'fastcgi-node', 'worker.mjs');
const NAMES = workerNames('nodeapp', 3);
let pool: Pool | undefined;

before(async () => {
  if (skip) return;
  const fcgiPort = await h.freePort();
  pool = await startPool({
    sections: poolSection({
      program: 'nodeapp',
      socket: `tcp://127.0.0.1:${fcgiPort}`,
      command: `${process.execPath} ${WORKER}`,
      numprocs: 3,
      extra: 'socket_pass=listen_fds',
    }),
    fastcgiPass: () => `127.0.0.1:${fcgiPort}`,
  });
  await pool.running(NAMES);
});

after(async () => {
  await pool?.stop();
});

const p = () => {
  assert.ok(pool, 'the pool did not start');
  return pool;
};

function environOf(pid: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const kv of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
    const i = kv.indexOf('=');
    if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return env;
}

test('each worker gets fd 3 with LISTEN_FDS=1, its own pid as LISTEN_PID and the program name', { skip }, async () => {
  const pids = await p().running(NAMES);
  const inodes = new Set<string>();
  for (const [name, pid] of pids) {
    const env = environOf(pid);
    assert.equal(env.LISTEN_FDS, '1', name);
    assert.equal(env.LISTEN_PID, String(pid), name);
    assert.equal(env.LISTEN_FDNAMES, 'nodeapp', name);
    const fd3 = readlinkSync(`/proc/${pid}/fd/3`);
    assert.match(fd3, /^socket:\[\d+\]$/, `${name} fd 3`);
    inodes.add(fd3);
    // fd 0 is the daemon's stdin pipe (libuv makes it a socketpair), not the listening socket.
    assert.notEqual(readlinkSync(`/proc/${pid}/fd/0`), fd3, `${name}: the listening socket is on fd 0 too`);
  }
  assert.equal(inodes.size, 1, `the workers do not share one socket: ${[...inodes]}`);
});

test('requests through nginx are served by the Node workers; restart under load answers all', { skip }, async (t) => {
  const pids = new Set((await p().running(NAMES)).values());
  // Which worker takes a connection is the kernel's and libuv's choice: a Node worker woken
  // first accepts every connection queued (it answers at once), and one took all 12 of a batch
  // once in CI. Batches until two workers have answered (10 at most), every answer checked.
  const answered = new Set<number | undefined>();
  for (let batch = 0; batch < 10 && answered.size < 2; batch++) {
    for (const a of await h.getMany(p().port, 12, '/hello')) {
      assert.equal(a.status, 200, `${JSON.stringify(a)}${p().context()}`);
      assert.ok(pids.has(h.pidOf(a.body)!), a.body);
      assert.match(a.body, /^ListenFdNames: nodeapp$/m);
      assert.match(a.body, /^Uri: \/hello\?i=\d+$/m);
      answered.add(h.pidOf(a.body));
    }
  }
  assert.ok(answered.size >= 2, 'a single worker answered all 120 requests');
  const { counts, result } = await underLoad(p().port, 4_000, () => p().d.ctl(['restart', 'nodeapp:*']));
  assert.equal(result.code, 0, JSON.stringify(result));
  assertAll200(counts, 'restart nodeapp:*', p().context());
  t.diagnostic(h.describeCounts(counts));
});
