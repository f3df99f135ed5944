import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { closeDestination, openDestination, writeToDestination } from '../src/logs/destination.js';
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
});
