import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ASYNC_FOR_MS, closeDestination, type FileDestination, openDestination, stalled, writeToDestination } from '../src/logs/destination.js';
import { RotatingFile } from '../src/logs/index.js';
import { tempDir } from './logs-helpers.js';

describe('log destinations', () => {
  it('a regular file on a local filesystem is written before writeToDestination returns', async () => {
    const path = join(tempDir('dest'), 'x.log');
    const d = openDestination(path);
    assert.equal(d.kind, 'file');
    assert.equal(d.kind === 'file' && d.local, true);
    const done = writeToDestination(d, [Buffer.from('one '), Buffer.from('two\n')]);
    assert.equal(readFileSync(path, 'utf8'), 'one two\n', 'on disk before the promise is awaited');
    await done;
    closeDestination(d);
  });

  it('devices go through the thread pool (a tty can block)', async () => {
    const d = openDestination('/dev/null');
    assert.equal(d.kind === 'file' && d.local, false);
    await writeToDestination(d, [Buffer.from('nothing\n')]);
    closeDestination(d);
  });

  it('never creates a file right in /dev or in /proc (a missing /dev/stdout symlink stays missing)', () => {
    const name = `/dev/tsv-test-${process.pid}.log`;
    const errors: string[] = [];
    const f = new RotatingFile(name, { onError: (e) => errors.push(e.code ?? '') });
    assert.deepEqual(errors, ['ENOENT']);
    assert.ok(!existsSync(name));
    void f.close();
  });

  it('steady writing stays synchronous; writes that stall the loop over 100 ms in a second go to the pool', () => {
    const f: FileDestination = { kind: 'file', fd: -1, rotatable: true, size: 0, local: true, asyncUntil: 0, stalledMs: 0, windowStart: 0 };
    const MiB = 1024 * 1024;
    let t = 10_000;
    for (let i = 0; i < 1000; i++, t += 6) stalled(f, t, t + 5, MiB); // 200 MiB/s for 6 s
    for (let i = 0; i < 20; i++, t += 500) stalled(f, t, t + 45, 256 * 1024); // a 45 ms write now and then
    assert.equal(f.asyncUntil, 0);
    for (let i = 0; i < 3; i++, t += 60) stalled(f, t, t + 50, 256 * 1024); // three in a row
    assert.ok(f.asyncUntil > Date.now() + ASYNC_FOR_MS - 1000, 'sent to the thread pool');
  });
});
