/**
 * The daemon's own log (logfile, loglevel, echo to stdout with nodaemon, silent), SIGUSR2 after
 * logs were moved away (logrotate's `create` style), and the container set-up: children logging
 * to /dev/stdout with maxbytes=0 while the daemon's stdout is a pipe. Checked against
 * supervisord 4.2.5 too (SUPERVISORD=supervisord).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';
import { isTs, logDir, numbered, numberedText, read, withDaemon } from './logs-helpers.js';

const LINE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (CRIT|ERRO|WARN|INFO|DEBG|TRAC|BLAT) /;
const levelsIn = (text: string) => new Set(text.split('\n').map((l) => LINE.exec(l)?.[1]).filter(Boolean));

const PROGRAMS = `
[program:hello]
command=sh -c 'echo hello from the child; exec sleep 1000'
startsecs=0

[program:bad]
command=sh -c 'exit 3'
startsecs=0
autorestart=false
`;

test('the main log: supervisor lines in logfile, echoed to stdout with nodaemon', async () => {
  await withDaemon(PROGRAMS, async (d) => {
    await d.waitState('bad', 'EXITED');
    await d.waitState('hello', 'RUNNING');
    const file = read(logDir(d, 'supervisord.log'));
    assert.match(file, new RegExp(`${LINE.source.slice(1)}.*supervisord started with pid ${d.pid}\n`));
    assert.match(file, / INFO spawned: 'hello' with pid \d+\n/);
    assert.match(file, / WARN exited: bad \(exit status 3; not expected\)\n/);
    assert.ok(!levelsIn(file).has('DEBG'), 'nothing below info');
    for (const line of file.trimEnd().split('\n')) assert.match(line, LINE);
    // the echo has the same lines (stdout is a file here, written as the lines come)
    const echo = read(logDir(d, 'daemon.out'));
    for (const l of file.trimEnd().split('\n')) assert.ok(echo.includes(l), `echoed: ${l}`);
  });
});

test('loglevel=warn keeps info lines out; loglevel=debug adds DEBG lines with child output; silent stops the echo', async () => {
  await withDaemon(
    PROGRAMS,
    async (d) => {
      await d.waitState('bad', 'EXITED');
      const file = read(logDir(d, 'supervisord.log'));
      assert.match(file, / WARN exited: bad \(exit status 3; not expected\)\n/);
      assert.ok(!levelsIn(file).has('INFO'), `no INFO lines:\n${file}`);
    },
    { supervisordExtra: 'loglevel=warn' },
  );
  await withDaemon(
    PROGRAMS,
    async (d) => {
      await d.waitState('hello', 'RUNNING');
      await h.waitFor('the child output', () => read(logDir(d, 'supervisord.log')).includes("DEBG 'hello' stdout output:\nhello from the child\n"), 5_000);
      assert.equal(read(logDir(d, 'daemon.out')), '', 'silent: nothing on stdout');
    },
    { supervisordExtra: 'loglevel=debug\nsilent=true' },
  );
});

test('SIGUSR2 after the logs were moved away: new files, the old ones end where the new begin, nothing lost', async () => {
  await withDaemon(
    `
[program:ticker]
command=${numbered(100000, '0.02')}
startsecs=0
stdout_logfile=%(here)s/ticker.log
`,
    async (d) => {
      await h.waitFor('some lines', () => read(logDir(d, 'ticker.log')).length > 200, 10_000);
      renameSync(logDir(d, 'ticker.log'), logDir(d, 'ticker.log.moved'));
      renameSync(logDir(d, 'supervisord.log'), logDir(d, 'supervisord.log.moved'));
      await h.sleep(200); // lines still go to the moved file until the reopen
      process.kill(d.pid, 'SIGUSR2');
      await h.waitFor('the new child log', () => read(logDir(d, 'ticker.log')).length > 100, 10_000);
      const r = await d.ctl(['stop', 'ticker']);
      assert.equal(r.stdout, 'ticker: stopped\n');
      const moved = read(logDir(d, 'ticker.log.moved'));
      const fresh = read(logDir(d, 'ticker.log'));
      const last = Number(fresh.trimEnd().split('\n').at(-1)!.slice(5));
      assert.equal(moved + fresh, numberedText(1, last), 'the two files hold every line once, in order');
      assert.ok(moved.length > 200 && fresh.length > 100);
      const oldMain = read(logDir(d, 'supervisord.log.moved'));
      const newMain = read(logDir(d, 'supervisord.log'));
      assert.match(oldMain, / INFO received SIGUSR2 indicating log reopen request\n.* INFO supervisord logreopen\n$/);
      assert.match(newMain, /stopped: ticker \(terminated by SIGTERM\)\n/);
      assert.ok(!newMain.includes('supervisord started'), 'the new main log starts at the reopen');
    },
  );
});

/**
 * The container set-up: the daemon's stdout is a pipe (docker) or a socket (systemd's journal),
 * children log to /dev/stdout and /dev/stderr with maxbytes=0.
 */
