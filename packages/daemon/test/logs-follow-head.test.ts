/**
 * The join point of `tail -f`: RotatingFile.head reads the file after the writes asked before it
 * and before those asked after it (across a rotation too), and Capture.cut hands what was read
 * to the sink at once, even while a write is in progress, so a head asked next holds it.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { captureOutput, RotatingFile, type CaptureHandle, type LogSink } from '../src/logs/index.js';
import { tempDir } from './logs-helpers.js';

describe('RotatingFile.head', () => {
  it('holds exactly the writes asked before it, none after', async () => {
    const dir = tempDir();
    const f = new RotatingFile(join(dir, 'x.log'));
    void f.write(Buffer.from('x\n'.repeat(600)));
    void f.write(Buffer.from('x\n'));
    const head = f.head(1024);
    void f.write(Buffer.from('y\n'));
    const h = (await head)!;
    assert.equal(h.data.toString(), 'x\n'.repeat(512));
    assert.equal(h.partial, true);
    await f.close();
  });

  it('after a rotation, the new file; null when there is no file', async () => {
    const dir = tempDir();
    const f = new RotatingFile(join(dir, 'r.log'), { maxbytes: 10, backups: 1 });
    void f.write(Buffer.from('0123456789'));
    void f.write(Buffer.from('ab'));
    const h = (await f.head(1024))!;
    assert.deepEqual([h.data.toString(), h.partial], ['ab', false]);
    await f.close();
    assert.equal(await new RotatingFile(join(dir, 'nodir', 'n.log')).head(10), null);
  });
});

describe('Capture.cut', () => {
  it('hands pending chunks to the sink at once, behind a write in progress', async () => {
    const writes: string[] = [];
    const release: Array<() => void> = [];
    const sink: LogSink = {
      write(data) {
        writes.push((Array.isArray(data) ? data : [data]).map((c) => Buffer.from(c).toString()).join(''));
        return new Promise<void>((resolve) => release.push(resolve));
      },
    };
    const stream = new PassThrough();
    let handle: CaptureHandle | null = null;
    const seen: string[] = [];
    const done = captureOutput(stream, sink, { onStart: (h) => (handle = h), onData: (c) => seen.push(c.toString()), maxPendingBytes: 0 });
    stream.write('a');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(writes, ['a']); // in progress
    stream.write('b');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, ['a', 'b']);
    assert.deepEqual(writes, ['a']); // b waits for a
    handle!.cut();
    assert.deepEqual(writes, ['a', 'b']); // handed over now
    handle!.cut(); // nothing pending: no write
    assert.deepEqual(writes, ['a', 'b']);
    stream.end();
    for (const r of release.splice(0)) r();
    await new Promise((r) => setImmediate(r));
    for (const r of release.splice(0)) r();
    const result = await done;
    assert.equal(result.bytesLogged, 2);
    assert.deepEqual(writes, ['a', 'b']);
  });
});
