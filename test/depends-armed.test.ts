/**
 * Armed spawns (process/armed-spawn.ts): a dependent held by depends_on= is spawned ahead while
 * its dependency is STARTING, its child stopped just before the exec; it runs (the same pid)
 * only once the dependency is ready, and an armed child that is not used (the dependency went
 * FATAL, the dependent was stopped or changed by update) goes without ever running the
 * program. TSV_SPAWN_ARM=0 spawns nothing ahead. Real processes; the armed pid is read from
 * the main log's debug line and checked in /proc.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';

const mainLog = (d: h.Daemon) => readFileSync(join(d.dir, 'supervisord.log'), 'utf8');

/** The pid the main log says `name` was spawned ahead with (waits for the line). */
async function armedPid(d: h.Daemon, name: string, after = 0): Promise<number> {
  return h.waitFor(
    `${name} spawned ahead`,
    () => {
      const pids = [...mainLog(d).matchAll(new RegExp(`${name}: spawned ahead \\(pid (\\d+)\\)`, 'g'))].map((m) => Number(m[1]));
      return pids.length > after ? pids[after] : undefined;
    },
    10_000,
  );
}

const alive = (pid: number) => existsSync(`/proc/${pid}`);
/** The daemon's own executable: an armed child has not exec'd yet, so it is still the daemon's. */
const exe = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'latin1').split(' ')[1];

// db: ready when the test writes `go` (fd:3), or exits 1 without a ready line when it writes `fail`
const conf = (web: string) => `
[program:db]
command=sh -c 'while [ ! -e @TMP@/go ]; do [ -e @TMP@/fail ] && exit 1; sleep 0.05; done; echo >&3; exec sleep 1000'
ready=fd:3
startretries=0
autorestart=false

[program:web]
command=${web}
depends_on=db
startsecs=0
autorestart=false
`;

test('a dependent is spawned ahead while its dependency starts, runs nothing before it is ready, then runs with that pid', { timeout: 60_000 }, async () => {
  const d = await h.startDaemon(conf(`sh -c 'touch @TMP@/ran; exec sleep 1000'`), { supervisordExtra: 'loglevel=debug' });
  try {
    const pid = await armedPid(d, 'web');
    assert.ok(alive(pid), `armed child ${pid} is there`);
    assert.equal(exe(pid), exe(d.pid), 'the armed child has not exec');
    assert.ok(d.children().includes(pid), 'the armed child is the daemon');
    await h.sleep(300);
    assert.equal(existsSync(join(d.dir, 'ran')), false, 'the program did not run before db was ready');
    // db alone is waited for: its ready=fd:3 reader lets the child go itself (native-go.test.ts)
    await h.waitFor('the go attached to db', () => mainLog(d).includes("web: its armed child goes at db's ready signal, from that signal's reader") || undefined, 5000);
    const held = (await d.status('web'))[0]!;
    assert.equal(held.state, 'STOPPED');
    assert.equal(held.description, 'waiting for db (ready)');

    writeFileSync(join(d.dir, 'go'), '');
    const row = await d.waitState('web', 'RUNNING', 10_000);
    assert.equal(row.pid, pid, 'web runs with the pid it was spawned ahead with');
    await h.waitFor('web to run', () => existsSync(join(d.dir, 'ran')) || undefined, 5000);
    const log = mainLog(d);
    const ready = log.indexOf('success: db entered RUNNING state');
    const spawned = log.indexOf(`spawned: 'web' with pid ${pid}`);
    assert.ok(ready > 0 && spawned > ready, `db's RUNNING line comes before web's spawned line:\n${log}`);
  } finally {
    await d.stop();
  }
});

