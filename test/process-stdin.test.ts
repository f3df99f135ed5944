/**
 * A child's stdin (supervisor.sendProcessStdin): a real pipe the child reads from, written by the
 * daemon on demand; the daemon's end is closed when the child exits, so restarts leak no fds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ControlClient, Faults, RPCFault } from '@tsupervisor/protocol';
import * as h from './harness.js';

/** The daemon's open pipe fds. */
function pipeFds(pid: number): number {
  let n = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('pipe:')) n++;
    } catch {
      /* closed meanwhile */
    }
  }
  return n;
}

test('sendProcessStdin reaches the child through a pipe; restarts leak no pipe fds', { timeout: 60_000 }, async () => {
  const d = await h.startDaemon(`
[program:echo]
command=cat
startsecs=0
stdout_logfile=%(here)s/echo.log

[program:quiet]
command=sleep 100000
startsecs=0
`);
  const c = await ControlClient.connect(join(d.dir, 'supervisor.sock'));
  try {
    await d.waitState('echo', 'RUNNING');
    await d.waitState('quiet', 'RUNNING');
    // The child's fd 0 is a pipe (as supervisor's make_pipes), not a socket.
    const pid = (await d.status('echo'))[0]!.pid!;
    assert.match(readlinkSync(`/proc/${pid}/fd/0`), /^pipe:/);
    assert.equal(await c.call('supervisor.sendProcessStdin', { name: 'echo', chars: 'hello stdin\n' }), true);
    assert.equal(await c.call('supervisor.sendProcessStdin', { name: 'echo', chars: 'again\n' }), true);
    const log = join(d.dir, 'echo.log');
    await h.waitFor('the lines in the log', () => (readFileSync(log, 'utf8') === 'hello stdin\nagain\n' ? true : undefined), 10_000, 50);

    const before = pipeFds(d.pid);
    for (let i = 0; i < 3; i++) {
      const r = await d.ctl(['restart', 'echo', 'quiet']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      await c.call('supervisor.sendProcessStdin', { name: 'echo', chars: `round ${i}\n` });
    }
    await h.waitFor('the rounds in the log', () => (readFileSync(log, 'utf8').endsWith('round 2\n') ? true : undefined), 10_000, 50);
    // pipes of exited children are closed (their output ones after a short grace)
    await h.waitFor('no pipe fds leaked', () => (pipeFds(d.pid) <= before ? true : undefined), 5_000, 100);

    await d.ctl(['stop', 'echo']);
    await assert.rejects(c.call('supervisor.sendProcessStdin', { name: 'echo', chars: 'x' }), (e: unknown) => e instanceof RPCFault && e.code === Faults.NOT_RUNNING);
  } finally {
    c.close();
    await d.stop();
  }
});
