/**
 * The seed scenario as end-to-end tests, shared by e2e-fcgi-tcp and e2e-fcgi-unix: nginx in
 * front of the Go FastCGI fixture, six workers under the daemon on one listening socket.
 *
 * Against Debian's supervisord (SUPERVISORD=supervisord) the two "keeps the socket" tests check
 * supervisor 4.2.5's known flaw instead (it closes the socket when the last worker of the pool
 * stops, so requests are refused): that proves the tests see the difference they are about.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.js';

export interface FcgiSuiteOptions {
  socket: 'tcp' | 'unix';
}

const PROGRAM = 'fastcgi_test';
const NUMPROCS = 6;
const names = Array.from({ length: NUMPROCS }, (_, i) => `${PROGRAM}:${PROGRAM}_${String(i).padStart(2, '0')}`);

export function defineFcgiSuite(o: FcgiSuiteOptions): void {
  let d: h.Daemon | undefined;
  let nginx: h.Nginx | undefined;
  let port = 0;

  const allRunning = async (): Promise<Map<string, number>> => {
    const pids = new Map<string, number>();
    for (const n of names) pids.set(n, (await daemon().waitState(n, 'RUNNING', 20_000)).pid!);
    return pids;
  };
  const daemon = () => {
    assert.ok(d, 'the daemon did not start');
    return d;
  };
  /** Every test starts from all six RUNNING, whatever the previous one left. */
  const freshPool = async () => {
    await daemon().ctl(['start', `${PROGRAM}:*`]);
    return allRunning();
  };

  before(async () => {
    const bin = await h.buildGoApp();
    const fcgiPort = await h.freePort();
    port = await h.freePort();
    // The nginx worker runs as nobody: for a Unix socket it must reach the daemon's temp dir.
    const socketLines =
      o.socket === 'tcp'
        ? `socket=tcp://127.0.0.1:${fcgiPort}`
        : 'socket=unix://@TMP@/fcgi.sock\nsocket_owner=nobody:nogroup\nsocket_mode=0660';
    // The article's section; stopwaitsecs shortened (the fixture stops at once on SIGTERM) and
    // SLEEP_MS=5 so request loops are fast (tests ask for the article's 1 s per request).
    d = await h.startDaemon(
      `[fcgi-program:${PROGRAM}]
${socketLines}
command=${bin}
environment=SLEEP_MS="5"
autostart=true
stopwaitsecs=10
autorestart=true
user=root
process_name=%(program_name)s_%(process_num)02d
numprocs=${NUMPROCS}
`,
      { dirMode: 0o755 },
    );
    await allRunning();
    nginx = await h.startNginx({
      listenPort: port,
      fastcgiPass: o.socket === 'tcp' ? `127.0.0.1:${fcgiPort}` : `unix:${d.dir}/fcgi.sock`,
      user: process.getuid?.() === 0 ? 'nobody nogroup' : undefined,
    });
  });

  after(async () => {
    await nginx?.stop();
    await d?.stop();
  });

  const context = () => `\n--- nginx error.log\n${nginx?.errorLog() ?? ''}\n${d?.logs() ?? ''}`;

  test(`${o.socket}: 12 parallel requests through nginx (1 s each, as in the article) are answered by several workers`, async (t) => {
    const pids = new Set((await freshPool()).values());
    const t0 = Date.now();
    const results = await h.getMany(port, 12, '/app?helloworld&sleep_ms=1000', 15_000);
    const elapsed = Date.now() - t0;
    const answered = new Set(results.map((r) => h.pidOf(r.body)));
    for (const r of results) {
      assert.equal(r.status, 200, `got ${JSON.stringify(r)}${context()}`);
      assert.match(r.body, /^ProcessId: \d+\n$/);
    }
    // They ran in parallel: 12 requests of 1 s took far less than 12 s.
    assert.ok(elapsed < 6_000, `12 requests took ${elapsed} ms`);
    // Which worker wins a connection is the kernel's choice, and one Go worker can serve many
    // requests at once: a single batch is sometimes taken by one worker (with supervisor too).
    // A short loop (1 s, 8 at a time) gives the other workers their chances.
    const loop = await h.requestLoop({ port, durationMs: 1_000, concurrency: 8, path: '/spread?sleep_ms=20' });
    assert.equal(loop.statuses['200'], loop.total, h.describeCounts(loop));
    const all = new Set([...answered, ...loop.pids]);
    t.diagnostic(`pids answering: batch of 12 ${answered.size}, batch + loop ${all.size}`);
    for (const p of all) assert.ok(pids.has(p!), `pid ${p} is not one of the workers ${[...pids]}`);
    assert.ok(all.size >= 2, `only one worker answered: ${[...all]}`);
  });

  test(`${o.socket}: a SIGKILLed worker is replaced by a new pid and requests still succeed`, async () => {
    const before = await freshPool();
    const victim = names[2]!;
    const oldPid = before.get(victim)!;
    process.kill(oldPid, 'SIGKILL');
    const row = await h.waitFor(
      `${victim} to run with a new pid`,
      async () => (await daemon().status(victim)).find((r) => r.name === victim && r.state === 'RUNNING' && r.pid !== oldPid),
      15_000,
      100,
    );
    assert.ok(row.pid && row.pid !== oldPid);
    assert.ok(daemon().children().includes(row.pid!), `new pid ${row.pid} is not a child of the daemon`);
    // The other five kept their pids.
    for (const n of names) if (n !== victim) assert.equal((await daemon().status(n))[0]?.pid, before.get(n), n);
    const results = await h.getMany(port, 10);
    for (const r of results) assert.equal(r.status, 200, `got ${JSON.stringify(r)}${context()}`);
    assert.ok(!results.some((r) => h.pidOf(r.body) === oldPid), 'the killed worker answered');
  });

  test(`${o.socket}: requests during \`restart ${PROGRAM}:*\` are all answered 200 (the socket stays open)`, async (t) => {
    const before = await freshPool();
    // The loop runs from 0.5 s before the restart until 1 s after it (capped at 30 s).
    const stopLoop = new AbortController();
    const loopStart = Date.now();
    const loop = h.requestLoop({ port, durationMs: 30_000, concurrency: 4, timeoutMs: 15_000, signal: stopLoop.signal });
    await h.sleep(500);
    const t0 = Date.now();
    const r = await daemon().ctl(['restart', `${PROGRAM}:*`]);
    const restartMs = Date.now() - t0;
    await h.sleep(1_000);
    stopLoop.abort();
    const counts = await loop;
    assert.ok(Date.now() - loopStart < 30_000, 'the request loop hit its 30 s cap');
    assert.equal(r.code, 0, `restart: ${JSON.stringify(r)}`);
    for (const n of names) {
      assert.ok(r.stdout.includes(`${n}: stopped\n`), `restart output lacks "${n}: stopped": ${r.stdout}`);
      assert.ok(r.stdout.includes(`${n}: started\n`), `restart output lacks "${n}: started": ${r.stdout}`);
    }
    const after = await allRunning();
    for (const n of names) assert.notEqual(after.get(n), before.get(n), `${n} kept its pid across restart`);
    const bad = counts.total - (counts.statuses['200'] ?? 0);
    t.diagnostic(`restart took ${restartMs} ms; requests: ${h.describeCounts(counts)}`);
    if (daemon().impl === 'supervisor') {
      assert.ok(bad > 0, `supervisord 4.2.5 was expected to drop requests here: ${h.describeCounts(counts)}`);
      return;
    }
    assert.ok(counts.total >= 50, `too few requests to mean anything: ${h.describeCounts(counts)}`);
    assert.equal(bad, 0, `requests failed across the restart: ${h.describeCounts(counts)}${context()}`);
  });

  test(`${o.socket}: with every worker stopped a request waits in the backlog and is served after \`start\``, async () => {
    await freshPool();
    const stop = await daemon().ctl(['stop', `${PROGRAM}:*`]);
    assert.equal(stop.code, 0, JSON.stringify(stop));
    for (const n of names) assert.equal((await daemon().status(n))[0]?.state, 'STOPPED', n);
    let answer: h.HttpResult | undefined;
    const pending = h.get(port, '/waiting', 20_000).then((r) => (answer = r));
    await h.sleep(700);
    if (daemon().impl === 'supervisor') {
      // supervisor closed the socket with the last worker: nginx could not connect.
      await pending;
      assert.equal(answer?.status, 502, `supervisord 4.2.5 was expected to refuse: ${JSON.stringify(answer)}`);
      await daemon().ctl(['start', `${PROGRAM}:*`]);
      return;
    }
    assert.equal(answer, undefined, `answered while no worker ran: ${JSON.stringify(answer)}`);
    const start = await daemon().ctl(['start', `${PROGRAM}:*`]);
    assert.equal(start.code, 0, JSON.stringify(start));
    const pids = new Set((await allRunning()).values());
    const r = await pending;
    assert.equal(r.status, 200, `got ${JSON.stringify(r)}${context()}`);
    assert.ok(pids.has(h.pidOf(r.body)!), `answered by ${r.body.trim()}, not one of the new workers ${[...pids]}`);
  });
}
