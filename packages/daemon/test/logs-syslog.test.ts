/**
 * logs/syslog.ts: the lines supervisor's SyslogHandler makes (compared with its own Python code),
 * glibc's header, and datagrams through a real unix datagram receiver
 * (test/fixtures/syslog/receiver.py): the main log with logfile=syslog, a missing socket.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MainLog } from '../src/logs/index.js';
import { childOutputLines, mainLogLines, Syslog, syslogHeader } from '../src/logs/syslog.js';
import { run, tempDir, waitUntil } from './logs-helpers.js';

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) dir = dirname(dir);
  return dir;
}
const RECEIVER = join(repoRoot(), 'test', 'fixtures', 'syslog', 'receiver.py');

/** A receiver bound at `path`; `got` fills with each datagram as text. */
async function receiver(path: string): Promise<{ got: string[]; stop: () => void }> {
  const child = run('python3', [RECEIVER, path, '60']);
  const got: string[] = [];
  let ready = false;
  let rest = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => {
    const lines = (rest + d).split('\n');
    rest = lines.pop()!;
    for (const l of lines) {
      if (l === 'ready') ready = true;
      else got.push(JSON.parse(l) as string);
    }
  });
  await waitUntil(() => ready, 10_000, 'the receiver');
  return { got, stop: () => child.kill('SIGTERM') };
}

const AT = new Date(2026, 10, 6, 9, 1, 2, 345);

describe('syslog', () => {
  it("glibc's header: priority user.info, `%h %e %T` in local time, ident supervisord, no pid", () => {
    assert.equal(syslogHeader(AT), '<14>Nov  6 09:01:02 supervisord: ');
    assert.equal(syslogHeader(new Date(2026, 0, 31, 23, 59, 9)), '<14>Jan 31 23:59:09 supervisord: ');
  });

  it("splits records into lines exactly as supervisor's SyslogHandler", () => {
    const chunks = ['out1\n', 'x\n\ny\n', '\n', 'nonl', 'a\r\nb\n\n\n', '', 'tab\tend \n'];
    const messages = ["'a' stdout output:\nout1\nx\n", 'supervisord started with pid 1', 'two\n\nlines\n'];
    const code = `
import json, sys
from supervisor import loggers
sent = []
class H(loggers.SyslogHandler):
    def _syslog(self, msg):
        sent.append(msg)
out = {}
child = H(); child.setFormat('a %(message)s')
for c in json.loads(sys.argv[1]):
    sent = []
    child.emit(loggers.LogRecord(loggers.LevelsByName.INFO, c.encode()))
    out.setdefault('child', []).append(sent)
main = H(); main.setFormat('%(asctime)s %(levelname)s %(message)s\\n')
for m in json.loads(sys.argv[2]):
    sent = []
    main.emit(loggers.LogRecord(loggers.LevelsByName.DEBG, m))
    out.setdefault('main', []).append([s[24:] for s in sent])  # the time cut off
print(json.dumps(out))
`;
    const py = spawnSync('/usr/bin/python3', ['-c', code, JSON.stringify(chunks), JSON.stringify(messages)], { encoding: 'utf8' });
    assert.equal(py.status, 0, py.stderr);
    const want = JSON.parse(py.stdout) as { child: string[][]; main: string[][] };
    assert.deepEqual(
      chunks.map((c) => childOutputLines('a', Buffer.from(c)).map((b) => b.toString())),
      want.child,
    );
    assert.deepEqual(
      messages.map((m) => mainLogLines('T', 'DEBG', m).map((l) => l.slice(2))),
      want.main,
    );
  });

  it('sends one datagram per line to the socket; bytes pass as they are', async () => {
    const dir = tempDir('syslog');
    const r = await receiver(join(dir, 'log.sock'));
    try {
      const s = new Syslog({ path: join(dir, 'log.sock'), report: (m) => assert.fail(m) });
      s.send(childOutputLines('web', Buffer.from('GET /\nPOST /x\n')), AT);
      s.send(['é ü\n'], AT);
      await waitUntil(() => r.got.length === 3, 5_000, 'three datagrams');
      assert.deepEqual(r.got, [
        '<14>Nov  6 09:01:02 supervisord: web GET /',
        '<14>Nov  6 09:01:02 supervisord: web POST /x',
        '<14>Nov  6 09:01:02 supervisord: é ü\n',
      ]);
    } finally {
      r.stop();
    }
  });

  it('logfile=syslog: the main log sends its lines, the echo and followers are unchanged, no file', async () => {
    const dir = tempDir('syslog');
    const r = await receiver(join(dir, 'log.sock'));
    try {
      const echoed: string[] = [];
      const followed: string[] = [];
      const log = new MainLog({
        logfile: 'syslog',
        maxbytes: 0,
        backups: 0,
        level: 'info',
        echo: true,
        stdout: { write: (s: string) => echoed.push(s) },
        onLine: (l) => followed.push(l),
        now: () => AT,
        syslogPath: join(dir, 'log.sock'),
      });
      log.info('supervisord started with pid 42');
      log.warn("'a' stdout output:\nx\n");
      log.debug('not at info');
      await waitUntil(() => r.got.length === 3, 5_000, 'three datagrams');
      assert.deepEqual(r.got, [
        '<14>Nov  6 09:01:02 supervisord: 2026-11-06 09:01:02,345 INFO supervisord started with pid 42\n',
        "<14>Nov  6 09:01:02 supervisord: 2026-11-06 09:01:02,345 WARN 'a' stdout output:\n",
        '<14>Nov  6 09:01:02 supervisord: 2026-11-06 09:01:02,345 WARN x\n',
      ]);
      assert.deepEqual(echoed, ['2026-11-06 09:01:02,345 INFO supervisord started with pid 42\n', "2026-11-06 09:01:02,345 WARN 'a' stdout output:\nx\n\n"]);
      assert.deepEqual(followed, echoed);
      assert.equal(log.path, null);
      await log.close();
    } finally {
      r.stop();
    }
  });

  it('no socket: never throws, reports once, counts what was dropped when it works again, at most a report a minute', async () => {
    const dir = tempDir('syslog');
    const path = join(dir, 'log.sock');
    const reports: string[] = [];
    const s = new Syslog({ path, report: (m) => reports.push(m) });
    for (let i = 0; i < 5; i++) s.send([`line ${i}`]);
    assert.deepEqual(reports, [`cannot send to syslog ${path} (ENOENT); lines for it are dropped until it can`]);
    const r = await receiver(path);
    try {
      s.send(['back']);
      assert.deepEqual(reports.slice(1), [`syslog ${path} reachable again; 5 lines were dropped`]);
      await waitUntil(() => r.got.length === 1, 5_000, 'the datagram');
      assert.match(r.got[0]!, /supervisord: back$/);
    } finally {
      r.stop();
    }
    await waitUntil(() => !existsSync(path), 5_000, 'the receiver to go');
    // a second incident within the minute is not reported (a receiver that keeps falling behind)
    s.send(['lost again']);
    assert.equal(reports.length, 2);
  });
});
