/**
 * Container PID 1 mode. With nodaemon=true the daemon is a child subreaper: processes orphaned
 * by its programs become its children and are reaped when they exit, while the exit statuses of
 * its own programs (reaped by libuv) stay right. Run as PID 1 of a new pid namespace (unshare,
 * root only) it reaps orphans and SIGTERM stops everything in priority order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';

const zombiesOf = (pid: number) => h.childrenOf(pid).filter((c) => h.statOf(c)?.state === 'Z');

test('nodaemon: orphans are adopted and reaped; the programs\' own exit statuses stay right', { timeout: 60_000 }, async () => {
  const d = await h.startDaemon(`
[program:orphaner]
command=sh -c '(sleep 1000 & echo $! > @TMP@/orphan.pid); exec sleep 1000'
startsecs=0

[program:exit7]
command=sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do (sleep 0.0$i &); done; sleep 0.2; exit 7'
startsecs=0
autorestart=true
exitcodes=0
`);
  try {
    await d.waitState('orphaner', 'RUNNING');
    const orphan = await h.waitFor('the orphan pid', () => {
      try {
        return Number(readFileSync(join(d.dir, 'orphan.pid'), 'utf8')) || undefined;
      } catch {
        return undefined;
      }
    }, 5000);
    assert.equal(h.statOf(orphan)?.ppid, d.pid, 'the orphan was adopted by the daemon (subreaper)');

    await h.sleep(3000); // exit7 restarts ~10 times, leaving 10 short-lived orphans each time
    await d.ctl(['stop', 'exit7']);
    const log = readFileSync(join(d.dir, 'supervisord.log'), 'utf8');
    const exits = [...log.matchAll(/exited: exit7 \(([^)]*)\)/g)].map((m) => m[1]);
    assert.ok(exits.length >= 5, `exit7 exited ${exits.length} times`);
    assert.deepEqual([...new Set(exits)], ['exit status 7; not expected'], 'libuv still reaps the programs');
    await h.waitFor('no zombie children', () => zombiesOf(d.pid).length === 0, 3000);

    process.kill(orphan, 'SIGTERM');
    await h.waitFor('the orphan to be reaped', () => h.statOf(orphan) === undefined, 3000);
    assert.ok(h.isAlive(d.pid));
    assert.equal((await d.status('orphaner'))[0]!.state, 'RUNNING');
  } catch (e) {
    (e as Error).message += `\n${d.logs().slice(-3000)}`;
    throw e;
  } finally {
    await d.stop();
  }
});

const canUnshare = process.getuid?.() === 0 && spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status === 0;

test('as PID 1 of a pid namespace: orphans reaped; SIGTERM stops by priority and the namespace empties', { skip: !canUnshare && 'needs root and unshare', timeout: 60_000 }, async () => {
  const tmp = h.makeTmpDir('tsv-pid1-');
  const wrapper = join(tmp.path, 'tsupervisord-pid1');
  writeFileSync(wrapper, `#!/bin/sh\nexec unshare --pid --fork --mount-proc ${h.resolveCommands().daemonCmd} "$@"\n`);
  chmodSync(wrapper, 0o755);
  const slowStop = `sh -c 'trap "sleep 0.3; exit 0" TERM; (sleep 1000 &); while :; do sleep 0.05; done'`;
  const d = await h.startDaemon(
    [30, 10, 20].map((p) => `\n[program:p${p}]\ncommand=${slowStop}\nstartsecs=0\npriority=${p}\n`).join('') +
      `\n[program:orphaner]\ncommand=sh -c 'for i in 1 2 3 4 5; do (sleep 0.$i &); done; exec sleep 1000'\nstartsecs=0\n`,
    { dir: tmp.path, daemonCmd: wrapper },
  );
  try {
    const pidInside = (await d.ctl(['pid'])).stdout.trim();
    assert.equal(pidInside, '1', 'the daemon is PID 1 inside');
    const daemon = h.childrenOf(d.pid)[0]!; // unshare --fork → the daemon
    for (const p of [10, 20, 30]) await d.waitState(`p${p}`, 'RUNNING');
    // The daemon's children: 4 programs and the 3 adopted 'sleep 1000'; the short orphans are reaped.
    await h.waitFor('the short orphans to be reaped', () => h.childrenOf(daemon).length === 7, 5000).catch(() => {
      throw new Error(`children: ${h.childrenOf(daemon).map((c) => `${c}:${h.statOf(c)?.state}`)}`);
    });
    const everyone = h.descendantsOf(daemon);
    process.kill(daemon, 'SIGTERM');
    await h.waitFor('the daemon to exit', () => !h.isAlive(daemon), 15_000);
    const log = readFileSync(join(tmp.path, 'supervisord.log'), 'utf8');
    const order = [...log.matchAll(/stopped: (p\d+) /g)].map((m) => m[1]);
    assert.deepEqual(order, ['p30', 'p20', 'p10']);
    await h.waitFor('the namespace to empty', () => everyone.every((p) => !h.isAlive(p)), 5000);
  } catch (e) {
    (e as Error).message += `\n${d.logs().slice(-3000)}`;
    throw e;
  } finally {
    await d.stop();
    tmp.remove();
  }
});
