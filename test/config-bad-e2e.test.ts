/**
 * Bad configuration end to end. At start: tsupervisord exits 2 with one line naming the file,
 * line, section, key and value (plus supervisor's "For help" line), and leaves nothing behind
 * (no socket, no pidfile, no child). On `reread` / `update`: the ctl shows the same error and
 * exits non-zero, and the running configuration and processes are untouched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';

interface BadCase {
  name: string;
  /** Appended to the harness header; `@TMP@` is the temp dir. */
  body: string;
  /** Other files (relative to the temp dir). */
  files?: Record<string, string>;
  /** The file the error must name (relative; default the main conf) and the text of its bad line. */
  file?: string;
  line: string;
  section: string;
  key: string;
  /** The value as written; omitted when the key is missing. */
  value?: string;
  reason: RegExp;
}

const prog = (extra: string) => `[program:web]\ncommand=sleep 1000\n${extra}\n`;

const CASES: BadCase[] = [
  { name: 'integer', body: prog('startsecs=abc'), line: 'startsecs=abc', section: 'program:web', key: 'startsecs', value: 'abc', reason: /not an integer/ },
  { name: 'boolean', body: prog('autostart=maybe'), line: 'autostart=maybe', section: 'program:web', key: 'autostart', value: 'maybe', reason: /not a valid boolean/ },
  { name: 'signal', body: prog('stopsignal=FOO'), line: 'stopsignal=FOO', section: 'program:web', key: 'stopsignal', value: 'FOO', reason: /not a valid signal/ },
  { name: 'exit codes', body: prog('exitcodes=0,256'), line: 'exitcodes=0,256', section: 'program:web', key: 'exitcodes', value: '0,256', reason: /exit codes/ },
  { name: 'octal', body: prog('umask=999'), line: 'umask=999', section: 'program:web', key: 'umask', value: '999', reason: /octal/ },
  { name: 'byte size', body: prog('stdout_logfile_maxbytes=10XB'), line: 'stdout_logfile_maxbytes=10XB', section: 'program:web', key: 'stdout_logfile_maxbytes', value: '10XB', reason: /byte size/ },
  { name: 'environment', body: prog('environment=A=1,B'), line: 'environment=A=1,B', section: 'program:web', key: 'environment', value: 'A=1,B', reason: /key\/value pairs/ },
  { name: 'user', body: prog('user=nosuchuser'), line: 'user=nosuchuser', section: 'program:web', key: 'user', value: 'nosuchuser', reason: /Invalid user name/ },
  { name: '%s without a name', body: '[program:web]\ncommand=/bin/echo %s\n', line: 'command=/bin/echo %s', section: 'program:web', key: 'command', value: '/bin/echo %s', reason: /%s names no expansion: supervisord would put its whole dict of expansions there/ },
  { name: 'expansion', body: '[program:web]\ncommand=sleep %(foo)s\n', line: 'command=sleep %(foo)s', section: 'program:web', key: 'command', value: 'sleep %(foo)s', reason: /cannot be expanded/ },
  { name: 'missing command', body: '[program:web]\nstartsecs=1\n', line: '[program:web]', section: 'program:web', key: 'command', reason: /does not specify a command/ },
  { name: 'numprocs', body: prog('numprocs=2'), line: 'numprocs=2', section: 'program:web', key: 'numprocs', value: '2', reason: /process_num/ },
  { name: 'log directory', body: prog('stdout_logfile=/nonexistent/dir/x.log'), line: 'stdout_logfile=/nonexistent/dir/x.log', section: 'program:web', key: 'stdout_logfile', value: '/nonexistent/dir/x.log', reason: /does not exist/ },
  { name: 'group', body: prog('') + '[group:g]\nprograms=web,zz\n', line: 'programs=web,zz', section: 'group:g', key: 'programs', value: 'web,zz', reason: /unknown program/ },
  { name: 'fcgi socket', body: '[fcgi-program:f]\ncommand=sleep 1000\nsocket=tcp://::1:9000\n', line: 'socket=tcp://::1:9000', section: 'fcgi-program:f', key: 'socket', value: 'tcp://::1:9000', reason: /Bad socket format/ },
  { name: '[supervisord]', body: '[supervisord]\nloglevel=loud\n', line: 'loglevel=loud', section: 'supervisord', key: 'loglevel', value: 'loud', reason: /bad logging level/ },
  { name: 'audit_logfile', body: '[supervisord]\naudit_logfile=/nonexistent/dir/audit.log\n', line: 'audit_logfile=/nonexistent/dir/audit.log', section: 'supervisord', key: 'audit_logfile', value: '/nonexistent/dir/audit.log', reason: /does not exist/ },
  { name: '[unix_http_server]', body: '[unix_http_server]\nchown=nobody:nogroupx\n', line: 'chown=nobody:nogroupx', section: 'unix_http_server', key: 'chown', value: 'nobody:nogroupx', reason: /sockchown/ },
  {
    name: 'included file',
    body: '[include]\nfiles=conf.d/*.conf\n',
    files: { 'conf.d/web.conf': '; web\n[program:web]\ncommand=sleep 1000\nstartsecs=soon\n' },
    file: 'conf.d/web.conf',
    line: 'startsecs=soon',
    section: 'program:web',
    key: 'startsecs',
    value: 'soon',
    reason: /not an integer/,
  },
];

