/**
 * Idle and stalled connections on the control socket, with the daemon's timeouts shortened
 * through its test knobs (TSUPERVISORD_IDLE_TIMEOUT_MS, TSUPERVISORD_FRAME_TIMEOUT_MS; the
 * real ones are 5 min and 30 s): an idle connection gets a `tsupervisor.closing` notice and is
 * closed; a request in flight, a `tail -f` follower and an events subscription are not; a
 * partial frame that stalls (slowloris) is closed; the typed client and the interactive ctl
 * reconnect by themselves, a call that crossed the notice included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ControlClient } from '@tsupervisor/protocol';
import * as h from './harness.js';

const IDLE_MS = 1500;
const FRAME_MS = 1000;
const env = { TSUPERVISORD_IDLE_TIMEOUT_MS: String(IDLE_MS), TSUPERVISORD_FRAME_TIMEOUT_MS: String(FRAME_MS) };

const CONF = `
[program:a]
command=sleep 1000
startsecs=0

[program:slow]
command=sh -c 'trap "" TERM; while :; do sleep 0.1; done'
startsecs=0
stopwaitsecs=3
`;

async function withDaemon(body: (d: h.Daemon, sock: string) => Promise<void>): Promise<void> {
  const d = await h.startDaemon(CONF, { env });
  try {
    await h.waitFor('programs RUNNING', async () => (await d.status()).every((r) => r.state === 'RUNNING'), 15_000, 100);
    await body(d, join(d.dir, 'supervisor.sock'));
  } catch (e) {
    (e as Error).message += `\n${d.logs()}`;
    throw e;
  } finally {
    await d.stop();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('idle connections are closed after a notice; requests in flight and subscriptions are not', { timeout: 60_000 }, async () => {
  await withDaemon(async (d, sock) => {
    const t0 = Date.now();
    const idle = await h.RawConnection.open(sock);
    const used = await h.RawConnection.open(sock);
    const follower = await h.RawConnection.open(sock);
    const events = await h.RawConnection.open(sock);
    const busy = await h.RawConnection.open(sock);
    assert.ok(Array.isArray((await follower.call('tsupervisor.followLogs', { names: ['a'], channel: 'stdout', main: false })).result));
    assert.equal((await events.call('tsupervisor.subscribeEvents', { types: [] })).result, true);
    // stopProcess of a program that ignores SIGTERM takes its stopwaitsecs (3 s): in flight
    // for twice the idle time.
    busy.request(7, 'supervisor.stopProcess', { name: 'slow', wait: true });

    // A connection used now and then stays open as long as it is used more often than that.
    for (let i = 0; i < 4; i++) {
      await sleep(IDLE_MS / 2);
      assert.equal((await used.call('supervisor.getState')).result && true, true, `call ${i} on a used connection`);
    }

    const notice = await idle.next(IDLE_MS * 3);
    assert.deepEqual(notice, { jsonrpc: '2.0', method: 'tsupervisor.closing', params: { reason: 'idle', seconds: IDLE_MS / 1000 } });
    assert.ok(await idle.waitClosed(5000), 'the idle connection is closed after its notice');
    assert.ok(Date.now() - t0 >= IDLE_MS - 50, 'not before the idle time');

    const answer = await busy.next(10_000);
    assert.equal(answer.id, 7);
    assert.equal(answer.result, true, JSON.stringify(answer));
    assert.ok(!busy.closed, 'the connection whose request ran past the idle time got its answer');

    await sleep(IDLE_MS + 500);
    assert.ok(!follower.closed, 'a tail -f follower is never idle');
    assert.ok(!events.closed, 'an events subscription is never idle');
    // and they still work: the events connection hears the start of slow, the follower answers.
    const start = await d.ctl(['start', 'slow']);
    assert.equal(start.stdout, 'slow: started\n', start.stderr);
    for (;;) {
      const m = await events.next(5000);
      if (m.method === 'tsupervisor.event' && (m.params as { type: string }).type === 'PROCESS_STATE_RUNNING') break;
    }
    assert.equal((await follower.call('supervisor.getPID')).result, d.pid);
    // `used` went idle after its last call, and `busy` after its answer.
    assert.ok(await used.waitClosed(IDLE_MS * 3), 'used connection closed once idle');
    assert.ok(await busy.waitClosed(IDLE_MS * 3), 'busy connection closed once idle');
    for (const c of [follower, events]) c.destroy();
    assert.equal((await d.status('a'))[0]!.state, 'RUNNING', 'the daemon serves new connections');
  });
});

test('a request frame that stalls half way (slowloris) gets an error and is closed', { timeout: 60_000 }, async () => {
  await withDaemon(async (d, sock) => {
    const slow = await h.RawConnection.open(sock);
    const t0 = Date.now();
    const frame = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'supervisor.getState' });
    // One byte every 200 ms: bytes keep coming, but the frame is never whole in time.
    let i = 0;
    const drip = setInterval(() => {
      if (i < frame.length - 1 && !slow.closed) slow.write(frame[i++]!);
    }, 200);
    try {
      const m = await slow.next(FRAME_MS * 4);
      assert.equal(m.error?.code, -32600, JSON.stringify(m));
      assert.match(m.error!.message, /request frame not complete within 1 s/);
      assert.ok(await slow.waitClosed(6000), 'closed after the error');
      const took = Date.now() - t0;
      assert.ok(took >= FRAME_MS - 50 && took < IDLE_MS + 1000, `closed after ${took} ms`);
    } finally {
      clearInterval(drip);
      slow.destroy();
    }
    // A whole frame sent in two pieces in time is answered.
    const split = await h.RawConnection.open(sock);
    split.write(frame.slice(0, 10));
    await sleep(FRAME_MS / 3);
    split.write(`${frame.slice(10)}\n`);
    const ok = await split.next(5000);
    assert.deepEqual(ok.result, { statecode: 1, statename: 'RUNNING' });
    split.destroy();
    // A connection that never sends a byte is closed after the idle time, counted from accept.
    const mute = await h.RawConnection.open(sock);
    const m0 = Date.now();
    assert.equal((await mute.next(IDLE_MS * 3)).method, 'tsupervisor.closing');
    assert.ok(await mute.waitClosed(5000));
    const muteMs = Date.now() - m0;
    assert.ok(muteMs >= IDLE_MS - 50 && muteMs < IDLE_MS * 1.7, `a silent connection closed after ${muteMs} ms`);
    assert.equal((await d.status('a'))[0]!.state, 'RUNNING');
  });
});

test('the typed client reconnects after an idle close, a call that crossed the notice included', { timeout: 60_000 }, async () => {
  await withDaemon(async (_d, sock) => {
    const client = await ControlClient.connect(sock);
    let closes = 0;
    client.onClose(() => closes++);
    assert.equal(await client.call('supervisor.getState').then((s) => s.statename), 'RUNNING');
    // Sitting idle past the timeout: the next call goes on a new connection.
    await sleep(IDLE_MS + 1000);
    assert.equal((await client.call('supervisor.getProcessInfo', { name: 'a' })).statename, 'RUNNING');
    // The race: the event loop is blocked past the idle time, so the call below is written
    // before the client has read the notice; the daemon never handles it and the client sends
    // it again on a new connection.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, IDLE_MS + 800);
    const stop = await client.call('supervisor.stopProcess', { name: 'a', wait: true });
    assert.equal(stop, true);
    assert.equal((await client.call('supervisor.getProcessInfo', { name: 'a' })).statename, 'STOPPED');
    assert.equal((await client.call('supervisor.startProcess', { name: 'a', wait: true })), true);
    assert.equal(closes, 0, 'whoever holds the client never saw a close');
    client.close();
    await sleep(100);
    assert.equal(closes, 1, 'closing it ourselves still tells the listeners');
  });
});

test('the interactive ctl sitting idle past the timeout goes on without an error', { timeout: 60_000 }, async () => {
  await withDaemon(async (d) => {
    const ctl = spawn(d.ctlCmd, ['-c', d.conf], { cwd: d.dir, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    ctl.stdout.on('data', (b: Buffer) => (out += b.toString()));
    ctl.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const exited = new Promise<number | null>((resolve) => ctl.on('close', (code) => resolve(code)));
    try {
      await h.waitFor('the first status', async () => /^a\s+RUNNING/m.test(out), 10_000, 50);
      await sleep(IDLE_MS + 1000);
      ctl.stdin.write('stop a\n');
      await h.waitFor('stop', async () => /a: stopped/.test(out), 10_000, 50);
      await sleep(IDLE_MS + 1000);
      ctl.stdin.write('status a\n');
      await h.waitFor('status after idle', async () => /\ba\s+STOPPED/.test(out), 10_000, 50);
      await sleep(IDLE_MS + 1000);
      ctl.stdin.write('start a\nquit\n');
      assert.equal(await exited, 0);
    } catch (e) {
      (e as Error).message += `\n--- ctl stdout\n${out}\n--- ctl stderr\n${err}`;
      throw e;
    } finally {
      ctl.kill('SIGKILL');
    }
    assert.match(out, /a: started/);
    assert.doesNotMatch(out, /error|closed|refused/i, out);
    assert.equal(err, '');
    assert.equal((await d.status('a'))[0]!.state, 'RUNNING');
  });
});
