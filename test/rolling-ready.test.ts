/**
 * `restart --rolling` with ready= (issue 16): each replacement is awaited until it is ready
 * (its log: check, a second after its spawn), not only past startsecs (0 here), before the
 * next process of the pool is stopped.
 *
 * Under load: nginx in front of three HTTP workers (one upstream; a request that cannot connect
 * to one worker goes to the next), 4 clients sending requests back to back while `restart
 * --rolling` replaces them. Each worker warms up for a second before it listens and says so
 * (ready=log:), and drains on SIGTERM (stops accepting, answers what it accepted, then exits),
 * so the only thing tested is readiness gating: were a replacement not awaited until ready,
 * all three would be warming up at once and nginx would answer 502.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { underLoad, assertAll200 } from './fcgi-pool.js';
import * as h from './harness.js';

/** An HTTP worker: port from PORT_<argv[2]>, a second's warm-up, then `listening`; drains on SIGTERM. */
const WORKER = `
const http = require('node:http');
const port = Number(process.env['PORT_' + process.argv[2]]);
setTimeout(() => {
  const srv = http.createServer((req, res) => setTimeout(() => res.end('ProcessId: ' + process.pid + '\\n'), 5));
  srv.listen(port, '127.0.0.1', () => console.log('listening'));
  process.on('SIGTERM', () => srv.close(() => process.exit(0)));
}, 1000);
`;

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

test('rolling restart under load with ready=: every request through nginx answered', { timeout: 120_000 }, async (t) => {
  const ports = [await h.freePort(), await h.freePort(), await h.freePort()];
  const tmp = h.makeTmpDir('tsv-rolling-ready-', 0o755);
  const script = join(tmp.path, 'worker.cjs');
  writeFileSync(script, WORKER);
  const d = await h.startDaemon(`
[program:w]
command=${process.execPath} ${script} %(process_num)d
process_name=w_%(process_num)02d
numprocs=3
startsecs=0
stopwaitsecs=10
environment=${ports.map((p, i) => `PORT_${i}="${p}"`).join(',')}
ready=log:^listening$
`);
  let nginx: h.Nginx | undefined;
  try {
    const names = ['w:w_00', 'w:w_01', 'w:w_02'];
    const before = await Promise.all(names.map(async (n) => (await d.waitState(n, 'RUNNING', 15_000)).pid!));
    const port = await h.freePort();
    nginx = await h.startNginx({ listenPort: port, upstreams: ports.map((p) => `127.0.0.1:${p}`), user: process.getuid?.() === 0 ? 'nobody nogroup' : undefined });
    const { counts, result } = await underLoad(port, 7_000, () => d.ctl(['restart', '--rolling', 'w:*'], 60_000));
    assert.equal(result.code, 0, JSON.stringify(result));
    const after = await Promise.all(names.map(async (n) => (await d.status(n))[0]!.pid!));
    for (let i = 0; i < names.length; i++) assert.notEqual(after[i], before[i], `${names[i]} was replaced`);
    assert.ok(after.every((pid) => counts.pids.has(pid)), `the replacements answered: ${h.describeCounts(counts)}`);
    assertAll200(counts, 'restart --rolling with ready=', `\n--- nginx error.log\n${nginx.errorLog()}\n${d.logs()}`);
    t.diagnostic(h.describeCounts(counts));
  } finally {
    await nginx?.stop();
    await d.stop();
    tmp.remove();
  }
});