/** 1-based number of the last line of `file` that reads `text` (bad sections are appended). */
function lineOf(file: string, text: string): number {
  const i = readFileSync(file, 'utf8').split('\n').lastIndexOf(text);
  assert.ok(i >= 0, `${text} not found in ${file}`);
  return i + 1;
}

/** The one line the error must be, up to the reason. */
function expectedPrefix(dir: string, conf: string, c: BadCase): string {
  const file = c.file ? join(dir, c.file) : conf;
  const what = c.value === undefined ? `[${c.section}] ${c.key}` : `[${c.section}] ${c.key} = ${JSON.stringify(c.value)}`;
  return `Error: ${file}:${lineOf(file, c.line)}: ${what}: `;
}

function writeFiles(dir: string, files: Record<string, string> = {}): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
}

test('every kind of bad config at start: exit 2, one line naming file, line, section, key and value; nothing left behind', { timeout: 120_000 }, async () => {
  const { daemonCmd } = h.resolveCommands();
  for (const c of CASES) {
    const tmp = h.makeTmpDir('tsv-bad-');
    try {
      const conf = join(tmp.path, 'supervisord.conf');
      writeFileSync(conf, h.confHeader(tmp.path) + '\n' + c.body.replaceAll('@TMP@', tmp.path));
      writeFiles(tmp.path, c.files);
      const r = await h.runCmd(daemonCmd, ['-c', conf], { cwd: tmp.path, timeoutMs: 15_000 });
      assert.equal(r.code, 2, `${c.name}: exit code (stderr: ${r.stderr})`);
      const lines = r.stderr.split('\n').filter(Boolean);
      assert.equal(lines.length, 2, `${c.name}: the error is one line plus "For help": ${r.stderr}`);
      const prefix = expectedPrefix(tmp.path, conf, c);
      assert.ok(lines[0]!.startsWith(prefix), `${c.name}:\n  got  ${lines[0]}\n  want ${prefix}…`);
      assert.match(lines[0]!.slice(prefix.length), c.reason, c.name);
      assert.match(lines[1]!, /^For help, use .*tsupervisord -h$/);
      assert.equal(r.stdout, '');
      assert.ok(!existsSync(join(tmp.path, 'supervisor.sock')), `${c.name}: no socket`);
      assert.ok(!existsSync(join(tmp.path, 'supervisord.pid')), `${c.name}: no pidfile`);
    } finally {
      tmp.remove();
    }
  }
});

test('[supervisord] logfile naming a directory (%(here)s, as supervisor\'s own include.conf): refused with exit 1 as supervisord, naming file:line', { timeout: 30_000 }, async () => {
  // supervisord 4.2.5 accepts the value, then dies opening the main log: IsADirectoryError, exit 1,
  // before it binds its socket or writes its pidfile.
  const { daemonCmd } = h.resolveCommands();
  const tmp = h.makeTmpDir('tsv-bad-');
  try {
    const conf = join(tmp.path, 'supervisord.conf');
    writeFileSync(conf, h.confHeader(tmp.path) + '\n[supervisord]\nlogfile = %(here)s\n' + prog(''));
    const r = await h.runCmd(daemonCmd, ['-c', conf], { cwd: tmp.path, timeoutMs: 15_000 });
    assert.equal(r.code, 1, `exit code (stderr: ${r.stderr})`);
    const first = r.stderr.split('\n')[0]!;
    assert.equal(first, `Error: ${conf}:${lineOf(conf, 'logfile = %(here)s')}: [supervisord] logfile = "%(here)s": Is a directory: ${tmp.path}: the main log cannot be opened`);
    assert.equal(r.stdout, '');
    assert.ok(!existsSync(join(tmp.path, 'supervisor.sock')), 'no socket');
    assert.ok(!existsSync(join(tmp.path, 'supervisord.pid')), 'no pidfile');
  } finally {
    tmp.remove();
  }
});

test('a UTF-8 byte order mark before the first header: exit 2, "no section headers" naming the BOM, as supervisord refuses it', { timeout: 60_000 }, async () => {
  const tmp = h.makeTmpDir('tsv-bom-');
  try {
    const conf = join(tmp.path, 'supervisord.conf');
    writeFileSync(conf, '\uFEFF' + h.confHeader(tmp.path).replace(/^; .*\n/, '') + '\n' + prog(''));
    const r = await h.runCmd(h.resolveCommands().daemonCmd, ['-c', conf], { cwd: tmp.path, timeoutMs: 15_000 });
    assert.equal(r.code, 2, r.stderr);
    if (h.defaultImpl === 'tsupervisor') {
      assert.equal(
        r.stderr.split('\n')[0],
        `Error: ${conf}:1: File contains no section headers: the file starts with a UTF-8 byte order mark (U+FEFF), which supervisord does not accept either; save it without one`,
      );
    } else {
      assert.match(r.stderr, /^Error: File contains no section headers\.\nfile: .*, line: 1\n'\\ufeff\[unix_http_server\]\\n'/);
    }
    assert.ok(!existsSync(join(tmp.path, 'supervisor.sock')), 'no socket');
  } finally {
    tmp.remove();
  }
});

