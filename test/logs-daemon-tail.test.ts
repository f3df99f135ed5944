/**
 * Reading logs through the daemon with the real ctl: `tail [-N] name [stdout|stderr]`,
 * `tail -f` (one process; several names and groups, prefixed: a tsupervisorctl extension),
 * `clear name` / `clear all`, `maintail [-N|-f]`. Shared behaviour is checked against
 * supervisord 4.2.5 too (SUPERVISORD=supervisord).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.js';
import { expectCtl, follow, isTs, logDir, numbered, numberedText, read, withDaemon } from './logs-helpers.js';

const TALKER = `
[program:talker]
command=sh -c '${numberedText(1, 250).trimEnd().split('\n').map((l) => `echo ${l}`).join('; ')}; echo e1 >&2; echo e2 >&2; exec sleep 1000'
startsecs=0
stdout_logfile=%(here)s/talker.log
stderr_logfile=%(here)s/talker.err
`;

test('tail: the last 1600 bytes by default, -N bytes, stderr; errors', async () => {
  await withDaemon(TALKER, async (d) => {
    const all = numberedText(1, 250); // 3250 bytes
    await h.waitFor('all output', () => read(logDir(d, 'talker.log')) === all && read(logDir(d, 'talker.err')) === 'e1\ne2\n', 5_000);
    await expectCtl(d, ['tail', 'talker'], { stdout: `${all.slice(-1600)}\n`, code: 0 });
    await expectCtl(d, ['tail', 'talker', 'stdout'], { stdout: `${all.slice(-1600)}\n`, code: 0 });
    await expectCtl(d, ['tail', '-100', 'talker'], { stdout: `${all.slice(-100)}\n`, code: 0 });
    await expectCtl(d, ['tail', '-5000', 'talker'], { stdout: `${all}\n`, code: 0 });
    await expectCtl(d, ['tail', 'talker', 'stderr'], { stdout: 'e1\ne2\n\n', code: 0 });
    await expectCtl(d, ['tail', '-4', 'talker', 'stderr'], { stdout: '\ne2\n\n', code: 0 });
    await expectCtl(d, ['tail', 'nosuch'], { stdout: 'nosuch: ERROR (no such process name)\n', code: 1 });
    await expectCtl(d, ['tail', 'talker', 'bogus'], { stdout: "Error: bad channel 'bogus'\n", code: 1 });
  });
});

test('clear name / clear all: the logs start empty and take new output', async () => {
  await withDaemon(
    `${TALKER}
[program:ticker]
command=${numbered(100000, '0.05')}
startsecs=0
stdout_logfile=%(here)s/ticker.log
`,
    async (d) => {
      await h.waitFor('output', () => read(logDir(d, 'talker.err')) === 'e1\ne2\n' && read(logDir(d, 'ticker.log')).length > 26, 5_000);
      await expectCtl(d, ['clear', 'talker'], { stdout: 'talker: cleared\n', code: 0 });
      assert.equal(read(logDir(d, 'talker.log')), '');
      assert.equal(read(logDir(d, 'talker.err')), '');
      await expectCtl(d, ['tail', 'talker'], { stdout: '\n', code: 0 });
      await expectCtl(d, ['clear', 'all'], { stdout: 'talker: cleared\nticker: cleared\n', code: 0 });
      // The ticker keeps writing into the new, empty file: whole lines from where it was.
      await h.waitFor('new ticker lines', () => read(logDir(d, 'ticker.log')).split('\n').length > 3, 5_000);
      const lines = read(logDir(d, 'ticker.log')).trimEnd().split('\n');
      const first = Number(lines[0]!.slice(5));
      assert.equal(read(logDir(d, 'ticker.log')).slice(0, (lines.length - 1) * 14), numberedText(first, first + lines.length - 2));
      await expectCtl(d, ['clear', 'nosuch'], { stdout: 'nosuch: ERROR (no such process)\n', code: 1 });
    },
  );
});

/** The numbered lines in `text` after its first one (which may be cut): contiguous, no doubles. */
function assertContiguous(text: string, minLines: number): void {
  const lines = text.split('\n').filter((l) => /^line \d{8}$/.test(l));
  assert.ok(lines.length >= minLines, `at least ${minLines} lines: ${JSON.stringify(text.slice(-300))}`);
  const first = Number(lines[0]!.slice(5));
  assert.deepEqual(lines, numberedText(first, first + lines.length - 1).trimEnd().split('\n'), 'lines in order, none missing or doubled');
}

