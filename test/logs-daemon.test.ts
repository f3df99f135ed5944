/**
 * Child logs through the real daemon and ctl: AUTO logs and their cleanup, NONE, paths with
 * expansions, redirect_stderr, rotation (exactly backups+1 files, every byte once and in order),
 * strip_ansi, log_timestamps, output written just before or after the exit, and a log that
 * cannot be opened. Runs against Debian's supervisor too (SUPERVISORD=supervisord) except
 * where tsupervisor deliberately differs (marked).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';
import { assertNumberedTail, expectCtl, isTs, logDir, numbered, numberedText, read, readAll, withBackups, withDaemon } from './logs-helpers.js';

const AUTO_NAME = /^(\S+)-(stdout|stderr)---supervisor-[a-z0-9_]{8}\.log$/;

test('AUTO logs are created in childlogdir; stale AUTO logs are removed at start unless nocleanup', async () => {
  for (const nocleanup of [false, true]) {
    const dir = h.makeTmpDir('tsv-auto-');
    try {
      const childlogs = join(dir.path, 'children');
      mkdirSync(childlogs);
      const stale = ['old-stdout---supervisor-abcdefgh.log', 'old-stderr---supervisor-abcdefgh.log.3'];
      const others = ['keep.log', 'old-stdout---other-abcdefgh.log'];
      for (const f of [...stale, ...others]) writeFileSync(join(childlogs, f), 'x\n');
      await withDaemon(
        `
[program:auto]
command=sh -c 'echo to-out; echo to-err >&2; exec sleep 1000'
startsecs=0
`,
        async (d) => {
          await d.waitState('auto', 'RUNNING');
          const names = readdirSync(childlogs);
          for (const f of others) assert.ok(names.includes(f), `${f} must stay`);
          for (const f of stale) assert.equal(names.includes(f), nocleanup, `${f} with nocleanup=${nocleanup}`);
          const created = names.filter((n) => AUTO_NAME.exec(n)?.[1] === 'auto').sort();
          assert.equal(created.length, 2, `two AUTO logs for auto: ${names.join(' ')}`);
          assert.match(created[0]!, /^auto-stderr---/);
          assert.match(created[1]!, /^auto-stdout---/);
          await h.waitFor('the output', () => read(join(childlogs, created[1]!)) === 'to-out\n', 5_000);
          assert.equal(read(join(childlogs, created[0]!)), 'to-err\n');
          await expectCtl(d, ['tail', 'auto'], { stdout: 'to-out\n\n', code: 0 });
          await expectCtl(d, ['tail', 'auto', 'stderr'], { stdout: 'to-err\n\n', code: 0 });
        },
        { dir: dir.path, supervisordExtra: `childlogdir=${childlogs}\nnocleanup=${nocleanup}` },
      );
    } finally {
      dir.remove();
    }
  }
});

test('NONE: no file, tail says so; a path with expansions; numprocs each get their own', async () => {
  await withDaemon(
    `
[program:quiet]
command=sh -c 'echo lost; exec sleep 1000'
startsecs=0
stdout_logfile=NONE
stderr_logfile=NONE

[program:many]
command=sh -c 'echo I am %(process_num)d of %(program_name)s; exec sleep 1000'
process_name=%(program_name)s_%(process_num)02d
numprocs=2
startsecs=0
stdout_logfile=%(here)s/%(program_name)s-%(process_num)02d.log
`,
    async (d) => {
      await d.waitState('quiet', 'RUNNING');
      await expectCtl(d, ['tail', 'quiet'], { stdout: 'quiet: ERROR (no log file)\n', code: 1 });
      await expectCtl(d, ['tail', 'quiet', 'stderr'], { stdout: 'quiet: ERROR (no log file)\n', code: 1 });
      for (const n of [0, 1]) {
        await d.waitState(`many:many_0${n}`, 'RUNNING');
        const path = logDir(d, `many-0${n}.log`);
        await h.waitFor(`${path}`, () => read(path) === `I am ${n} of many\n`, 5_000);
        await expectCtl(d, ['tail', `many:many_0${n}`], { stdout: `I am ${n} of many\n\n`, code: 0 });
      }
      assert.deepEqual(readdirSync(d.dir).filter((f) => f.startsWith('quiet-')), [], 'NONE creates no AUTO file');
    },
  );
});

test('redirect_stderr: one log, stdout and stderr in the order they were written', async () => {
  const n = 300;
  await withDaemon(
    `
[program:both]
command=sh -c 'i=0; while [ $i -lt ${n} ]; do i=$((i+1)); echo "out $i"; echo "err $i" >&2; done; exec sleep 1000'
startsecs=0
redirect_stderr=true
stdout_logfile=%(here)s/both.log
`,
    async (d) => {
      const want = Array.from({ length: n }, (_, i) => `out ${i + 1}\nerr ${i + 1}\n`).join('');
      await h.waitFor('all lines', () => read(logDir(d, 'both.log')).length >= want.length, 10_000);
      assert.equal(read(logDir(d, 'both.log')), want);
      await expectCtl(d, ['tail', 'both', 'stderr'], { stdout: 'both: ERROR (no log file)\n', code: 1 });
    },
  );
});

test('rotation through the daemon: exactly backups+1 files, every byte once and in order', async () => {
  const lines = 300_000; // 3.9 MB, as fast as seq writes it
  const maxbytes = 200 * 1024;
  await withDaemon(
    `
[program:fast]
command=${numbered(lines)}
startsecs=0
autorestart=false
stdout_logfile=%(here)s/fast.log
stdout_logfile_maxbytes=200KB
stdout_logfile_backups=3
`,
    async (d) => {
      await d.waitState('fast', 'EXITED');
      const path = logDir(d, 'fast.log');
      const files = withBackups(path);
      assert.deepEqual(files, [`${path}.3`, `${path}.2`, `${path}.1`, path], 'backups+1 files');
      for (const f of files.slice(0, -1)) {
        const size = statSync(f).size;
        assert.ok(size >= maxbytes && size < maxbytes + 1024 * 1024, `${f}: ${size} bytes`);
      }
      const from = assertNumberedTail(readAll(files), lines);
      assert.ok(from > 1 && from < lines, `the backups hold a tail of the stream (from line ${from})`);
    },
  );
});

test('strip_ansi removes escape sequences from child logs', async () => {
  await withDaemon(
    `
[program:colour]
command=printf '\\033[31mred\\033[0m plain \\033[1;32mbold\\033[K\\n'
startsecs=0
autorestart=false
stdout_logfile=%(here)s/colour.log
`,
    async (d) => {
      await d.waitState('colour', 'EXITED');
      assert.equal(read(logDir(d, 'colour.log')), 'red plain bold\n');
    },
    { supervisordExtra: 'strip_ansi=true' },
  );
});

test('log_timestamps=true prefixes every line with the time it was read (tsupervisor extension)', { skip: !isTs && 'tsupervisor only' }, async () => {
  await withDaemon(
    `
[program:stamped]
command=sh -c 'printf "one\\ntw"; sleep 0.3; printf "o\\nthree\\n"; echo err >&2; exec sleep 1000'
startsecs=0
log_timestamps=true
stdout_logfile=%(here)s/stamped.log
stderr_logfile=%(here)s/stamped.err

[program:plain]
command=sh -c 'echo plain; exec sleep 1000'
startsecs=0
stdout_logfile=%(here)s/plain.log
`,
    async (d) => {
      const ts = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} `;
      await h.waitFor('three lines', () => read(logDir(d, 'stamped.log')).endsWith('three\n'), 5_000);
      assert.match(read(logDir(d, 'stamped.log')), new RegExp(`^${ts}one\n${ts}two\n${ts}three\n$`));
      assert.match(read(logDir(d, 'stamped.err')), new RegExp(`^${ts}err\n$`));
      const [one, two] = read(logDir(d, 'stamped.log')).split('\n').map((l) => l.slice(0, 23));
      assert.ok(two! >= one!, 'stamped when the line starts');
      await h.waitFor('plain', () => read(logDir(d, 'plain.log')) === 'plain\n', 5_000);
      const r = await d.ctl(['tail', 'stamped']);
      assert.match(r.stdout, new RegExp(`^${ts}one\n`));
    },
  );
});

test('output written right before the exit is kept, however much is still in the pipe', async () => {
  const lines = 200_000; // 2.6 MB, written as fast as seq can
  await withDaemon(
    `
[program:burst]
command=${numbered(lines)}
startsecs=0
autorestart=false
stdout_logfile=%(here)s/burst.log
stdout_logfile_maxbytes=0
`,
    async (d) => {
      await d.waitState('burst', 'EXITED');
      await h.waitFor('all of it', () => statSync(logDir(d, 'burst.log')).size >= numberedText(1, lines).length, 5_000);
      assert.equal(read(logDir(d, 'burst.log')), numberedText(1, lines));
    },
  );
});

test('output a grandchild writes just after the child exited is kept (tsupervisor: 500 ms; supervisor closes the pipes at reap)', { skip: !isTs && 'supervisor drops it' }, async () => {
  await withDaemon(
    `
[program:orphan]
command=sh -c 'echo parent; (sleep 0.2; echo from-grandchild; exec sleep 1000) & exit 0'
startsecs=0
autorestart=false
stdout_logfile=%(here)s/orphan.log
`,
    async (d) => {
      await d.waitState('orphan', 'EXITED');
      await h.waitFor('the grandchild line', () => read(logDir(d, 'orphan.log')) === 'parent\nfrom-grandchild\n', 5_000);
      // ... and the grandchild that keeps the pipe open does not keep the daemon waiting
      await expectCtl(d, ['start', 'orphan'], { stdout: 'orphan: started\n', code: 0 });
    },
  );
});

test('a log that cannot be opened: the process runs anyway, one error in the main log, the daemon is fine (tsupervisor; supervisor: BACKOFF)', { skip: !isTs && 'supervisor refuses to spawn' }, async () => {
  await withDaemon(
    `
[program:nolog]
command=sh -c 'i=0; while :; do i=$((i+1)); echo $i; sleep 0.05; done'
startsecs=0
stdout_logfile=/proc/tsupervisor-cannot-create-this.log

[program:noauto]
command=sh -c 'echo hi; exec sleep 1000'
startsecs=0
`,
    async (d) => {
      await d.waitState('nolog', 'RUNNING');
      await d.waitState('noauto', 'RUNNING');
      await h.sleep(1500); // several retries of the failing log
      await expectCtl(d, ['restart', 'nolog'], { stdout: 'nolog: stopped\nnolog: started\n', code: 0 });
      await h.sleep(1200);
      const main = readFileSync(logDir(d, 'supervisord.log'), 'utf8');
      const errors = main.split('\n').filter((l) => l.includes('tsupervisor-cannot-create-this.log'));
      assert.equal(errors.length, 1, `one error line:\n${errors.join('\n')}`);
      assert.match(errors[0]!, / ERRO nolog: cannot write stdout log \/proc\/tsupervisor-cannot-create-this\.log: ENOENT/);
      await expectCtl(d, ['tail', 'nolog'], { stdout: 'nolog: ERROR (no log file)\n', code: 1 });
      const childlogdir = readdirSync(d.dir).filter((f) => f.startsWith('noauto-stdout'));
      assert.equal(childlogdir.length, 1);
    },
  );
  // AUTO in a childlogdir that cannot take files: same.
  await withDaemon(
    `
[program:auto]
command=sh -c 'echo hi; exec sleep 1000'
startsecs=0
`,
    async (d) => {
      await d.waitState('auto', 'RUNNING');
      const main = readFileSync(logDir(d, 'supervisord.log'), 'utf8');
      assert.equal(main.match(/auto: cannot create stdout log in \/proc/g)?.length, 1, main);
      assert.equal(main.match(/auto: cannot create stderr log in \/proc/g)?.length, 1, main);
      await expectCtl(d, ['tail', 'auto'], { stdout: 'auto: ERROR (no log file)\n', code: 1 });
    },
    { supervisordExtra: 'childlogdir=/proc' },
  );
});
