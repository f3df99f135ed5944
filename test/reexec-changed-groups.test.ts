/**
 * `reexec` handles a group whose own settings changed as `update` would (issue 14): an
 * [eventlistener:x] with new pool settings (events=) has its listeners restarted and the pool
 * started afresh, so the new subscription is served by a new process; an [fcgi-program:x] with a
 * new socket= address has its workers restarted onto the new socket, and the old socket is
 * closed (refuses, no fd left in the daemon); a new address in use makes the workers FATAL as a
 * start would, and `start` binds it once free. What did not change keeps its pid.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as h from './harness.js';
import { readRecorded, RECORDER, waitRecorded } from './events-helpers.js';
import { reexec } from './reexec-helpers.js';

const skip = h.defaultImpl === 'supervisor' ? 'tsupervisor extension (reexec)' : false;

/** The inode of the socket listening on 127.0.0.1:port (/proc/net/tcp), or null. */
function listeningInode(port: number): string | null {
  const hex = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1] === hex && f[3] === '0A') return f[9] ?? null;
  }
  return null;
}

/** The socket inodes among a process's fds. */
function socketsOf(pid: number): string[] {
  const out: string[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) out.push(m[1]!);
    } catch {
      /* closed meanwhile */
    }
  }
  return out;
}

async function restarted(d: h.Daemon, name: string, oldPid: number): Promise<number> {
  return h.waitFor(`${name} restarted`, async () => {
    const r = (await d.status(name))[0];
    return r?.state === 'RUNNING' && r.pid && r.pid !== oldPid ? r.pid : null;
  }, 10_000);
}

test('reexec: a listener pool with new events= is restarted and receives the new event type; an unchanged listener and program keep their pids', { skip }, async () => {
  const conf = `
[eventlistener:rec]
command=${RECORDER} @TMP@/rec.jsonl ok
events=PROCESS_COMMUNICATION

[eventlistener:same]
command=${RECORDER} @TMP@/same.jsonl ok
events=TICK_60

[program:steady]
command=sleep 1000
startsecs=0

[program:flap]
command=sleep 0.3
startsecs=0
autorestart=true
`;
  await h.withDaemon(conf, async (d) => {
    const rec = await d.waitState('rec', 'RUNNING');
    const same = await d.waitState('same', 'RUNNING');
    const steady = await d.waitState('steady', 'RUNNING');
    const file = `${d.dir}/rec.jsonl`;
    // before: a type nothing here emits (TICK_60 did, at a minute boundary, into the same file)
    writeFileSync(d.conf, readFileSync(d.conf, 'utf8').replace(/(\[eventlistener:rec\]\n[^\n]*\n)events=PROCESS_COMMUNICATION/, '$1events=PROCESS_STATE_EXITED'));
    await reexec(d);
    const pid = await restarted(d, 'rec', rec.pid!);
    assert.ok(!d.children().includes(rec.pid!), 'the old listener is gone');
    await waitRecorded(d, file, 'a PROCESS_STATE_EXITED event', (rs) => rs.some((r) => r.headers['eventname'] === 'PROCESS_STATE_EXITED'));
    assert.ok(readRecorded(file).every((r) => r.headers['eventname'] === 'PROCESS_STATE_EXITED'), 'only the new subscription');
    assert.match(d.logs(), /reexec: rec changed in the configuration \(events\): restarting it/);
    assert.equal((await d.status('rec'))[0]?.pid, pid);
    assert.equal((await d.status('same'))[0]?.pid, same.pid, 'an unchanged listener keeps its pid');
    assert.equal((await d.status('steady'))[0]?.pid, steady.pid, 'an unchanged program keeps its pid');
  });
});