test('tail -f: the last bytes, then new lines as they are written, until Ctrl-C', async () => {
  await withDaemon(
    `
[program:ticker]
command=${numbered(100000, '0.02')}
startsecs=0
stdout_logfile=%(here)s/ticker.log
`,
    async (d) => {
      await h.waitFor('some lines', () => read(logDir(d, 'ticker.log')).length > 2000, 10_000);
      const f = follow(d, ['tail', '-f', 'ticker']);
      await f.waitFor(/^==> Press Ctrl-C to exit <==\n/);
      const seen = read(logDir(d, 'ticker.log')).trimEnd().split('\n').length;
      // a line written after the follower started, i.e. pushed to it
      await f.waitFor(new RegExp(`line ${String(seen + 20).padStart(8, '0')}\n`));
      const { code, stdout } = await f.stop();
      assert.equal(code, 0);
      const body = stdout.slice('==> Press Ctrl-C to exit <==\n'.length);
      assert.ok(body.length >= 1024, 'starts with the last 1024 bytes');
      assertContiguous(body, 80);
    },
  );
});

test('tail -f of several names and groups: whole lines, each prefixed with its process (tsupervisorctl extension)', { skip: !isTs && 'supervisorctl follows one process' }, async () => {
  await withDaemon(
    `
[program:web]
command=sh -c 'i=0; while :; do i=$((i+1)); echo "web%(process_num)d says $i"; sleep 0.03; done'
process_name=web_%(process_num)d
numprocs=2
startsecs=0
stdout_logfile=%(here)s/web_%(process_num)d.log

[program:worker]
command=sh -c 'i=0; while :; do i=$((i+1)); printf "work "; sleep 0.01; echo "$i"; sleep 0.03; done'
startsecs=0
stdout_logfile=%(here)s/worker.log
`,
    async (d) => {
      // logs longer than the 1024 bytes each starts with: those heads begin mid-line
      for (const f of ['web_0.log', 'web_1.log', 'worker.log']) await h.waitFor(`${f} > 1 KiB`, () => read(logDir(d, f)).length > 1100, 15_000);
      const f = follow(d, ['tail', '-f', 'web:*,worker']);
      for (const re of [/^web:web_0 \| web0 says \d+$/m, /^web:web_1 \| web1 says \d+$/m, /^worker    \| work \d+$/m]) await f.waitFor(re);
      const { code, stdout } = await f.stop();
      assert.equal(code, 0);
      const lines = stdout.trimEnd().split('\n');
      assert.equal(lines[0], '==> Press Ctrl-C to exit <==');
      for (const line of lines.slice(1)) assert.match(line, /^(web:web_0 \| web0 says \d+|web:web_1 \| web1 says \d+|worker    \| (work ?)?\d*)$/);
      // a line split across two writes still comes out whole
      const work = lines.filter((l) => l.startsWith('worker')).slice(1, -1);
      for (const l of work) assert.match(l, /^worker    \| work \d+$/);
    },
  );
});

test('maintail: the last 1600 bytes, -N, -f follows the daemon log', async () => {
  await withDaemon(
    `
[program:idle]
command=sleep 1000
startsecs=0
autostart=false
`,
    async (d) => {
      await expectCtl(d, ['start', 'idle'], { stdout: 'idle: started\n', code: 0 });
      const mainLog = () => read(logDir(d, 'supervisord.log'));
      await expectCtl(d, ['maintail'], { stdout: `${mainLog().slice(-1600)}\n`, code: 0 });
      await expectCtl(d, ['maintail', '-30'], { stdout: `${mainLog().slice(-30)}\n`, code: 0 });
      const f = follow(d, ['maintail', '-f']);
      await f.waitFor(/spawned: 'idle'/);
      await expectCtl(d, ['stop', 'idle'], { stdout: 'idle: stopped\n', code: 0 });
      await f.waitFor(/stopped: idle \(terminated by SIGTERM\)\n/);
      const { code } = await f.stop();
      assert.equal(code, 0);
    },
  );
});
