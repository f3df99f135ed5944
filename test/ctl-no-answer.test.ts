/**
 * What tsupervisorctl says when the socket does not answer as tsupervisord does: a daemon that
 * accepts but does not answer in time (stopped with SIGSTOP here: the kernel still accepts the
 * connection) is named as such, with the timeout and the socket; supervisord's own socket
 * answers the probe with an HTTP 400 at once, and the ctl goes on in XML-RPC (docs/fleet.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as h from './harness.js';

const ANSWER_TIMEOUT_MS = 500;
const TSUPERVISORCTL = join(h.repoRoot, 'node_modules', '.bin', 'tsupervisorctl');

test('a daemon that does not answer in time: "did not answer in 0.5 s", with its socket; exit 1', { skip: h.defaultImpl !== 'tsupervisor', timeout: 60_000 }, async () => {
  const d = await h.startDaemon('[program:web]\ncommand=sleep 1000\nstartsecs=0\n');
  try {
    await d.waitState('web', 'RUNNING');
    process.kill(d.pid, 'SIGSTOP');
    let ran: h.CtlResult;
    try {
      ran = await h.runCmd(d.ctlCmd, ['-c', d.conf, 'status'], {
        env: { ...process.env, TSUPERVISORCTL_ANSWER_TIMEOUT_MS: String(ANSWER_TIMEOUT_MS) },
        timeoutMs: 20_000,
      });
    } finally {
      process.kill(d.pid, 'SIGCONT');
    }
    assert.deepEqual(ran, {
      stdout: '',
      stderr: `Error: the daemon at unix://${d.dir}/supervisor.sock accepted the connection but did not answer in 0.5 s: it is too busy or stuck (its log may say why)\n`,
      code: 1,
    });
    assert.equal((await d.ctl(['status'])).code, 0, 'it answers again once running');
  } finally {
    await d.stop();
  }
});

const hasSupervisord = spawnSync('sh', ['-c', 'command -v supervisord'], { stdio: 'ignore' }).status === 0;

test("tsupervisorctl on supervisord's socket: told at once that it speaks HTTP, then served over XML-RPC; supervisord logs no error", { skip: !hasSupervisord, timeout: 60_000 }, async () => {
  const d = await h.startDaemon('[program:web]\ncommand=sleep 1000\nstartsecs=0\n', { daemonCmd: 'supervisord' });
  try {
    await d.waitState('web', 'RUNNING');
    const started = Date.now();
    const ran = await h.runCmd(TSUPERVISORCTL, ['-c', d.conf, 'status'], { timeoutMs: 20_000 });
    assert.ok(Date.now() - started < 5000, `answered in ${Date.now() - started} ms, not after the 10 s timeout`);
    assert.equal(ran.stderr, '');
    assert.equal(ran.code, 0);
    assert.match(ran.stdout, /^web\s+RUNNING\s+pid \d+, uptime \d+:\d\d:\d\d\n$/);
    assert.doesNotMatch(d.logs(), /uncaptured python exception/);
  } finally {
    await d.stop();
  }
});
