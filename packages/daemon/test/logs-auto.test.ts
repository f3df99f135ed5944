import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { autoLogMade, autoLogPath, autoLogPattern, clearAutoChildLogDir } from '../src/logs/index.js';
import { tempDir } from './logs-helpers.js';

const NAMES = [
  'web-stdout---supervisor-abc_1234.log',
  'web-stderr---supervisor-x.log.3',
  'a:b-stdout---supervisor-q.log.10',
  'web-stdout---other-abc.log',
  'supervisord.log',
  '---supervisor-x.log',
  'x---supervisor-.log',
  'keep.txt',
];

describe('AUTO child logs', () => {
  it('autoLogPath creates name-channel---identifier-XXXXXXXX.log, mode 0600, unique; the first of a directory at once, the next ones of the same turn in the background', async () => {
    const dir = tempDir();
    const a = autoLogPath(dir, 'web_0', 'stdout');
    const b = autoLogPath(dir, 'web_0', 'stdout');
    assert.notEqual(a, b);
    assert.match(basename(a), /^web_0-stdout---supervisor-[a-z0-9_]{8}\.log$/);
    assert.equal(statSync(a).size, 0);
    assert.equal(statSync(a).mode & 0o777, 0o600);
    const c = autoLogPath(dir, 'w', 'stderr', 'box1');
    assert.match(basename(c), /^w-stderr---box1-[a-z0-9_]{8}\.log$/);
    await Promise.all([autoLogMade(b), autoLogMade(c)]);
    for (const p of [b, c]) {
      assert.equal(statSync(p).size, 0);
      assert.equal(statSync(p).mode & 0o777, 0o600);
    }
  });

  it('autoLogPath in a directory that cannot hold files throws at once (the first of a turn is made synchronously)', () => {
    assert.throws(() => autoLogPath('/nonexistent/dir', 'web', 'stdout'), /ENOENT/);
  });

  it('the cleanup pattern matches what supervisor clear_autochildlogdir matches', (t) => {
    const code = `
import re, sys, json
fnre = re.compile(r'.+?---%s-\\S+\\.log\\.{0,1}\\d{0,4}' % 'supervisor')
print(json.dumps([bool(fnre.match(n)) for n in json.loads(sys.argv[1])]))`;
    const r = spawnSync('/usr/bin/python3', ['-c', code, JSON.stringify(NAMES)]);
    if (r.status !== 0) return t.skip('python3 not available');
    const pattern = autoLogPattern();
    assert.deepEqual(NAMES.map((n) => pattern.test(n)), JSON.parse(r.stdout.toString()));
  });

  it('clearAutoChildLogDir removes AUTO logs and their backups, nothing else', () => {
    const dir = tempDir();
    for (const n of NAMES) writeFileSync(join(dir, n), '');
    const report = clearAutoChildLogDir(dir);
    assert.deepEqual(report.warnings, []);
    assert.deepEqual(readdirSync(dir).sort(), ['---supervisor-x.log', 'keep.txt', 'supervisord.log', 'web-stdout---other-abc.log', 'x---supervisor-.log']);
    assert.equal(report.removed.length, 3);
  });

  it('an unreadable childlogdir gives supervisor warning, no exception', () => {
    assert.deepEqual(clearAutoChildLogDir('/nonexistent/dir').warnings, ['Could not clear childlog dir']);
  });
});
