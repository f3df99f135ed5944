import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { captureOutput, RotatingFile } from '../src/logs/index.js';
import { exited, run, sleep, tempDir } from './logs-helpers.js';

function recorder() {
  const errors: string[] = [];
  const recoveries: number[] = [];
  return {
    errors,
    recoveries,
    onError: (err: NodeJS.ErrnoException) => errors.push(err.code ?? err.message),
    onRecover: (dropped: number) => recoveries.push(dropped),
  };
}

describe('RotatingFile failures', () => {
  it('an unopenable path (under a regular file, fails even for root) is reported once', async () => {
    const rec = recorder();
    const file = new RotatingFile('/dev/null/x/app.log', { ...rec, retryDelayMs: 10 });
    assert.deepEqual(rec.errors, ['ENOTDIR']);
    for (let i = 0; i < 20; i++) {
      await file.write(Buffer.from('lost\n'));
      await sleep(2);
    }
    file.writeSync(Buffer.from('lost\n'));
    await file.close();
    assert.deepEqual(rec.errors, ['ENOTDIR'], 'one report for the whole incident');
    assert.equal(file.droppedBytes, 21 * 5);
    assert.equal(file.writtenBytes, 0);
  });

  it('a full disk (/dev/full: ENOSPC) is reported once; the capture still ends normally', async () => {
    const rec = recorder();
    const file = new RotatingFile('/dev/full', { ...rec, retryDelayMs: 5 });
    const child = run('seq', ['1', '100000']);
    const [result] = await Promise.all([captureOutput(child.stdout!, file), exited(child)]);
    await file.close();
    assert.deepEqual(rec.errors, ['ENOSPC']);
    assert.equal(result.error, null);
    assert.equal(file.writtenBytes, 0);
    assert.equal(file.droppedBytes, result.bytesRead);
  });

  it('resumes writing once the directory exists, and reports the bytes lost', async () => {
    const dir = tempDir();
    const later = join(dir, 'later');
    const rec = recorder();
    const file = new RotatingFile(join(later, 'app.log'), { ...rec, retryDelayMs: 20 });
    assert.deepEqual(rec.errors, ['ENOENT']);
    await file.write(Buffer.from('dropped\n'));
    assert.equal(file.failing, true);
    mkdirSync(later);
    await sleep(30);
    await file.write(Buffer.from('kept\n'));
    await file.write(Buffer.from('kept too\n'));
    await file.close();
    assert.equal(readFileSync(join(later, 'app.log'), 'utf8'), 'kept\nkept too\n');
    assert.deepEqual(rec.recoveries, [8]);
    assert.equal(file.failing, false);
  });
});
