/**
 * Without [unix_http_server] supervisord 4.2.5 starts all the same (nothing to control it but
 * signals): tsupervisord too, where it used to refuse the configuration.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as h from './harness.js';

test('no [unix_http_server]: the daemon runs its programs and stops them on SIGTERM', { timeout: 60_000 }, async () => {
  const tmp = h.makeTmpDir('tsv-nosock-');
  try {
    const conf = join(tmp.path, 'supervisord.conf');
    writeFileSync(
      conf,
      `[supervisord]\nlogfile=${tmp.path}/supervisord.log\npidfile=${tmp.path}/supervisord.pid\nchildlogdir=${tmp.path}\nnodaemon=true\n\n` +
        '[program:a]\ncommand=sleep 100\nstartsecs=0\n',
    );
    const { daemonCmd } = h.resolveCommands();
    const child = spawn(daemonCmd, ['-c', conf], { cwd: tmp.path, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const log = () => {
      try {
        return readFileSync(join(tmp.path, 'supervisord.log'), 'utf8');
      } catch {
        return '';
      }
    };
    await h.waitFor('a RUNNING', () => /success: a entered RUNNING state/.test(log()), 15_000);
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(log(), /stopped: a \(terminated by SIGTERM\)/);
  } finally {
    tmp.remove();
  }
});
