/**
 * Syslog targets, through a real unix datagram receiver (test/fixtures/syslog/receiver.py) that
 * the daemon is pointed at with the test-only TSUPERVISORD_SYSLOG_SOCKET instead of /dev/log:
 * `stdout_syslog` / `stderr_syslog`, the deprecated `stdout_logfile=syslog` with
 * redirect_stderr, `[supervisord] logfile=syslog`, and a missing socket.
 *
 * The expected datagrams are supervisord 4.2.5's, recorded from it with the same programs in a
 * mount namespace whose /dev/log was such a receiver (it has no switch for the path):
 *   `<14>Nov 26 19:42:47 supervisord: a out1` (child output, one datagram per line)
 *   `<14>Nov 26 19:42:47 supervisord: 2026-11-26 19:42:47,382 DEBG out1\n` (main log)
 * supervisord itself cannot be pointed at a receiver, so these run against tsupervisord only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';
import { isTs, logDir, read, withDaemon } from './logs-helpers.js';

const HEADER = /^<14>(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 1-3]\d \d\d:\d\d:\d\d supervisord: /;
const STAMP = '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3}';

/** The message after the syslog header (asserting the header is glibc's, as supervisord's). */
function body(datagram: string): string {
  assert.match(datagram, HEADER, `syslog header of ${JSON.stringify(datagram)}`);
  return datagram.replace(HEADER, '');
}

async function withReceiver(body: (r: h.SyslogReceiver, dir: string) => Promise<void>): Promise<void> {
  const tmp = h.makeTmpDir('tsv-syslog-');
  const r = await h.startSyslogReceiver(join(tmp.path, 'log.sock'));
  try {
    await body(r, tmp.path);
  } catch (e) {
    (e as Error).message += `\n--- datagrams\n${r.datagrams.map((d) => JSON.stringify(d)).join('\n')}`;
    throw e;
  } finally {
    r.stop();
    tmp.remove();
  }
}

const PROGRAMS = `
[program:a]
command=sh -c 'echo out1; echo err1 >&2; printf "x\\n\\ny\\n"; exec sleep 1000'
stdout_syslog=true
stderr_syslog=true
startsecs=0

[program:b]
command=sh -c 'echo bout; echo berr >&2; exec sleep 1000'
stdout_logfile=syslog
redirect_stderr=true
startsecs=0

[program:c]
command=sh -c 'echo cout; exec sleep 1000'
startsecs=0
`;

test('stdout_syslog / stderr_syslog / stdout_logfile=syslog: one datagram per line, `NAME LINE`, as supervisord', { skip: !isTs }, async () => {
  await withReceiver(async (r) => {
    await withDaemon(
      PROGRAMS,
      async (d) => {
        const bodies = () => r.datagrams.map(body);
        await r.waitFor('the output of a and b', () => ['a y', 'a err1', 'b berr'].every((m) => bodies().includes(m)));
        await d.waitState('c', 'RUNNING');
        // c logs to its AUTO file only; a keeps its AUTO files too (syslog is in addition)
        let last = '';
        await h.waitFor('c and a in their files', async () => {
          const c = await d.ctl(['tail', 'c']);
          const a = await d.ctl(['tail', 'a']);
          last = JSON.stringify([c, a]);
          return c.stdout === 'cout\n\n' && a.stdout === 'out1\nx\n\ny\n\n'; // tail adds a newline
        }, 5_000).catch((e: Error) => {
          throw new Error(`${e.message}: ${last}`);
        });
        const got = bodies();
        // a: stdout and stderr are two pipes (their interleaving is not defined), each in order
        assert.deepEqual(got.filter((m) => m.startsWith('a ') && m !== 'a err1'), ['a out1', 'a x', 'a ', 'a y']);
        assert.deepEqual(got.filter((m) => m === 'a err1'), ['a err1']);
        // b: the deprecated stdout_logfile=syslog, stderr redirected into stdout: one pipe, in order
        assert.deepEqual(got.filter((m) => m.startsWith('b ')), ['b bout', 'b berr']);
        assert.deepEqual(got.filter((m) => !/^[ab] /.test(m)), [], 'nothing else: not c, not the main log (a file here)');
        assert.equal((await d.ctl(['status'])).code, 0);
      },
      { env: { TSUPERVISORD_SYSLOG_SOCKET: r.path } },
    );
  });
});

