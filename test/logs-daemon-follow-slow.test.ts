/**
 * Followers that read slowly or not at all (issue 19, items 5–7). The daemon follows a log
 * file by position and reads it at each client's pace, so:
 * - a `tail -f` whose reader pauses while 20 MB are written still gets every byte, in order;
 * - when rotation deletes bytes it had not read yet, it is told how many (stderr), and the
 *   rest is exactly the kept files;
 * - `tail -f` ends non-zero with a message when the daemon goes away;
 * - 20 clients that never read during a 20 MB flood cost the daemon little memory (before:
 *   16 MiB each), and it stays low once they have gone;
 * - readProcessStdoutLog(name, 0, 0) of a log larger than the limit (set small here with
 *   TSUPERVISORD_MAX_READ_BYTES) is a FAILED fault saying it is too large and how to read it.
 * tsupervisor only (supervisord's /logtail polls; its big reads take minutes).
 */
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.js';
import { isTs, logDir, readAll, withDaemon } from './logs-helpers.js';

const HEADER = '==> Press Ctrl-C to exit <==\n';
/** `start`, then (once the file `go` exists: go(d)) ~20 MB of numbered lines, 63 bytes each. */
const LINES = 320_000;
const FLOOD_BYTES = 6 + LINES * 63;
const flood = (name: string, extra = '') => `
[program:${name}]
command=/usr/bin/python3 -c "import os,sys,time; sys.stdout.write('start\\n'); sys.stdout.flush(); exec('while not os.path.exists(sys.argv[1]): time.sleep(0.05)'); [sys.stdout.write('line %%08d %%s\\n' %% (i, 'y' * 48)) for i in range(${LINES})]" %(here)s/go
autostart=true
autorestart=false
startsecs=0
stdout_logfile=%(here)s/${name}.log
stdout_logfile_maxbytes=0
${extra}`;

const go = (d: h.Daemon) => writeFileSync(join(d.dir, 'go'), '');

/** A `tail -f` ctl whose stdout is read only when the test says (paused: the pipe fills). */
function pausedFollower(d: h.Daemon, name: string) {
  const child = spawn(d.ctlCmd, ['-c', d.conf, 'tail', '-f', name], { cwd: d.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let size = 0;
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    out.push(c);
    size += c.length;
  });
  child.stderr.on('data', (c) => (stderr += c));
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    pause: () => child.stdout.pause(),
    resume: () => child.stdout.resume(),
    size: () => size,
    text: () => Buffer.concat(out).toString('latin1'),
    stderr: () => stderr,
    closed,
    async stop() {
      child.kill('SIGINT');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      const code = await closed;
      clearTimeout(t);
      return code;
    },
  };
}

test('tail -f paused while 20 MB are written: every byte, in order, as in the log file', { skip: !isTs }, async () => {
  await withDaemon(flood('big'), async (d) => {
    const f = pausedFollower(d, 'big');
    await h.waitFor('the follower to show start', () => f.text().includes('start\n'), 10_000);
    f.pause();
    go(d);
    await d.waitState('big', 'EXITED', 60_000);
    await h.sleep(500);
    f.resume();
    await h.waitFor('the whole log', () => f.size() >= HEADER.length + FLOOD_BYTES, 60_000);
    assert.equal(await f.stop(), 0);
    const log = readFileSync(logDir(d, 'big.log'), 'latin1');
    assert.equal(log.length, FLOOD_BYTES);
    const body = f.text().slice(HEADER.length, -1); // Ctrl-C adds an empty line
    assert.ok(body === log, `the follower's ${body.length} bytes are not the log's ${log.length}`);
    assert.equal(f.stderr(), '');
  });
});

test('tail -f paused while rotation deletes what it has not read: told how many bytes, then the kept files', { skip: !isTs }, async () => {
  await withDaemon(flood('rot', 'stdout_logfile_maxbytes=1MB\nstdout_logfile_backups=2'), async (d) => {
    const f = pausedFollower(d, 'rot');
    await h.waitFor('the follower to show start', () => f.text().includes('start\n'), 10_000);
    f.pause();
    go(d);
    await d.waitState('rot', 'EXITED', 60_000);
    await h.sleep(500);
    const kept = readAll(['rot.log.2', 'rot.log.1', 'rot.log'].map((p) => logDir(d, p)));
    f.resume();
    await h.waitFor('the kept logs', () => f.text().endsWith(kept), 60_000);
    assert.equal(await f.stop(), 0);
    // one notice per run of deleted bytes it met (it may have read some between rotations)
    const notices = f.stderr().split('\n').slice(0, -1);
    assert.ok(notices.length > 0, 'at least one notice');
    let skipped = 0;
    for (const line of notices) {
      const m = /^==> rot: (\d+) bytes skipped \(rotated away before they were read\) <==$/.exec(line);
      assert.ok(m, `a notice on stderr: ${JSON.stringify(line)}`);
      skipped += Number(m[1]);
    }
    const body = f.text().slice(HEADER.length, -1);
    assert.equal(body.length + skipped, FLOOD_BYTES, 'received + skipped = all that was written');
    assert.ok(body.endsWith(kept));
  });
});

