/**
 * Out of file descriptors: the daemon runs under a hard open-file limit of 256 (prlimit) with
 * more programs than that allows, then gets a flood of connections. Programs that cannot be
 * spawned go BACKOFF and FATAL with supervisor's "too many open files to spawn" message; the
 * daemon survives, keeps its running programs and keeps answering the ctl.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';

const hasPrlimit = spawnSync('prlimit', ['--version']).status === 0;

test('hard limit of 256 fds, 60 programs and 600 connections: spawn failures are FATAL, the daemon serves on', { skip: !hasPrlimit && 'needs prlimit', timeout: 90_000 }, async (t) => {
  const tmp = h.makeTmpDir('tsv-fds-');
  const wrapper = join(tmp.path, 'tsupervisord-256');
  writeFileSync(wrapper, `#!/bin/sh\nexec prlimit --nofile=256:256 ${h.resolveCommands().daemonCmd} "$@"\n`);
  chmodSync(wrapper, 0o755);
  const d = await h.startDaemon(
    `
[program:p]
command=sleep 100000
process_name=%(program_name)s_%(process_num)03d
numprocs=60
startsecs=0
startretries=1
`,
    { dir: tmp.path, daemonCmd: wrapper },
  );
  try {
    const settled = await h.waitFor('every program RUNNING or FATAL', async () => {
      const rows = await d.status();
      return rows.length === 60 && rows.every((r) => r.state === 'RUNNING' || r.state === 'FATAL') ? rows : undefined;
    }, 30_000, 500);
    const running = settled.filter((r) => r.state === 'RUNNING');
    const fatal = settled.filter((r) => r.state === 'FATAL');
    t.diagnostic(`${running.length} RUNNING, ${fatal.length} FATAL under 256 fds`);
    assert.ok(running.length > 20 && fatal.length > 0, `${running.length} running, ${fatal.length} fatal`);
    const log = readFileSync(join(tmp.path, 'supervisord.log'), 'utf8');
    assert.match(log, /spawnerr: too many open files to spawn 'p_\d+'/);

    const conns = await Promise.all(Array.from({ length: 600 }, () => h.RawConnection.open(join(tmp.path, 'supervisor.sock'), 10_000).catch(() => null)));
    await h.sleep(500);
    assert.ok(h.isAlive(d.pid), 'the daemon survived the flood');
    for (const c of conns) c?.destroy();
    await h.sleep(500);
    const after = await d.status();
    assert.deepEqual(after.filter((r) => r.state === 'RUNNING').map((r) => `${r.name} ${r.pid}`), running.map((r) => `${r.name} ${r.pid}`));
    const r = await d.ctl(['start', fatal[0]!.name]);
    assert.match(r.stdout, /ERROR \(spawn error\)|started/);
  } catch (e) {
    (e as Error).message += `\n${d.logs().slice(-3000)}`;
    throw e;
  } finally {
    await d.stop();
    tmp.remove();
  }
});