async function containerCase(stdoutKind: 'pipe' | 'socket'): Promise<void> {
  const { daemonCmd, ctlCmd } = h.resolveCommands();
  const tmp = h.makeTmpDir('tsv-stdout-');
  const conf = join(tmp.path, 'supervisord.conf');
  const lines = 20_000;
  writeFileSync(
    conf,
    `${h.confHeader(tmp.path)}
[program:app]
command=sh -c "sleep 1; ${numbered(lines)}; echo oops >&2; exec sleep 1000"
startsecs=0
stdout_logfile=/dev/stdout
stdout_logfile_maxbytes=0
stderr_logfile=/dev/stderr
stderr_logfile_maxbytes=0
`,
  );
  // node's stdio 'pipe' is a socketpair; bash's process substitution gives real pipes
  const [cmd, args] =
    stdoutKind === 'socket'
      ? [daemonCmd, ['-c', conf]]
      : ['bash', ['-c', 'exec "$0" -c "$1" > >(exec cat) 2> >(exec cat >&2)', daemonCmd, conf]];
  const daemon = spawn(cmd, args, { cwd: tmp.path, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  h.startedPids.add(daemon.pid!);
  let out = '';
  let err = '';
  daemon.stdout!.setEncoding('latin1').on('data', (c) => (out += c));
  daemon.stderr!.setEncoding('latin1').on('data', (c) => (err += c));
  const exited = new Promise((resolve) => daemon.on('exit', resolve));
  try {
    // (the child starts after the daemon's own start-up lines: both share the pipe, chunk by chunk)
    const childLines = () => out.split('\n').filter((l) => /^line \d{8}$/.test(l));
    await h.waitFor(`${lines} lines on the daemon's stdout`, () => childLines().length === lines, 20_000);
    assert.equal(childLines().join('\n') + '\n', numberedText(1, lines), 'every line once, in order');
    await h.waitFor('stderr', () => err.includes('oops\n'), 5_000);
    assert.match(out, / INFO spawned: 'app' with pid \d+\n/, 'the daemon log is echoed too');
    const r = await h.runCmd(ctlCmd, ['-c', conf, 'status', 'app'], { cwd: tmp.path, timeoutMs: 10_000 });
    assert.match(r.stdout, /^app +RUNNING/);
    await h.runCmd(ctlCmd, ['-c', conf, 'shutdown'], { cwd: tmp.path, timeoutMs: 10_000 });
    await Promise.race([exited, h.sleep(10_000)]);
    assert.ok(!/Illegal seek|ESPIPE/i.test(out + err + read(join(tmp.path, 'supervisord.log'))), 'no seek on a pipe');
  } catch (e) {
    (e as Error).message += `\n--- stdout (end)\n${out.slice(-2000)}\n--- stderr\n${err.slice(-2000)}`;
    throw e;
  } finally {
    h.killPid(-daemon.pid!, 'SIGKILL');
    h.startedPids.delete(daemon.pid!);
    tmp.remove();
  }
}

test('container set-up: children log to /dev/stdout (maxbytes=0), the daemon stdout is a pipe', () => containerCase('pipe'));

test('the same when the daemon stdout is a socket (systemd; supervisor: ENXIO at spawn)', { skip: !isTs && 'supervisor cannot open a socket by path' }, () => containerCase('socket'));

test("'RPC interface initialized' once per HTTP server (inet first, then unix), each followed by its no-auth CRIT; again at reload", async () => {
  const port = await h.freePort();
  const conf = `
[inet_http_server]
port=127.0.0.1:${port}
username=admin
password=secret

[program:hello]
command=sleep 1000
startsecs=0
`;
  await withDaemon(conf, async (d) => {
    const startupLines = () =>
      read(logDir(d, 'supervisord.log'))
        .split('\n')
        .map((l) => l.replace(/^\S+ \S+ /, '').replace(/pid \d+/, 'pid N'))
        .filter((l) => /RPC interface|HTTP authentication|supervisord started/.test(l));
    // supervisord 4.2.5 builds the RPC interfaces once per server it opens (http.make_http_servers)
    const once = [
      "INFO RPC interface 'supervisor' initialized",
      "INFO RPC interface 'supervisor' initialized",
      "CRIT Server 'unix_http_server' running without any HTTP authentication checking",
      'INFO supervisord started with pid N',
    ];
    await h.waitFor('the start-up lines', () => startupLines().length >= once.length, 10_000);
    assert.deepEqual(startupLines(), once);
    const r = await d.ctl(['reload']);
    assert.equal(r.stdout, 'Restarted supervisord\n');
    await h.waitFor('the start-up lines again', () => startupLines().length >= 2 * once.length, 15_000);
    assert.deepEqual(startupLines(), [...once, ...once]);
  });
});
