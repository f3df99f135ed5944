/**
 * Descriptors at rest and minfds/minprocs. 600 programs that are not started hold no descriptor
 * (their AUTO log files exist, as supervisor makes them, but are opened only when a program
 * runs), so the daemon under a limit of 1024 stays small and answers; a program's logs are
 * closed again when it stops. With a hard limit below minfds (or minprocs) the daemon refuses to
 * start with supervisord's message and exit code 2, in the foreground and daemonized.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';

const hasPrlimit = spawnSync('prlimit', ['--version']).status === 0;

function fdsOf(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

test('600 programs with autostart=false under ulimit -n 1024: a handful of fds, status within 10 s, a stopped program closes its logs', { skip: !hasPrlimit && 'needs prlimit', timeout: 120_000 }, async (t) => {
  const tmp = h.makeTmpDir('tsv-fds600-');
  const wrapper = join(tmp.path, 'tsupervisord-1024');
  writeFileSync(wrapper, `#!/bin/sh\nexec prlimit --nofile=1024:1024 ${h.resolveCommands().daemonCmd} "$@"\n`);
  chmodSync(wrapper, 0o755);
  const d = await h.startDaemon(
    `
[program:p]
command=sh -c 'echo out-$SUPERVISOR_PROCESS_NAME; exec sleep 100000'
process_name=%(program_name)s_%(process_num)03d
numprocs=600
autostart=false
`,
    { dir: tmp.path, daemonCmd: wrapper, readyTimeoutMs: 60_000 },
  );
  try {
    const t0 = Date.now();
    const rows = h.parseStatus((await d.ctl(['status'], 15_000)).stdout);
    const took = Date.now() - t0;
    assert.equal(rows.length, 600);
    assert.ok(rows.every((r) => r.state === 'STOPPED'));
    assert.ok(took < 10_000, `status of 600 took ${took} ms`);
    const idle = fdsOf(d.pid);
    t.diagnostic(`${idle} fds with 600 programs configured (status in ${took} ms)`);
    assert.ok(idle <= 64, `${idle} fds held by an idle daemon with 600 programs (bound 64)`);
    // the AUTO log files are made at start-up, as supervisord's (all but the first in the
    // background, a few at a time, while the daemon already answers), but not held open
    const autoFiles = () => readdirSync(tmp.path).filter((f) => /^p_\d{3}-(stdout|stderr)---supervisor-\w{8}\.log$/.test(f)).length;
    await h.waitFor('the 1,200 AUTO log files made', () => autoFiles() === 1200, 10_000, 50);
    assert.ok(fdsOf(d.pid) <= 64, `${fdsOf(d.pid)} fds once the AUTO files are made`);

    assert.match((await d.ctl(['start', 'p:p_007'])).stdout, /started/);
    assert.match((await d.ctl(['tail', 'p:p_007'])).stdout, /out-p_007/);
    const runningFds = fdsOf(d.pid);
    assert.match((await d.ctl(['stop', 'p:p_007'])).stdout, /stopped/);
    const stopped = await h.waitFor('p_007\'s pipes and logs closed', () => (fdsOf(d.pid) <= idle ? fdsOf(d.pid) : undefined), 5_000, 100);
    t.diagnostic(`one program: ${idle} -> ${runningFds} -> ${stopped} fds`);
    // its log is read by path once closed
    assert.match((await d.ctl(['tail', 'p:p_007'])).stdout, /out-p_007/);
  } catch (e) {
    (e as Error).message += `\n${d.logs().slice(-3000)}`;
    throw e;
  } finally {
    await d.stop();
    tmp.remove();
  }
});

/** Whether this environment lets a process raise its hard limit (root with CAP_SYS_RESOURCE). */
function canRaiseHard(option: string): boolean {
  return spawnSync('prlimit', [`${option}=64:64`, 'prlimit', `${option}=4096:4096`, 'true']).status === 0;
}

const MINFDS_MESSAGE =
  'Error: The minimum number of file descriptors required to run this process is 1024 as per the "minfds" command-line argument or config file setting. ' +
  'The current environment will only allow you to open 1024 file descriptors.  Either raise the number of usable file descriptors in your ' +
  'environment (see README.rst) or lower the minfds setting in the config file to allow the process to start.\nFor help, use tsupervisord -h\n';

const MINPROCS_MESSAGE =
  'Error: The minimum number of available processes required to run this program is 200 as per the "minprocs" command-line argument or config file setting. ' +
  'The current environment will only allow you to open 200 processes.  Either raise the number of usable processes in your ' +
  'environment (see README.rst) or lower the minprocs setting in the config file to allow the program to start.\nFor help, use tsupervisord -h\n';

for (const c of [
  { what: 'minfds=1024 (default), hard limit of 64 fds', option: '--nofile', message: MINFDS_MESSAGE, nodaemon: true },
  { what: 'minprocs=200 (default), hard limit of 50 processes, daemonized', option: '--nproc', message: MINPROCS_MESSAGE, nodaemon: false },
]) {
  test(`${c.what}: refuses to start within 10 s, exit 2, supervisord's message`, { skip: (!hasPrlimit && 'needs prlimit') || (canRaiseHard(c.option) && 'root may raise the hard limit here'), timeout: 30_000 }, () => {
    const tmp = h.makeTmpDir('tsv-minfds-');
    try {
      const conf = join(tmp.path, 'supervisord.conf');
      writeFileSync(conf, h.confHeader(tmp.path).replace('nodaemon=true', `nodaemon=${c.nodaemon}`) + '\n[program:a]\ncommand=sleep 1000\n');
      const limit = c.option === '--nofile' ? '64:64' : '50:50';
      const t0 = Date.now();
      const r = spawnSync('prlimit', [`${c.option}=${limit}`, h.resolveCommands().daemonCmd, '-c', conf], { encoding: 'utf8', timeout: 10_000 });
      assert.ok(Date.now() - t0 < 10_000, 'answered within 10 s');
      assert.equal(r.status, 2, `exit ${r.status} ${r.signal ?? ''}: ${r.stderr}`);
      assert.equal(r.stderr, c.message);
      assert.deepEqual(readdirSync(tmp.path).filter((f) => f.endsWith('.sock') || f.endsWith('.pid')), [], 'nothing started');
    } finally {
      tmp.remove();
    }
  });
}

test('minfds=64 under a hard limit of 64 starts; a hard limit above minfds is used as it is', { skip: !hasPrlimit && 'needs prlimit', timeout: 30_000 }, async () => {
  const tmp = h.makeTmpDir('tsv-minfds-ok-');
  const wrapper = join(tmp.path, 'tsupervisord-64');
  writeFileSync(wrapper, `#!/bin/sh\nexec prlimit --nofile=64:64 ${h.resolveCommands().daemonCmd} "$@"\n`);
  chmodSync(wrapper, 0o755);
  const d = await h.startDaemon('[program:a]\ncommand=sleep 1000\n', { dir: tmp.path, daemonCmd: wrapper, supervisordExtra: 'minfds=64' });
  try {
    await d.waitState('a', 'RUNNING');
  } finally {
    await d.stop();
    tmp.remove();
  }
});