test('reexec: an fcgi program with a new socket= address runs on the new socket, the old one refuses and is closed; an unchanged program keeps its pid', { skip }, async () => {
  const [oldPort, newPort] = [await h.freePort(), await h.freePort()];
  const conf = `
[fcgi-program:f]
socket=tcp://127.0.0.1:${oldPort}
command=sleep 1000
process_name=%(program_name)s_%(process_num)s
numprocs=2
startsecs=0

[program:steady]
command=sleep 1000
startsecs=0
`;
  await h.withDaemon(conf, async (d) => {
    const names = ['f:f_0', 'f:f_1'];
    const workers = [await d.waitState(names[0]!, 'RUNNING'), await d.waitState(names[1]!, 'RUNNING')];
    const steady = await d.waitState('steady', 'RUNNING');
    const oldIno = listeningInode(oldPort);
    assert.ok(oldIno && socketsOf(d.pid).includes(oldIno), 'the daemon holds the old socket');
    writeFileSync(d.conf, readFileSync(d.conf, 'utf8').replace(`:${oldPort}`, `:${newPort}`));
    await reexec(d);
    const newIno = listeningInode(newPort);
    assert.ok(newIno, 'the new address is bound');
    for (const [i, w] of workers.entries()) {
      const pid = await restarted(d, names[i]!, w.pid!);
      assert.equal(readlinkSync(`/proc/${pid}/fd/0`), `socket:[${newIno}]`, 'the new worker has the new socket on fd 0');
      assert.ok(!d.children().includes(w.pid!), 'the old worker is gone');
    }
    assert.ok(await h.canConnect({ port: newPort }), 'the new address accepts');
    assert.equal(await h.canConnect({ port: oldPort }), false, 'the old address refuses');
    assert.ok(!socketsOf(d.pid).includes(oldIno), 'the old socket fd is closed in the daemon');
    assert.match(d.logs(), /reexec: f:f_0 changed in the configuration \(socket\): restarting it/);
    assert.equal((await d.status('steady'))[0]?.pid, steady.pid, 'an unchanged program keeps its pid');
  });
});

test('reexec: an fcgi program moved to an address in use goes FATAL naming it, as update and a start would; the rest runs on and, once the address is free, start binds it', { skip }, async () => {
  const [oldPort, busyPort] = [await h.freePort(), await h.freePort()];
  const blocker = createServer((c) => c.destroy());
  await new Promise<void>((resolve, reject) => {
    blocker.once('error', reject);
    blocker.listen(busyPort, '127.0.0.1', resolve);
  });
  const conf = `
[fcgi-program:f]
socket=tcp://127.0.0.1:${oldPort}
command=sleep 1000
process_name=%(program_name)s_%(process_num)s
numprocs=2
startsecs=0
startretries=1

[program:steady]
command=sleep 1000
startsecs=0
`;
  try {
    await h.withDaemon(conf, async (d) => {
      const names = ['f:f_0', 'f:f_1'];
      const workers = [await d.waitState(names[0]!, 'RUNNING'), await d.waitState(names[1]!, 'RUNNING')];
      const steady = await d.waitState('steady', 'RUNNING');
      writeFileSync(d.conf, readFileSync(d.conf, 'utf8').replace(`:${oldPort}`, `:${busyPort}`));
      await reexec(d);
      for (const n of names) {
        const row = await d.waitState(n, 'FATAL', 20_000);
        assert.match(row.description, new RegExp(`127\\.0\\.0\\.1:${busyPort}.*EADDRINUSE`), row.description);
      }
      for (const w of workers) assert.ok(!d.children().includes(w.pid!), 'the old worker was stopped');
      assert.match(d.logs(), new RegExp(`f: cannot listen on tcp://127\\.0\\.0\\.1:${busyPort}: .*EADDRINUSE`));
      assert.equal(await h.canConnect({ port: oldPort }), false, 'the old address is closed');
      assert.equal((await d.status('steady'))[0]?.pid, steady.pid, 'an unchanged program keeps its pid');
      assert.equal((await d.ctl(['pid'])).stdout.trim(), String(d.pid), 'the daemon answers');

      await new Promise<void>((resolve) => blocker.close(() => resolve()));
      assert.equal((await d.ctl(['start', 'f:*'])).code, 0);
      for (const n of names) await d.waitState(n, 'RUNNING');
      assert.ok(await h.canConnect({ port: busyPort }), 'the new address is bound once free');
    });
  } finally {
    if (blocker.listening) await new Promise<void>((resolve) => blocker.close(() => resolve()));
  }
});
