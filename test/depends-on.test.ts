/**
 * depends_on= and essential= end to end, with real processes. A one-shot migration
 * (`:exited`), a server that becomes RUNNING after startsecs and a dependent started first by
 * priority: the dependent spawns only after both, within a moment of the later one (times from
 * the main log), and says what it waits for meanwhile. `stop all` stops it before the server;
 * `start web` brings the server up first. A FATAL dependency leaves its dependent STOPPED with
 * the reason, never spawned. Cycles are refused at start (exit 2, file:line, the cycle) and at
 * `update` (running configuration untouched). An essential program's exit ends the daemon
 * with a non-zero status after stopping the rest.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';

/** ms since the epoch of the first main-log line matching `re` (its timestamp), or NaN. */
function timeOf(log: string, re: RegExp): number {
  const line = log.split('\n').find((l) => re.test(l));
  if (!line) return NaN;
  const m = /^(\S+) (\S+)/.exec(line)!;
  return new Date(`${m[1]}T${m[2]!.replace(',', '.')}`).getTime();
}

const mainLog = (d: h.Daemon) => readFileSync(join(d.dir, 'supervisord.log'), 'utf8');

test('a migration (:exited) and a server (:ready) before their dependent; status says what it waits for; stop all in reverse order; start brings the server up first', { timeout: 90_000 }, async () => {
  const d = await h.startDaemon(`
[program:migrate]
; a one-shot that finishes when the test says so
command=sh -c 'while [ ! -e @TMP@/go ]; do sleep 0.05; done; exit 0'
startsecs=0
autorestart=false

[program:db]
command=sleep 1000
startsecs=2
; started by the test: the dependent waits for it meanwhile
autostart=false

[program:web]
; priority alone would spawn it first
priority=1
; on TERM it takes 1 s to stop: db must still be running until then
command=sh -c 'trap "sleep 1; exit 0" TERM; while :; do sleep 0.1; done'
startsecs=0
depends_on=migrate:exited db
`);
  try {
    const waiting = (await d.status('web'))[0]!;
    assert.equal(waiting.state, 'STOPPED', d.logs());
    assert.equal(waiting.description, 'waiting for migrate (exited), db (ready)');
    const json = JSON.parse((await d.ctl(['status', '--json', 'web'])).stdout)[0];
    assert.deepEqual(json.depends_on, ['migrate:exited', 'db:ready']);
    assert.deepEqual(json.waiting_for, ['migrate (exited)', 'db (ready)']);

    writeFileSync(join(d.dir, 'go'), '');
    await d.waitState('migrate', 'EXITED');
    await h.waitFor('web to wait for db only', async () => (await d.status('web'))[0]!.description === 'waiting for db (ready)' || undefined, 10_000);
    assert.equal((await d.status('web'))[0]!.state, 'STOPPED');
    const started = await d.ctl(['start', 'db']);
    assert.equal(started.stdout.trim(), 'db: started');

    await d.waitState('web', 'RUNNING', 20_000);
    const log = mainLog(d);
    const migrated = timeOf(log, /exited: migrate \(exit status 0; expected\)/);
    const dbReady = timeOf(log, /success: db entered RUNNING state/);
    const webSpawned = timeOf(log, /spawned: 'web' with pid/);
    const dbSpawned = timeOf(log, /spawned: 'db' with pid/);
    assert.ok(webSpawned >= migrated && webSpawned >= dbReady, `web spawned before its dependencies:\n${log}`);
    // reacts at once to the later of the two (no polling tick): well within a second
    assert.ok(webSpawned - dbReady < 500, `web spawned ${webSpawned - dbReady} ms after db was ready`);
    assert.ok(dbReady - dbSpawned >= 1900, 'db became ready after startsecs');
    const readyJson = JSON.parse((await d.ctl(['status', '--json', 'web'])).stdout)[0];
    assert.deepEqual(readyJson.waiting_for, []);

    // stop all: web (the dependent, 1 s to stop) first, db only once web is down
    const stop = await d.ctl(['stop', 'all']);
    assert.equal(stop.code, 0, stop.stdout + stop.stderr);
    assert.match(stop.stdout, /^web: stopped$/m);
    assert.match(stop.stdout, /^db: stopped$/m);
    const after = mainLog(d);
    const webStopped = timeOf(after, /stopped: web \(/);
    const dbStopped = timeOf(after, /stopped: db \(/);
    assert.ok(dbStopped >= webStopped, `db stopped before web:\n${after}`);

    // start web: db (stopped) comes up first, said in the main log; the ctl's line is supervisorctl's
    const start = await d.ctl(['start', 'web']);
    assert.equal(start.stdout.trim(), 'web: started', start.stdout + start.stderr);
    const again = mainLog(d);
    assert.match(again, /INFO starting db: web depends on it \(depends_on=db:ready\)/);
    const lastLine = (re: RegExp) => again.split('\n').reduce((at, l, i) => (re.test(l) ? i : at), -1);
    const dbRespawn = lastLine(/success: db entered RUNNING/);
    const webRespawn = lastLine(/spawned: 'web'/);
    assert.ok(dbRespawn >= 0 && webRespawn > dbRespawn, `web respawned before db was ready:\n${again}`);
    assert.equal((await d.status('migrate'))[0]!.state, 'EXITED', 'a migration that exited as expected is not run again');
  } finally {
    await d.stop();
  }
});

test('a FATAL dependency leaves its dependent STOPPED with the reason, never spawned; start says spawn error', { timeout: 60_000 }, async () => {
  const d = await h.startDaemon(`
[program:db]
command=/bin/false
startretries=1

[program:web]
command=sleep 1000
depends_on=db

[program:api]
command=sleep 1000
depends_on=web
`);
  try {
    await d.waitState('db', 'FATAL', 15_000);
    const web = await d.waitState('web', 'STOPPED');
    await h.waitFor('the reason in status', async () => (await d.status('web'))[0]!.description === 'dependency db is FATAL' || undefined, 10_000);
    const api = (await d.status('api'))[0]!;
    assert.equal(api.state, 'STOPPED');
    assert.equal(api.description, 'dependency web cannot start (dependency db is FATAL)');
    void web;
    const json = JSON.parse((await d.ctl(['status', '--json', 'web'])).stdout)[0];
    assert.equal(json.dependency_error, 'dependency db is FATAL');
    assert.equal(json.spawnerr, '', "supervisor's own fields are left alone");
    const log = mainLog(d);
    assert.doesNotMatch(log, /spawned: 'web'|spawned: 'api'/);
    assert.match(log, /WARN not starting web: dependency db is FATAL/);
    // a start tries db again (it fails again): web is not spawned, supervisorctl's words
    const start = await d.ctl(['start', 'web']);
    assert.equal(start.stdout.trim(), 'web: ERROR (spawn error)');
    assert.doesNotMatch(mainLog(d), /spawned: 'web'/);
  } finally {
    await d.stop();
  }
});

test('a cycle: refused at start (exit 2, file:line, the cycle) and at update (running configuration untouched)', { timeout: 60_000 }, async () => {
  const { daemonCmd } = h.resolveCommands();
  const tmp = h.makeTmpDir('tsv-cycle-');
  try {
    const conf = join(tmp.path, 'supervisord.conf');
    const cyclic = `[program:a]\ncommand=sleep 1000\ndepends_on=b\n\n[program:b]\ncommand=sleep 1000\ndepends_on=a:ready\n`;
    writeFileSync(conf, h.confHeader(tmp.path) + '\n' + cyclic);
    const r = await h.runCmd(daemonCmd, ['-c', conf], { cwd: tmp.path, timeoutMs: 15_000 });
    assert.equal(r.code, 2, r.stderr);
    const line = readFileSync(conf, 'utf8').split('\n').indexOf('depends_on=b') + 1;
    assert.match(r.stderr, new RegExp(`^Error: ${conf.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:${line}: \\[program:a\\] depends_on: dependency cycle: a -> b -> a$`, 'm'));
  } finally {
    tmp.remove();
  }

  const d = await h.startDaemon(`[program:a]\ncommand=sleep 1000\n\n[program:b]\ncommand=sleep 1000\ndepends_on=a\n`);
  try {
    const a = await d.waitState('a', 'RUNNING');
    await d.waitState('b', 'RUNNING');
    writeFileSync(d.conf, readFileSync(d.conf, 'utf8').replace('[program:a]\ncommand=sleep 1000\n', '[program:a]\ncommand=sleep 1000\ndepends_on=b\n'));
    const update = await d.ctl(['update']);
    assert.notEqual(update.code, 0);
    assert.match(update.stdout + update.stderr, /CANT_REREAD: .*depends_on: dependency cycle: a -> b -> a/);
    assert.equal((await d.status('a'))[0]!.pid, a.pid, 'a kept running');
    const json = JSON.parse((await d.ctl(['status', '--json', 'a'])).stdout)[0];
    assert.equal(json.depends_on, undefined, 'the running configuration is untouched');
  } finally {
    await d.stop();
  }
});

test('essential=true: its exit ends the daemon with a non-zero status after stopping the rest, naming it', { timeout: 60_000 }, async () => {
  const { daemonCmd } = h.resolveCommands();
  const tmp = h.makeTmpDir('tsv-essential-');
  try {
    const conf = join(tmp.path, 'supervisord.conf');
    writeFileSync(
      conf,
      h.confHeader(tmp.path) +
        `\n[program:server]\ncommand=sleep 1000\n\n[program:job]\ncommand=sh -c 'sleep 1; exit 3'\nstartsecs=0\nautorestart=false\nexitcodes=0,3\nessential=true\n`,
    );
    const started = Date.now();
    const r = await h.runCmd(daemonCmd, ['-c', conf], { cwd: tmp.path, timeoutMs: 20_000 });
    const log = readFileSync(join(tmp.path, 'supervisord.log'), 'utf8');
    assert.equal(r.code, 1, `${r.stderr}\n${log}`);
    assert.ok(Date.now() - started < 15_000);
    assert.match(log, /CRIT essential program job exited \(exit status 3\) and autorestart will not bring it back: stopping every process and exiting with status 1/);
    assert.match(log, /stopped: server \(terminated by SIGTERM\)/);
  } finally {
    tmp.remove();
  }
});
