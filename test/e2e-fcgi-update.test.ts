// Minimal-diff `update` of a live FastCGI pool (nginx → six Go workers) under a request loop:
// numprocs 6 → 8 → 3 touches only the workers that come or go; an environment change
// restarts the workers; socket_backlog is applied to the live socket; a new address is bound,
// the workers move over and the old one is closed; programs moving into a [group:x] keep their
// pids. Every request is answered 200 throughout. (supervisor 4.2.5 stops and rebuilds the
// whole group each time, so these are tsupervisor-only.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import * as h from './harness.js';
import { assertAll200, poolSection, startPool, underLoad, workerNames, type Pool } from './fcgi-pool.js';

const skip = h.defaultImpl === 'supervisor' ? 'tsupervisor extension (supervisor rebuilds whole groups)' : false;
const PROGRAM = 'fastcgi_test';
let pool: Pool | undefined;
let fcgiPort = 0;
let bin = '';

const section = (numprocs: number, extra = '', port = fcgiPort) =>
  poolSection({ program: PROGRAM, socket: `tcp://127.0.0.1:${port}`, command: bin, numprocs, extra: `environment=SLEEP_MS="5"\n${extra}` });
const SIDE = '[program:side]\ncommand=/bin/sleep 1000\nstartsecs=0\n';

before(async () => {
  if (skip) return;
  bin = await h.buildGoApp();
  fcgiPort = await h.freePort();
  pool = await startPool({ sections: section(6) + SIDE, fastcgiPass: () => `127.0.0.1:${fcgiPort}` });
  await pool.running(workerNames(PROGRAM, 6));
});

after(async () => {
  await pool?.stop();
});

const p = () => {
  assert.ok(pool, 'the pool did not start');
  return pool;
};

/** Listen queue limit of the TCP listener on `port` (ss's Send-Q for a LISTEN socket). */
function backlogOf(port: number): number | undefined {
  const out = execFileSync('ss', ['-Hltn', `sport = :${port}`], { encoding: 'utf8' });
  const cols = out.trim().split(/\s+/);
  return cols.length >= 3 ? Number(cols[2]) : undefined;
}

test('numprocs 6 → 8 → 3: untouched workers keep their pids, every request is answered', { skip }, async (t) => {
  const { d, port } = p();
  const six = await p().running(workerNames(PROGRAM, 6));

  p().writeSections(section(8) + SIDE);
  const dry = await d.ctl(['update', '--dry-run']);
  assert.equal(dry.code, 0, JSON.stringify(dry));
  assert.match(dry.stdout, /^fastcgi_test: changed\n/);
  assert.match(dry.stdout, /^ {2}fastcgi_test:fastcgi_test_05: keep$/m);
  assert.match(dry.stdout, /^ {2}fastcgi_test:fastcgi_test_07: start \(new\)$/m);
  assert.equal((await d.status()).filter((r) => r.name.startsWith(`${PROGRAM}:`)).length, 6, 'the dry run changed something');

  const up = await underLoad(port, 2_500, () => d.ctl(['update']));
  // supervisorctl's words, even though nothing was stopped.
  assert.deepEqual(up.result, { stdout: 'fastcgi_test: stopped\nfastcgi_test: updated process group\n', stderr: '', code: 0 });
  const eight = await p().running(workerNames(PROGRAM, 8));
  for (const [n, pid] of six) assert.equal(eight.get(n), pid, `${n} was restarted by numprocs 6 → 8`);
  assertAll200(up.counts, 'update 6 → 8', p().context());

  p().writeSections(section(3) + SIDE);
  const down = await underLoad(port, 2_500, () => d.ctl(['update']));
  assert.deepEqual(down.result, { stdout: 'fastcgi_test: stopped\nfastcgi_test: updated process group\n', stderr: '', code: 0 });
  const three = await p().running(workerNames(PROGRAM, 3));
  for (const [n, pid] of three) assert.equal(pid, six.get(n), `${n} was restarted by numprocs 8 → 3`);
  const rows = (await d.status()).filter((r) => r.name.startsWith(`${PROGRAM}:`));
  assert.deepEqual(rows.map((r) => r.name), workerNames(PROGRAM, 3));
  for (const n of workerNames(PROGRAM, 8).slice(3)) assert.ok(!d.children().includes(eight.get(n)!), `${n} still runs`);
  assertAll200(down.counts, 'update 8 → 3', p().context());
  t.diagnostic(`6→8: ${h.describeCounts(up.counts)}; 8→3: ${h.describeCounts(down.counts)}`);
});

