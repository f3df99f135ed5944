// `restart --rolling` and `reload` / SIGHUP of a live FastCGI pool (nginx → six Go workers)
// under a request loop: every request is answered 200. A rolling restart replaces one worker at
// a time, each RUNNING before the next is stopped; when a replacement cannot start it stops
// there, says so and exits non-zero, and the workers not reached keep running. A reload keeps
// the listening socket (same inode), so no connection is refused while the workers restart.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';
import { assertAll200, poolSection, startPool, underLoad, workerNames, type Pool } from './fcgi-pool.js';

const skip = h.defaultImpl === 'supervisor' ? 'tsupervisor extension' : false;
const PROGRAM = 'fastcgi_test';
const NAMES = workerNames(PROGRAM, 6);
let pool: Pool | undefined;
let fcgiPort = 0;
let app = '';
let appDir: h.TmpDir | undefined;

before(async () => {
  if (skip) return;
  const bin = await h.buildGoApp();
  fcgiPort = await h.freePort();
  // The command is a copy in a temp dir of its own, so a test can swap it for a broken one.
  appDir = h.makeTmpDir('tsv-app-', 0o755);
  app = join(appDir.path, 'app');
  copyFileSync(bin, app);
  pool = await startPool({
    sections: poolSection({ program: PROGRAM, socket: `tcp://127.0.0.1:${fcgiPort}`, command: app, numprocs: 6, extra: 'environment=SLEEP_MS="5"\nstartretries=1' }),
    fastcgiPass: () => `127.0.0.1:${fcgiPort}`,
  });
  await pool.running(NAMES);
});

after(async () => {
  await pool?.stop();
  appDir?.remove();
});

const p = () => {
  assert.ok(pool, 'the pool did not start');
  return pool;
};

/** The inode of the TCP listener on `port` (ss -e), to tell "kept" from "closed and bound again". */
function listenerInode(port: number): string | undefined {
  const out = execFileSync('ss', ['-Hltne', `sport = :${port}`], { encoding: 'utf8' });
  return /ino:(\d+)/.exec(out)?.[1];
}

test('restart --rolling: one worker at a time, each RUNNING before the next stops; all requests 200', { skip }, async (t) => {
  const { d, port } = p();
  const before = await p().running(NAMES);
  const logStart = readFileSync(join(d.dir, 'supervisord.log'), 'utf8').length;
  let ms = 0;
  const { counts, result } = await underLoad(port, 9_000, async () => {
    const t0 = Date.now();
    const r = await d.ctl(['restart', '--rolling', `${PROGRAM}:*`], 60_000);
    ms = Date.now() - t0;
    return r;
  });
  assert.equal(result.code, 0, JSON.stringify(result));
  assert.equal(result.stdout, NAMES.map((n) => `${n}: stopped\n${n}: started\n`).join(''));
  assert.ok(ms >= 6 * 1000, `six replacements with startsecs=1 took only ${ms} ms`);
  const after = await p().running(NAMES);
  for (const n of NAMES) assert.notEqual(after.get(n), before.get(n), n);
  // In the daemon's log each replacement entered RUNNING before the next worker was stopped.
  const log = readFileSync(join(d.dir, 'supervisord.log'), 'utf8').slice(logStart);
  for (let i = 0; i + 1 < NAMES.length; i++) {
    const ready = log.indexOf(`success: ${PROGRAM}_0${i} entered RUNNING`);
    const next = log.indexOf(`stopped: ${PROGRAM}_0${i + 1} `);
    assert.ok(ready >= 0 && next > ready, `worker ${i + 1} was stopped before ${i} was RUNNING:\n${log}`);
  }
  assertAll200(counts, 'restart --rolling', p().context());
  t.diagnostic(`rolling restart took ${ms} ms; ${h.describeCounts(counts)}`);
});

test('restart --rolling stops at a replacement that cannot start; the rest keep running; exit 7', { skip }, async () => {
  const { d, port } = p();
  const before = await p().running(NAMES);
  writeFileSync(`${app}.broken`, '#!/bin/sh\necho broken >&2\nexit 3\n', { mode: 0o755 });
  const good = `${app}.good`;
  copyFileSync(app, good);
  renameSync(`${app}.broken`, app);
  try {
    const r = await d.ctl(['restart', '--rolling', `${PROGRAM}:*`], 60_000);
    assert.equal(r.code, 7, JSON.stringify(r));
    const lines = r.stdout.trim().split('\n');
    assert.deepEqual(lines.slice(0, 2), [`${NAMES[0]}: stopped`, `${NAMES[0]}: ERROR (spawn error)`]);
    assert.match(lines[2]!, new RegExp(`^rolling restart stopped at ${NAMES[0]}: it did not reach RUNNING .*not restarted \\(left as they were\\): ${NAMES.slice(1).join(' ')}$`));
    for (const n of NAMES.slice(1)) assert.equal((await d.status(n))[0]?.pid, before.get(n), `${n} was touched`);
    const answers = await h.getMany(port, 10);
    for (const a of answers) assert.equal(a.status, 200, `the remaining workers do not serve: ${JSON.stringify(a)}`);
  } finally {
    renameSync(good, app);
  }
  await d.ctl(['start', NAMES[0]!]);
  await p().running(NAMES);
});

for (const how of ['reload', 'SIGHUP'] as const) {
  test(`${how}: the socket is kept (same inode) and every request through it is answered`, { skip }, async (t) => {
    const { d, port } = p();
    const before = await p().running(NAMES);
    const inode = listenerInode(fcgiPort);
    assert.ok(inode, 'no listener found');
    const { counts } = await underLoad(port, 5_000, async () => {
      if (how === 'reload') assert.equal((await d.ctl(['reload'])).stdout, 'Restarted supervisord\n');
      else process.kill(d.pid, 'SIGHUP');
      return h.waitFor('new workers', async () => {
        const rows = await d.status();
        return NAMES.every((n) => rows.some((r) => r.name === n && r.state === 'RUNNING' && r.pid !== before.get(n)));
      }, 20_000, 100);
    });
    assert.equal(listenerInode(fcgiPort), inode, 'the listening socket was closed and bound again');
    assertAll200(counts, how, p().context());
    t.diagnostic(h.describeCounts(counts));
  });
}
