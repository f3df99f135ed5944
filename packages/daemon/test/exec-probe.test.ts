/**
 * The exec: attempt of ready= and healthcheck= (readiness/poll.ts): spawned by the native layer
 * (never child_process, which forks the daemon), with the probe's environment, argv[0] as
 * written, its answers (exit status, a missing command, the timeout's SIGKILL) and an abort.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import { attemptOf } from '../src/readiness/poll.js';

const PATH = process.env['PATH'] ?? '/usr/bin:/bin';
const exec = (...argv: string[]) => attemptOf({ kind: 'exec', argv, text: `exec:${argv.join(' ')}` });
const run = (argv: string[], env: Record<string, string> = { PATH }, ms = 5000, signal = new AbortController().signal) => exec(...argv)(env, signal, ms);

test('exec probe: native spawn, its env and argv[0], exit statuses, missing command, timeout and abort', async () => {
  let forked = 0;
  const proto = ChildProcess.prototype as unknown as { spawn: (...args: unknown[]) => unknown };
  const spawn = proto.spawn;
  proto.spawn = function (this: ChildProcess, ...args: unknown[]) {
    forked++;
    return spawn.apply(this, args);
  };
  // the reaper's SIGCHLD handler does not keep the loop alive (the daemon's servers do)
  const alive = setInterval(() => {}, 1000);

  assert.equal(await run(['true']), null);
  assert.equal(await run(['sh', '-c', 'exit 3']), 'exit status 3');
  assert.equal(await run(['sh', '-c', 'test "$PROBE_X" = yes'], { PATH, PROBE_X: 'yes' }), null, 'the probe env');
  assert.equal(await run(['sh', '-c', 'test "$PROBE_X" = yes'], { PATH }), 'exit status 1', 'nothing else than the probe env');
  assert.equal(await run(['sh', '-c', `test "$(tr '\\000' '\\n' < /proc/$$/cmdline | head -n 1)" = sh`]), null, 'argv[0] as written');
  assert.equal(await run(['no-such-probe-command']), "can't find command 'no-such-probe-command'");

  let t = performance.now();
  assert.equal(await run(['sleep', '5'], { PATH }, 200), 'no exit within 200 ms');
  assert.ok(performance.now() - t < 3000, 'killed at the timeout');

  const abort = new AbortController();
  t = performance.now();
  const pending = run(['sleep', '5'], { PATH }, 5000, abort.signal);
  setTimeout(() => abort.abort(), 100);
  assert.equal(await pending, 'terminated by SIGKILL');
  assert.ok(performance.now() - t < 3000, 'killed at the abort');

  assert.equal(forked, 0, 'no child_process spawn');
  clearInterval(alive);
});