test('environment change restarts the workers; socket_backlog is applied in place without a restart', { skip }, async () => {
  const { d, port } = p();
  p().writeSections(section(3) + SIDE);
  await d.ctl(['update']);
  const before = await p().running(workerNames(PROGRAM, 3));
  const side = (await d.waitState('side', 'RUNNING')).pid;

  p().writeSections(section(3, 'socket_backlog=17') + SIDE);
  const verbose = await d.ctl(['reread', '-v']);
  assert.match(verbose.stdout, /^ {2}socket tcp:\/\/127\.0\.0\.1:\d+: updated in place \(socket_backlog\)$/m);
  // supervisord does not see a socket_backlog change (reread: no updates; update prints nothing)
  assert.equal((await d.ctl(['update'])).stdout, '');
  assert.equal(backlogOf(fcgiPort), 17);
  assert.deepEqual(await p().running(workerNames(PROGRAM, 3)), before, 'a backlog change restarted workers');

  p().writeSections(section(3, 'socket_backlog=17\nenvironment=SLEEP_MS="5",COLOR="blue"') + SIDE);
  const dry = await d.ctl(['update', '--dry-run']);
  assert.match(dry.stdout, /^ {2}fastcgi_test:fastcgi_test_00: restart \(changed: environment\)$/m);
  const env = await underLoad(port, 2_500, () => d.ctl(['update']));
  assert.equal(env.result.stdout, 'fastcgi_test: stopped\nfastcgi_test: updated process group\n');
  const after = await p().running(workerNames(PROGRAM, 3));
  for (const [n, pid] of after) assert.notEqual(pid, before.get(n), `${n} kept its pid across an environment change`);
  assert.equal((await d.waitState('side', 'RUNNING')).pid, side, 'an unrelated program was restarted');
  assertAll200(env.counts, 'environment update', p().context());
});

test('a new socket address: bound, workers moved over, old address closed', { skip }, async () => {
  const { d } = p();
  const newPort = await h.freePort();
  const before = await p().running(workerNames(PROGRAM, 3));
  p().writeSections(section(3, '', newPort) + SIDE);
  const r = await d.ctl(['update']);
  assert.equal(r.stdout, 'fastcgi_test: stopped\nfastcgi_test: updated process group\n');
  const after = await p().running(workerNames(PROGRAM, 3));
  for (const [n, pid] of after) assert.notEqual(pid, before.get(n), n);
  assert.ok(await h.canConnect({ port: newPort }), 'the new address does not accept');
  assert.equal(await h.canConnect({ port: fcgiPort }), false, 'the old address still accepts');
  // Back to the address nginx uses: served again.
  p().writeSections(section(3) + SIDE);
  await d.ctl(['update']);
  await p().running(workerNames(PROGRAM, 3));
  const answers = await h.getMany(p().port, 6);
  for (const a of answers) assert.equal(a.status, 200, `${JSON.stringify(a)}${p().context()}`);
});

test('programs moving into a [group:x] keep running with the same pid', { skip }, async () => {
  const { d } = p();
  const side = (await d.waitState('side', 'RUNNING')).pid;
  p().writeSections(section(3) + SIDE + '[group:tools]\nprograms=side\n');
  const dry = await d.ctl(['update', '--dry-run']);
  assert.match(dry.stdout, /^ {2}tools:side: keep \(moves from group side\)$/m);
  const r = await d.ctl(['update']);
  assert.equal(r.stdout, 'side: stopped\nside: removed process group\ntools: added process group\n');
  assert.equal((await d.waitState('tools:side', 'RUNNING')).pid, side);
  const gone = await d.ctl(['status', 'side']);
  assert.match(gone.stdout, /side: ERROR \(no such (process|group)\)/);
});

test('socket_mode and socket_owner of a unix socket are applied to the live socket file', { skip }, async () => {
  const unix = (extra: string) =>
    poolSection({ program: 'us', socket: 'unix://@TMP@/us.sock', command: bin, numprocs: 2, extra: `environment=SLEEP_MS="0"\n${extra}` });
  const d = await h.startDaemon(unix('socket_mode=0700'));
  try {
    const names = workerNames('us', 2);
    const pids = new Map<string, number>();
    for (const n of names) pids.set(n, (await d.waitState(n, 'RUNNING')).pid!);
    const path = `${d.dir}/us.sock`;
    const ino = statSync(path).ino;
    assert.equal(statSync(path).mode & 0o777, 0o700);
    writeFileSync(d.conf, h.confHeader(d.dir) + '\n' + unix('socket_mode=0660\nsocket_owner=nobody:nogroup').replaceAll('@TMP@', d.dir));
    // applied, though as supervisord sees no change (its reread compares the socket URL only) nothing is printed
    const r = await d.ctl(['update']);
    assert.equal(r.stdout, '', JSON.stringify(r));
    const st = statSync(path);
    assert.equal(st.mode & 0o777, 0o660);
    assert.equal(st.ino, ino, 'the socket file was replaced');
    if (process.getuid?.() === 0) assert.equal(st.uid, 65534);
    for (const n of names) assert.equal((await d.waitState(n, 'RUNNING')).pid, pids.get(n), `${n} was restarted`);
    assert.ok(await h.canConnect({ path }));
  } finally {
    await d.stop();
  }
});
