/**
 * Container PID 1 mode. With nodaemon=true the daemon is a child subreaper: processes orphaned
 * by its programs become its children and are reaped when they exit, while the exit statuses of
 * its own programs (reaped by libuv) stay right. As PID 1 of a new pid namespace (unshare: orphans,
 * SIGTERM in priority order, docker stop's timing, essential=): test/pid1-namespace.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';

const zombiesOf = (pid: number) => h.childrenOf(pid).filter((c) => h.statOf(c)?.state === 'Z');

test('nodaemon: orphans are adopted and reaped; the programs\' own exit statuses stay right', { timeout: 60_000 }, async () => {
  const d = await h.startDaemon(`
[program:orphaner]
command=sh -c '(sleep 1000 & echo $! > @TMP@/orphan.pid); exec sleep 1000'
startsecs=0

[program:exit7]
command=sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do (sleep 0.0$i &); done; sleep 1.1; exit 7'
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

    // exit7 runs 1.1 s (past the crash-loop rule's 1 s, so it is respawned at once) and leaves
    // 10 short-lived orphans each time; wait for five of its exits
    const exitsOf = () => [...readFileSync(join(d.dir, 'supervisord.log'), 'utf8').matchAll(/exited: exit7 \(([^)]*)\)/g)].map((m) => m[1]);
    await h.waitFor('five exits of exit7', () => exitsOf().length >= 5, 20_000);
    await d.ctl(['stop', 'exit7']);
    const exits = exitsOf();
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