test('[supervisord] logfile=syslog: every main-log line as `TIME LEVEL LINE\\n`, a multi-line message line by line', { skip: !isTs }, async () => {
  await withReceiver(async (r) => {
    await withDaemon(
      `
[program:a]
command=sh -c 'printf "out1\\nx\\n"; exec sleep 1000'
startsecs=0
`,
      async (d) => {
        const started = new RegExp(`^${STAMP} INFO supervisord started with pid ${d.pid}\\n$`);
        await r.waitFor('supervisord started', (ds) => ds.some((g) => started.test(body(g))));
        await r.waitFor('the DEBG echo of a', (ds) => ds.some((g) => / DEBG x\n$/.test(g)));
        const bodies = r.datagrams.map(body);
        for (const m of bodies) assert.match(m, new RegExp(`^${STAMP} (CRIT|ERRO|WARN|INFO|DEBG|TRAC|BLAT) .*\\n$`));
        assert.ok(bodies.some((m) => new RegExp(`^${STAMP} INFO spawned: 'a' with pid \\d+\\n$`).test(m)));
        // `'a' stdout output:\nout1\nx\n` is three datagrams with the same time and level
        const i = bodies.findIndex((m) => m.endsWith(" DEBG 'a' stdout output:\n"));
        assert.ok(i >= 0, 'the DEBG header line');
        const time = bodies[i]!.slice(0, 23);
        assert.deepEqual(bodies.slice(i, i + 3), [`${time} DEBG 'a' stdout output:\n`, `${time} DEBG out1\n`, `${time} DEBG x\n`]);
        assert.ok(!existsSync(logDir(d, 'syslog')) && !existsSync(logDir(d, 'supervisord.log')), 'no log file');
        // still the same lines on stdout (nodaemon echo)
        assert.match(read(logDir(d, 'daemon.out')), /DEBG 'a' stdout output:\nout1\nx\n/);
      },
      { env: { TSUPERVISORD_SYSLOG_SOCKET: r.path }, supervisordExtra: 'logfile=syslog\nloglevel=debug' },
    );
  });
});

test('no syslog socket: the daemon serves on, says so once, and counts the lines dropped when it appears', { skip: !isTs }, async () => {
  const tmp = h.makeTmpDir('tsv-syslog-');
  const path = join(tmp.path, 'log.sock');
  let r: h.SyslogReceiver | undefined;
  try {
    await withDaemon(
      `
[program:a]
command=sh -c 'while :; do echo tick; sleep 0.05; done'
stdout_syslog=true
startsecs=0
`,
      async (d) => {
        const log = () => read(logDir(d, 'supervisord.log'));
        const down = `WARN cannot send to syslog ${path} (ENOENT); lines for it are dropped until it can\n`;
        await h.waitFor('the warning', () => log().includes(down), 5_000);
        // many more lines are lost, still one warning; the daemon answers all along
        await h.waitFor('a dozen ticks in the file', async () => ((await d.ctl(['tail', 'a'])).stdout.match(/tick/g)?.length ?? 0) >= 12, 5_000);
        assert.equal(log().split(down).length - 1, 1, 'one warning per incident');
        assert.equal((await d.ctl(['status', 'a'])).code, 0);
        r = await h.startSyslogReceiver(path);
        await r.waitFor('ticks', (ds) => ds.filter((g) => body(g) === 'a tick').length >= 3);
        const back = await h.waitFor('the recovery line', () => new RegExp(`WARN syslog ${path} reachable again; (\\d+) lines were dropped\\n`).exec(log()), 5_000);
        assert.ok(Number(back[1]) >= 10, `dropped count ${back[1]}`);
      },
      { env: { TSUPERVISORD_SYSLOG_SOCKET: path } },
    );
  } finally {
    r?.stop();
    tmp.remove();
  }
});