test('tail -f ends non-zero with a message when the daemon goes away', { skip: !isTs }, async () => {
  await withDaemon(flood('gone'), async (d) => {
    const f = pausedFollower(d, 'gone');
    await h.waitFor('the follower to show start', () => f.text().includes('start\n'), 10_000);
    go(d);
    const r = await d.ctl(['shutdown']);
    assert.equal(r.code, 0, r.stderr);
    const code = await Promise.race([f.closed, h.sleep(15_000).then(() => 'still running')]);
    assert.equal(code, 1, f.stderr());
    assert.match(f.stderr(), /^Error: the connection to unix:\/\/.*supervisor\.sock was closed; output stops here\n$/);
  });
});

test('20 clients that never read during a 20 MB flood hold little daemon memory, and it stays low after', { skip: !isTs }, async () => {
  await withDaemon(flood('mem'), async (d) => {
    const sock = join(d.dir, 'supervisor.sock');
    await d.waitState('mem', 'RUNNING');
    const before = h.rssKb(d.pid);
    const clients: h.RawConnection[] = [];
    for (let i = 0; i < 20; i++) {
      const c = await h.RawConnection.open(sock);
      const r = await c.call('tsupervisor.followLogs', { names: ['mem'], channel: 'stdout', head: 1024 });
      assert.deepEqual(r.result, ['mem'], JSON.stringify(r));
      c.socket.pause(); // never reads from now on: the kernel's buffers fill, then the daemon's
      clients.push(c);
    }
    const rss = h.sampler(() => h.rssKb(d.pid), 50);
    go(d);
    await d.waitState('mem', 'EXITED', 60_000);
    await h.sleep(1000);
    const peak = Math.max(...rss.stop());
    // before: each client held up to 16 MiB of unsent output (20 clients: ~320 MB)
    const BOUND_KB = 80 * 1024;
    assert.ok(peak - before < BOUND_KB, `daemon RSS grew by ${peak - before} KiB with 20 non-reading followers (bound ${BOUND_KB})`);
    for (const c of clients) c.socket.destroy();
    await h.sleep(1500);
    const after = h.rssKb(d.pid);
    assert.ok(after - before < BOUND_KB, `daemon RSS ${after - before} KiB above its start after the clients left`);
    assert.equal(statSync(logDir(d, 'mem.log')).size, FLOOD_BYTES);
  });
});

test('readProcessStdoutLog(name, 0, 0) of a log larger than the limit: FAILED, too large, read it in parts', { skip: !isTs }, async () => {
  const conf = `
[program:big]
command=/usr/bin/python3 -c "import sys; sys.stdout.write('z' * 300000 + '\\n')"
autostart=true
autorestart=false
startsecs=0
stdout_logfile=%(here)s/big.log
`;
  await withDaemon(
    conf,
    async (d) => {
      await d.waitState('big', 'EXITED');
      const c = await h.RawConnection.open(join(d.dir, 'supervisor.sock'));
      try {
        const whole = await c.call('supervisor.readProcessStdoutLog', { name: 'big', offset: 0, length: 0 });
        assert.equal(whole.error?.code, 30, JSON.stringify(whole));
        assert.match(whole.error!.message, /^FAILED: log too large to return at once: 300001 bytes asked, at most 100000 per call; read it in parts with an offset and a length/);
        assert.match(whole.error!.message, /or follow it with tail -f$/);
        const part = await c.call('supervisor.readProcessStdoutLog', { name: 'big', offset: 0, length: 100000 });
        assert.equal(part.result, 'z'.repeat(100000));
      } finally {
        c.socket.destroy();
      }
      const r = await d.ctl(['tail', '-200000', 'big']);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /^big: ERROR \(log too large to return at once: 200000 bytes asked/);
    },
    { env: { ...process.env, TSUPERVISORD_MAX_READ_BYTES: '100000' } },
  );
});