test('ready=notify: the armed child goes at the READY=1 itself, with the pid it was spawned ahead with', { timeout: 60_000 }, async () => {
  const sender = `import os, socket, time
while not os.path.exists('@TMP@/go'):
    time.sleep(0.05)
a = os.environ['NOTIFY_SOCKET']
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b'READY=1', '\\0' + a[1:] if a.startswith('@') else a)
time.sleep(1000)
`;
  const tmp = h.makeTmpDir('tsv-armed-');
  writeFileSync(join(tmp.path, 'notify.py'), sender.replaceAll('@TMP@', tmp.path));
  const d = await h.startDaemon(
    `
[program:db]
command=python3 @TMP@/notify.py
ready=notify

[program:web]
command=sh -c 'touch @TMP@/ran; exec sleep 1000'
depends_on=db
startsecs=0
`,
    { supervisordExtra: 'loglevel=debug', dir: tmp.path },
  );
  try {
    const pid = await armedPid(d, 'web');
    await h.waitFor('the go attached to db', () => mainLog(d).includes("web: its armed child goes at db's ready signal, from that signal's reader") || undefined, 5000);
    await h.sleep(200);
    assert.equal(existsSync(join(d.dir, 'ran')), false, 'nothing ran before READY=1');
    writeFileSync(join(d.dir, 'go'), '');
    const row = await d.waitState('web', 'RUNNING', 10_000);
    assert.equal(row.pid, pid);
    await h.waitFor('web to run', () => existsSync(join(d.dir, 'ran')) || undefined, 5000);
    assert.equal((await d.status('db'))[0]!.state, 'RUNNING');
  } finally {
    await d.stop();
    tmp.remove();
  }
});

test('an armed child that is not used goes without running the program: dependency FATAL, stop, update', { timeout: 90_000 }, async () => {
  const d = await h.startDaemon(conf(`sh -c 'touch @TMP@/ran; exec sleep 1000'`), { supervisordExtra: 'loglevel=debug' });
  try {
    // stop of the held dependent: its armed child goes
    const first = await armedPid(d, 'web');
    assert.equal((await d.ctl(['stop', 'web'])).code, 0);
    await h.waitFor(`armed child ${first} to go after stop`, () => !alive(first) || undefined, 5000);

    // start it again (held again, armed again), then change its command by update: the armed
    // child of the old command goes, and a new one is armed with the new command
    const started = d.ctl(['start', 'web'], 30_000);
    const second = await armedPid(d, 'web', 1);
    assert.notEqual(second, first);
    writeFileSync(d.conf, readFileSync(d.conf, 'utf8').replace(`touch ${d.dir}/ran;`, `touch ${d.dir}/ran2;`));
    const upd = await d.ctl(['update']);
    assert.equal(upd.code, 0, upd.stdout + upd.stderr);
    await h.waitFor(`armed child ${second} to go after update`, () => !alive(second) || undefined, 5000);

    // the dependency fails for good: web is left STOPPED with the reason, nothing ran
    const pending = (await d.status('web'))[0]!;
    assert.equal(pending.state, 'STOPPED', d.logs());
    const armedNow = [...mainLog(d).matchAll(/web: spawned ahead \(pid (\d+)\)/g)].map((m) => Number(m[1]));
    writeFileSync(join(d.dir, 'fail'), '');
    await d.waitState('db', 'FATAL', 10_000);
    await h.waitFor(
      'web to be released as failed',
      async () => {
        const row = (await d.status('web'))[0]!;
        return (row.state === 'STOPPED' && !row.description.startsWith('waiting for')) || undefined;
      },
      10_000,
    );
    for (const pid of armedNow) await h.waitFor(`armed child ${pid} to go after db failed`, () => !alive(pid) || undefined, 5000);
    // the `start web` of the replaced process is answered (it was cancelled), not left hanging
    const answer = await started;
    assert.notEqual(answer.code, 0, answer.stdout + answer.stderr);
    await h.sleep(200);
    assert.equal(existsSync(join(d.dir, 'ran')), false, 'the old command never ran');
    assert.equal(existsSync(join(d.dir, 'ran2')), false, 'the new command never ran');
  } finally {
    await d.stop();
  }
});

test('TSV_SPAWN_ARM=0: nothing is spawned ahead, the dependent still starts once its dependency is ready', { timeout: 60_000 }, async () => {
  const d = await h.startDaemon(conf(`sh -c 'touch @TMP@/ran; exec sleep 1000'`), { supervisordExtra: 'loglevel=debug', env: { ...process.env, TSV_SPAWN_ARM: '0' } });
  try {
    await d.waitState('db', 'STARTING');
    await h.sleep(300);
    assert.doesNotMatch(mainLog(d), /spawned ahead/);
    writeFileSync(join(d.dir, 'go'), '');
    await d.waitState('web', 'RUNNING', 10_000);
    assert.doesNotMatch(mainLog(d), /spawned ahead/);
  } finally {
    await d.stop();
  }
});
