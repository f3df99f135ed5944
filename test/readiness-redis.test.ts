/**
 * Debian's redis-server as a real sd_notify sender (issue 16): `--supervised systemd` with
 * ready=notify is RUNNING only once redis said READY=1 (its STATUS= shown in status); a one-shot
 * migration (depends_on=…:exited) and a program depending on both: the program is spawned only
 * after redis is ready and the migration exited, checked from the main log's order and times,
 * and it reaches redis at its first try.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as h from './harness.js';

function hasRedis(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The time (ms) of the first main-log line matching `re` (its `YYYY-MM-DD HH:MM:SS,mmm` prefix). */
function lineTime(log: string, re: RegExp): number {
  const line = log.split('\n').find((l) => re.test(l));
  assert.ok(line, `no line matches ${re}:\n${log}`);
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d),(\d{3})/.exec(line)!;
  return Date.parse(`${m[1]}T${m[2]}.${m[3]}`);
}

test('redis-server --supervised systemd, a migration and a dependent: spawn order from readiness', { timeout: 90_000, skip: !hasRedis() && 'redis-server is not installed (scripts/setup.sh)' }, async () => {
  const port = await h.freePort();
  const d = await h.startDaemon(`
[program:redis]
command=redis-server --supervised systemd --port ${port} --bind 127.0.0.1 --save '' --appendonly no --dir @TMP@
ready=notify
ready_timeout=30
priority=1

[program:migrate]
command=sh -c 'sleep 1; echo migrated'
startsecs=0
autorestart=false
priority=1

[program:web]
command=sh -c 'redis-cli -p ${port} ping || exit 9; exec sleep 100'
depends_on=migrate:exited redis
startsecs=1
startretries=0
`);
  try {
    const web = await d.waitState('web', 'RUNNING', 30_000);
    const redis = (await d.status('redis'))[0]!;
    assert.equal(redis.state, 'RUNNING');
    assert.match(redis.description, /^pid \d+, uptime \S+, .*[Rr]eady to accept connections/);
    assert.equal((await d.status('migrate'))[0]!.state, 'EXITED');
    const log = d.logs().split('--- supervisord.log')[1]!;
    const redisReady = lineTime(log, /INFO success: redis entered RUNNING state, process is ready \(ready=notify\)/);
    const migrated = lineTime(log, /INFO exited: migrate \(exit status 0; expected\)/);
    const webSpawned = lineTime(log, /INFO spawned: 'web' with pid/);
    const redisSpawned = lineTime(log, /INFO spawned: 'redis' with pid/);
    assert.ok(redisSpawned <= redisReady && redisReady <= webSpawned, log);
    assert.ok(migrated <= webSpawned, log);
    // one spawn of web, which reached redis at once (no failed try)
    assert.equal([...log.matchAll(/spawned: 'web'/g)].length, 1, log);
    assert.ok(web.pid! > 0);
    assert.equal(execFileSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).trim(), 'PONG');
  } finally {
    await d.stop();
  }
});
