/**
 * The issue 16 scenario with real components: Debian's redis-server as a real sd_notify sender
 * (`--supervised systemd`, ready=notify: RUNNING only once redis said READY=1, its STATUS= shown
 * in status), a one-shot migration that writes the schema version into redis (depends_on=redis,
 * then `:exited` for the rest), and the web tier: nginx in front of an [fcgi-program:web] pool of
 * Go FastCGI workers that depends_on=migrate:exited redis and is gated on ready=log: (each
 * worker reads the schema from redis first and exits 9 if it is not there, startretries=0, then
 * sleeps a second before the app says it serves: its RUNNING must wait for that line).
 *
 * The spawn order and times are checked from the events, as an [eventlistener:x] written with
 * supervisor's childutils receives them (PROCESS_STATE, TSUPERVISOR_DEPENDENCY and
 * TSUPERVISOR_READINESS: what each waits for, each event with the time it arrived); redis depends on that listener, so the chain starts once it listens.
 * `tsupervisorctl wait` then returns and every request through nginx is answered at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fields, RECORDER, waitRecorded, type Recorded } from './events-helpers.js';
import { startPool } from './fcgi-pool.js';
import * as h from './harness.js';

function hasRedis(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const skip = (h.defaultImpl !== 'tsupervisor' && 'tsupervisor extension') || (!hasRedis() && 'redis-server is not installed (scripts/setup.sh)');
const WORKERS = ['web_00', 'web_01'];

test('redis-server --supervised systemd, a migration and a ready=-gated Go FastCGI pool behind nginx: spawn order and times from the events', { timeout: 120_000, skip }, async () => {
  const app = await h.buildGoApp();
  const [redisPort, fcgiPort] = [await h.freePort(), await h.freePort()];
  const pool = await startPool({
    sections: `
[eventlistener:rec]
command=${RECORDER} @TMP@/events.jsonl
events=PROCESS_STATE,TSUPERVISOR_DEPENDENCY,TSUPERVISOR_READINESS
buffer_size=100
environment=RECORD_TIME="1"
startsecs=1

[program:redis]
command=redis-server --supervised systemd --port ${redisPort} --bind 127.0.0.1 --save '' --appendonly no --dir @TMP@
ready=notify
ready_timeout=30
depends_on=rec

[program:migrate]
command=sh -c 'sleep 0.3; redis-cli -p ${redisPort} set schema 3 | grep -qx OK'
startsecs=0
autorestart=false
depends_on=redis

[fcgi-program:web]
socket=tcp://127.0.0.1:${fcgiPort}
command=sh -c 'test "$(redis-cli -p ${redisPort} get schema </dev/null)" = 3 || exit 9; sleep 1; exec ${app}'
process_name=web_%(process_num)02d
numprocs=${WORKERS.length}
startsecs=0
startretries=0
redirect_stderr=true
environment=SLEEP_MS="5"
ready=log:^fastcgi app \\d+ serving on
depends_on=migrate:exited redis
`,
    fastcgiPass: () => `127.0.0.1:${fcgiPort}`,
  });
  const { d } = pool;
  try {
    const wait = await d.ctl(['wait', 'redis', 'web:*', '--timeout', '60'], 70_000);
    assert.equal(wait.code, 0, JSON.stringify(wait));
    // ready means serving: every request through nginx answered at once
    const answers = await h.getMany(pool.port, 20, '/');
    assert.deepEqual(answers.map((a) => a.status), Array(20).fill(200), pool.context());

    const redis = (await d.status('redis'))[0]!;
    assert.equal(redis.state, 'RUNNING');
    assert.match(redis.description, /^pid \d+, uptime \S+, .*[Rr]eady to accept connections/);
    assert.equal((await d.status('migrate'))[0]!.state, 'EXITED');
    assert.equal(execFileSync('redis-cli', ['-p', String(redisPort), 'get', 'schema'], { encoding: 'utf8' }).trim(), '3');

    const file = join(d.dir, 'events.jsonl');
    const rs = await waitRecorded(d, file, 'the workers RUNNING', (all) => WORKERS.every((w) => all.some(is(w, 'PROCESS_STATE_RUNNING'))), 20_000);
    const at = (name: string, type: string) => {
      const r = rs.find(is(name, type));
      assert.ok(r, `no ${type} of ${name}:\n${rs.map(line).join('\n')}`);
      return { serial: Number(r.headers.serial), ms: r.received! * 1000, r };
    };
    const redisStarting = at('redis', 'PROCESS_STATE_STARTING');
    const redisReady = at('redis', 'PROCESS_STATE_RUNNING');
    const migrateStarting = at('migrate', 'PROCESS_STATE_STARTING');
    const migrated = at('migrate', 'PROCESS_STATE_EXITED');
    assert.equal(fields(migrated.r).expected, '1');
    const order = (a: { serial: number }, b: { serial: number }, what: string) => assert.ok(a.serial < b.serial, `${what}:\n${rs.map(line).join('\n')}`);
    order(redisStarting, redisReady, 'redis STARTING then RUNNING');
    // right after each STARTING of a ready= program: what it waits for
    const waitsReady = (name: string, starting: { serial: number }, timeout: number, check: string) => {
      const r = at(name, 'TSUPERVISOR_READINESS_WAITING').r;
      assert.equal(Number(r.headers.serial), starting.serial + 1);
      assert.match(r.payload, new RegExp(`^processname:${name} groupname:\\w+ timeout:${timeout}\nready=${check.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}$`));
    };
    waitsReady('redis', redisStarting, 30, 'notify');
    order(redisReady, migrateStarting, 'migrate spawned once redis is ready');
    // held meanwhile, and said so: what each worker waited for, then its release
    for (const w of WORKERS) {
      const held = rs.filter(is(w, 'TSUPERVISOR_DEPENDENCY_WAITING')).map((r) => fields(r).waiting_for);
      assert.ok(held.length > 0 && held.every((f) => f!.includes('migrate:exited')), `${w} waited for ${held.join(' / ')}`);
      const released = at(w, 'TSUPERVISOR_DEPENDENCY_RELEASED');
      assert.equal(fields(released.r).outcome, 'started');
      const starting = at(w, 'PROCESS_STATE_STARTING');
      const running = at(w, 'PROCESS_STATE_RUNNING');
      waitsReady(w, starting, 60, 'log:^fastcgi app \\d+ serving on');
      order(migrated, released, `${w} released once the migration exited`);
      order(redisReady, starting, `${w} spawned after redis was ready`);
      order(released, starting, `${w} released, then spawned`);
      // the gate reacts to the migration's exit at once (no polling tick)
      assert.ok(starting.ms - migrated.ms < 1000, `${w} spawned ${Math.round(starting.ms - migrated.ms)} ms after the migration exited`);
      // RUNNING only once the app said it serves (a second after the spawn), not at startsecs=0
      assert.ok(running.ms - starting.ms >= 700, `${w} RUNNING ${Math.round(running.ms - starting.ms)} ms after its spawn`);
    }
    assert.ok(migrateStarting.ms - redisReady.ms < 1000, `migrate spawned ${Math.round(migrateStarting.ms - redisReady.ms)} ms after redis was ready`);
    // each worker spawned once: its first try found the schema
    for (const w of WORKERS) assert.equal(rs.filter(is(w, 'PROCESS_STATE_STARTING')).length, 1);
  } catch (e) {
    (e as Error).message += pool.context();
    throw e;
  } finally {
    await pool.stop();
  }
});

const is = (name: string, type: string) => (r: Recorded) => r.headers.eventname === type && fields(r).processname === name;
const line = (r: Recorded) => `${r.headers.serial} ${r.received?.toFixed(3)} ${r.headers.eventname} ${r.payload}`;
