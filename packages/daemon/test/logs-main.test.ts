import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Faults, type RPCFault } from '@tsupervisor/protocol';
import { formatLogLine, type LogLevelName, MainLog } from '../src/logs/index.js';
import { exited, readRotated, runNode, tempDir } from './logs-helpers.js';

const LIB = new URL('../src/logs/index.js', import.meta.url).href;
const AT = new Date(2026, 10, 26, 16, 20, 6, 123);
const LEVELS: LogLevelName[] = ['critical', 'error', 'warn', 'info', 'debug', 'trace', 'blather'];
const STAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} /gm;

function capture() {
  const lines: string[] = [];
  return { lines, stdout: { write: (s: string) => lines.push(s) } };
}

describe('MainLog', () => {
  it('formats lines exactly like supervisor', () => {
    assert.equal(formatLogLine('info', 'supervisord started with pid 42', AT), '2026-11-26 16:20:06,123 INFO supervisord started with pid 42\n');
  });

  it('writes the same lines as supervisor logger at every level (timestamps aside)', (t) => {
    const dir = tempDir();
    const py = join(dir, 'py.log');
    const code = `
import sys
from supervisor import loggers
log = loggers.getLogger(loggers.LevelsByName.BLAT)
loggers.handle_file(log, sys.argv[1], '%(asctime)s %(levelname)s %(message)s\\n', True, 1000000, 1)
for name in ${JSON.stringify(LEVELS)}: getattr(log, name)('message at ' + name)
`;
    if (spawnSync('/usr/bin/python3', ['-c', code, py]).status !== 0) return t.skip('python3 with supervisor not available');
    const ours = join(dir, 'ours.log');
    const log = new MainLog({ logfile: ours, maxbytes: 1000000, backups: 1, level: 'blather', echo: false });
    for (const level of LEVELS) log[level](`message at ${level}`);
    const strip = (p: string) => readFileSync(p, 'utf8').replace(STAMP, 'T ');
    assert.equal(strip(ours), strip(py));
  });

  it('drops messages below its level and echoes to stdout when asked', async () => {
    const dir = tempDir();
    const path = join(dir, 'main.log');
    const out = capture();
    const log = new MainLog({ logfile: path, maxbytes: 0, backups: 0, level: 'warn', echo: true, stdout: out.stdout, now: () => AT });
    for (const level of LEVELS) log[level](level);
    await log.close();
    const expected = ['CRIT critical', 'ERRO error', 'WARN warn'].map((m) => `2026-11-26 16:20:06,123 ${m}\n`);
    assert.deepEqual(out.lines, expected);
    assert.equal(readFileSync(path, 'utf8'), expected.join(''));
  });

  it('rotates with logfile_maxbytes / logfile_backups, whole lines, none lost', async () => {
    const dir = tempDir();
    const path = join(dir, 'rot.log');
    const log = new MainLog({ logfile: path, maxbytes: 1000, backups: 50, level: 'info', echo: false });
    for (let i = 1; i <= 500; i++) log.info(`line ${i}`);
    await log.close();
    const { data, files } = readRotated(path);
    assert.ok(files > 10);
    const messages = data.toString().replace(STAMP, '').trimEnd().split('\n');
    assert.deepEqual(messages, Array.from({ length: 500 }, (_, i) => `INFO line ${i + 1}`));
  });

  it('reopen() after mv: logs `supervisord logreopen` to the old file, continues in a new one', async () => {
    const dir = tempDir();
    const path = join(dir, 'main.log');
    const log = new MainLog({ logfile: path, maxbytes: 0, backups: 0, level: 'info', echo: false });
    log.info('before');
    renameSync(path, `${path}.old`);
    await log.reopen();
    log.info('after');
    await log.close();
    assert.equal(readFileSync(`${path}.old`, 'utf8').replace(STAMP, ''), 'INFO before\nINFO supervisord logreopen\n');
    assert.equal(readFileSync(path, 'utf8').replace(STAMP, ''), 'INFO after\n');
  });

  it('clear(), read() and tail() serve clearLog, readLog and maintail', async () => {
    const dir = tempDir();
    const path = join(dir, 'main.log');
    const out = capture();
    const log = new MainLog({ logfile: path, maxbytes: 0, backups: 0, level: 'info', echo: true, stdout: out.stdout });
    log.info('one');
    assert.match(await log.read(-9, 0), /INFO one\n$/);
    assert.equal((await log.tail(0, 9)).bytes, 'INFO one\n');
    await log.clear();
    assert.equal(await log.read(0, 0), '');
    assert.match(out.lines.at(-1)!, /INFO reopening log file\n$/);
    log.info('two');
    assert.equal((await log.read(0, 0)).replace(STAMP, ''), 'INFO two\n');
    await log.close();
  });

  it('logfile=syslog: no file (NO_FILE on read), stdout echo still works (lines to syslog: logs-syslog.test.ts)', async () => {
    const out = capture();
    const syslogPath = join(tempDir(), 'no-syslog-here'); // nobody listens: a line on stderr, nothing thrown
    const log = new MainLog({ logfile: 'syslog', maxbytes: 0, backups: 0, level: 'info', echo: true, stdout: out.stdout, syslogPath });
    log.info('hello');
    assert.equal(log.path, null);
    await assert.rejects(log.read(0, 0), (e: RPCFault) => e.code === Faults.NO_FILE);
    await assert.rejects(log.clear(), (e: RPCFault) => e.code === Faults.NO_FILE);
    assert.deepEqual(out.lines.map((l) => l.replace(STAMP, '')), ['INFO hello\n']);
  });

  it('feeds onLine (maintail -f followers)', () => {
    const seen: string[] = [];
    const log = new MainLog({ logfile: null, maxbytes: 0, backups: 0, level: 'info', echo: false, onLine: (l) => seen.push(l), now: () => AT });
    log.info('x');
    assert.deepEqual(seen, ['2026-11-26 16:20:06,123 INFO x\n']);
  });

  it('a line logged right before the process is killed is in the file', async () => {
    const dir = tempDir();
    const path = join(dir, 'crash.log');
    const child = runNode(
      `import { MainLog } from ${JSON.stringify(LIB)};
       const log = new MainLog({ logfile: ${JSON.stringify(path)}, maxbytes: 0, backups: 0, level: 'info', echo: false });
       log.critical('about to die');
       process.kill(process.pid, 'SIGKILL');`,
    );
    await exited(child);
    assert.equal(child.signalCode, 'SIGKILL');
    assert.match(readFileSync(path, 'utf8'), /CRIT about to die\n$/);
  });
});

describe('MainLog file errors', () => {
  it('reports an unopenable logfile through onFileError, keeps echoing', () => {
    const errors: string[] = [];
    const out = capture();
    const log = new MainLog({
      logfile: '/dev/null/x/main.log',
      maxbytes: 0,
      backups: 0,
      level: 'info',
      echo: true,
      stdout: out.stdout,
      onFileError: (e) => errors.push(e.code!),
    });
    log.info('still echoed');
    log.info('and again');
    assert.deepEqual(errors, ['ENOTDIR']);
    assert.equal(out.lines.length, 2);
  });
});