const GOOD = `
[program:a]
command=sleep 1000
startsecs=0

[program:b]
command=sleep 1000
startsecs=0
numprocs=2
process_name=%(program_name)s_%(process_num)d
`;

test('reread and update with a bad config: the same error, non-zero exit, processes and configuration untouched', { timeout: 120_000 }, async () => {
  const d = await h.startDaemon(GOOD);
  try {
    const rows = async () => (await d.status()).map((r) => `${r.name} ${r.state} ${r.pid}`).join('\n');
    const before = await rows();
    assert.match(before, /^a RUNNING \d+\nb:b_0 RUNNING \d+\nb:b_1 RUNNING \d+$/);
    const availBefore = (await d.ctl(['avail'])).stdout;
    const good = readFileSync(d.conf, 'utf8');
    for (const c of CASES) {
      // The bad section replaces program b (same names, so a good reading would change nothing else).
      writeFileSync(d.conf, good + '\n' + c.body.replaceAll('[program:web]', '[program:c]').replaceAll('program:web', 'program:c').replaceAll('@TMP@', d.dir));
      writeFiles(d.dir, Object.fromEntries(Object.entries(c.files ?? {}).map(([k, v]) => [k, v.replaceAll('program:web', 'program:c')])));
      const fresh = { ...c, section: c.section.replace('program:web', 'program:c'), line: c.line.replace('program:web', 'program:c') };
      const prefix = expectedPrefix(d.dir, d.conf, fresh).replace(/^Error: /, '');

      const reread = await d.ctl(['reread']);
      assert.notEqual(reread.code, 0, `${c.name}: reread exit code`);
      assert.ok(reread.stdout.startsWith(`ERROR: CANT_REREAD: ${prefix}`), `${c.name}: reread said ${reread.stdout}${reread.stderr}\n  want ERROR: CANT_REREAD: ${prefix}…`);
      const update = await d.ctl(['update']);
      assert.notEqual(update.code, 0, `${c.name}: update exit code`);
      // update prints the fault as supervisorctl does, in Python's repr (quotes escaped): compare up to the key.
      const where = prefix.slice(0, prefix.indexOf(`] ${fresh.key}`) + fresh.key.length + 2);
      assert.ok((update.stdout + update.stderr).includes(`CANT_REREAD: ${where}`), `${c.name}: update said ${update.stdout}${update.stderr}\n  want CANT_REREAD: ${where}`);

      assert.equal(await rows(), before, `${c.name}: processes changed`);
      assert.equal((await d.ctl(['avail'])).stdout, availBefore, `${c.name}: the configuration in use changed`);
      for (const rel of Object.keys(c.files ?? {})) writeFileSync(join(d.dir, rel), '');
    }
    writeFileSync(d.conf, good);
    const reread = await d.ctl(['reread']);
    assert.equal(reread.stdout, 'No config updates to processes\n');
    assert.equal(await rows(), before);
  } catch (e) {
    (e as Error).message += `\n${d.logs()}`;
    throw e;
  } finally {
    await d.stop();
  }
});

test('reload with a bad config: refused before anything stops, the error names file:line, everything keeps running', { timeout: 60_000 }, async () => {
  const d = await h.startDaemon(GOOD);
  try {
    await d.waitState('a', 'RUNNING');
    await d.waitState('b:b_1', 'RUNNING');
    const before = await d.status();
    const good = readFileSync(d.conf, 'utf8');
    writeFileSync(d.conf, good + '\n[program:c]\ncommand=sleep 1000\nstartsecs=abc\n');
    const r = await d.ctl(['reload']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^ERROR: CANT_REREAD: .*supervisord\.conf:\d+: \[program:c\] startsecs = "abc": not an integer\n$/);
    process.kill(d.pid, 'SIGHUP');
    await h.waitFor('the SIGHUP to be logged', () => /not restarting, the running configuration is kept: .*startsecs = "abc"/.test(readFileSync(join(d.dir, 'supervisord.log'), 'utf8')), 10_000);
    assert.ok(h.isAlive(d.pid));
    const after = await d.status();
    assert.deepEqual(after.map((row) => [row.name, row.pid]), before.map((row) => [row.name, row.pid]));
  } catch (e) {
    (e as Error).message += `\n${d.logs()}`;
    throw e;
  } finally {
    await d.stop();
  }
});
