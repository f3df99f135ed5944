/**
 * tsupervisorctl against the real tsupervisord (a child process on a temp config), exact
 * output and exit codes.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { startCtl } from './run-ctl.js';
import { DAEMON_BUILT, normalise, startDaemon, waitState } from './daemon.js';

const skip = DAEMON_BUILT ? false : 'tsupervisord is not built';

describe('against tsupervisord', { skip }, () => {
  test('status, start, stop, restart, pid: texts and exit codes', async () => {
    const d = await startDaemon(
      '[group:g]\nprograms=a,b\n\n[program:a]\ncommand=sleep 100\nstartsecs=0\n\n[program:b]\ncommand=sleep 100\nstartsecs=0\n\n[program:off]\ncommand=sleep 100\nautostart=false\n',
    );
    try {
      await waitState(d, 'RUNNING', 'g:a', 'g:b');
      const W = (s: string) => s.padEnd(33);
      const status = await d.ctl(['status']);
      assert.equal(normalise(status.stdout), `${W('g:a')}RUNNING   pid N, uptime T\n${W('g:b')}RUNNING   pid N, uptime T\n${W('off')}STOPPED   Not started\n`);
      assert.equal(status.code, 3);
      assert.equal((await d.ctl(['status', 'g:*'])).code, 0);
      assert.deepEqual(await d.ctl(['status', 'nope']), { stdout: 'nope: ERROR (no such process)\n', stderr: '', code: 4 });
      assert.deepEqual(await d.ctl(['start', 'off', 'g:a']), { stdout: 'off: started\ng:a: ERROR (already started)\n', stderr: '', code: 0 });
      assert.deepEqual(await d.ctl(['stop', 'off']), { stdout: 'off: stopped\n', stderr: '', code: 0 });
      assert.equal(normalise((await d.ctl(['status', 'off'])).stdout), `${W('off')}STOPPED   DATE\n`);
      assert.deepEqual(await d.ctl(['pid', 'off']), { stdout: '0\n', stderr: '', code: 7 });
      assert.deepEqual(await d.ctl(['restart', 'g:a']), { stdout: 'g:a: stopped\ng:a: started\n', stderr: '', code: 0 });
      const json = JSON.parse((await d.ctl(['status', '--json', 'g:a'])).stdout);
      assert.equal(json[0].statename, 'RUNNING');
      assert.ok(json[0].pid > 0);
      assert.deepEqual(await d.ctl(['stop', 'nope:*']), { stdout: 'nope: ERROR (no such group)\n', stderr: '', code: 1 });
    } finally {
      await d.stop();
    }
  });

  test('reread and update after editing the config', async () => {
    const prog = (name: string, cmd = 'sleep 100') => `[program:${name}]\ncommand=${cmd}\nstartsecs=0\n\n`;
    const d = await startDaemon(prog('keep') + prog('change') + prog('drop'));
    try {
      await waitState(d, 'RUNNING', 'keep', 'change', 'drop');
      assert.deepEqual(await d.ctl(['reread']), { stdout: 'No config updates to processes\n', stderr: '', code: 0 });
      d.writeConf(prog('keep') + prog('change', 'sleep 101') + prog('fresh'));
      assert.deepEqual(await d.ctl(['reread']), { stdout: 'change: changed\ndrop: disappeared\nfresh: available\n', stderr: '', code: 0 });
      assert.deepEqual(await d.ctl(['update']), {
        stdout: 'drop: stopped\ndrop: removed process group\nchange: stopped\nchange: updated process group\nfresh: added process group\n',
        stderr: '',
        code: 0,
      });
      await waitState(d, 'RUNNING', 'change', 'fresh');
      assert.deepEqual(await d.ctl(['update']), { stdout: '', stderr: '', code: 0 });
      assert.deepEqual(await d.ctl(['update', 'nope']), { stdout: 'ERROR: no such group: nope\n', stderr: '', code: 1 });
    } finally {
      await d.stop();
    }
  });

  test('tail -f of a group and a process: lines as they are written, prefixed', async () => {
    const d = await startDaemon(
      "[group:web]\nprograms=w0,w1\n\n[program:w0]\ncommand=sh -c 'while true; do echo zero; sleep 0.2; done'\nstartsecs=0\n\n" +
        "[program:w1]\ncommand=sh -c 'while true; do echo one; sleep 0.2; done'\nstartsecs=0\n\n" +
        "[program:solo]\ncommand=sh -c 'while true; do echo solo-out; echo solo-err >&2; sleep 0.2; done'\nstartsecs=0\n",
    );
    try {
      await waitState(d, 'RUNNING', 'web:w0', 'web:w1', 'solo');
      const run = startCtl(['-c', d.conf, 'tail', '-f', 'web:*,solo']);
      await run.waitFor('web:w0 | zero\n');
      await run.waitFor('web:w1 | one\n');
      await run.waitFor('solo   | solo-out\n');
      run.child.kill('SIGINT');
      const done = await run.done;
      assert.equal(done.code, 0);
      assert.ok(done.stdout.startsWith('==> Press Ctrl-C to exit <==\n'));
      assert.ok(done.stdout.endsWith('\n\n'));
      for (const line of done.stdout.split('\n').slice(1, -2)) assert.match(line, /^(web:w0 \| zero|web:w1 \| one|solo   \| solo-out)$/);

      const one = startCtl(['-c', d.conf, 'tail', '-f', 'solo', 'stderr']);
      await one.waitFor('solo-err\nsolo-err\n');
      one.child.kill('SIGINT');
      const single = await one.done;
      assert.match(single.stdout, /^==> Press Ctrl-C to exit <==\n(solo-err\n)+\n$/);
    } finally {
      await d.stop();
    }
  });

  test('shutdown, then the socket is gone', async () => {
    const d = await startDaemon('[program:a]\ncommand=sleep 100\nstartsecs=0\n');
    const url = `unix://${d.dir}/sock`;
    try {
      assert.deepEqual(await d.ctl(['shutdown']), { stdout: 'Shut down\n', stderr: '', code: 0 });
      const end = Date.now() + 10_000;
      while (existsSync(`${d.dir}/sock`) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(await d.ctl(['status']), { stdout: `${url} no such file\n`, stderr: '', code: 4 });
      assert.deepEqual(await d.ctl(['shutdown']), { stdout: `ERROR: ${url} no such file (already shut down?)\n`, stderr: '', code: 1 });
    } finally {
      await d.stop();
    }
  });
});

// The differential cases in ./conformance (recorded from supervisor 4.2.5) are replayed by the
// repository's conformance runner, with the daemon's cases: test/conformance-recorded.test.ts.
