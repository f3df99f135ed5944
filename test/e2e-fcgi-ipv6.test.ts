// IPv6 end to end: `socket=tcp://[::1]:PORT` (supervisor's parser refuses it), Go workers,
// nginx's `fastcgi_pass [::1]:PORT`; status, requests and a restart under load.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as h from './harness.js';
import { assertAll200, poolSection, startPool, underLoad, workerNames, type Pool } from './fcgi-pool.js';

const skip = h.defaultImpl === 'supervisor' ? 'supervisor 4.2.5 has no IPv6 fcgi sockets' : false;
const NAMES = workerNames('v6', 3);
let pool: Pool | undefined;
let fcgiPort = 0;

before(async () => {
  if (skip) return;
  const bin = await h.buildGoApp();
  fcgiPort = await h.freePort();
  pool = await startPool({
    sections: poolSection({ program: 'v6', socket: `tcp://[::1]:${fcgiPort}`, command: bin, numprocs: 3, extra: 'environment=SLEEP_MS="5"' }),
    fastcgiPass: () => `[::1]:${fcgiPort}`,
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

test('the pool listens on [::1] only and serves through nginx', { skip }, async () => {
  const listeners = execFileSync('ss', ['-Hltn', `sport = :${fcgiPort}`], { encoding: 'utf8' });
  assert.match(listeners, new RegExp(`\\[::1\\]:${fcgiPort}`));
  assert.doesNotMatch(listeners, new RegExp(`127\\.0\\.0\\.1:${fcgiPort}`));
  const pids = new Set((await p().running(NAMES)).values());
  const answers = await h.getMany(p().port, 9);
  for (const a of answers) {
    assert.equal(a.status, 200, `${JSON.stringify(a)}${p().context()}`);
    assert.ok(pids.has(h.pidOf(a.body)!), a.body);
  }
  const avail = await p().d.ctl(['avail']);
  assert.match(avail.stdout, /^v6:v6_00 +in use +auto/m);
});

test('restart v6:* under load: every request answered', { skip }, async () => {
  const { counts, result } = await underLoad(p().port, 4_000, () => p().d.ctl(['restart', 'v6:*']));
  assert.equal(result.code, 0, JSON.stringify(result));
  assertAll200(counts, 'restart v6:*', p().context());
});
